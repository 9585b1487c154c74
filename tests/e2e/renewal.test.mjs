// 更新申請 in chromium, every page checked with axe-core: a clinic whose two certificates expire in
// 30 days (their notAfter moved in the database) follows マイページ's banner 「電子証明書をまとめて更新申請する」,
// unchecks one, sees the form refuse an empty choice with the message beside the list, changes its
// 担当者, sees the fee follow the boxes ticked, types a postcode that fills 市区町村, chooses the
// transfer, 次へ, checks the confirmation (the certificate, the fee, the address, the method),
// 申請する, lands on 更新申請成功
// with the receipt PDF, and マイページ lists the application labelled 更新; on a phone too.
//
// Set up from the shell: a CA, operators, one clinic's application for 2 certificates approved and
// issued.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import { stopServer, loadMessages, sqlExec, certificateFee, yen } from '../support/harness.mjs';
import { startServerWithCa, createOperator, newClinic, applyForCertificates } from '../support/back_office.mjs';
import { onshiOk as onshiOkOn } from '../support/pickup.mjs';

const MSG = loadMessages();
const OPERATOR_PASSWORD = 'operator passphrase for the browser 2026';
const SUBJECT_ACCEPTED = '【医療機関等向けポータルサイト】電子証明書更新申請受付のお知らせ';
const DAY_MS = 86_400_000;

let srv;
let browser;
const S = {};

const onshiOk = (args, opts) => onshiOkOn(srv, args, opts);

before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  ({ srv } = await startServerWithCa({ name: 'e2e_renewal', passphrase: 'e2e-renewal-CA' }));
  await createOperator(srv, { login: 'rev1', name: '審査 太郎', role: 'reviewer', password: OPERATOR_PASSWORD });
  await createOperator(srv, { login: 'iss1', name: '発行 次郎', role: 'issuer', password: OPERATOR_PASSWORD });
  S.clinic = await newClinic(srv, 'e2erenew', { institutionName: '医療法人テスト会 あおば診療所', terminals: 3 });
  S.application = await applyForCertificates(S.clinic, 3);
  await onshiOk(['admin', 'applications', 'approve', S.application, '--operator', 'rev1']);
  await onshiOk(['admin', 'applications', 'issue', S.application, '--operator', 'iss1']);
  S.numbers = [1, 2, 3].map((i) => `${S.application}-0${i}`);
  await sqlExec(srv, `UPDATE certificates SET not_after = ${Date.now() + 30 * DAY_MS}
    WHERE application_id = (SELECT id FROM certificate_applications WHERE number = '${S.application}')`);
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

test('desktop: マイページ → 更新申請 → refused empty → 次へ → 申請する → 更新申請成功 and the receipt', async () => {
  const shot = screenshotter('renewal-desktop-');
  const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = watchPage(page);
  const [n1, n2, n3] = S.numbers;
  try {
    await logInFromTop(page, srv.baseUrl, S.clinic.acct);
    // From the banner マイページ shows above everything while certificates near their expiry.
    const banner = page.locator('section.expiry-banner');
    assert.ok((await banner.innerText()).includes('電子証明書の有効期限が近づいています'), await banner.innerText());
    await shot(page, 'mypage');
    await banner.getByRole('link', { name: '電子証明書をまとめて更新申請する', exact: true }).click();
    await page.waitForURL('**/renewal');
    for (const n of S.numbers) assert.ok(await page.getByRole('checkbox', { name: new RegExp(n) }).isChecked(), n);
    await shot(page, 'form');

    // Nothing chosen: the message beside the list, what was typed kept.
    for (const n of S.numbers) await page.getByRole('checkbox', { name: new RegExp(n) }).uncheck();
    await page.getByLabel('担当者名', { exact: true }).fill('更新 太郎');
    await page.getByRole('button', { name: '次へ', exact: true }).click();
    const list = page.locator('fieldset#certificates');
    assert.ok((await list.innerText()).includes(MSG['renewal.none_chosen']));
    assert.equal(await page.getByLabel('担当者名', { exact: true }).inputValue(), '更新 太郎');
    await shot(page, 'form-refused');

    // The page script: the fee follows the boxes ticked, the postcode fills 市区町村 (the
    // prefecture stays), and the transfer is chosen.
    const total = page.locator('#fee-total');
    assert.equal(await total.innerText(), '-', 'nothing chosen, no total');
    await page.getByRole('checkbox', { name: new RegExp(n1) }).check();
    await page.getByRole('checkbox', { name: new RegExp(n2) }).check();
    const fee = certificateFee(2);
    assert.equal(await total.innerText(), yen(fee.total));
    assert.equal(await page.locator('#fee-count').innerText(), '2');
    await page.getByLabel('所在地（市区町村以降の町名・番地・建物名）').fill('');
    await page.getByLabel('郵便番号', { exact: true }).fill('１６０－００２３');
    await page.locator('#postal_code-status').filter({ hasText: '160-0023' }).waitFor();
    assert.equal(await page.locator('#municipality').inputValue(), '131041', '新宿区 from the postcode');
    assert.equal(await page.locator('#address_line-prefix').innerText(), '東京都新宿区');
    assert.equal(await page.getByLabel('所在地（市区町村以降の町名・番地・建物名）').inputValue(), '西新宿');
    await page.getByLabel('所在地（市区町村以降の町名・番地・建物名）').fill('西新宿2-8-1');
    await page.getByRole('radio', { name: '払込請求書による振込' }).check();
    await shot(page, 'form-filled');
    await page.getByRole('button', { name: '次へ', exact: true }).click();
    await page.getByRole('heading', { name: /電子証明書の更新申請の確認/ }).waitFor();
    const confirmation = await page.locator('main').innerText();
    for (const part of [n1, n2, '更新 太郎', `${yen(fee.total)}円`, '2枚', '払込請求書による振込', '東京都新宿区西新宿2-8-1']) {
      assert.ok(confirmation.includes(part), `${part} on the confirmation:\n${confirmation}`);
    }
    assert.ok(!confirmation.includes(n3), 'only what was chosen');
    await shot(page, 'confirm');

    await page.getByRole('button', { name: '申請する', exact: true }).click();
    await page.waitForURL('**/certificate-application/complete?number=**');
    const done = await page.locator('main').innerText();
    assert.ok(done.includes('更新申請成功'), done);
    S.renewal = /C-\d{8}/.exec(done)?.[0];
    assert.ok(S.renewal, done);
    await shot(page, 'complete');
    const printLink = page.getByRole('link', { name: '閉じる(1枚印刷)', exact: true });
    assert.equal(await printLink.getAttribute('href'), `/certificate-applications/${S.renewal}/receipt.pdf`);
    const receipt = await context.request.get(`${srv.baseUrl}/certificate-applications/${S.renewal}/receipt.pdf`);
    assert.equal(receipt.status(), 200);
    assert.equal(receipt.headers()['content-type'], 'application/pdf');

    await page.goto(`${srv.baseUrl}/mypage`);
    const row = page.locator('tr', { has: page.getByRole('link', { name: S.renewal, exact: true }) });
    assert.ok((await row.innerText()).includes('更新'), await row.innerText());
    await shot(page, 'mypage-after');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
  const mail = await srv.waitForMail({ to: S.clinic.acct.email, subjectIncludes: SUBJECT_ACCEPTED });
  for (const part of [S.renewal, n1, n2]) assert.ok(mail.body.includes(part), `${part} in the mail:\n${mail.body}`);
});

test('phone: the last certificate renewed from the form to 更新申請成功', async () => {
  const shot = screenshotter('renewal-phone-');
  const width = 390;
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await logInFromTop(page, srv.baseUrl, S.clinic.acct);
    await page.goto(`${srv.baseUrl}/renewal`);
    const boxes = page.getByRole('checkbox');
    assert.equal(await boxes.count(), 1, 'the two under renewal are not offered again');
    await noSidewaysScroll(page, width, 'form');
    await shot(page, 'form');
    await page.getByRole('button', { name: '次へ', exact: true }).click();
    await page.getByRole('heading', { name: /電子証明書の更新申請の確認/ }).waitFor();
    await noSidewaysScroll(page, width, 'confirm');
    await shot(page, 'confirm');
    await page.getByRole('button', { name: '申請する', exact: true }).click();
    await page.waitForURL('**/certificate-application/complete?number=**');
    await noSidewaysScroll(page, width, 'complete');
    await shot(page, 'complete');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});
