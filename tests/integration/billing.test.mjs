// 発行料 end to end over a real `onshi serve` (issue 19): a charge per certificate issued from the
// back office, none for the terminal's own CSR in place of an unused generated key (EST
// simpleenroll) and one for a renewal (EST simplereenroll, docs/vendor-guide.md 7.5 and 7.6); the
// payment method chosen on the application form (a tampered value refused beside its field); the
// monthly close by `onshi admin billing close` twice (the same files, one mail) and on the back-
// office page (the same close again); the deduction CSV (BOM, CRLF) and the invoice PDF (one page,
// read by pdfinfo/pdftotext) agreeing on the rounding rule; transfers recorded (page and CLI,
// audited); マイページ listing the institution's own charges and invoices only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  stopServer, runOnshi, loadMessages, strongPassword, sqlRows, sqlExec, csrfToken, inputValue,
  certificateFields, pageText, sleep,
} from '../support/harness.mjs';
import { EstVendor } from '../support/est.mjs';
import {
  startServerWithCa, withTlsListener, newClinic, applyForCertificates, createOperator, totp,
} from '../support/back_office.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();
const PASSPHRASE = 'Suzume-Kaede-billing-passphrase-2026';
const REGISTRATION = 'T7000012050002';
const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g;
const INVOICE_SUBJECT = '電子証明書発行料の請求書を発行しました';

let srv;
let work;
let v;
const S = {}; // shared by the tests below, which run in order

// The month before this one in Japan: the one a close may bill (charges are moved into it).
function lastMonthInJapan() {
  const jst = new Date(Date.now() + 9 * 3600 * 1000);
  const d = new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function charges() {
  return sqlRows(srv, `SELECT issuance_number, serial_hex, kind, payment_method, fee_yen, tax_rate_percent,
                              billing_month, close_id FROM charges ORDER BY id`);
}

// The bytes of a page answer, as a browser saves them (no text decoding: the CSV keeps its BOM).
async function download(client, urlPath) {
  const res = await fetch(new URL(urlPath, client.baseUrl), { headers: { cookie: client.cookieHeader() }, redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

async function filesOf(dir) {
  const out = {};
  for (const name of (await fsp.readdir(dir)).sort()) out[name] = await fsp.readFile(path.join(dir, name));
  return out;
}

before(async () => {
  ({ srv } = await startServerWithCa({
    name: 'billing', passphrase: PASSPHRASE,
    env: { ONSHI_BILLING_REGISTRATION_NUMBER: REGISTRATION, ONSHI_BILLING_BANK_ACCOUNT: 'テスト銀行 本店営業部 普通 1234567' },
  }));
  await withTlsListener(srv);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-billing-'));
  v = new EstVendor({ srv, work, root: path.join(srv.dataDir, 'ca', 'root.crt'), issuing: path.join(srv.dataDir, 'ca', 'issuing.crt') });
});
after(async () => {
  await stopServer(srv);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

test('the form offers the two payment methods, deduction chosen, and says who bears the transfer fee', async () => {
  for (const [login, role] of [['bil-rev', 'reviewer'], ['bil-iss', 'issuer'], ['bil-adm', 'admin']]) {
    S[role] = await createOperator(srv, { login, name: `${role} さん`, role, password: strongPassword() });
  }
  S.a = await newClinic(srv, 'bila', { terminals: 2 });
  S.b = await newClinic(srv, 'bilb', { terminals: 3 });
  const form = await S.b.c.get('/certificate-application/form');
  assert.equal(form.status, 200);
  assert.match(form.text, /<input type="radio" name="payment_method" value="deduction" checked>/);
  assert.match(form.text, /<input type="radio" name="payment_method" value="transfer">/);
  const text = pageText(form.text);
  for (const s of ['診療報酬等からの控除', '払込請求書による振込', '振込手数料は医療機関等のご負担となります']) {
    assert.ok(text.includes(s), s);
  }

  const before = await sqlRows(srv, 'SELECT count(*) AS n FROM certificate_applications');
  const bad = await S.b.c.post('/certificate-application/confirm', {
    ...certificateFields(S.b.acct, { certificates: '3', payment_method: 'cash' }),
    idempotency_key: inputValue(form.text, 'idempotency_key'), csrf_token: csrfToken(form.text),
  });
  assert.equal(bad.status, 422);
  assert.match(bad.text, new RegExp(`<p class="field-error" id="payment_method-error">${MSG['payment_method.invalid']}</p>`));
  const after = await sqlRows(srv, 'SELECT count(*) AS n FROM certificate_applications');
  assert.equal(Number(after[0].n), Number(before[0].n), 'nothing saved');
});

test('charges: one per certificate issued, at 1,500 yen and 10 %, paid as the application chose', async () => {
  S.numberA = await applyForCertificates(S.a, 2);
  S.numberB = await applyForCertificates(S.b, 3, { payment_method: 'transfer' });
  const rows = await sqlRows(srv, `SELECT number, payment_method FROM certificate_applications ORDER BY id`);
  assert.deepEqual(rows.map((r) => r.payment_method), ['deduction', 'transfer']);
  for (const number of [S.numberA, S.numberB]) {
    const ok = await runOnshi(srv, ['admin', 'applications', 'approve', number, '--operator', 'bil-rev']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const issued = await runOnshi(srv, ['admin', 'applications', 'issue', number, '--operator', 'bil-iss']);
    assert.equal(issued.code, 0, issued.stdout + issued.stderr);
  }
  const c = await charges();
  assert.equal(c.length, 5, JSON.stringify(c));
  assert.deepEqual(c.map((r) => r.issuance_number),
    [`${S.numberA}-01`, `${S.numberA}-02`, `${S.numberB}-01`, `${S.numberB}-02`, `${S.numberB}-03`]);
  assert.deepEqual(c.map((r) => r.payment_method), ['deduction', 'deduction', 'transfer', 'transfer', 'transfer']);
  for (const r of c) {
    assert.equal(r.kind, 'issue');
    assert.equal(Number(r.fee_yen), 1500);
    assert.equal(Number(r.tax_rate_percent), 10);
    assert.equal(r.close_id, null);
  }
  const serials = await sqlRows(srv, 'SELECT serial_hex FROM certificates ORDER BY id');
  assert.deepEqual(c.map((r) => r.serial_hex), serials.map((r) => r.serial_hex), 'each certificate its own charge');
});

test('EST: the terminal\'s own CSR for an unused key is free; simplereenroll is charged as a renewal', async () => {
  const pdf = path.join(work, 'letters.pdf');
  const printed = await runOnshi(srv, ['admin', 'letters', 'render', '--operator', 'bil-iss', '--out', pdf]);
  assert.equal(printed.code, 0, printed.stdout + printed.stderr);
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'])).stdout;
  const codeOf = (n) => (text.slice(text.indexOf(n)).match(PICKUP_CODE_RE) ?? [])[0];
  const [b1, b2] = [`${S.numberB}-01`, `${S.numberB}-02`];

  const csr = await v.newCsr('own');
  const enrolled = await v.est('simpleenroll', { user: `${b1}:${codeOf(b1)}`, bodyFile: csr.file });
  assert.equal(enrolled.status, 200, enrolled.text);
  const gens = await sqlRows(srv, `SELECT generation FROM certificates WHERE issuance_number = '${b1}'`);
  assert.equal(gens.length, 2, 'a second generation of B-01');
  assert.equal((await charges()).length, 5, 'superseding an unused certificate is free');

  const dir = await v.vendorDir('renew');
  assert.equal((await v.runGuide('7.2', dir)).code, 0);
  const keygen = await v.runGuide('7.5', dir, b2, codeOf(b2));
  assert.equal(keygen.code, 0, keygen.out);
  assert.equal((await charges()).length, 5, 'the first download is no new certificate');
  const renewed = await v.runGuide('7.6', dir);
  assert.equal(renewed.code, 0, renewed.out);
  const c = await charges();
  assert.equal(c.length, 6);
  const last = c[5];
  assert.equal(last.kind, 'renewal');
  assert.equal(last.issuance_number, b2);
  assert.equal(last.payment_method, 'transfer', 'as the application of the renewed certificate');
  assert.equal(last.serial_hex, await v.serialOf(path.join(dir, 'terminal.crt')));
});

test('the monthly close: refused for this month, then files once; the second close gives the same files and no mail', async () => {
  const thisMonth = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 7);
  const refused = await runOnshi(srv, ['admin', 'billing', 'close', thisMonth, '--operator', 'bil-adm']);
  assert.equal(refused.code, 2);
  assert.ok(refused.stderr.includes(MSG['billing.month_not_over']), refused.stderr);
  const notAdmin = await runOnshi(srv, ['admin', 'billing', 'close', lastMonthInJapan(), '--operator', 'bil-iss']);
  assert.equal(notAdmin.code, 2, 'an issuer may not close');

  S.month = lastMonthInJapan();
  await sqlExec(srv, `UPDATE charges SET issued_on = '${S.month}-15', billing_month = '${S.month}'`);
  const dir1 = path.join(work, 'close1');
  const first = await runOnshi(srv, ['admin', 'billing', 'close', S.month, '--operator', 'bil-adm', '--out', dir1]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, new RegExp(`${S.month} closed: 6 charge\\(s\\), 1 invoice\\(s\\)`));
  const invoices = await sqlRows(srv, 'SELECT number, items, subtotal_yen, tax_yen, total_yen FROM invoices');
  assert.equal(invoices.length, 1);
  S.invoice = invoices[0].number;
  assert.equal(Number(invoices[0].items), 4, 'B: three issued and one renewal; the free one not');
  assert.deepEqual([invoices[0].subtotal_yen, invoices[0].tax_yen, invoices[0].total_yen].map(Number), [6000, 600, 6600]);
  S.files = await filesOf(dir1);
  assert.deepEqual(Object.keys(S.files), [`deduction-${S.month}.csv`, `invoice-${S.invoice}.pdf`]);
  await srv.waitForMail({ to: S.b.acct.email, subjectIncludes: INVOICE_SUBJECT });
  const mail = (await srv.smtp.find({ subjectIncludes: INVOICE_SUBJECT }))[0];
  assert.ok(mail.body.includes(S.invoice) && mail.body.includes('6,600円'), mail.body);

  const dir2 = path.join(work, 'close2');
  const again = await runOnshi(srv, ['admin', 'billing', 'close', S.month, '--operator', 'bil-adm', '--out', dir2]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /was closed before/);
  const files2 = await filesOf(dir2);
  assert.deepEqual(Object.keys(files2), Object.keys(S.files));
  for (const name of Object.keys(S.files)) assert.ok(files2[name].equals(S.files[name]), `${name}: the same bytes`);
  assert.equal((await sqlRows(srv, 'SELECT count(*) AS n FROM billing_closes'))[0].n.toString(), '1');
  await sleep(1500); // the outbox worker polls every second: a second mail would be sent by now
  assert.equal(await srv.countMails({ subjectIncludes: INVOICE_SUBJECT }), 1, 'no second mail');
  const audit = await sqlRows(srv, `SELECT actor FROM audit_log WHERE action = 'billing.close' AND subject = '${S.month}'`);
  assert.equal(audit.length, 1, 'audited once');
});

test('the CSV (BOM, CRLF, one row per institution) and the one-page invoice agree on the rounding rule', async () => {
  const csv = S.files[`deduction-${S.month}.csv`];
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
  const lines = csv.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines.at(-1), '', 'every line ends CRLF');
  assert.ok(!csv.subarray(3).toString('utf8').replaceAll('\r\n', '').includes('\n'), 'no bare LF');
  assert.equal(lines[0], [MSG['deduction_csv.code'], MSG['deduction_csv.name'], MSG['deduction_csv.items'], MSG['deduction_csv.amount']].join(','));
  assert.equal(lines.length, 3, 'a header and one institution (A)');
  const [code, name, items, amount] = lines[1].split(',');
  const own = await sqlRows(srv, `SELECT i.code FROM institutions i JOIN certificate_applications a
                                  ON a.institution_id = i.id WHERE a.number = '${S.numberA}'`);
  assert.equal(code, own[0].code);
  assert.equal(name, S.a.acct.institutionName);
  assert.equal(Number(items), 2);
  // The rule both documents follow: 税込 = n x 1,500 + floor(n x 1,500 x 10 / 100).
  const rule = (n) => n * 1500 + Math.floor((n * 1500 * 10) / 100);
  assert.equal(Number(amount), rule(2));

  // Kept beside the server's logs, for a person to look at.
  const pdf = path.join(srv.logDir, 'invoice.pdf');
  await fsp.mkdir(path.dirname(pdf), { recursive: true });
  await fsp.writeFile(pdf, S.files[`invoice-${S.invoice}.pdf`]);
  await fsp.writeFile(path.join(path.dirname(pdf), 'deduction.csv'), S.files[`deduction-${S.month}.csv`]);
  const info = (await exec('pdfinfo', [pdf])).stdout;
  assert.match(info, /^Pages:\s+1$/m, info);
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'])).stdout;
  for (const s of ['請求書', REGISTRATION, S.invoice, `${S.numberB}-01`, `${S.numberB}-03`, '振込手数料']) {
    assert.ok(text.includes(s), `${s} in\n${text}`);
  }
  // Each item on one line of its own: 発行番号 and kind, then its date and fee (none wrapped).
  for (const n of [`${S.numberB}-01`, `${S.numberB}-03`]) {
    const line = text.split('\n').find((l) => l.includes(n)) ?? '';
    assert.match(line, /発行\s+\d{4}年\d{1,2}月\d{1,2}日\s+1,500円（10%対象）/, `${n}'s item in one line: ${line}`);
  }
  const total = /ご請求金額（税込）\s+([\d,]+)円/.exec(text);
  assert.ok(total, text);
  assert.equal(Number(total[1].replaceAll(',', '')), rule(4), 'the invoice\'s total by the CSV\'s rule');
  const tax = /消費税\s+([\d,]+)円/.exec(text.slice(text.indexOf('合計（税抜）')));
  assert.equal(Number(tax?.[1].replaceAll(',', '')), 600, 'tax once on the invoice');
});

test('the back office: the page closes the same month again without billing, downloads the same files, records a transfer', async () => {
  const c = srv.client();
  const page = await c.get('/admin/login');
  const login = await c.post('/admin/login', {
    csrf_token: csrfToken(page.text), login: 'bil-adm', password: S.admin.password, totp_code: totp(S.admin.totp_secret),
  });
  assert.equal(login.status, 303, pageText(login.text).slice(0, 300));
  const list = await c.get('/admin/billing');
  assert.equal(list.status, 200);
  assert.ok(pageText(list.text).includes(S.month));
  const closed = await c.post('/admin/billing/close', { csrf_token: csrfToken(list.text), month: S.month });
  assert.equal(closed.status, 303);
  assert.equal(closed.location, `/admin/billing/${S.month}?done=repeated`);
  const month = await c.get(closed.location);
  assert.ok(pageText(month.text).includes('すでに締めてあります'), pageText(month.text).slice(0, 400));
  const badMonth = await c.post('/admin/billing/close', { csrf_token: csrfToken(list.text), month: '2026年' });
  assert.equal(badMonth.status, 422);
  assert.match(badMonth.text, new RegExp(`id="month-error">${MSG['billing.bad_month']}`));
  const [y, m] = S.month.split('-').map(Number);
  const before = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  const earlier = await c.post('/admin/billing/close', { csrf_token: csrfToken(list.text), month: before });
  assert.equal(earlier.status, 409, 'a month before a closed one');
  assert.match(earlier.text, new RegExp(`id="month-error">${MSG['billing.after_later_close']}`));
  assert.equal((await sqlRows(srv, 'SELECT count(*) AS n FROM billing_closes'))[0].n.toString(), '1');

  const csv = await download(c, `/admin/billing/${S.month}/deduction.csv`);
  assert.equal(csv.status, 200);
  assert.ok(csv.bytes.equals(S.files[`deduction-${S.month}.csv`]), 'the CSV as the CLI wrote it');
  const pdf = await download(c, `/admin/billing/invoices/${S.invoice}/invoice.pdf`);
  assert.ok(pdf.bytes.equals(S.files[`invoice-${S.invoice}.pdf`]), 'the PDF as the CLI wrote it');

  const wrong = await c.post(`/admin/billing/invoices/${S.invoice}/payments`,
    { csrf_token: csrfToken(month.text), amount: '六千', received_on: '2026-02-30' });
  assert.equal(wrong.status, 422);
  assert.ok(pageText(wrong.text).includes(MSG['payment.amount_invalid']));
  assert.ok(pageText(wrong.text).includes(MSG['payment.received_on_invalid']));
  const today = new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
  const paid = await c.post(`/admin/billing/invoices/${S.invoice}/payments`,
    { csrf_token: csrfToken(month.text), amount: '6,000', received_on: today });
  assert.equal(paid.status, 303, pageText(paid.text).slice(0, 300));
  const cli = await runOnshi(srv, ['admin', 'billing', 'pay', S.invoice, '--amount', '600', '--date', today, '--operator', 'bil-adm']);
  assert.equal(cli.code, 0, cli.stdout + cli.stderr);
  const payments = await sqlRows(srv, 'SELECT amount_yen FROM invoice_payments ORDER BY id');
  assert.deepEqual(payments.map((p) => Number(p.amount_yen)), [6000, 600]);
  const audit = await sqlRows(srv, `SELECT actor FROM audit_log WHERE action = 'invoice.payment' AND subject = '${S.invoice}'`);
  assert.equal(audit.length, 2);

  const reviewer = srv.client();
  const rp = await reviewer.get('/admin/login');
  await reviewer.post('/admin/login', {
    csrf_token: csrfToken(rp.text), login: 'bil-rev', password: S.reviewer.password, totp_code: totp(S.reviewer.totp_secret),
  });
  assert.equal((await reviewer.get('/admin/billing')).status, 403, 'billing is the admin\'s');
});

test('マイページ lists the institution\'s charges and invoices and hands out only its own PDF', async () => {
  const b = await S.b.c.get('/mypage/billing');
  assert.equal(b.status, 200);
  const text = pageText(b.text);
  for (const s of [S.invoice, '6,600円', '入金済', `${S.numberB}-02`, '更新', '払込請求書による振込']) {
    assert.ok(text.includes(s), `${s} in ${text.slice(0, 800)}`);
  }
  assert.ok(!text.includes(S.numberA), 'not another institution\'s charges');
  const pdf = await download(S.b.c, `/mypage/invoices/${S.invoice}/invoice.pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.type, 'application/pdf');
  assert.ok(pdf.bytes.equals(S.files[`invoice-${S.invoice}.pdf`]));
  const other = await download(S.a.c, `/mypage/invoices/${S.invoice}/invoice.pdf`);
  assert.equal(other.status, 404, 'another institution\'s invoice is none');
  const a = pageText((await S.a.c.get('/mypage/billing')).text);
  assert.ok(a.includes('診療報酬等からの控除') && a.includes('請求済'), a.slice(0, 800));
  assert.ok((await S.a.c.get('/mypage')).text.includes('/mypage/billing'), 'マイページ links to it');
});
