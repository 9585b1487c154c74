// 発行料 in chromium (issue 19), every page checked with axe-core on a desktop and a phone screen:
// the server on the settable clock (docs/testing.md) is on the 15th of last month while two clinics
// apply and their certificates are issued (3 paid by transfer, 2 deducted), then back on today.
//   1. The admin: the menu's 発行料・月次締め, this month refused beside the field, last month closed;
//      the close's page with the deduction CSV (a real download: BOM, CRLF, the deducting clinic's
//      row) and the invoice; a transfer recorded, then the same transfer again refused beside
//      入金額 with nothing stored; the same pages on a phone without sideways scrolling.
//   2. The transfer clinic: マイページ → 発行料・請求書, 入金済, and its invoice PDF (one page by
//      pdfinfo, its ご請求金額（税込） by pdftotext the page's); the deducting clinic's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { JST_MS, monthInJapan, setClockOffset as setClockOffsetOf } from '../support/test_clock.mjs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import { stopServer, loadMessages, sqlRows, certificateFee, yen } from '../support/harness.mjs';
import {
  startServerWithCa, createOperator, newClinic, applyForCertificates, totp,
} from '../support/back_office.mjs';
import { approveAndIssue } from '../support/pickup.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();
const OPERATOR_PASSWORD = 'operator passphrase for the browser 2026';
const REGISTRATION = 'T7000012050002';
const DESKTOP = { locale: 'ja-JP', viewport: { width: 1280, height: 800 } };

let srv;
let browser;
let clockFile;
const S = {}; // shared by the tests below, which run in order

const setClockOffset = (seconds) => setClockOffsetOf(clockFile, seconds);

async function noSidewaysScroll(page, width, what) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${what}: scrollWidth ${scroll} > ${width}`);
}

/**
 * The operator login form typed as a person does. A code is taken once (RFC 6238 5.2), so a
 * second login in the same 30 seconds uses the next step's, which the server still accepts.
 */
async function adminLogIn(page) {
  S.totpStep = Math.max(Math.floor(Date.now() / 1000 / 30), (S.totpStep ?? 0) + 1);
  await page.goto(`${srv.baseUrl}/admin`);
  await page.waitForURL('**/admin/login');
  await page.getByLabel('ログインID', { exact: true }).fill(S.admin.login);
  await page.getByLabel('パスワード', { exact: true }).fill(OPERATOR_PASSWORD);
  await page.getByLabel('確認コード（認証アプリの6桁）', { exact: true }).fill(totp(S.admin.totp_secret, S.totpStep));
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/admin');
}

/** The error shown beside a field: the element its aria-describedby names with class field-error. */
async function fieldError(page, label) {
  const field = page.getByLabel(label, { exact: true });
  assert.equal(await field.getAttribute('aria-invalid'), 'true', `${label} marked invalid`);
  const ids = (await field.getAttribute('aria-describedby')) ?? '';
  const id = ids.split(/\s+/).find((i) => i.endsWith('-error'));
  assert.ok(id, `${label}: aria-describedby names its error (${ids})`);
  return page.locator(`[id="${id}"].field-error`).innerText();
}

async function paymentCount() {
  return Number((await sqlRows(srv, 'SELECT count(*) AS n FROM invoice_payments'))[0].n);
}

before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  clockFile = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-clock-')), 'now');
  // Noon in Japan on the 15th of last month: the setup happens then, so its charges are that month's.
  const [y, m] = monthInJapan(-1).split('-').map(Number);
  S.past = Date.UTC(y, m - 1, 15, 3);
  await setClockOffset(Math.round((S.past - Date.now()) / 1000));
  ({ srv } = await startServerWithCa({
    name: 'e2e_billing', passphrase: 'e2e-billing-CA',
    env: {
      ONSHI_DEVELOPMENT_TEST_CLOCK: 'true', ONSHI_TEST_CLOCK_FILE: clockFile,
      ONSHI_BILLING_REGISTRATION_NUMBER: REGISTRATION,
      ONSHI_BILLING_BANK_ACCOUNT: 'テスト銀行 本店営業部 普通 1234567 オンシ',
    },
  }));
  await createOperator(srv, { login: 'rev1', name: '審査 太郎', role: 'reviewer', password: OPERATOR_PASSWORD });
  await createOperator(srv, { login: 'iss1', name: '発行 次郎', role: 'issuer', password: OPERATOR_PASSWORD });
  S.admin = await createOperator(srv, { login: 'adm1', name: '管理 花子', role: 'admin', password: OPERATOR_PASSWORD });
  S.transfer = await newClinic(srv, 'e2ebilt', { institutionName: '医療法人テスト会 さくら診療所', terminals: 3 });
  S.deduction = await newClinic(srv, 'e2ebild', { institutionName: '医療法人テスト会 かえで薬局', terminals: 2 });
  S.transferApp = await applyForCertificates(S.transfer, 3, { payment_method: 'transfer' });
  S.deductionApp = await applyForCertificates(S.deduction, 2);
  await approveAndIssue(srv, S.transferApp);
  await approveAndIssue(srv, S.deductionApp);
  const charged = await sqlRows(srv, 'SELECT DISTINCT billing_month AS m FROM charges');
  assert.deepEqual(charged.map((r) => r.m), [monthInJapan(-1)], 'charged in last month by the clock');
  await setClockOffset(0);
  S.month = monthInJapan(-1);
  S.fee = certificateFee(3);
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
  if (clockFile) await fsp.rm(path.dirname(clockFile), { recursive: true, force: true });
});

test('desktop: the admin closes last month, downloads the CSV, records a transfer once', async () => {
  const shot = screenshotter('billing-admin-desktop-');
  const context = await browser.newContext({ ...DESKTOP, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await adminLogIn(page);
    await page.getByRole('link', { name: '発行料・月次締め', exact: true }).click();
    await page.waitForURL('**/admin/billing');
    const month = page.getByLabel('対象月', { exact: true });
    assert.equal(await month.inputValue(), S.month, 'the month that ended last by default');
    await shot(page, 'list');

    // This month is not over: the reason beside the field, nothing closed.
    await month.fill(monthInJapan(0));
    await page.getByRole('button', { name: 'この月を締める', exact: true }).click();
    await page.getByRole('heading', { name: '発行料・月次締め', exact: true }).waitFor();
    assert.equal(await fieldError(page, '対象月'), MSG['billing.month_not_over']);
    assert.ok((await page.locator('.error-summary').innerText()).includes(MSG['billing.month_not_over']));
    assert.equal(await page.getByLabel('対象月', { exact: true }).inputValue(), monthInJapan(0), 'kept');
    assert.equal((await sqlRows(srv, 'SELECT count(*) AS n FROM billing_closes'))[0].n.toString(), '0');
    await shot(page, 'refused');

    await page.getByLabel('対象月', { exact: true }).fill(S.month);
    await page.getByRole('button', { name: 'この月を締める', exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/admin/billing/${S.month}` && u.searchParams.get('done') === 'closed');
    const main = await page.locator('main').innerText();
    for (const part of [`${S.month} を締めました`, '管理 花子 (operator:', '5件', `${yen(S.fee.subtotal)}円`, `${yen(S.fee.tax)}円`, `${yen(S.fee.total)}円`]) {
      assert.ok(main.includes(part), `${part} on the close's page:\n${main}`);
    }
    S.invoice = (await sqlRows(srv, 'SELECT number FROM invoices'))[0].number;
    assert.ok(main.includes(S.invoice), main);
    const invoice = page.getByRole('form', { name: S.transfer.acct.institutionName });
    assert.ok((await invoice.innerText()).includes(S.invoice), 'the invoice under its addressee\'s name');
    await shot(page, 'closed');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /控除の CSV/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `deduction-${S.month}.csv`);
    const csvFile = path.join(E2E_SHOTS, 'billing-deduction.csv');
    await download.saveAs(csvFile);
    const csv = await fsp.readFile(csvFile);
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
    const lines = csv.subarray(3).toString('utf8').split('\r\n');
    assert.deepEqual(lines.slice(1), [
      `${S.deduction.acct.institutionCode},${S.deduction.acct.institutionName},2,${certificateFee(2).total}`, '',
    ], 'one row, the deducting clinic\'s, CRLF');

    // A transfer of the whole invoice, on today's date (filled in).
    const amount = page.getByLabel('入金額（円）', { exact: true });
    await amount.fill(yen(S.fee.total));
    await page.getByRole('button', { name: '入金を記録する', exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('done') === 'paid');
    const paid = await page.locator('main').innerText();
    assert.ok(paid.includes(`請求書 ${S.invoice} の入金を記録しました`), paid);
    assert.ok(paid.includes('（入金済）'), paid);
    assert.equal(await paymentCount(), 1);
    await shot(page, 'paid');

    // The same transfer again: refused beside 入金額, what was typed kept, nothing stored.
    await page.getByLabel('入金額（円）', { exact: true }).fill(yen(S.fee.total));
    await page.getByRole('button', { name: '入金を記録する', exact: true }).click();
    await page.getByRole('heading', { name: `月次締め ${S.month}` }).waitFor();
    assert.equal(await fieldError(page, '入金額（円）'), MSG['billing_refused.already_paid']);
    const toField = page.locator('.error-summary').getByRole('link', { name: MSG['billing_refused.already_paid'] });
    assert.equal(await toField.getAttribute('href'), `#amount_${S.invoice}`, 'the summary links the field');
    assert.equal(await page.getByLabel('入金額（円）', { exact: true }).inputValue(), yen(S.fee.total));
    assert.equal(await paymentCount(), 1, 'no second payment');
    await shot(page, 'paid-twice');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('phone: the admin\'s billing pages without sideways scrolling', async () => {
  const shot = screenshotter('billing-admin-phone-');
  const width = PHONE_CONTEXT.viewport.width;
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await adminLogIn(page);
    await page.goto(`${srv.baseUrl}/admin/billing`);
    assert.ok((await page.locator('main').innerText()).includes(S.month), 'the closed month listed');
    await noSidewaysScroll(page, width, 'list');
    await shot(page, 'list');
    await page.getByRole('link', { name: S.month, exact: true }).click();
    await page.waitForURL(`**/admin/billing/${S.month}`);
    await noSidewaysScroll(page, width, 'month');
    await shot(page, 'month');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

for (const [screen, options] of [['desktop', DESKTOP], ['phone', PHONE_CONTEXT]]) {
  test(`${screen}: the clinic's 発行料・請求書 and its one-page invoice PDF with the page's total`, async () => {
    const shot = screenshotter(`billing-clinic-${screen}-`);
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await logInFromTop(page, srv.baseUrl, S.transfer.acct);
      await page.getByRole('link', { name: '発行料・請求書を見る', exact: true }).click();
      await page.waitForURL('**/mypage/billing');
      if (screen === 'phone') await noSidewaysScroll(page, options.viewport.width, 'billing');
      await shot(page, 'billing');
      const row = page.locator('tr', { hasText: S.invoice });
      const shown = await row.locator('td[data-label="ご請求金額（税込）"]').innerText();
      assert.equal(shown, `${yen(S.fee.total)}円`);
      assert.equal(await row.locator('td[data-label="入金"]').innerText(), '入金済');
      const charges = await page.locator('td[data-label="発行番号"]').allInnerTexts();
      assert.deepEqual(charges.sort(), [1, 2, 3].map((i) => `${S.transferApp}-0${i}`));

      const link = row.getByRole('link', { name: `${S.invoice}（PDF）`, exact: true });
      const pdf = await context.request.get(new URL(await link.getAttribute('href'), srv.baseUrl).href);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      const file = path.join(E2E_SHOTS, `billing-invoice-${screen}.pdf`);
      await fsp.writeFile(file, await pdf.body());
      const info = (await exec('pdfinfo', [file])).stdout;
      assert.match(info, /^Pages:\s+1$/m, info);
      const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout;
      const total = /ご請求金額（税込）\s+([\d,]+)円/.exec(text);
      assert.ok(total, text);
      assert.equal(`${total[1]}円`, shown, 'the PDF\'s 税込 is the page\'s');
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    } finally {
      await context.close();
    }
  });
}

test('the deducting clinic\'s page: its charges billed, no invoice', async () => {
  const shot = screenshotter('billing-clinic-deduction-');
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  try {
    await logInFromTop(page, srv.baseUrl, S.deduction.acct);
    await page.goto(`${srv.baseUrl}/mypage/billing`);
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('請求書はまだありません'), main);
    const methods = await page.locator('td[data-label="お支払方法"]').allInnerTexts();
    assert.deepEqual(methods, ['診療報酬等からの控除', '診療報酬等からの控除']);
    const status = await page.locator('td[data-label="請求"]').allInnerTexts();
    assert.deepEqual(status, ['請求済', '請求済']);
    await shot(page, 'billing');
  } finally {
    await context.close();
  }
});
