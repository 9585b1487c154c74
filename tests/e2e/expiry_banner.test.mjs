// マイページ's 有効期限 banner in chromium, checked with axe-core on a desktop and a phone screen:
// two certificates 30 days before their notAfter (amber, 更新時期), then 3 days after it (red,
// 期限切れ), each with its 残り日数 and the one button to /renewal; the server on the settable
// clock (docs/testing.md). And the back office's 有効期限の見通し.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { writeTestClock } from '../support/test_clock.mjs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import { sqlRows, stopServer } from '../support/harness.mjs';
import {
  startServerWithCa, createOperator, newClinic, applyForCertificates, totp,
} from '../support/back_office.mjs';
import { approveAndIssue } from '../support/pickup.mjs';

const DAY = 86400;
const OPERATOR_PASSWORD = 'operator passphrase for the browser 2026';
let srv;
let browser;
let clockFile;
let notAfter;
const S = {};

async function setClock(offsetDays) {
  const t = notAfter + offsetDays * DAY + 3600;
  await writeTestClock(clockFile, t);
  return t;
}

before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  clockFile = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-clock-')), 'now');
  ({ srv } = await startServerWithCa({
    name: 'e2e_expiry_banner',
    passphrase: 'e2e-expiry-CA',
    env: {
      ONSHI_DEVELOPMENT_TEST_CLOCK: 'true',
      ONSHI_TEST_CLOCK_FILE: clockFile,
      ONSHI_UNPICKED_REVOCATION_GRACE_DAYS: '5000',
    },
  }));
  await createOperator(srv, { login: 'rev1', name: '審査 太郎', role: 'reviewer', password: OPERATOR_PASSWORD });
  S.reviewerSecret = (await createOperator(srv, {
    login: 'rev2', name: '審査 花子', role: 'reviewer', password: OPERATOR_PASSWORD,
  })).totp_secret;
  await createOperator(srv, { login: 'iss1', name: '発行 次郎', role: 'issuer', password: OPERATOR_PASSWORD });
  S.clinic = await newClinic(srv, 'e2eexpiry', { institutionName: '医療法人テスト会 すずらん診療所', terminals: 2 });
  await approveAndIssue(srv, await applyForCertificates(S.clinic, 2));
  notAfter = Math.floor(Number((await sqlRows(srv, 'SELECT not_after AS t FROM certificates'))[0].t) / 1000);
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
  if (clockFile) await fsp.rm(path.dirname(clockFile), { recursive: true, force: true });
});

for (const [screen, options] of [['desktop', { locale: 'ja-JP', viewport: { width: 1280, height: 800 } }],
  ['phone', PHONE_CONTEXT]]) {
  test(`${screen}: the banner before and after expiry, with each certificate's days left`, async () => {
    const shot = screenshotter(`expiry-${screen}-`);
    for (const [days, heading, left] of [
      [-30, '電子証明書の有効期限が近づいています', 'あと30日'],
      [3, '有効期限が過ぎた電子証明書があります', '有効期限切れ・4日目'],
    ]) {
      await setClock(days);
      const context = await browser.newContext(options);
      const page = await context.newPage();
      const problems = watchPage(page);
      try {
        await logInFromTop(page, srv.baseUrl, S.clinic.acct);
        const banner = page.getByRole('region', { name: heading });
        await banner.waitFor();
        const button = banner.getByRole('link', { name: '電子証明書をまとめて更新申請する', exact: true });
        assert.equal(await button.getAttribute('href'), '/renewal');
        const cells = await page.locator('td[data-label="残り日数"]').allInnerTexts();
        assert.equal(cells.length, 2);
        for (const c of cells) assert.ok(c.startsWith(left), `残り日数: ${c}`);
        await shot(page, days < 0 ? 'soon' : 'expired');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    }
  });
}

test('back office: 有効期限の見通し', async () => {
  const t = await setClock(-100);
  const shot = screenshotter('expiry-admin-');
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(`${srv.baseUrl}/admin/login`);
    await page.getByLabel('ログインID', { exact: true }).fill('rev2');
    await page.getByLabel('パスワード', { exact: true }).fill(OPERATOR_PASSWORD);
    await page.getByLabel('確認コード（認証アプリの6桁）', { exact: true }).fill(totp(S.reviewerSecret, Math.floor((t + 5) / 30)));
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL('**/admin');
    await page.getByRole('link', { name: '有効期限の見通し', exact: true }).click();
    await page.waitForURL('**/admin/expiries');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('13 東京都：2枚'), text);
    await shot(page, 'plan');
  } finally {
    await context.close();
  }
});
