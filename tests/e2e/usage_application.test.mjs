// The guide's step 2 in a real browser (Debian's chromium driven by playwright-core): TOP ->
// ログイン -> マイページ -> 「オンライン資格確認利用開始・変更申請」 -> scroll ->
// 「オンライン資格確認などシステムの利用申請画面へ進む」 -> 「フレッツ 光ネクスト」 NTT東日本 + 13桁のお客様ID
// -> 「内容を確認する」 -> 「上記の内容で確定する」 -> 申請番号 -> 「マイページに戻る」.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import {
  ARTIFACTS, startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, jstDate,
  USAGE_TITLE, USAGE_PROCEED, SUBJECT_USAGE_ACCEPTED,
} from '../support/harness.mjs';


let srv;
let browser;
before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  srv = await startServer({ name: 'e2e_usage_application' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

const shot = screenshotter('usage-');

async function account(tag, name) {
  return srv.createAccount({
    email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(), institutionName: name,
  });
}

/** From TOP, as the guide's step 1 says. */
const logIn = (page, acct) => logInFromTop(page, srv.baseUrl, acct);

/** マイページ -> explanation -> scroll -> the form. */
async function openForm(page, shots = true) {
  await page.getByRole('link', { name: USAGE_TITLE, exact: true }).click();
  await page.waitForURL('**/usage-application');
  if (shots) await shot(page, 'intro');
  const proceed = page.getByRole('link', { name: USAGE_PROCEED, exact: true });
  await proceed.scrollIntoViewIfNeeded();
  if (shots) await shot(page, 'intro-scrolled', false);
  await proceed.click();
  await page.waitForURL('**/usage-application/form');
}

const start = jstDate(30);
const values = {
  customerId: 'CAF1234567890',
  terminals: '2',
  vendor: 'テストベンダ株式会社',
  contact: '山田 太郎',
  phone: '03-1234-5678',
};

async function fillForm(page, v = values) {
  await page.getByLabel('「フレッツ 光ネクスト」 NTT東日本', { exact: true }).check();
  const id = page.getByLabel('お客様ID', { exact: true });
  await id.fill('');
  await id.pressSequentially(v.customerId);
  await page.getByLabel('利用開始予定日', { exact: true }).fill(start.iso);
  await page.getByLabel('端末台数', { exact: true }).fill(v.terminals);
  await page.getByLabel('システムベンダ名', { exact: true }).fill(v.vendor);
  await page.getByLabel('担当者名', { exact: true }).fill(v.contact);
  await page.getByLabel('電話番号', { exact: true }).fill(v.phone);
}

test('ログイン -> 利用開始申請 -> 内容を確認する -> 上記の内容で確定する -> マイページ', async () => {
  const acct = await account('e2eusage', '医療法人テスト会 みずき診療所');
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`${srv.baseUrl}/`);
    await shot(page, 'top');
    await logIn(page, acct);
    await shot(page, 'mypage-before');
    assert.ok((await page.locator('body').innerText()).includes('申請はまだありません'));

    await openForm(page);
    const formText = await page.locator('body').innerText();
    assert.ok(formText.includes(acct.institutionName), 'institution name on the form');
    assert.ok(formText.replace(/[^0-9]/g, '').includes(acct.institutionCode), 'institution code on the form');
    await shot(page, 'form');

    await fillForm(page);
    assert.equal(await page.getByLabel('「フレッツ 光ネクスト」 NTT東日本', { exact: true }).isChecked(), true);
    await page.getByLabel('お客様ID', { exact: true }).scrollIntoViewIfNeeded();
    await shot(page, 'form-filled');
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.waitForURL('**/usage-application/confirm');
    let body = await page.locator('body').innerText();
    for (const s of ['CAF1234567890', '2台', '03-1234-5678', 'テストベンダ株式会社', '山田 太郎', '「フレッツ 光ネクスト」', 'NTT東日本']) {
      assert.ok(body.includes(s), `confirmation shows ${s}: ${body}`);
    }
    assert.ok(body.includes(start.iso) || body.includes(`${start.y}年${start.m}月${start.d}日`), `start date: ${body}`);
    assert.equal(await page.locator('input:not([type=hidden]), select, textarea').count(), 0, 'read-only');
    await shot(page, 'confirm');

    // 入力画面に戻る keeps everything; then confirm again.
    await page.getByRole('button', { name: '入力画面に戻る', exact: true }).click();
    await page.waitForURL('**/usage-application/edit');
    assert.equal(await page.getByLabel('お客様ID', { exact: true }).inputValue(), values.customerId);
    assert.equal(await page.getByLabel('利用開始予定日', { exact: true }).inputValue(), start.iso);
    assert.equal(await page.getByLabel('端末台数', { exact: true }).inputValue(), values.terminals);
    assert.equal(await page.getByLabel('電話番号', { exact: true }).inputValue(), values.phone);
    assert.equal(await page.getByLabel('「フレッツ 光ネクスト」 NTT東日本', { exact: true }).isChecked(), true);
    await shot(page, 'edit-again');
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.waitForURL('**/usage-application/confirm');

    await page.getByRole('button', { name: '上記の内容で確定する', exact: true }).click();
    await page.waitForURL('**/usage-application/complete?number=*');
    body = await page.locator('body').innerText();
    assert.ok(body.includes('利用開始申請を受け付けました'), body);
    const number = /U-\d{8}/.exec(body)?.[0];
    assert.ok(number, `申請番号 on the completion page: ${body}`);
    assert.equal(new URL(page.url()).searchParams.get('number'), number);
    await shot(page, 'complete');

    const mail = await srv.waitForMail({ to: acct.email, subjectIncludes: number });
    assert.ok(mail.subject.startsWith(SUBJECT_USAGE_ACCEPTED), mail.subject);
    assert.ok(mail.body.includes('CAF1234567890'), mail.body);

    await page.getByRole('link', { name: 'マイページに戻る', exact: true }).click();
    await page.waitForURL('**/mypage');
    const row = page.getByRole('link', { name: number, exact: true });
    await row.waitFor();
    body = await page.locator('body').innerText();
    assert.ok(body.includes('利用開始申請') && body.includes('確定'), body);
    assert.ok(!body.includes('申請はまだありません'), body);
    await shot(page, 'mypage-after');

    await row.click();
    await page.waitForURL(`**/usage-applications/${number}`);
    body = await page.locator('body').innerText();
    assert.ok(body.includes('第1版') && body.includes('CAF1234567890'), body);
    await shot(page, 'detail');

    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('a validation error is shown beside its field, the typed values kept', async () => {
  const acct = await account('e2everr', '医療法人テスト会 さつき医院');
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await logIn(page, acct);
    await openForm(page, false);
    await fillForm(page, { ...values, customerId: 'CAF123456789' }); // 12 digits
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/usage-application/confirm')),
      page.getByRole('button', { name: '内容を確認する', exact: true }).click(),
    ]);
    assert.equal(response.status(), 422);
    const err = page.locator('#customer_id-error');
    await err.waitFor();
    assert.equal(await err.evaluate((e) => e.classList.contains('field-error')), true);
    assert.ok((await err.innerText()).includes('桁数'), await err.innerText());
    assert.equal(await page.getByLabel('お客様ID', { exact: true }).inputValue(), 'CAF123456789');
    assert.equal(await page.getByLabel('システムベンダ名', { exact: true }).inputValue(), values.vendor);
    assert.equal(await page.getByLabel('利用開始予定日', { exact: true }).inputValue(), start.iso);
    assert.equal(await page.getByLabel('「フレッツ 光ネクスト」 NTT東日本', { exact: true }).isChecked(), true);
    await err.scrollIntoViewIfNeeded();
    await shot(page, 'validation-error');

    // Corrected, it goes through.
    await page.getByLabel('お客様ID', { exact: true }).fill('ＣＡＦ－１２３４－５６７８９０');
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.waitForURL('**/usage-application/confirm');
    assert.ok((await page.locator('body').innerText()).includes('CAF1234567890'));
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('the form on a phone (390x844): no horizontal scroll', async () => {
  const acct = await account('e2ephone', '医療法人テスト会 なでしこクリニック');
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  const problems = watchPage(page);
  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  try {
    await logIn(page, acct);
    await page.getByRole('link', { name: USAGE_TITLE, exact: true }).click();
    await page.waitForURL('**/usage-application');
    await shot(page, 'phone-intro');
    assert.ok(await width() <= 390, `intro scrollWidth ${await width()} > 390`);
    await page.getByRole('link', { name: USAGE_PROCEED, exact: true }).click();
    await page.waitForURL('**/usage-application/form');
    await shot(page, 'phone-form');
    assert.ok(await width() <= 390, `form scrollWidth ${await width()} > 390`);
    await fillForm(page, { ...values, customerId: '' });
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.locator('#customer_id-error').waitFor();
    await shot(page, 'phone-form-error');
    assert.ok(await width() <= 390, `form with errors scrollWidth ${await width()} > 390`);
    await page.getByLabel('お客様ID', { exact: true }).fill(values.customerId);
    await page.getByRole('button', { name: '内容を確認する', exact: true }).click();
    await page.waitForURL('**/usage-application/confirm');
    await shot(page, 'phone-confirm');
    assert.ok(await width() <= 390, `confirmation scrollWidth ${await width()} > 390`);
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});
