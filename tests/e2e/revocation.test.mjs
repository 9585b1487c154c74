// 失効 in chromium, every page checked with axe-core: a clinic revokes two certificates from
// マイページ on a desktop screen (the form refusing an empty choice with the message beside the
// list, the confirmation naming each terminal, the done page, マイページ saying 失効 with the date
// and reason, the mail in the SMTP sink listing both), a third from its own page on a phone, and
// an issuer revokes the fourth from the application page in the back office.
//
// Set up from the shell: a CA, operators, one clinic's application for 4 certificates approved and
// issued.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import { stopServer, runOnshi, loadMessages } from '../support/harness.mjs';
import {
  startServerWithCa, createOperator, newClinic, applyForCertificates, totp,
} from '../support/back_office.mjs';
import { onshiOk as onshiOkOn } from '../support/pickup.mjs';

const MSG = loadMessages();
const OPERATOR_PASSWORD = 'operator passphrase for the browser 2026';
const SUBJECT_REVOKED = '【医療機関等向けポータルサイト】電子証明書を失効しました';
const REVOKED_ON = /^失効（\d{4}年\d{1,2}月\d{1,2}日（.）、(.+)）$/;

let srv;
let browser;
const S = {};

const onshiOk = (args, opts) => onshiOkOn(srv, args, opts);

before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  ({ srv } = await startServerWithCa({ name: 'e2e_revocation', passphrase: 'e2e-revocation-CA' }));
  await createOperator(srv, { login: 'rev1', name: '審査 太郎', role: 'reviewer', password: OPERATOR_PASSWORD });
  S.issuer = await createOperator(srv, { login: 'iss1', name: '発行 次郎', role: 'issuer', password: OPERATOR_PASSWORD });
  S.clinic = await newClinic(srv, 'e2erevoke', { institutionName: '医療法人テスト会 ひまわり診療所', terminals: 4 });
  S.application = await applyForCertificates(S.clinic, 4);
  await onshiOk(['admin', 'applications', 'approve', S.application, '--operator', 'rev1']);
  await onshiOk(['admin', 'applications', 'issue', S.application, '--operator', 'iss1']);
  S.numbers = [1, 2, 3, 4].map((i) => `${S.application}-0${i}`);
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

async function noSidewaysScroll(page, width, what) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${what}: scrollWidth ${scroll} > ${width}`);
}

/** The 状況 cell of マイページ's row for `number`. */
async function statusOnMyPage(page, number) {
  const section = page.locator('section', { has: page.getByRole('heading', { name: '電子証明書', exact: true }) });
  const row = section.locator('tr', { has: page.getByRole('link', { name: number, exact: true }) });
  return row.locator('td[data-label="状況"]').innerText();
}

test('desktop: マイページ → choose two → confirm → 失効する → マイページ says 失効', async () => {
  const shot = screenshotter('revocation-desktop-');
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = watchPage(page);
  const [n1, n2] = S.numbers;
  try {
    await logInFromTop(page, srv.baseUrl, S.clinic.acct);
    await page.getByRole('link', { name: '電子証明書を失効させる', exact: true }).click();
    await page.waitForURL('**/certificates/revoke');
    await shot(page, 'form');

    // Nothing chosen: the message beside the list, the reason kept.
    await page.getByRole('radio', { name: /^秘密鍵の漏えい・紛失の恐れ/ }).check();
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    const list = page.locator('fieldset#certificates');
    assert.ok((await list.innerText()).includes(MSG['own_revocation.none_chosen']));
    assert.ok(await page.getByRole('radio', { name: /^秘密鍵の漏えい・紛失の恐れ/ }).isChecked());
    await shot(page, 'form-refused');

    for (const n of [n1, n2]) await page.getByRole('checkbox', { name: new RegExp(n) }).check();
    await page.getByLabel(/漏えい・紛失の恐れが生じた日/).fill('2026-11-20');
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.getByRole('heading', { name: '次の2枚の電子証明書を失効させますか' }).waitFor();
    const confirmation = await page.locator('main').innerText();
    for (const part of [n1, n2, `${S.clinic.acct.institutionCode}-T01`, `${S.clinic.acct.institutionCode}-T02`,
      '失効は取り消せません', '秘密鍵の漏えい・紛失の恐れ', '2026年11月20日']) {
      assert.ok(confirmation.includes(part), `${part} on the confirmation`);
    }
    assert.ok(!confirmation.includes(S.numbers[2]), 'only what was chosen');
    await shot(page, 'confirm');

    await page.getByRole('button', { name: '失効する', exact: true }).click();
    await page.waitForURL('**/certificates/revoke/done?**');
    const done = await page.locator('main').innerText();
    assert.ok(done.includes('次の電子証明書を失効しました'), done);
    assert.ok(done.includes(n1) && done.includes(n2), done);
    await shot(page, 'done');

    await page.getByRole('link', { name: 'マイページに戻る', exact: true }).click();
    await page.waitForURL('**/mypage');
    for (const n of [n1, n2]) {
      const status = await statusOnMyPage(page, n);
      assert.equal(REVOKED_ON.exec(status)?.[1], '秘密鍵の漏えい・紛失の恐れ', `${n}: ${status}`);
    }
    assert.equal(await statusOnMyPage(page, S.numbers[2]), '発行済（未取得）');
    await shot(page, 'mypage');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
  const mail = await srv.waitForMail({ to: S.clinic.acct.email, subjectIncludes: `${SUBJECT_REVOKED}（2枚）` });
  for (const part of [n1, n2, '秘密鍵の漏えい・紛失の恐れ', '2026年11月20日']) {
    assert.ok(mail.body.includes(part), `${part} in the mail:\n${mail.body}`);
  }
});

test('phone: a certificate\'s own page → 失効させる → confirm → done', async () => {
  const shot = screenshotter('revocation-phone-');
  const width = 375;
  const context = await browser.newContext({ ...PHONE_CONTEXT, viewport: { width, height: 812 } });
  const page = await context.newPage();
  const problems = watchPage(page);
  const n = S.numbers[2];
  try {
    await logInFromTop(page, srv.baseUrl, S.clinic.acct);
    await page.goto(`${srv.baseUrl}/certificates/${n}`);
    await page.getByRole('link', { name: 'この電子証明書を失効させる', exact: true }).click();
    await page.waitForURL(`**/certificates/revoke?n=${n}`);
    assert.ok(await page.getByRole('checkbox', { name: new RegExp(n) }).isChecked(), 'chosen on its page');
    assert.equal(await page.getByRole('checkbox').count(), 2, 'the two revoked already are not offered');
    await page.getByRole('radio', { name: /^利用の終了/ }).check();
    await noSidewaysScroll(page, width, 'form');
    await shot(page, 'form');
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.getByRole('heading', { name: '次の1枚の電子証明書を失効させますか' }).waitFor();
    await noSidewaysScroll(page, width, 'confirmation');
    await shot(page, 'confirm');
    await page.getByRole('button', { name: '失効する', exact: true }).click();
    await page.waitForURL('**/certificates/revoke/done?**');
    await noSidewaysScroll(page, width, 'done');
    await shot(page, 'done');
    await page.goto(`${srv.baseUrl}/certificates/${n}`);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('に失効しました（理由：利用の終了）'), text);
    assert.equal(await page.getByRole('link', { name: 'この電子証明書を失効させる' }).count(), 0);
    await shot(page, 'certificate');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('the issuer revokes the fourth from the application page, through its confirmation', async () => {
  const shot = screenshotter('revocation-admin-');
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = watchPage(page);
  const n = S.numbers[3];
  try {
    await page.goto(`${srv.baseUrl}/admin/login`);
    await page.getByLabel('ログインID', { exact: true }).fill(S.issuer.login);
    await page.getByLabel('パスワード', { exact: true }).fill(OPERATOR_PASSWORD);
    await page.getByLabel('確認コード（認証アプリの6桁）', { exact: true }).fill(totp(S.issuer.totp_secret));
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.goto(`${srv.baseUrl}/admin/applications/${S.application}`);
    const table = page.locator('section', { has: page.getByRole('heading', { name: '発行した電子証明書' }) });
    assert.ok((await table.locator('tr', { hasText: S.numbers[0] }).innerText()).includes('秘密鍵の漏えい・紛失の恐れ'));
    await table.locator('tr', { hasText: n }).getByRole('link', { name: '失効させる', exact: true }).click();
    await page.waitForURL(`**/admin/certificates/${n}/revoke`);
    await page.getByRole('radio', { name: /^記載内容の変更/ }).check();
    await shot(page, 'form');
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.getByRole('heading', { name: 'この電子証明書を失効させますか' }).waitFor();
    assert.ok((await page.locator('main').innerText()).includes('失効は取り消せません'));
    await shot(page, 'confirm');
    await page.getByRole('button', { name: '失効する', exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/admin/applications/${S.application}`);
    assert.ok((await page.locator('main').innerText()).includes(`${n}を失効しました`));
    assert.equal(await table.getByRole('link', { name: '失効させる', exact: true }).count(), 0, 'none left');
    await shot(page, 'done');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
  const shown = await onshiOk(['admin', 'certificates', 'show', n]);
  assert.match(shown.stdout, /^revoked:\s+.*\(affiliationChanged\)$/m, shown.stdout);
});
