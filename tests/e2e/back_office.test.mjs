// The back office (/admin, docs/pages.md 「Back office (/admin)」) in a real browser (Debian's
// chromium driven by playwright-core). Set up over HTTP and the shell: a CA (`onshi ca init`), a
// clinic in 東京都 with a finalized usage application and a certificate application for 2
// certificates, one in 大阪府 (so the 都道府県 filter has something to leave out), and operators
// made with `onshi operator create` (審査 / 発行 / 管理; review.separate_issuer is on by default).
// Then, in chromium:
//   1. the reviewer: /admin -> /admin/login, ログインID + パスワード + 確認コード (TOTP computed here),
//      the dashboard (発送期限, 次の作業, the menu's counts), 審査一覧 filtered by 東京都, the detail
//      (usage application, 送付先), 承認する -> its confirmation page -> 承認を確定する;
//   2. the issuer: 電子証明書を発行する（2枚） -> the confirmation with the fee, 発行せずに戻る
//      (nothing issued), then 発行を確定する（2枚）; the certificates; 通知書・書留: the letter chosen
//      by its checkbox, the confirmation of the count -> the PDF (a real download: %PDF, 発行番号 and
//      pickup codes by pdftotext), nothing left to print; 新しい取得コードで再印刷 -> its
//      confirmation -> a PDF with two new codes; 書留を記録する -> 通知書発送済;
//   3. a wrong 確認コード: the error beside the form, the login ID kept;
//   4. the admin: 監査ログ (the chain check), and the dashboard on a phone without sideways scrolling.
// Every page must load without script errors, console errors or failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, screenshotter, watchPage,
} from '../support/browser.mjs';
import { stopServer, jstDate, loadMessages } from '../support/harness.mjs';
import {
  startServerWithCa, createOperator, newClinic, applyForCertificates, totp, wrongTotp,
} from '../support/back_office.mjs';

const run = promisify(execFile);
const MSG = loadMessages();
const PASSPHRASE = 'Kusunoki-e2e-back-office-CA-passphrase';
const OPERATOR_PASSWORD = 'operator passphrase for the browser 2026';
const TRACKING = '1234-5678-9012';
const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g;
const BAD_LOGIN = MSG['operator_login.bad_credentials'] ?? 'ログインID、パスワード又は確認コードが正しくありません。';

let srv;
let browser;
const S = {}; // shared by the tests below, which run in order
const shot = screenshotter('back-office-');

// ---------------------------------------------------------------------------------------------
// helpers

const operator = (login, name, role) => createOperator(srv, { login, name, role, password: OPERATOR_PASSWORD });

/** A clinic in the prefecture of `prefix` with a certificate application of `n` certificates. */
async function clinicWithApplication(tag, { institutionName, prefix, n, overrides = {} }) {
  const clinic = await newClinic(srv, tag, { institutionName, prefix, terminals: n });
  const number = await applyForCertificates(clinic, n, overrides);
  return { ...clinic, number };
}

/**
 * Watches a page more strictly than watchPage: besides script errors and CSP violations, every
 * console error, every failed request and every HTTP error answer. `expected(url, status)` says
 * which error answers the test provokes on purpose (e.g. the 401 of a wrong 確認コード).
 */
function watchEverything(page, expected = () => false) {
  const problems = watchPage(page);
  const expectedUrls = new Set();
  page.on('response', (r) => {
    if (r.status() < 400) return;
    if (expected(r.url(), r.status())) {
      expectedUrls.add(r.url());
      return;
    }
    problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    const failure = r.failure()?.errorText ?? '';
    // A navigation answered with an attachment becomes a download, which chromium reports as an
    // aborted request; the download itself is checked by the test.
    if (failure === 'net::ERR_ABORTED' && /\/admin\/letters\/(print|reprint)$/.test(r.url())) return;
    problems.push(`requestfailed ${r.method()} ${r.url()}: ${failure}`);
  });
  page.on('console', (m) => {
    if (m.type() !== 'error' || /Content Security Policy/i.test(m.text())) return; // CSP: watchPage
    const where = m.location()?.url ?? '';
    // Chromium logs "Failed to load resource" for an error answer; the provoked ones are expected.
    if (/Failed to load resource/.test(m.text()) && expectedUrls.has(where)) return;
    // The browser asks for /favicon.ico by itself (no page links one; the site has none: 404).
    if (/Failed to load resource/.test(m.text()) && new URL(where, srv.baseUrl).pathname === '/favicon.ico') return;
    problems.push(`console error: ${m.text()} (${where})`);
  });
  return problems;
}

const mainText = (page) => page.locator('main').innerText();

/** Types the login form as a person does and submits it. */
async function fillLogin(page, op, code) {
  await page.getByLabel('ログインID', { exact: true }).fill(op.login);
  await page.getByLabel('パスワード', { exact: true }).fill(OPERATOR_PASSWORD);
  await page.getByLabel('確認コード（認証アプリの6桁）', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

/** /admin without a session -> /admin/login -> the form with the current TOTP -> the dashboard. */
async function logIn(page, op, { screenshot } = {}) {
  await page.goto(`${srv.baseUrl}/admin`);
  await page.waitForURL('**/admin/login');
  assert.ok((await mainText(page)).includes('運営者ログイン'), 'the operator login page');
  if (screenshot) await shot(page, screenshot);
  await fillLogin(page, op, totp(op.totp_secret));
  await page.waitForURL((u) => u.pathname === '/admin');
  const header = await page.locator('header').innerText();
  assert.ok(header.includes(op.name), `${op.name} in the header: ${header}`);
}

async function logOut(page) {
  await page.getByRole('button', { name: 'ログアウト', exact: true }).click();
  await page.waitForURL('**/admin/login');
}

/** The texts of the cells of the table row containing a link to `number`, or undefined. */
async function rowCells(page, number) {
  const row = page.locator('tr', { has: page.locator(`a[href="/admin/applications/${number}"]`) });
  if (await row.count() === 0) return undefined;
  return row.first().locator('td').allInnerTexts();
}

/** A menu link by the start of its name (the menu adds counts: 審査一覧（審査待ち 2・発行待ち 0）). */
const menu = (page, name) => page.getByRole('navigation').getByRole('link', { name: new RegExp(`^${name}`) });

/** The <dd> after the <dt> named `term` on the detail page. */
async function fact(page, term) {
  return page.locator('dl.facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]')
    .innerText();
}

function assertNoProblems(problems, what) {
  assert.deepEqual(problems, [], `${what}: no script errors, console errors or failed requests`);
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  ({ srv } = await startServerWithCa({ name: 'e2e_back_office', passphrase: PASSPHRASE }));

  S.reviewer = await operator('shinsa', '審査 太郎', 'reviewer');
  S.issuer = await operator('hakko', '発行 次郎', 'issuer');
  S.admin = await operator('kanri', '管理 花子', 'admin');

  S.tokyo = await clinicWithApplication('bo-tokyo', {
    institutionName: '医療法人テスト会 ブラウザ診療所', prefix: '131', n: 2,
  });
  S.osaka = await clinicWithApplication('bo-osaka', {
    institutionName: '医療法人なにわ会 うめだ医院', prefix: '271', n: 1,
    overrides: { municipality: '271276', postal_code: '530-0001', address_line: '梅田1-1-1 うめだビル2階' },
  });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

test('the reviewer logs in with TOTP, filters 審査一覧 by 東京都, reads the application and approves it', async () => {
  const { number, acct } = S.tokyo;
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchEverything(page);
  try {
    await logIn(page, S.reviewer, { screenshot: 'login' });
    const header = await page.locator('header').innerText();
    assert.ok(header.includes('審査') && !header.includes('通知書・書留') && !header.includes('監査ログ'),
      `a reviewer's menu has neither 通知書・書留 nor 監査ログ: ${header}`);

    // ダッシュボード: both applications, with their 発送期限 and 次の作業; the menu counts the work.
    assert.ok((await mainText(page)).includes('通知書の発送期限'));
    assert.ok(header.includes('審査待ち 2'), `the menu counts what waits for review: ${header}`);
    const dashRow = await rowCells(page, number);
    assert.ok(dashRow, `${number} on the dashboard: ${await mainText(page)}`);
    const dashText = dashRow.join(' | ');
    assert.ok(dashText.includes(acct.institutionName) && dashText.replace(/\D/g, '').includes(acct.institutionCode)
      && dashText.includes('東京都') && dashText.includes(MSG['certificate_status.applied'] ?? '申請済'),
    `dashboard row: ${dashText}`);
    assert.ok(dashRow.includes('審査'), `次の作業 審査: ${dashText}`);
    assert.ok(dashRow.some((c) => /^\d{4}年\d{1,2}月\d{1,2}日（[日月火水木金土]）$/.test(c.trim())), `a 発送期限: ${dashText}`);
    assert.ok(await rowCells(page, S.osaka.number), `${S.osaka.number} on the dashboard`);
    await shot(page, 'dashboard');

    // 審査一覧, filtered by 都道府県 = 東京都: the 大阪府 application is left out.
    await menu(page, '審査一覧').click();
    await page.waitForURL('**/admin/applications');
    assert.ok(await rowCells(page, S.osaka.number), 'unfiltered, the 大阪府 application is listed');
    await page.getByLabel('都道府県', { exact: true }).selectOption({ label: '13 東京都' });
    await page.getByRole('button', { name: '絞り込む', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin/applications' && u.searchParams.get('prefecture') === '13');
    assert.equal(await page.getByLabel('都道府県', { exact: true }).inputValue(), '13', 'the filter stays chosen');
    assert.ok(await rowCells(page, number), `${number} listed under 東京都: ${await mainText(page)}`);
    assert.equal(await rowCells(page, S.osaka.number), undefined, `${S.osaka.number} (大阪府) is filtered out`);
    assert.ok((await mainText(page)).includes('申請 1件'), `one application under 東京都: ${await mainText(page)}`);
    await shot(page, 'queue-tokyo');

    // The detail: the application, the usage application, the 送付先.
    await page.getByRole('link', { name: number, exact: true }).click();
    await page.waitForURL(`**/admin/applications/${number}`);
    // As the letter's window will show it: the address, then 部署 and 氏名 様 on lines of their own.
    assert.equal(await fact(page, '送付先'),
      `〒104-0061 東京都中央区銀座1-2-3 オンシビル5階\n${acct.institutionName}\n医事課\n佐藤 花子 様`);
    assert.equal(await fact(page, '申請枚数'), '2枚');
    assert.equal(await fact(page, '医療機関名称'), acct.institutionName);
    const usage = page.locator('section', { has: page.getByRole('heading', { name: 'オンライン資格確認の利用申請' }) });
    const usageText = await usage.innerText();
    for (const s of [S.tokyo.usage, 'CAF1234567890', '2台', 'テストベンダ株式会社']) {
      assert.ok(usageText.includes(s), `${s} in the usage application section: ${usageText}`);
    }
    assert.ok((await page.locator('h1').innerText()).includes(MSG['certificate_status.applied'] ?? '申請済'));
    await shot(page, 'detail-before-approval');

    // 承認する asks first: the confirmation names the application, the clinic and the count.
    await page.getByRole('link', { name: '承認する', exact: true }).click();
    await page.waitForURL(`**/admin/applications/${number}/approve`);
    const asked = await mainText(page);
    for (const s of ['この申請を承認しますか', number, acct.institutionName, '2枚', '取り消せません']) {
      assert.ok(asked.includes(s), `${s} on the approval's confirmation: ${asked}`);
    }
    await shot(page, 'confirm-approve');
    await page.getByRole('button', { name: '承認を確定する', exact: true }).click();
    await page.waitForURL(`**/admin/applications/${number}?done=approve`);
    assert.ok((await page.getByRole('status').innerText()).includes('承認しました'));
    assert.ok((await page.locator('h1').innerText()).includes(MSG['certificate_status.approved'] ?? '承認'),
      await page.locator('h1').innerText());
    assert.equal(await fact(page, '承認者'), S.reviewer.name);
    assert.equal(await page.getByRole('link', { name: '承認する', exact: true }).count(), 0, 'no second approval');
    await shot(page, 'detail-after-approval');

    await logOut(page);
    await page.goto(`${srv.baseUrl}/admin`);
    await page.waitForURL('**/admin/login');
    assertNoProblems(problems, 'reviewer');
  } finally {
    await context.close();
  }
});

test('the issuer issues 2 certificates, downloads the notice letters once and records the registered mail', async () => {
  const { number } = S.tokyo;
  const context = await browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchEverything(page);
  try {
    await logIn(page, S.issuer);
    await page.getByRole('link', { name: number, exact: true }).click();
    await page.waitForURL(`**/admin/applications/${number}`);
    assert.equal(await page.getByRole('link', { name: '承認する', exact: true }).count(), 0, 'an issuer cannot approve');
    // The confirmation states the fee; going back issues nothing.
    const issue = page.getByRole('link', { name: '電子証明書を発行する（2枚）', exact: true });
    await issue.click();
    await page.waitForURL(`**/admin/applications/${number}/issue`);
    const asked = await mainText(page);
    for (const s of ['電子証明書を発行しますか', number, '1枚 1,500円（税別）× 2枚 = 3,000円', '3,300円', '取り消せません']) {
      assert.ok(asked.includes(s), `${s} on the issuance's confirmation: ${asked}`);
    }
    await shot(page, 'confirm-issue');
    await page.getByRole('link', { name: '発行せずに戻る', exact: true }).click();
    await page.waitForURL(`**/admin/applications/${number}`);
    assert.ok((await mainText(page)).includes('まだ発行していません'), 'going back issued nothing');
    await issue.click();
    await page.waitForURL(`**/admin/applications/${number}/issue`);
    await page.getByRole('button', { name: '発行を確定する（2枚）', exact: true }).click();
    await page.waitForURL(`**/admin/applications/${number}?done=issue`);
    assert.ok((await page.getByRole('status').innerText()).includes('発行しました'));

    const certs = page.locator('section', { has: page.getByRole('heading', { name: '発行した電子証明書' }) });
    const rows = await certs.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
    assert.deepEqual(rows.map((r) => r[0]), ['T01', 'T02'], `terminals: ${JSON.stringify(rows)}`);
    assert.deepEqual(rows.map((r) => r[1]), [`${number}-01`, `${number}-02`], `発行番号: ${JSON.stringify(rows)}`);
    for (const r of rows) assert.match(r[2].replace(/[\s:]/g, ''), /^[0-9a-fA-F]{32}$/, `a 128-bit serial number: ${r[2]}`);
    assert.notEqual(rows[0][2], rows[1][2], 'different serial numbers');
    S.issued = rows.map((r) => ({ issuanceNumber: r[1], serial: r[2] }));
    await shot(page, 'detail-issued');

    // 通知書・書留: one letter to print; the PDF is a download.
    await menu(page, '通知書・書留').click();
    await page.waitForURL('**/admin/letters');
    const printSection = page.locator('section', { has: page.getByRole('heading', { name: '未印刷の電子証明書発行通知書' }) });
    const printText = await printSection.innerText();
    assert.ok(printText.includes('1件') && printText.includes(number), `one letter to print: ${printText}`);
    assert.ok(printText.includes('再ダウンロードできません'), 'the once-only warning');
    await page.locator(`input[type="checkbox"][value="${number}"]`).check();
    await shot(page, 'letters');
    await page.getByRole('button', { name: '選んだ通知書を印刷用PDFでダウンロード', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin/letters/print');
    const confirmPrint = await mainText(page);
    for (const s of ['1件の通知書', number, '唯一の控え', '新しい取得コードで再印刷']) {
      assert.ok(confirmPrint.includes(s), `${s} on the print's confirmation: ${confirmPrint}`);
    }
    await shot(page, 'confirm-print');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '1件をダウンロードする', exact: true }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^notice-letters-\d{8}-\d{4}\.pdf$/);
    const file = path.join(E2E_SHOTS, 'back-office-notice-letters.pdf');
    await download.saveAs(file);
    assert.equal(await download.failure(), null, 'the download completed');
    const bytes = await fsp.readFile(file);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF');
    const text = (await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout;
    await fsp.writeFile(path.join(E2E_SHOTS, 'back-office-notice-letters.txt'), text);
    for (const c of S.issued) assert.ok(text.includes(c.issuanceNumber), `発行番号 ${c.issuanceNumber} in the PDF:\n${text}`);
    const codes = [...new Set(text.match(PICKUP_CODE_RE) ?? [])];
    assert.equal(codes.length, 2, `two pickup codes XXXX-XXXX-XXXX-XXXX in the PDF: ${codes}\n${text}`);
    // Each certificate's serial number as the page shows it is printed in its letter, after its 発行番号.
    const flat = text.replace(/[\s:]/g, '').toUpperCase();
    for (const c of S.issued) {
      const serial = c.serial.replace(/[\s:]/g, '').toUpperCase();
      assert.ok(flat.indexOf(serial) > flat.indexOf(c.issuanceNumber), `serial ${c.serial} after ${c.issuanceNumber} in the PDF`);
    }

    // Printed once: nothing left to print.
    await page.goto(`${srv.baseUrl}/admin/letters`);
    const after = await page.locator('section', { has: page.getByRole('heading', { name: '未印刷の電子証明書発行通知書' }) }).innerText();
    assert.ok(after.includes('未印刷の通知書はありません'), `nothing left to print: ${after}`);
    assert.equal(await page.getByRole('button', { name: '選んだ通知書を印刷用PDFでダウンロード' }).count(), 0, 'no download button');

    // A print gone wrong: 新しい取得コードで再印刷, confirmed, gives a PDF with two new codes.
    const printedRow = page.locator('form.mail-row', { has: page.locator(`input[name="number"][value="${number}"]`) });
    await printedRow.getByRole('link', { name: '新しい取得コードで再印刷', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin/letters/reprint');
    const confirmReprint = await mainText(page);
    for (const s of ['新しい取得コードで再印刷しますか', number, '2枚', '使えなくなります']) {
      assert.ok(confirmReprint.includes(s), `${s} on the reprint's confirmation: ${confirmReprint}`);
    }
    await shot(page, 'confirm-reprint');
    const [again] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '新しい取得コードで再印刷する', exact: true }).click(),
    ]);
    assert.match(again.suggestedFilename(), new RegExp(`^notice-letter-${number}-reprint-\\d{8}-\\d{4}\\.pdf$`));
    const refile = path.join(E2E_SHOTS, 'back-office-notice-letter-reprint.pdf');
    await again.saveAs(refile);
    const retext = (await run('pdftotext', ['-layout', '-enc', 'UTF-8', refile, '-'])).stdout;
    const newCodes = [...new Set(retext.match(PICKUP_CODE_RE) ?? [])];
    assert.equal(newCodes.length, 2, `two new pickup codes: ${newCodes}\n${retext}`);
    for (const code of newCodes) assert.ok(!codes.includes(code), `${code} is new`);
    await page.goto(`${srv.baseUrl}/admin/letters`);

    // 書留: 書留番号 and 発送日 (today in Japan by default).
    const row = page.locator('form.mail-row', { has: page.locator('input[name="number"]').and(page.locator(`[value="${number}"]`)) });
    assert.equal(await row.count(), 1, `a registered-mail form for ${number}`);
    const mailedOn = row.getByLabel('発送日', { exact: true });
    assert.equal(await mailedOn.inputValue(), jstDate(0).iso, '発送日 defaults to today');
    await row.getByLabel('書留番号', { exact: true }).fill(TRACKING);
    const mailedDate = jstDate(0); // checked on the detail page below, even after midnight
    await mailedOn.fill(mailedDate.iso);
    await shot(page, 'letters-printed');
    await row.getByRole('button', { name: '書留を記録する', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin/letters' && u.searchParams.get('done') === 'mail');
    assert.ok((await page.getByRole('status').innerText()).includes(`${number} の書留を記録しました`));
    assert.ok((await mainText(page)).includes('書留の記録を待っている申請はありません'));

    await page.goto(`${srv.baseUrl}/admin/applications/${number}`);
    const notice = MSG['certificate_status.notice_sent'] ?? '通知書発送済';
    assert.ok((await page.locator('h1').innerText()).includes(notice), await page.locator('h1').innerText());
    assert.equal((await fact(page, '書留番号')).replace(/\D/g, ''), TRACKING.replace(/\D/g, ''));
    const shown = await fact(page, '発送日');
    const { y, m, d, iso } = mailedDate;
    assert.ok(shown.includes(iso) || shown.includes(`${y}年${m}月${d}日`) || shown.includes(`${y}/${m}/${d}`), `発送日 ${shown}`);
    await shot(page, 'detail-notice-sent');

    // The dashboard lists only what is not yet 通知書発送済.
    await menu(page, 'ダッシュボード').click();
    await page.waitForURL((u) => u.pathname === '/admin');
    assert.equal(await rowCells(page, number), undefined, `${number} left the dashboard`);
    assert.ok(await rowCells(page, S.osaka.number), `${S.osaka.number} still on the dashboard`);
    assertNoProblems(problems, 'issuer');
  } finally {
    await context.close();
  }
});

test('a wrong 確認コード: the error beside the form, the login ID kept, then the right code logs in', async () => {
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchEverything(page, (url, status) => status === 401 && url.endsWith('/admin/login'));
  try {
    await page.goto(`${srv.baseUrl}/admin/login`);
    const wrong = wrongTotp(S.admin.totp_secret);
    await fillLogin(page, S.admin, wrong);
    await page.waitForLoadState();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.innerText()).trim(), BAD_LOGIN);
    // Beside the form: the alert comes right before it, in the same main.
    assert.ok(await page.locator('main p.form-error[role="alert"] + form[action="/admin/login"]').count() === 1,
      'the error is shown just above the login form');
    assert.equal(await page.getByLabel('ログインID', { exact: true }).inputValue(), S.admin.login, 'login ID kept');
    assert.equal(await page.getByLabel('パスワード', { exact: true }).inputValue(), '', 'password not kept');
    assert.equal(await page.getByLabel('確認コード（認証アプリの6桁）', { exact: true }).inputValue(), '', 'code not kept');
    assert.ok(!(await page.content()).includes(OPERATOR_PASSWORD), 'the password is not in the page');
    assert.equal((await context.cookies()).find((c) => c.name === 'onshi_admin'), undefined, 'no session cookie');
    await shot(page, 'login-wrong-code');

    // The same form, now with the right code (the login ID is already there).
    await page.getByLabel('パスワード', { exact: true }).fill(OPERATOR_PASSWORD);
    await page.getByLabel('確認コード（認証アプリの6桁）', { exact: true }).fill(totp(S.admin.totp_secret));
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    assert.ok((await page.locator('header').innerText()).includes(S.admin.name));
    S.adminState = await context.storageState();
    assertNoProblems(problems, 'wrong code');
  } finally {
    await context.close();
  }
});

test('the admin reads 監査ログ: the chain verifies and the application history is there', async () => {
  assert.ok(S.adminState, 'needs the admin session of the previous test');
  const context = await browser.newContext({ locale: 'ja-JP', storageState: S.adminState });
  const page = await context.newPage();
  const problems = watchEverything(page);
  try {
    await page.goto(`${srv.baseUrl}/admin`);
    await menu(page, '監査ログ').click();
    await page.waitForURL('**/admin/audit');
    const check = await page.getByRole('status').innerText();
    assert.match(check, /OK：全 \d+件/, check);
    const entries = /全 (\d+)件/.exec(check)[1];
    assert.match(await page.locator('.checkpoint').innerText(), new RegExp(`^${entries}:[0-9a-f]{64}$`),
      'the checkpoint to write down is the newest entry');
    await page.getByLabel('対象（申請番号など）', { exact: true }).fill(S.tokyo.number);
    await page.getByRole('button', { name: '絞り込む', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin/audit' && u.searchParams.get('subject') === S.tokyo.number);
    const log = await page.locator('section', { has: page.getByRole('heading', { name: /^記録/ }) }).innerText();
    for (const action of ['application.approve', 'application.issue', 'letter.print', 'letter.reprint', 'letter.mailed']) {
      assert.ok(log.includes(action), `${action} in the audit log of ${S.tokyo.number}: ${log}`);
    }
    await shot(page, 'audit');
    assertNoProblems(problems, 'audit');
  } finally {
    await context.close();
  }
});

test('the dashboard on a phone: usable without sideways scrolling', async (t) => {
  assert.ok(S.adminState, 'needs the admin session');
  const context = await browser.newContext({ ...PHONE_CONTEXT, storageState: S.adminState });
  const page = await context.newPage();
  const problems = watchEverything(page);
  try {
    await page.goto(`${srv.baseUrl}/admin`);
    assert.ok(await rowCells(page, S.osaka.number), `${S.osaka.number} on the phone dashboard`);
    await shot(page, 'dashboard-phone');
    const { scrollWidth, innerWidth, wide } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      // What sticks out past the right edge (outside the scrolling table wrappers), for the report.
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
        .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${e.className}` : ''} right=${Math.round(e.getBoundingClientRect().right)}`),
    }));
    assert.ok(scrollWidth <= innerWidth + 1,
      `no horizontal overflow: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}; sticking out: ${wide.join(', ')}`);
    // How narrow the 医療機関名称 column gets (the table scrolls inside .table-wrap; reported only).
    const nameWidth = await page.locator('table.admin-table tbody tr td:nth-child(2)').first()
      .evaluate((td) => Math.round(td.getBoundingClientRect().width));
    t.diagnostic(`phone: the 医療機関名称 column is ${nameWidth}px wide (viewport ${innerWidth}px)`);
    // The menu is reachable.
    for (const name of ['ダッシュボード', '審査一覧', '通知書・書留', '監査ログ']) {
      assert.ok(await menu(page, name).isVisible(), `${name} visible`);
    }
    // The approval's confirmation of the 大阪府 application fits the phone too.
    await page.goto(`${srv.baseUrl}/admin/applications/${S.osaka.number}/approve`);
    assert.ok((await mainText(page)).includes('この申請を承認しますか'));
    await shot(page, 'confirm-approve-phone');
    const confirmWidth = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(confirmWidth <= 1, `the confirmation does not scroll sideways (${confirmWidth}px)`);
    await page.getByRole('link', { name: '承認せずに戻る', exact: true }).click();
    await page.waitForURL(`**/admin/applications/${S.osaka.number}`);
    assertNoProblems(problems, 'phone dashboard');
  } finally {
    await context.close();
  }
});
