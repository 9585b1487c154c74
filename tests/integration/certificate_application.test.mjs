// 電子証明書発行申請 through the pages (docs/pages.md 「電子証明書発行申請 (the guide's step 3)」):
// マイページ -> 電子証明書発行申請の流れ -> はい -> 入力画面 -> 次へ -> 確認 -> 閉じる -> 発行申請成功 +
// 申請受付票 (PDF) + acceptance mail, double submission, fees, マイページ, detail, 取下げ, and that one
// institution never sees another's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ARTIFACTS, startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, csrfToken, findTag,
  parseAttrs, inputValue, pageText, locationPath, sleep, jstDate, digitsOnly, fieldErrorIds, loadMessages,
  MAIL_FROM, MSG_CSRF, CERT_FLOW_TITLE, CERT_FORM_TITLE, CERT_PROCEED, CERT_YES, CERT_NO, CERT_QUESTION,
  CERT_NEED_USAGE, CPIPCS_TITLE, SUBJECT_CERT_ACCEPTED, CERT_NUMBER_RE, yen, certificateFee, expectedNoticeDate,
  addBusinessDays, showsNoticeDate, hiddenInputs, formContaining, buttonWithText, linkNamed, selectOptions,
  selectedValue, finalizeUsageApplication, certificateFields,
} from '../support/harness.mjs';

const run = promisify(execFile);
const MSG = loadMessages();
let srv;
let outDir;
before(async () => {
  srv = await startServer({ name: 'certificate_application' });
  outDir = path.join(ARTIFACTS, 'certificate_application');
  await fsp.mkdir(outDir, { recursive: true });
});
after(async () => { await stopServer(srv); });

async function newAccount(tag, institutionName) {
  return srv.createAccount({
    email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(), institutionName,
  });
}

async function loggedIn(acct) {
  const c = srv.client();
  const r = await c.login(acct.email, acct.password);
  assert.equal(r.status, 303, `login ${acct.email}: ${pageText(r.text).slice(0, 300)}`);
  assert.equal(locationPath(r.location), '/mypage');
  return c;
}

/** Links to /certificate-applications/C-XXXXXXXX on a page (the numbers). */
function certificateLinks(html) {
  return [...html.matchAll(/href="\/certificate-applications\/(C-\d{8})"/g)].map((m) => m[1]);
}

/** The text of the <tr> that links to the application. */
function rowOf(html, number) {
  for (const m of html.matchAll(/<tr\b[\s\S]*?<\/tr>/gi)) {
    if (m[0].includes(`/certificate-applications/${number}"`)) return pageText(m[0]);
  }
  return undefined;
}

function certMails(number) {
  return srv.smtp.find({ subjectIncludes: number ? `${SUBJECT_CERT_ACCEPTED}（${number}）` : SUBJECT_CERT_ACCEPTED });
}

/** Editable controls (not hidden, not a button) on a page. */
function editableControls(html) {
  const out = [];
  for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (m[1].toLowerCase() === 'input' && ['hidden', 'submit', 'button'].includes(String(a.type).toLowerCase())) continue;
    if ('readonly' in a || 'disabled' in a) continue;
    out.push(m[0]);
  }
  return out;
}

/** The fee lines of a page: 発行料（税抜） X円, 消費税（10%） Y円, 合計（税込） Z円. */
function assertFees(text, n, what) {
  const f = certificateFee(n);
  assert.match(text, new RegExp(`発行料（税抜）\\s*${yen(f.subtotal)}\\s*円`), `${what}: 税抜 ${yen(f.subtotal)}円 in ${text}`);
  assert.match(text, new RegExp(`消費税（10%）\\s*${yen(f.tax)}\\s*円`), `${what}: 消費税 ${yen(f.tax)}円 in ${text}`);
  assert.match(text, new RegExp(`合計（税込）\\s*${yen(f.total)}\\s*円`), `${what}: 税込 ${yen(f.total)}円 in ${text}`);
}

// Shared by the tests below, which run in order.
const A = {};
const EXPECTED = expectedNoticeDate();

test('the business-day function of these tests (年末年始, 振替休日, weekends)', () => {
  assert.equal(addBusinessDays('2026-12-25', 5), '2027-01-07');
  assert.equal(addBusinessDays('2027-04-28', 5), '2027-05-11');
  assert.equal(addBusinessDays('2026-09-18', 1), '2026-09-24');
  assert.equal(addBusinessDays('2027-03-19', 1), '2027-03-23');
});

test('without a finalized usage application the form is not offered', async () => {
  A.acct = await newAccount('cert', '医療法人テスト会 かえで診療所');
  A.c = await loggedIn(A.acct);

  const my = await A.c.get('/mypage');
  assert.equal(my.status, 200);
  const proceed = linkNamed(my.text, CERT_PROCEED);
  assert.ok(proceed, `マイページ needs 「${CERT_PROCEED}」: ${pageText(my.text)}`);
  assert.equal(proceed.href, '/certificate-application');
  assert.deepEqual(certificateLinks(my.text), []);

  const r = await A.c.get('/certificate-application/form');
  assert.equal(r.status, 200, pageText(r.text).slice(0, 300));
  const text = pageText(r.text);
  const link = linkNamed(r.text, CERT_NEED_USAGE);
  assert.ok(link, `「${CERT_NEED_USAGE}」 offered: ${text}`);
  assert.equal(link.href, '/usage-application');
  assert.ok(text.includes(MSG['certificate_form.no_usage_application']), `says why: ${text}`);
  assert.ok(!/<form\b[^>]*action="\/certificate-application\/confirm"/.test(r.text), 'no certificate form');
  for (const f of ['certificates', 'municipality', 'department']) {
    assert.equal(findTag(r.text, 'input', f) ?? findTag(r.text, 'select', f), undefined, `no field ${f}`);
  }

  // A direct POST /certificate-application/submit is refused with 409 and stores nothing.
  const token = await A.c.csrf('/mypage');
  const s = await A.c.post('/certificate-application/submit', {
    ...certificateFields(A.acct), idempotency_key: crypto.randomUUID(), csrf_token: token,
  });
  assert.equal(s.status, 409, `submit without a usage application -> ${s.status}: ${pageText(s.text).slice(0, 300)}`);
  assert.deepEqual(certificateLinks((await A.c.get('/mypage')).text), []);
  await sleep(300);
  assert.equal((await certMails()).length, 0);
});

test('電子証明書発行申請の流れ: steps, domain, 約5営業日, expected date, question, note, CPIPCS', async () => {
  const r = await A.c.get('/certificate-application');
  assert.equal(r.status, 200, pageText(r.text).slice(0, 300));
  assert.match(r.headers.get('content-type') ?? '', /text\/html/i);
  const text = pageText(r.text);
  let at = -1;
  for (const s of [CERT_FLOW_TITLE, '本日の作業', '電子証明書発行申請', '電子証明書発行通知書', '郵送書留']) {
    const i = text.indexOf(s, at + 1);
    assert.ok(i > at, `「${s}」 (in order) on the flow page: ${text}`);
    at = i;
  }
  const domain = MAIL_FROM.split('@')[1];
  assert.equal(domain, 'fask.or.jp');
  assert.ok(text.includes('ドメイン') && text.includes(domain), `the domain ${domain}: ${text}`);
  assert.ok(text.includes('【発行申請前】にシステムベンダへご相談ください'), text);
  assert.ok(text.includes('約5営業日'), text);
  assert.ok(text.includes('※土・日・祝日・年末年始を除きます'), text);
  assert.ok(showsNoticeDate(text, EXPECTED), `expected notice date ${EXPECTED} (today ${jstDate(0).iso} + 5 business days): ${text}`);
  assert.ok(text.replace(/\s+/g, '').includes(CERT_QUESTION), `the question (line breaks aside): ${text}`);
  const yes = linkNamed(r.text, CERT_YES);
  const no = linkNamed(r.text, CERT_NO);
  assert.ok(yes, `「${CERT_YES}」`);
  assert.ok(no, `「${CERT_NO}」`);
  assert.equal(yes.href, '/certificate-application/form');
  assert.equal(no.href, '/usage-application');
  assert.ok(text.indexOf(CERT_YES) > text.indexOf('オンライン資格確認の利用申請は、行いましたか。'), 'the buttons follow the question');
  assert.ok(text.includes('医療機関等ポータルアカウント申請時の情報及びこれから申請いただく情報は'), `privacy note: ${text}`);
  assert.ok(text.includes('業務にのみ使用します'), `privacy note: ${text}`);
  assert.ok([...r.text.matchAll(/<a\b[^>]*href="\/cpipcs"/g)].length >= 1, 'a link to /cpipcs');

  const cp = await srv.client().get('/cpipcs');
  assert.equal(cp.status, 200);
  assert.ok(pageText(cp.text).includes(CPIPCS_TITLE), pageText(cp.text).slice(0, 300));
  // The clinic page points to the vendors' full text, which anyone may read too.
  assert.ok(/<a\b[^>]*href="\/cpipcs\/full"/.test(cp.text), 'a link to /cpipcs/full');
  const full = await srv.client().get('/cpipcs/full');
  assert.equal(full.status, 200);
  assert.ok(pageText(full.text).includes(`${CPIPCS_TITLE}（CPIPCS）全文`), pageText(full.text).slice(0, 300));
});

test('the form: pre-selected prefecture, its municipalities, fee, defaults from the usage application', async () => {
  A.usage = await finalizeUsageApplication(A.c, { terminals: '2' });
  const r = await A.c.get('/certificate-application/form');
  assert.equal(r.status, 200, pageText(r.text).slice(0, 300));
  const text = pageText(r.text);
  assert.ok(text.includes(CERT_FORM_TITLE), text);
  assert.ok(/<a\b[^>]*href="\/cpipcs"/.test(r.text), 'CPIPCS link on the form');
  for (const label of ['分類', '都道府県コード', '市区町村', '郵便番号', '所在地（市区町村以降の町名・番地・建物名）',
    '医療機関コード', '医療機関名称/名称', '担当部署', '担当者名', '電話番号', 'メールアドレス', '署名名称等', '申請枚数']) {
    assert.ok(text.includes(label), `label ${label}: ${text}`);
  }
  // The guide's fields in its printed order; 郵便番号 and 所在地 in a card of their own after
  // 署名名称等 (and 申請枚数), with their labels and the browser's address autofill.
  const names = [...r.text.matchAll(/<(?:input|select)\b[^>]*\bname="([a-z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual(names.filter((n) => !['csrf_token', 'idempotency_key'].includes(n)),
    ['classification', 'prefecture', 'municipality', 'institution_code', 'institution_name', 'department',
      'contact_name', 'phone', 'email', 'signature_name', 'certificates', 'payment_method', 'payment_method',
      'postal_code', 'address_line'],
    names.join(','));
  assert.ok(r.text.indexOf('電子証明書発行通知書の送付先') > r.text.indexOf('name="signature_name"'));
  assert.ok(r.text.indexOf('電子証明書発行通知書の送付先') < r.text.indexOf('name="postal_code"'));
  const postal = findTag(r.text, 'input', 'postal_code');
  assert.equal(postal.autocomplete, 'postal-code');
  assert.equal(postal.inputmode, 'numeric');
  assert.match(r.text, /<label for="postal_code">郵便番号<\/label>/);
  const address = findTag(r.text, 'input', 'address_line');
  assert.equal(address.autocomplete, 'address-line1');
  assert.match(r.text, /<label for="address_line">所在地（市区町村以降の町名・番地・建物名）<\/label>/);
  assert.equal(inputValue(r.text, 'postal_code'), '', 'no address before the first application');
  assert.equal(inputValue(r.text, 'address_line'), '');
  const cls = selectOptions(r.text, 'classification');
  assert.deepEqual(cls.map((o) => o.value), ['1', '2', '3']);
  assert.deepEqual(cls.map((o) => o.label), ['1 審査支払機関', '2 医療機関等', '3 保険者']);
  assert.equal(selectedValue(r.text, 'classification'), '2');
  const prefs = selectOptions(r.text, 'prefecture').filter((o) => o.value !== '');
  assert.equal(prefs.length, 47);
  assert.equal(selectedValue(r.text, 'prefecture'), '13', `pre-selected from ${A.acct.institutionCode}`);
  assert.match(prefs.find((o) => o.value === '13').label, /東京都/);
  const munis = selectOptions(r.text, 'municipality').filter((o) => o.value !== '');
  assert.ok(munis.length > 0, 'municipalities of 東京都');
  assert.deepEqual(munis.filter((o) => !o.value.startsWith('13')).map((o) => o.value), [], 'only 東京都');
  assert.equal(munis.find((o) => o.value === '131024')?.label, '中央区');
  assert.equal(munis.find((o) => o.value === '011002'), undefined, 'no 札幌市');
  const form = formContaining(r.text, '次へ');
  assert.ok(form, 'a form with 次へ');
  assert.equal(form.attrs.method?.toLowerCase(), 'post');
  assert.equal(form.attrs.action, '/certificate-application/confirm');
  assert.equal(form.attrs['data-fee'], '1500');
  assert.ok(buttonWithText(r.text, '次へ'));
  assert.equal(digitsOnly(inputValue(r.text, 'institution_code')), A.acct.institutionCode);
  assert.equal(inputValue(r.text, 'institution_name'), A.acct.institutionName);
  assert.equal(inputValue(r.text, 'email'), A.acct.email);
  assert.equal(inputValue(r.text, 'signature_name'), 'オンライン資格確認利用アイコン');
  assert.equal(inputValue(r.text, 'certificates'), '2', 'default: the usage application\'s 端末台数');
  assert.ok(inputValue(r.text, 'idempotency_key'), 'hidden idempotency_key');
  assert.ok(text.includes('1件につき1,500円（税別）'), text);
  assertFees(text, 2, 'form');
  assert.deepEqual(fieldErrorIds(r.text), []);
  A.form = r.text;
});

test('GET /api/v1/municipalities', async () => {
  const r = await fetch(`${srv.baseUrl}/api/v1/municipalities?prefecture=1`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  const j = await r.json();
  assert.equal(j.prefecture, 1);
  assert.ok(j.items.some((m) => m.code === '011002' && m.name === '札幌市'), JSON.stringify(j).slice(0, 300));
  assert.ok(j.items.every((m) => m.code.startsWith('01')));
  const t = await (await fetch(`${srv.baseUrl}/api/v1/municipalities?prefecture=13`)).json();
  assert.ok(t.items.some((m) => m.code === '131016' && m.name === '千代田区'));
  const bad = await fetch(`${srv.baseUrl}/api/v1/municipalities?prefecture=99`);
  assert.equal(bad.status, 404);
  assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
  const p = await bad.json();
  assert.equal(p.status, 404);
  assert.ok(p.title || p.type, JSON.stringify(p));
});

test('GET /api/v1/postcodes/{code}: Japan Post\'s data for the page script', async () => {
  const r = await fetch(`${srv.baseUrl}/api/v1/postcodes/1040061`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(await r.json(), {
    postal_code: '104-0061', prefecture: { code: 13, name: '東京都' },
    municipality: { code: '131024', name: '中央区' }, towns: ['銀座'],
  });
  // KEN_ALL's ward code 01101 is 札幌市中央区, 011011 with its check digit.
  const sapporo = await (await fetch(`${srv.baseUrl}/api/v1/postcodes/0600000`)).json();
  assert.equal(sapporo.municipality.code, '011011');
  assert.equal(sapporo.municipality.name, '札幌市中央区');
  assert.deepEqual(sapporo.towns, [], '以下に掲載がない場合 names no town');
  const unknown = await fetch(`${srv.baseUrl}/api/v1/postcodes/0000000`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.match((await unknown.json()).detail, /郵便番号 000-0000 は日本郵便の郵便番号データにありません/);
});

test('郵便番号から住所を入力 without the script: the same form, filled, nothing saved', async () => {
  const form = (await A.c.get('/certificate-application/form')).text;
  const button = buttonWithText(form, '郵便番号から住所を入力');
  assert.ok(button, 'the no-script button');
  assert.equal(button.formaction, '/certificate-application/postcode');
  const fields = { ...typed(A.acct), prefecture: '', municipality: '', postal_code: '１０４－００６１', address_line: '',
    idempotency_key: inputValue(form, 'idempotency_key'), csrf_token: csrfToken(form) };
  const r = await A.c.post('/certificate-application/postcode', fields);
  assert.equal(r.status, 200, pageText(r.text).slice(0, 500));
  assert.equal(selectedValue(r.text, 'prefecture'), '13');
  assert.equal(selectedValue(r.text, 'municipality'), '131024');
  assert.equal(inputValue(r.text, 'postal_code'), '104-0061');
  assert.equal(inputValue(r.text, 'address_line'), '銀座');
  assert.equal(inputValue(r.text, 'department'), fields.department, 'the rest as typed');
  assert.ok(pageText(r.text).includes('郵便番号 104-0061 から都道府県・市区町村を入力しました'), pageText(r.text));
  assert.deepEqual(fieldErrorIds(r.text), []);
  const unknown = await A.c.post('/certificate-application/postcode', { ...fields, postal_code: '999-9999' });
  assert.equal(unknown.status, 422);
  assert.deepEqual(fieldErrorIds(unknown.text), ['postal_code-error']);
  assert.equal(inputValue(unknown.text, 'postal_code'), '999-9999');
  assert.deepEqual(certificateLinks((await A.c.get('/mypage')).text), [], 'nothing saved');
});

test('次へ refuses a postcode of another 市区町村 beside 郵便番号, keeping what was typed', async () => {
  const form = (await A.c.get('/certificate-application/form')).text;
  const fields = { ...typed(A.acct), municipality: '131016', address_line: '東京都千代田区丸の内1-1',
    idempotency_key: inputValue(form, 'idempotency_key'), csrf_token: csrfToken(form) };
  const r = await A.c.post('/certificate-application/confirm', fields);
  assert.equal(r.status, 422);
  assert.deepEqual(fieldErrorIds(r.text), ['postal_code-error']);
  assert.ok(pageText(r.text).includes(
    '郵便番号 104-0061 は 東京都中央区 の郵便番号です。市区町村の選択か郵便番号をご確認ください。'), pageText(r.text));
  assert.equal(selectedValue(r.text, 'municipality'), '131016');
  assert.equal(inputValue(r.text, 'address_line'), '東京都千代田区丸の内1-1');
});

const typed = (acct) => certificateFields(acct, { certificates: '３', department: '医事課', contact_name: '佐藤 花子' });

test('次へ: a read-only page with the fee and the expected date; 入力画面に戻る keeps values', async () => {
  const fields = { ...typed(A.acct), idempotency_key: inputValue(A.form, 'idempotency_key'), csrf_token: csrfToken(A.form) };
  const r = await A.c.post('/certificate-application/confirm', fields);
  assert.equal(r.status, 200, pageText(r.text).slice(0, 800));
  const text = pageText(r.text);
  assert.ok(text.includes('1,500円（税別）'), text);
  assertFees(text, 3, 'confirm');
  for (const s of ['4,500円', '450円', '4,950円', '3枚', '中央区', '東京都', '医療機関等', '医事課', '佐藤 花子',
    '03-1234-5678', A.acct.email, A.acct.institutionName, 'オンライン資格確認利用アイコン',
    '〒104-0061 東京都中央区銀座1-2-3 オンシビル5階']) {
    assert.ok(text.includes(s), `confirmation shows ${s}: ${text}`);
  }
  assert.ok(digitsOnly(text).includes(A.acct.institutionCode), text);
  assert.ok(showsNoticeDate(text, EXPECTED), `expected date ${EXPECTED}: ${text}`);
  assert.deepEqual(editableControls(r.text), [], 'read-only');
  const close = buttonWithText(r.text, '閉じる');
  const back = buttonWithText(r.text, '入力画面に戻る');
  assert.ok(close, 'button 閉じる');
  assert.ok(back, 'button 入力画面に戻る');
  const f = formContaining(r.text, '閉じる');
  assert.equal(f.attrs.method?.toLowerCase(), 'post');
  assert.equal(close.formaction ?? f.attrs.action, '/certificate-application/submit');
  assert.equal(back.formaction ?? formContaining(r.text, '入力画面に戻る').attrs.action, '/certificate-application/edit');
  A.hidden = hiddenInputs(f.html);
  assert.equal(A.hidden.idempotency_key, fields.idempotency_key);
  assert.ok(A.hidden.csrf_token);

  const edit = await A.c.post('/certificate-application/edit', hiddenInputs(formContaining(r.text, '入力画面に戻る').html));
  assert.equal(edit.status, 200, pageText(edit.text).slice(0, 500));
  assert.deepEqual(fieldErrorIds(edit.text), []);
  assert.equal(selectedValue(edit.text, 'classification'), '2');
  assert.equal(selectedValue(edit.text, 'prefecture'), '13');
  assert.equal(selectedValue(edit.text, 'municipality'), '131024');
  for (const k of ['postal_code', 'address_line', 'institution_code', 'institution_name', 'department', 'contact_name',
    'phone', 'email', 'signature_name']) {
    assert.equal(inputValue(edit.text, k), fields[k], `${k} after 入力画面に戻る`);
  }
  assert.equal(inputValue(edit.text, 'certificates').normalize('NFKC'), '3');
  assert.equal(inputValue(edit.text, 'idempotency_key'), fields.idempotency_key);
  // Nothing stored yet.
  assert.deepEqual(certificateLinks((await A.c.get('/mypage')).text), []);
  assert.equal((await certMails()).length, 0);
});

test('閉じる: 303 to the completion page; 申請受付票 PDF; one acceptance mail', async () => {
  const r = await A.c.post('/certificate-application/submit', A.hidden);
  assert.equal(r.status, 303, pageText(r.text).slice(0, 500));
  A.loc = locationPath(r.location);
  const m = /^\/certificate-application\/complete\?number=(C-\d{8})$/.exec(A.loc);
  assert.ok(m, `Location ${r.location}`);
  A.number = m[1];

  const done = await A.c.get(A.loc);
  assert.equal(done.status, 200);
  const text = pageText(done.text);
  assert.ok(text.includes('発行申請成功'), text);
  assert.ok(text.includes('証明書発行申請を完了しました'), text);
  assert.ok(text.includes('ブラウザの閉じるボタン（×ボタン）で終了してください'), text);
  assert.ok(text.includes(A.number), text);
  assert.ok(showsNoticeDate(text, EXPECTED), `expected date on the completion page: ${text}`);
  assert.ok(text.includes('電子証明書は申請後、郵送で5営業日以内に届きます') && text.includes('※郵送状況により変わる場合あり'), text);
  const print = linkNamed(done.text, '閉じる(1枚印刷)');
  assert.ok(print, '「閉じる(1枚印刷)」');
  assert.equal(print.href, `/certificate-applications/${A.number}/receipt.pdf`);
  assert.equal(linkNamed(done.text, 'マイページに戻る')?.href, '/mypage');

  const pdf = await fetch(new URL(print.href, srv.baseUrl), { headers: { cookie: A.c.cookieHeader() }, redirect: 'manual' });
  assert.equal(pdf.status, 200);
  assert.match(pdf.headers.get('content-type') ?? '', /^application\/pdf/);
  const bytes = Buffer.from(await pdf.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const file = path.join(outDir, `receipt-${A.number}.pdf`);
  await fsp.writeFile(file, bytes);
  const info = (await run('pdfinfo', [file])).stdout;
  assert.match(info, /^Pages:\s+1$/m, info);
  assert.match(info, /^Page size:.*\(A4\)/m, info);
  const pdfText = (await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout;
  await fsp.writeFile(path.join(outDir, `receipt-${A.number}.txt`), pdfText);
  const flat = pdfText.replace(/\s+/g, '');
  assert.ok(flat.includes(A.number), `number in the PDF: ${pdfText}`);
  assert.ok(flat.includes('4,950円'), `4,950円 in the PDF: ${pdfText}`);
  assert.ok(flat.includes(A.acct.institutionName.replace(/\s+/g, '')), `institution name in the PDF: ${pdfText}`);
  assert.ok(flat.includes('送付先〒104-0061東京都中央区銀座1-2-3オンシビル5階'), `送付先 in the PDF: ${pdfText}`);
  assert.ok(flat.includes('お問い合わせ:医療機関等向けポータルサイト問合せ窓口電話0120-000-000'), `the desk on the receipt: ${pdfText}`);

  const mail = await srv.waitForMail({ to: A.acct.email, subjectIncludes: A.number });
  assert.equal(mail.subject, `${SUBJECT_CERT_ACCEPTED}（${A.number}）`);
  assert.equal(mail.from, MAIL_FROM);
  for (const s of [A.number, '1,500円（税別）', '4,950', '3枚']) assert.ok(mail.body.includes(s), `mail has ${s}:\n${mail.body}`);
  assert.ok(showsNoticeDate(mail.body, EXPECTED), `mail has ${EXPECTED}:\n${mail.body}`);
});

test('double submission: the same idempotency_key again (and concurrently) makes one application', async () => {
  const again = await A.c.post('/certificate-application/submit', A.hidden);
  assert.equal(again.status, 303, pageText(again.text).slice(0, 500));
  assert.equal(locationPath(again.location), A.loc);
  const both = await Promise.all([
    A.c.post('/certificate-application/submit', A.hidden),
    A.c.post('/certificate-application/submit', A.hidden),
  ]);
  for (const b of both) {
    assert.equal(b.status, 303, pageText(b.text).slice(0, 500));
    assert.equal(locationPath(b.location), A.loc);
  }
  const my = await A.c.get('/mypage');
  assert.deepEqual(certificateLinks(my.text), [A.number], pageText(my.text));
  await sleep(1000);
  const mails = await certMails(A.number);
  assert.equal(mails.length, 1, `exactly one mail when the form e-mail is the account's: ${JSON.stringify(mails.map((x) => x.to))}`);
  assert.deepEqual(mails[0].to.filter((t) => t !== A.acct.email.toLowerCase()), []);
});

test('a different e-mail on the form: one mail to it and one to the account', async () => {
  const other = freshEmail('tantou');
  const form = await A.c.get('/certificate-application/form');
  assert.equal(form.status, 200);
  const fields = { ...certificateFields(A.acct, { email: other, certificates: '1' }),
    idempotency_key: inputValue(form.text, 'idempotency_key'), csrf_token: csrfToken(form.text) };
  assert.notEqual(fields.idempotency_key, A.hidden.idempotency_key, 'a new key for each rendered form');
  // The next form starts from the address of the last application.
  assert.equal(inputValue(form.text, 'postal_code'), '104-0061');
  assert.equal(inputValue(form.text, 'address_line'), '銀座1-2-3 オンシビル5階');
  const conf = await A.c.post('/certificate-application/confirm', fields);
  assert.equal(conf.status, 200, pageText(conf.text).slice(0, 500));
  const r = await A.c.post('/certificate-application/submit', hiddenInputs(formContaining(conf.text, '閉じる').html));
  assert.equal(r.status, 303, pageText(r.text).slice(0, 500));
  A.number2 = CERT_NUMBER_RE.exec(r.location)?.[0];
  assert.ok(A.number2 && A.number2 !== A.number, r.location);
  const toForm = await srv.waitForMail({ to: other, subjectIncludes: A.number2 });
  const toAccount = await srv.waitForMail({ to: A.acct.email, subjectIncludes: A.number2 });
  assert.ok(toForm.body.includes('1,650'), toForm.body);
  assert.ok(toAccount.body.includes(A.number2));
  await sleep(1000);
  assert.equal((await certMails(A.number2)).length, 2, 'one mail to each address');
  assert.equal((await srv.smtp.find({ to: other, subjectIncludes: A.number2 })).length, 1);
  assert.equal((await srv.smtp.find({ to: A.acct.email, subjectIncludes: A.number2 })).length, 1);
});

test('fee totals: 1 certificate and 99 certificates', async () => {
  for (const [n, sub, tax, total] of [[1, '1,500', '150', '1,650'], [99, '148,500', '14,850', '163,350']]) {
    const form = await A.c.get('/certificate-application/form');
    const r = await A.c.post('/certificate-application/confirm', {
      ...certificateFields(A.acct, { certificates: String(n) }),
      idempotency_key: inputValue(form.text, 'idempotency_key'), csrf_token: csrfToken(form.text),
    });
    assert.equal(r.status, 200, pageText(r.text).slice(0, 500));
    const text = pageText(r.text);
    assert.deepEqual([yen(certificateFee(n).subtotal), yen(certificateFee(n).tax), yen(certificateFee(n).total)], [sub, tax, total]);
    assertFees(text, n, `${n} certificates`);
    assert.ok(text.includes(`${n}枚`), text);
  }
});

test('マイページ, the detail page, 取下げ', async () => {
  const my = await A.c.get('/mypage');
  assert.equal(my.status, 200);
  assert.deepEqual(certificateLinks(my.text).sort(), [A.number, A.number2].sort());
  const row = rowOf(my.text, A.number);
  assert.ok(row, pageText(my.text));
  assert.ok(row.includes('申請済'), row);
  assert.ok(row.includes('3枚') || /\b3\b/.test(row), row);
  assert.ok(showsNoticeDate(row, EXPECTED), `expected date in the row: ${row}`);

  const d = await A.c.get(`/certificate-applications/${A.number}`);
  assert.equal(d.status, 200);
  const dt = pageText(d.text);
  assert.ok(dt.includes(A.number) && dt.includes('申請済'), dt);
  assert.ok(showsNoticeDate(dt, EXPECTED), dt);
  assert.ok(dt.includes('次にすること') && dt.includes('運営者が申請内容を確認します'), dt);
  assert.ok(!dt.includes('運営からの連絡'), `no empty 運営からの連絡 row: ${dt}`);
  assert.ok(!dt.includes('要対応'), 'only 差戻し needs the clinic');
  assert.ok(dt.includes('送付先（電子証明書発行通知書）') && dt.includes('〒104-0061 東京都中央区銀座1-2-3 オンシビル5階'), dt);
  // 取下げ cannot be undone: the detail page only leads to a confirmation, which posts.
  const cancelLink = linkNamed(d.text, 'この申請を取り下げる');
  assert.equal(cancelLink?.href, `/certificate-applications/${A.number}/cancel`);
  assert.equal(formContaining(d.text, 'この申請を取り下げる'), undefined, 'no one-click 取下げ');
  const confirm = await A.c.get(cancelLink.href);
  assert.equal(confirm.status, 200, pageText(confirm.text).slice(0, 300));
  const ct = pageText(confirm.text);
  assert.ok(ct.includes('この申請を取り下げますか') && ct.includes(A.number) && ct.includes('元に戻せません'), ct);
  assert.equal(linkNamed(confirm.text, '取り下げずに戻る')?.href, `/certificate-applications/${A.number}`);
  assert.ok(buttonWithText(confirm.text, '取り下げる'), 'button 取り下げる');
  const cf = formContaining(confirm.text, '取り下げる');
  assert.equal(cf.attrs.action, `/certificate-applications/${A.number}/cancel`);
  const token = hiddenInputs(cf.html).csrf_token;
  assert.ok(token);
  assert.ok(rowOf((await A.c.get('/mypage')).text, A.number).includes('申請済'), 'confirming changes nothing');

  const c1 = await A.c.post(`/certificate-applications/${A.number}/cancel`, { csrf_token: token });
  assert.equal(c1.status, 303, pageText(c1.text).slice(0, 300));
  assert.equal(locationPath(c1.location), `/certificate-applications/${A.number}?done=cancelled`);
  const after = await A.c.get(locationPath(c1.location));
  const at = pageText(after.text);
  assert.ok(at.includes('申請を取り下げました'), at);
  assert.ok(at.includes('取下げ'), at);
  assert.ok(!at.includes('申請済'), at);
  // A withdrawn application brings no letter: its arrival date is gone, here and on マイページ.
  assert.ok(at.includes('この申請は取り下げられました'), at);
  assert.ok(!showsNoticeDate(at, EXPECTED), at);
  assert.ok(!showsNoticeDate(rowOf((await A.c.get('/mypage')).text, A.number), EXPECTED));
  assert.equal(linkNamed(after.text, 'この申請を取り下げる'), undefined, 'no cancel link after 取下げ');
  const late = await A.c.get(`/certificate-applications/${A.number}/cancel`);
  assert.equal(late.status, 409, `the confirmation after 取下げ -> ${late.status}`);
  assert.ok(rowOf((await A.c.get('/mypage')).text, A.number).includes('取下げ'));

  const c2 = await A.c.post(`/certificate-applications/${A.number}/cancel`, { csrf_token: token });
  assert.equal(c2.status, 409, `cancelling again -> ${c2.status}`);
});

test('another institution: 404 for the detail page, the receipt, the complete page and cancel', async () => {
  assert.ok(A.number && A.number2, 'needs the earlier tests');
  const acct = await newAccount('certother', '医療法人べつの会 ひまわり医院');
  const c = await loggedIn(acct);
  for (const n of [A.number, A.number2]) {
    for (const p of [`/certificate-applications/${n}`, `/certificate-applications/${n}/receipt.pdf`,
      `/certificate-application/complete?number=${n}`]) {
      const r = await c.get(p);
      assert.equal(r.status, 404, `${p} for another institution -> ${r.status}`);
      assert.ok(!r.text.includes(A.acct.institutionName), `${p} leaks the institution`);
    }
  }
  const token = await c.csrf('/mypage');
  const r = await c.post(`/certificate-applications/${A.number2}/cancel`, { csrf_token: token });
  assert.equal(r.status, 404, `another institution cancels ${A.number2} -> ${r.status}`);
  const still = pageText((await A.c.get(`/certificate-applications/${A.number2}`)).text);
  assert.ok(still.includes('申請済'), still);
  const my = await c.get('/mypage');
  assert.deepEqual(certificateLinks(my.text), []);
});

test('not logged in: every certificate route answers 303 to /login', async () => {
  const c = srv.client();
  const n = A.number2 ?? 'C-00000001';
  for (const p of ['/certificate-application', '/certificate-application/form', `/certificate-application/complete?number=${n}`,
    `/certificate-applications/${n}`, `/certificate-applications/${n}/receipt.pdf`]) {
    const r = await c.get(p);
    assert.equal(r.status, 303, `GET ${p} -> ${r.status}`);
    assert.equal(locationPath(r.location), '/login', `GET ${p}`);
  }
  const token = await c.csrf('/login');
  for (const p of ['/certificate-application/confirm', '/certificate-application/edit', '/certificate-application/submit',
    `/certificate-applications/${n}/cancel`]) {
    const r = await c.post(p, { ...certificateFields(A.acct), idempotency_key: crypto.randomUUID(), csrf_token: token });
    assert.equal(r.status, 303, `POST ${p} -> ${r.status}`);
    assert.equal(locationPath(r.location), '/login', `POST ${p}`);
  }
});

test('POST without a csrf_token (or a wrong one) answers 403 and changes nothing', async () => {
  const before = certificateLinks((await A.c.get('/mypage')).text).sort();
  const mailsBefore = (await certMails()).length;
  const fields = { ...certificateFields(A.acct), idempotency_key: crypto.randomUUID() };
  for (const p of ['/certificate-application/confirm', '/certificate-application/edit', '/certificate-application/submit',
    `/certificate-applications/${A.number2}/cancel`]) {
    const r = await A.c.post(p, fields);
    assert.equal(r.status, 403, `POST ${p} without csrf -> ${r.status}`);
    assert.ok(pageText(r.text).includes(MSG_CSRF), pageText(r.text).slice(0, 300));
    const w = await A.c.post(p, { ...fields, csrf_token: 'x'.repeat(43) });
    assert.equal(w.status, 403, `POST ${p} with a wrong csrf -> ${w.status}`);
  }
  assert.deepEqual(certificateLinks((await A.c.get('/mypage')).text).sort(), before);
  assert.ok(pageText((await A.c.get(`/certificate-applications/${A.number2}`)).text).includes('申請済'));
  await sleep(500);
  assert.equal((await certMails()).length, mailsBefore);
});
