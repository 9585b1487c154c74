// The guide's step 3 in a real browser (Debian's chromium driven by playwright-core): マイページ ->
// 「電子証明書の発行へ進む」 -> scroll -> 「はい 電子証明書の申請画面へ進む」 -> 都道府県コード / 市区町村 (the page
// script loads the choices) -> 申請枚数 (the fee updates live) -> 「次へ」 -> 「閉じる」 -> 発行申請成功 ->
// 「閉じる(1枚印刷)」 (the 申請受付票 PDF) -> 「マイページに戻る」. The usage application (step 2) is made
// beforehand over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import {
  ARTIFACTS, startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, locationPath,
  finalizeUsageApplication, expectedNoticeDate, showsNoticeDate, CERT_PROCEED, CERT_YES, CERT_NO, CERT_FLOW_TITLE,
  CERT_FORM_TITLE, SUBJECT_CERT_ACCEPTED, USAGE_TITLE,
} from '../support/harness.mjs';

const run = promisify(execFile);

let srv;
let browser;
before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  srv = await startServer({ name: 'e2e_certificate_application' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

const shot = screenshotter('certificate-');

/** An account (CLI) with a finalized usage application of `terminals` terminals (over HTTP). */
async function accountWithUsage(tag, name, terminals = '1') {
  const acct = await srv.createAccount({
    email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(), institutionName: name,
  });
  const c = srv.client();
  const r = await c.login(acct.email, acct.password);
  assert.equal(r.status, 303);
  assert.equal(locationPath(r.location), '/mypage');
  acct.usage = await finalizeUsageApplication(c, { terminals });
  return acct;
}

/** From TOP, as the guide's step 1 says. */
const logIn = (page, acct) => logInFromTop(page, srv.baseUrl, acct);

/** The (value, text) pairs of the 市区町村 select. */
function municipalityOptions(page) {
  return page.locator('#municipality option').evaluateAll((os) => os.map((o) => [o.value, o.textContent.trim()]));
}

const EXPECTED = expectedNoticeDate();

test('マイページ -> 流れ -> はい -> 入力 -> 次へ -> 閉じる -> 発行申請成功 -> 申請受付票 -> マイページ', async () => {
  const acct = await accountWithUsage('e2ecert', '医療法人テスト会 すずらん診療所', '1');
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await logIn(page, acct);
    await shot(page, 'mypage-before');
    assert.ok((await page.locator('body').innerText()).includes('電子証明書の発行申請はまだ行われていません'));

    await page.getByRole('link', { name: CERT_PROCEED, exact: true }).click();
    await page.waitForURL('**/certificate-application');
    let body = await page.locator('body').innerText();
    assert.ok(body.includes(CERT_FLOW_TITLE), body);
    assert.ok(body.includes('fask.or.jp') && body.includes('約5営業日'), body);
    assert.ok(showsNoticeDate(body, EXPECTED), `expected notice date ${EXPECTED}: ${body}`);
    await shot(page, 'flow');
    const yes = page.getByRole('link', { name: CERT_YES, exact: true });
    await yes.scrollIntoViewIfNeeded();
    assert.ok(await page.evaluate(() => window.scrollY) > 0, 'the page scrolled down to the question');
    await shot(page, 'flow-scrolled', false);
    await yes.click();
    await page.waitForURL('**/certificate-application/form');
    body = await page.locator('body').innerText();
    assert.ok(body.includes(CERT_FORM_TITLE), body);
    await shot(page, 'form');

    // 都道府県コード: pre-selected 13; changed to 27 the page script loads 大阪府's 市区町村.
    const pref = page.getByLabel('都道府県コード', { exact: true });
    const muni = page.getByLabel('市区町村', { exact: true });
    assert.equal(await pref.inputValue(), '13');
    assert.ok((await municipalityOptions(page)).some(([v, t]) => v === '131024' && t === '中央区'));
    await page.evaluate(() => { window.__sameDocument = true; });
    const [api] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/municipalities?prefecture=27')),
      pref.selectOption('27'),
    ]);
    assert.equal(api.status(), 200);
    await page.waitForFunction(() => [...document.querySelectorAll('#municipality option')].some((o) => o.value === '271276'));
    let opts = await municipalityOptions(page);
    assert.ok(opts.some(([v, t]) => v === '271276' && t === '大阪市北区'), JSON.stringify(opts.slice(0, 10)));
    assert.deepEqual(opts.filter(([v]) => v && !v.startsWith('27')), [], 'only 大阪府 after choosing 27');
    await shot(page, 'form-osaka');
    await pref.selectOption('13');
    await page.waitForFunction(() => [...document.querySelectorAll('#municipality option')].some((o) => o.value === '131024'));
    opts = await municipalityOptions(page);
    assert.deepEqual(opts.filter(([v]) => v && !v.startsWith('13')), [], 'only 東京都 after choosing 13 again');
    assert.equal(await muni.inputValue(), '', 'no 市区町村 chosen yet');

    // 送付先 of the notice letter: the postal code typed in full width, as staff often do, fills
    // 市区町村 and the 町域 from Japan Post's data; the chosen names stand in front of 所在地.
    await page.getByRole('heading', { name: '電子証明書発行通知書の送付先' }).waitFor();
    const postal = page.getByLabel('郵便番号', { exact: true });
    assert.equal(await postal.getAttribute('autocomplete'), 'postal-code');
    assert.equal(await postal.getAttribute('inputmode'), 'numeric');
    const address = page.getByLabel('所在地（市区町村以降の町名・番地・建物名）', { exact: true });
    assert.equal(await address.getAttribute('autocomplete'), 'address-line1');
    const [lookup] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/postcodes/1040061')),
      postal.fill('〒１０４－００６１'),
    ]);
    assert.equal(lookup.status(), 200);
    await page.waitForFunction(() => document.getElementById('address_line').value === '銀座');
    assert.equal(await muni.inputValue(), '131024');
    assert.equal(await pref.inputValue(), '13');
    assert.equal(await page.locator('#address_line-prefix').innerText(), '東京都中央区');
    assert.ok((await page.locator('#postal_code-status').innerText()).includes('郵便番号 104-0061 から'));
    await address.scrollIntoViewIfNeeded();
    await shot(page, 'form-postcode');
    // Typed whole by habit: the confirmation and the letter still show the names once.
    await address.fill('東京都中央区銀座１－２－３　オンシビル５階');

    await page.getByLabel('分類', { exact: true }).selectOption('2');
    assert.equal((await page.getByLabel('医療機関コード', { exact: true }).inputValue()).replace(/\D/g, ''), acct.institutionCode);
    await page.getByLabel('医療機関名称/名称', { exact: true }).fill(acct.institutionName);
    await page.getByLabel('担当部署', { exact: true }).fill('医事課');
    await page.getByLabel('担当者名', { exact: true }).fill('佐藤 花子');
    await page.getByLabel('電話番号', { exact: true }).fill('03-1234-5678');
    await page.getByLabel('メールアドレス', { exact: true }).fill(acct.email);
    assert.equal(await page.getByLabel('署名名称等', { exact: true }).inputValue(), 'オンライン資格確認利用アイコン');
    const count = page.getByLabel('申請枚数');
    assert.equal(await count.inputValue(), '1', 'default: the usage application\'s 端末台数');
    assert.equal(await page.locator('#fee-total').innerText(), '1,650');
    await count.fill('');
    await count.pressSequentially('2');
    await page.waitForFunction(() => document.getElementById('fee-total').textContent === '3,300');
    assert.equal(await page.locator('#fee-subtotal').innerText(), '3,000');
    assert.equal(await page.locator('#fee-tax').innerText(), '300');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the total updated without a reload');
    await page.locator('#fee-total').scrollIntoViewIfNeeded();
    await shot(page, 'form-filled');

    await page.getByRole('button', { name: '次へ', exact: true }).click();
    await page.waitForURL('**/certificate-application/confirm');
    body = await page.locator('body').innerText();
    for (const s of ['2枚', '1,500円（税別）', '3,000円', '300円', '3,300円', '東京都', '中央区', '医事課', '佐藤 花子',
      '03-1234-5678', acct.email, acct.institutionName, '〒104-0061 東京都中央区銀座1-2-3 オンシビル5階']) {
      assert.ok(body.includes(s), `confirmation shows ${s}: ${body}`);
    }
    assert.ok(body.includes(`〒104-0061 東京都中央区銀座1-2-3 オンシビル5階\n${acct.institutionName}\n医事課\n佐藤 花子 様`),
      `the addressee as the letter lays it out: ${body}`);
    assert.ok(!body.includes('東京都中央区東京都'), `the address once: ${body}`);
    assert.ok(showsNoticeDate(body, EXPECTED), `expected date on the confirmation: ${body}`);
    assert.equal(await page.locator('input:not([type=hidden]), select, textarea').count(), 0, 'read-only');
    assert.ok(await page.getByRole('button', { name: '入力画面に戻る', exact: true }).isVisible());
    await shot(page, 'confirm');

    await page.getByRole('button', { name: '閉じる', exact: true }).click();
    await page.waitForURL('**/certificate-application/complete?number=*');
    body = await page.locator('body').innerText();
    assert.ok(body.includes('発行申請成功') && body.includes('証明書発行申請を完了しました'), body);
    const number = /C-\d{8}/.exec(body)?.[0];
    assert.ok(number, `申請番号 on the completion page: ${body}`);
    assert.equal(new URL(page.url()).searchParams.get('number'), number);
    await shot(page, 'complete');

    // 「閉じる(1枚印刷)」 opens the PDF in a new tab; fetch its href with the page's cookies instead.
    const print = page.getByRole('link', { name: '閉じる(1枚印刷)', exact: true });
    assert.ok(await print.isVisible());
    const href = await print.getAttribute('href');
    assert.equal(href, `/certificate-applications/${number}/receipt.pdf`);
    const res = await page.request.get(new URL(href, page.url()).toString());
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'] ?? '', /^application\/pdf/);
    const pdfFile = path.join(E2E_SHOTS, 'certificate-receipt.pdf');
    await fsp.writeFile(pdfFile, await res.body());
    const info = (await run('pdfinfo', [pdfFile])).stdout;
    assert.match(info, /^Pages:\s+1$/m, info);
    assert.match(info, /^Page size:.*\(A4\)/m, info);
    await run('pdftoppm', ['-png', '-r', '80', '-singlefile', pdfFile, path.join(E2E_SHOTS, 'certificate-receipt')]);
    await fsp.access(path.join(E2E_SHOTS, 'certificate-receipt.png'));
    const pdfText = (await run('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'])).stdout.replace(/\s+/g, '');
    assert.ok(pdfText.includes(number) && pdfText.includes('3,300円'), pdfText);
    assert.ok(pdfText.includes('〒104-0061東京都中央区銀座1-2-3オンシビル5階'), `送付先 in the PDF: ${pdfText}`);

    const mail = await srv.waitForMail({ to: acct.email, subjectIncludes: number });
    assert.ok(mail.subject.startsWith(SUBJECT_CERT_ACCEPTED), mail.subject);
    assert.ok(mail.body.includes('3,300'), mail.body);

    await page.getByRole('link', { name: 'マイページに戻る', exact: true }).click();
    await page.waitForURL('**/mypage');
    const link = page.getByRole('link', { name: number, exact: true });
    await link.waitFor();
    const row = await page.locator('tr', { has: link }).innerText();
    assert.ok(row.includes('申請済'), row);
    assert.ok(row.includes('2枚'), row);
    assert.ok(showsNoticeDate(row, EXPECTED), row);
    // The number people read out or type is as large as the text around it and never breaks
    // (a lone `monospace` would fall back to the browser's smaller monospace size).
    const number_style = await page.locator('td.mono', { has: link }).evaluate((el) => ({
      size: getComputedStyle(el).fontSize,
      text: getComputedStyle(el.closest('tr')).fontSize,
      wrap: getComputedStyle(el).whiteSpace,
    }));
    assert.equal(number_style.size, number_style.text, JSON.stringify(number_style));
    assert.equal(number_style.wrap, 'nowrap');
    await link.scrollIntoViewIfNeeded();
    await shot(page, 'mypage-after');

    // 取下げ asks first; going back leaves the application as it was.
    await link.click();
    await page.getByRole('link', { name: 'この申請を取り下げる', exact: true }).click();
    await page.getByRole('heading', { name: 'この申請を取り下げますか' }).waitFor();
    await shot(page, 'cancel-confirm');
    await page.getByRole('link', { name: '取り下げずに戻る', exact: true }).click();
    await page.getByRole('link', { name: 'この申請を取り下げる', exact: true }).waitFor();

    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('いいえ leads to the usage application page', async () => {
  const acct = await accountWithUsage('e2ecertno', '医療法人テスト会 あやめ医院');
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await logIn(page, acct);
    await page.getByRole('link', { name: CERT_PROCEED, exact: true }).click();
    await page.waitForURL('**/certificate-application');
    const no = page.getByRole('link', { name: CERT_NO, exact: true });
    await no.scrollIntoViewIfNeeded();
    await no.click();
    await page.waitForURL((u) => new URL(u).pathname === '/usage-application');
    assert.ok((await page.locator('body').innerText()).includes(USAGE_TITLE));
    await shot(page, 'no-usage-application');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('the form on a phone (390x844): no horizontal scroll', async () => {
  const acct = await accountWithUsage('e2ecertphone', '医療法人テスト会 なでしこクリニック');
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  const problems = watchPage(page);
  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  try {
    await logIn(page, acct);
    await page.getByRole('link', { name: CERT_PROCEED, exact: true }).click();
    await page.waitForURL('**/certificate-application');
    await shot(page, 'phone-flow');
    assert.ok(await width() <= 390, `flow scrollWidth ${await width()} > 390`);
    await page.getByRole('link', { name: CERT_YES, exact: true }).click();
    await page.waitForURL('**/certificate-application/form');
    await shot(page, 'phone-form');
    assert.ok(await width() <= 390, `form scrollWidth ${await width()} > 390`);
    // A typed postcode fills the address on a phone too.
    await page.getByLabel('郵便番号', { exact: true }).fill('1040061');
    await page.waitForFunction(() => document.getElementById('address_line').value === '銀座');
    assert.equal(await page.getByLabel('市区町村', { exact: true }).inputValue(), '131024');
    assert.equal(await page.locator('#address_line-prefix').innerText(), '東京都中央区');
    await page.getByLabel('所在地（市区町村以降の町名・番地・建物名）', { exact: true }).scrollIntoViewIfNeeded();
    await shot(page, 'phone-form-postcode', false);
    assert.ok(await width() <= 390, `form with the address scrollWidth ${await width()} > 390`);
    await page.getByLabel('担当部署', { exact: true }).fill('');
    await page.getByRole('button', { name: '次へ', exact: true }).click();
    await page.locator('#department-error').waitFor();
    await shot(page, 'phone-form-error');
    assert.ok(await width() <= 390, `form with errors scrollWidth ${await width()} > 390`);
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('without JavaScript: 郵便番号から住所を入力 fills the form, a wrong 市区町村 is refused beside 郵便番号', async () => {
  const acct = await accountWithUsage('e2ecertnojs', '医療法人テスト会 すみれ医院');
  const context = await browser.newContext({ locale: 'ja-JP', javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await logIn(page, acct);
    await page.goto(`${srv.baseUrl}/certificate-application/form`);
    await page.getByLabel('郵便番号', { exact: true }).fill('104-0061');
    await page.getByRole('button', { name: '郵便番号から住所を入力', exact: true }).click();
    await page.waitForURL('**/certificate-application/postcode');
    assert.equal(await page.getByLabel('市区町村', { exact: true }).inputValue(), '131024');
    assert.equal(await page.getByLabel('所在地（市区町村以降の町名・番地・建物名）', { exact: true }).inputValue(), '銀座');
    assert.equal(await page.locator('#address_line-prefix').innerText(), '東京都中央区');
    await page.locator('#postal_code-status').scrollIntoViewIfNeeded();
    await shot(page, 'form-postcode-noscript', false);

    // 千代田区 chosen again by hand: 次へ refuses the postcode beside its field, keeping the choice.
    await page.getByLabel('市区町村', { exact: true }).selectOption('131016');
    await page.getByLabel('所在地（市区町村以降の町名・番地・建物名）', { exact: true }).fill('銀座1-2-3');
    await page.getByLabel('担当部署', { exact: true }).fill('医事課');
    await page.getByLabel('担当者名', { exact: true }).fill('佐藤 花子');
    await page.getByLabel('電話番号', { exact: true }).fill('03-1234-5678');
    await page.getByRole('button', { name: '次へ', exact: true }).click();
    const error = page.locator('#postal_code-error');
    await error.waitFor();
    assert.equal(await error.innerText(),
      '郵便番号 104-0061 は 東京都中央区 の郵便番号です。市区町村の選択か郵便番号をご確認ください。');
    assert.equal(await page.getByLabel('市区町村', { exact: true }).inputValue(), '131016');
    assert.equal(await page.locator('#address_line-prefix').innerText(), '東京都千代田区');
    await error.scrollIntoViewIfNeeded();
    await shot(page, 'form-postcode-mismatch', false);
  } finally {
    await context.close();
  }
});
