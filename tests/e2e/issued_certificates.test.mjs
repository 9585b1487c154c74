// After issuance, in chromium at desktop and phone width: マイページ's 電子証明書 (one card per
// certificate below 480 px), a certificate's page, 受取を完了する through its confirmation, a
// locked pickup sending the clinic to the desk, and the issuer's 取得ロックを解除 in the back
// office. Every screenshot is checked with axe-core.
//
// Set up from the shell: a CA with its TLS listener, operators, one clinic's application for 3
// certificates approved and issued, the codes read off the printed letters. A vendor's EST client
// (curl, tests/support/est.mjs) picks up two of them with the terminal's own CSR (so each page
// shows two generations) and sends five wrong codes for the third, which locks it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import { stopServer, runOnshi } from '../support/harness.mjs';
import { EstVendor } from '../support/est.mjs';
import {
  startServerWithCa, withTlsListener, createOperator, newClinic, applyForCertificates, totp,
} from '../support/back_office.mjs';

const exec = promisify(execFile);
const OPERATOR_PASSWORD = 'operator passphrase for the browser 2026';
const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g;

let srv;
let browser;
let work;
const S = {};

async function onshiOk(args) {
  const r = await runOnshi(srv, args);
  assert.equal(r.code, 0, `onshi ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r;
}

before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  ({ srv } = await startServerWithCa({ name: 'e2e_issued_certificates', passphrase: 'e2e-issued-certificates-CA' }));
  await withTlsListener(srv);
  S.reviewer = await createOperator(srv, { login: 'rev1', name: '審査 太郎', role: 'reviewer', password: OPERATOR_PASSWORD });
  S.issuer = await createOperator(srv, { login: 'iss1', name: '発行 次郎', role: 'issuer', password: OPERATOR_PASSWORD });
  S.clinic = await newClinic(srv, 'e2ecerts', { institutionName: '医療法人テスト会 さくら診療所', terminals: 3 });
  S.application = await applyForCertificates(S.clinic, 3);
  await onshiOk(['admin', 'applications', 'approve', S.application, '--operator', 'rev1']);
  await onshiOk(['admin', 'applications', 'issue', S.application, '--operator', 'iss1']);
  S.numbers = [1, 2, 3].map((i) => `${S.application}-0${i}`);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-e2e-certificates-'));
  const pdf = path.join(work, 'letters.pdf');
  await onshiOk(['admin', 'letters', 'render', '--operator', 'iss1', '--out', pdf]);
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'])).stdout;
  const codes = Object.fromEntries(S.numbers.map((n) => [n, (text.slice(text.indexOf(n)).match(PICKUP_CODE_RE) ?? [])[0]]));
  const v = new EstVendor({
    srv, work, root: path.join(srv.dataDir, 'ca', 'root.crt'), issuing: path.join(srv.dataDir, 'ca', 'issuing.crt'),
  });
  for (const n of S.numbers.slice(0, 2)) {
    const csr = await v.newCsr(n, '/CN=terminal');
    const r = await v.est('simpleenroll', { user: `${n}:${codes[n]}`, bodyFile: csr.file });
    assert.equal(r.status, 200, `${n}: ${r.text}`);
  }
  const csr = await v.newCsr('wrong', '/CN=terminal');
  for (let i = 0; i < 5; i += 1) {
    const r = await v.est('simpleenroll', { user: `${S.numbers[2]}:${codes[S.numbers[0]]}`, bodyFile: csr.file });
    assert.equal(r.status, 401, r.text);
  }
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

const SCREENS = [
  ['desktop', { locale: 'ja-JP', viewport: { width: 1280, height: 800 } }, 0],
  ['phone', { ...PHONE_CONTEXT, viewport: { width: 375, height: 812 } }, 1],
];

async function noSidewaysScroll(page, width, what) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${what}: scrollWidth ${scroll} > ${width}`);
}

for (const [screen, options, which] of SCREENS) {
  test(`${screen}: マイページ's 電子証明書, a certificate's page and 受取を完了する`, async () => {
    const shot = screenshotter(`certificates-${screen}-`);
    const width = options.viewport.width;
    const number = S.numbers[which];
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await logInFromTop(page, srv.baseUrl, S.clinic.acct);
      const section = page.locator('section', { has: page.getByRole('heading', { name: '電子証明書', exact: true }) });
      // A `has` locator is matched inside the row, so it is made from the page.
      const link = page.getByRole('link', { name: number, exact: true });
      await link.waitFor();
      const row = section.locator('tr', { has: link });
      const cells = await row.locator('td').allInnerTexts();
      assert.equal(cells[0], `T0${which + 1}`);
      assert.match(cells[6], /^取得済（\d{4}年\d{1,2}月\d{1,2}日（.）\）$/, `取得: ${cells[6]}`);
      assert.match(cells[5], /^あと\d+日$/, `残り日数: ${cells[5]}`);
      assert.equal(cells[7], '1回');
      const locked = await section.locator('tr', { has: page.getByRole('link', { name: S.numbers[2], exact: true }) })
        .locator('td').allInnerTexts();
      assert.ok(locked[6].startsWith('取得ロック中'), `the locked one: ${locked[6]}`);
      if (screen === 'phone') {
        assert.equal(await row.evaluate((el) => getComputedStyle(el).display), 'block', 'rows are cards');
        const labels = await row.locator('td').evaluateAll((tds) => tds.map((td) => getComputedStyle(td, '::before').content));
        assert.deepEqual(labels, ['"端末"', '"発行番号"', '"シリアル番号"', '"状況"', '"有効期間"', '"残り日数"', '"取得"', '"ダウンロード回数"']);
      }
      await noSidewaysScroll(page, width, 'mypage');
      await section.scrollIntoViewIfNeeded();
      await shot(page, 'mypage');

      await link.click();
      await page.waitForURL(`**/certificates/${number}`);
      const text = await page.locator('main').innerText();
      for (const part of ['取得し直せる期限', 'EST による取得（simpleenroll）', '127.0.0.1', '第1世代', '第2世代',
        '置き換え済', '現在の電子証明書', '端末で作成した鍵（CSR から発行）']) {
        assert.ok(text.includes(part), `${part} on the page`);
      }
      assert.equal(await page.getByRole('link', { name: '取得用ページ' }).first().getAttribute('href'), `/pickup?n=${number}`);
      await noSidewaysScroll(page, width, 'certificate');
      await shot(page, 'certificate');

      await page.getByRole('link', { name: '受取を完了する', exact: true }).click();
      await page.waitForURL(`**/certificates/${number}/complete`);
      assert.ok((await page.locator('main').innerText()).includes('元に戻せません'));
      await noSidewaysScroll(page, width, 'confirmation');
      await shot(page, 'complete-confirm');
      await page.getByRole('button', { name: '受取を完了する', exact: true }).click();
      await page.waitForURL(`**/certificates/${number}?done=completed`);
      const after = await page.locator('main').innerText();
      assert.ok(after.includes('受取を完了しました。'), after);
      assert.ok(after.includes('受取完了'), after);
      assert.equal(await page.getByRole('link', { name: '受取を完了する', exact: true }).count(), 0);
      await shot(page, 'completed');

      await page.goto(`${srv.baseUrl}/certificates/${S.numbers[2]}`);
      const lockedText = await page.locator('main').innerText();
      assert.ok(lockedText.includes('取得コードを続けて誤ったため'), lockedText);
      assert.ok(await page.locator('main address.contact').count() >= 1, "the desk's contact block");
      await noSidewaysScroll(page, width, 'locked');
      await shot(page, 'locked');
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    } finally {
      await context.close();
    }
  });
}

test('the issuer unlocks the locked pickup from the application page', async () => {
  const shot = screenshotter('certificates-admin-');
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`${srv.baseUrl}/admin/login`);
    await page.getByLabel('ログインID', { exact: true }).fill(S.issuer.login);
    await page.getByLabel('パスワード', { exact: true }).fill(OPERATOR_PASSWORD);
    await page.getByLabel('確認コード（認証アプリの6桁）', { exact: true }).fill(totp(S.issuer.totp_secret));
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.goto(`${srv.baseUrl}/admin/applications/${S.application}`);
    const table = page.locator('section', { has: page.getByRole('heading', { name: '発行した電子証明書' }) });
    const row = table.locator('tr', { hasText: S.numbers[2] });
    assert.ok((await row.innerText()).includes('誤った取得コード 5回'));
    await table.scrollIntoViewIfNeeded();
    await shot(page, 'application-locked');
    await row.getByRole('link', { name: '取得ロックを解除', exact: true }).click();
    await page.waitForURL(`**/admin/certificates/${S.numbers[2]}/unlock`);
    await shot(page, 'unlock-confirm');
    await page.getByRole('button', { name: '取得ロックを解除する', exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/admin/applications/${S.application}`);
    assert.ok((await page.locator('main').innerText()).includes(`${S.numbers[2]}の取得ロックを解除しました`));
    assert.equal(await page.getByRole('link', { name: '取得ロックを解除', exact: true }).count(), 0);
    await shot(page, 'unlocked');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
  const shown = await onshiOk(['admin', 'certificates', 'show', S.numbers[2]]);
  assert.match(shown.stdout, /^pickup:\s+waiting$/m, shown.stdout);
});
