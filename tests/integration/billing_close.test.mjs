// 発行料's monthly close on the back-office page over a real `onshi serve` on the settable clock
// (docs/testing.md), beside tests/integration/billing.test.mjs (the CLI's close, EST's charges):
// last month, clinic C has 20 certificates paid by transfer, clinic D 19 deducted, one of which it
// lost (revoked, keyCompromise) and had re-issued by a new application: charged like the others,
// while the letter resent with new codes and the revocation are free. Today, the page refuses
// months it may not close (malformed, this month, next month) beside the field with nothing
// changed, takes a month typed in full width, and closes: C's invoice is one page of 20 items
// whose 税込 is D's CSV row's (both 20 certificates). Then 入金の記録's refusals: an unknown
// invoice, more than is owed, the same transfer twice; none is a 500 and none stores anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { JST_MS, monthInJapan, setClockOffset as setClockOffsetOf } from '../support/test_clock.mjs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  stopServer, runOnshi, loadMessages, strongPassword, sqlRows, csrfToken, pageText, certificateFee, yen,
} from '../support/harness.mjs';
import { startServerWithCa, newClinic, applyForCertificates, createOperator, totp } from '../support/back_office.mjs';
import { onshiOk, approveAndIssue, printLetters } from '../support/pickup.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();

let srv;
let clockFile;
const S = {}; // shared by the tests below, which run in order

const setClockOffset = (seconds) => setClockOffsetOf(clockFile, seconds);

async function count(table) {
  return Number((await sqlRows(srv, `SELECT count(*) AS n FROM ${table}`))[0].n);
}

async function unbilled() {
  return Number((await sqlRows(srv, 'SELECT count(*) AS n FROM charges WHERE close_id IS NULL'))[0].n);
}

/** The bytes of an answer, as a browser saves them. */
async function download(client, urlPath) {
  const res = await fetch(new URL(urlPath, client.baseUrl), { headers: { cookie: client.cookieHeader() }, redirect: 'manual' });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The paragraph beside field `id`: <p class="field-error" id="ID-error">. */
function besideField(html, id) {
  return new RegExp(`<p class="field-error" id="${id}-error">([^<]*)</p>`).exec(html)?.[1];
}

before(async () => {
  clockFile = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-clock-')), 'now');
  const [y, m] = monthInJapan(-1).split('-').map(Number);
  await setClockOffset(Math.round((Date.UTC(y, m - 1, 15, 3) - Date.now()) / 1000));
  ({ srv } = await startServerWithCa({
    name: 'billing_close', passphrase: 'Hinoki-billing-close-CA-2026',
    env: {
      ONSHI_DEVELOPMENT_TEST_CLOCK: 'true', ONSHI_TEST_CLOCK_FILE: clockFile,
      ONSHI_BILLING_REGISTRATION_NUMBER: 'T7000012050002',
      ONSHI_BILLING_BANK_ACCOUNT: 'テスト銀行 本店営業部 普通 1234567',
    },
  }));
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer'], ['adm1', 'admin']]) {
    S[role] = await createOperator(srv, { login, name: `${role} 担当`, role, password: strongPassword() });
  }
  S.month = monthInJapan(-1);
  S.work = path.join(srv.logDir, 'files');
  await fsp.mkdir(S.work, { recursive: true });
});
after(async () => {
  await stopServer(srv);
  if (clockFile) await fsp.rm(path.dirname(clockFile), { recursive: true, force: true });
});

test('last month: 20 certificates each; a lost one re-issued is charged, a resent letter and a revocation are not', async () => {
  S.c = await newClinic(srv, 'bcc', { institutionName: '医療法人テスト会 ひのき診療所', terminals: 20 });
  S.d = await newClinic(srv, 'bcd', { institutionName: '医療法人テスト会 すぎ薬局', terminals: 20 });
  S.appC = await applyForCertificates(S.c, 20, { payment_method: 'transfer' });
  S.appD = await applyForCertificates(S.d, 19);
  await approveAndIssue(srv, S.appC);
  await approveAndIssue(srv, S.appD);
  assert.equal(await count('charges'), 39);

  await printLetters(srv, path.join(S.work, 'letters.pdf'));
  await onshiOk(srv, ['admin', 'letters', 'reprint', S.appD, '--operator', 'iss1', '--out', path.join(S.work, 'resent.pdf')]);
  assert.equal(await count('charges'), 39, 'the letter sent again with new codes is free');
  const lost = `${S.appD}-07`;
  await onshiOk(srv, ['admin', 'certificates', 'revoke', lost, '--reason', 'keyCompromise', '--operator', 'iss1']);
  assert.equal(await count('charges'), 39, 'revoking is free');

  S.reissue = await applyForCertificates(S.d, 1);
  await approveAndIssue(srv, S.reissue);
  const charges = await sqlRows(srv, `SELECT issuance_number, kind, payment_method, billing_month FROM charges
                                      WHERE issuance_number LIKE '${S.reissue}-%' OR issuance_number = '${lost}' ORDER BY id`);
  assert.deepEqual(charges.map((c) => [c.issuance_number, c.kind, c.payment_method, c.billing_month]), [
    [lost, 'issue', 'deduction', S.month],
    [`${S.reissue}-01`, 'issue', 'deduction', S.month],
  ], 'the re-issue is a certificate charged like any other; the lost one\'s charge stays');
  assert.equal(await count('charges'), 40);
  await setClockOffset(0);
});

test('the page refuses months it may not close beside the field, nothing changed, never a 500', async () => {
  S.http = srv.client();
  const login = await S.http.get('/admin/login');
  const r = await S.http.post('/admin/login', {
    csrf_token: csrfToken(login.text), login: 'adm1', password: S.admin.password, totp_code: totp(S.admin.totp_secret),
  });
  assert.equal(r.status, 303, pageText(r.text).slice(0, 300));
  const page = await S.http.get('/admin/billing');
  S.csrf = csrfToken(page.text);
  for (const [typed, status, key] of [
    ['2026-13', 422, 'billing.bad_month'],
    ['２０２６ー１１', 422, 'billing.bad_month'], // 長音符 for the hyphen: not a month
    ['', 422, 'billing.bad_month'],
    ['2019-09', 422, 'billing.bad_month'], // before 発行料 began
    ['2100-01', 422, 'billing.bad_month'],
    ['2026-11-01', 422, 'billing.bad_month'],
    ['\u0000', 422, 'billing.bad_month'],
    ['9'.repeat(5000), 422, 'billing.bad_month'],
    [monthInJapan(0), 409, 'billing.month_not_over'],
    [monthInJapan(1), 409, 'billing.month_not_over'],
  ]) {
    const refused = await S.http.post('/admin/billing/close', { csrf_token: S.csrf, month: typed });
    assert.equal(refused.status, status, `${typed}: ${pageText(refused.text).slice(0, 300)}`);
    assert.equal(besideField(refused.text, 'month'), MSG[key], `${typed}: the reason beside 対象月`);
    assert.match(refused.text, /<input id="month" name="month" type="month"[^>]* aria-invalid="true"/, typed);
    assert.ok(refused.text.includes('<div class="error-summary"'), `${typed}: summarized above the form`);
    assert.equal(await count('billing_closes'), 0, `${typed}: nothing closed`);
    assert.equal(await unbilled(), 40, `${typed}: nothing billed`);
  }
  for (const urlPath of ['/admin/billing/2026-13', `/admin/billing/${S.month}`, `/admin/billing/${S.month}/deduction.csv`,
    '/admin/billing/invoices/000000-0000000000/invoice.pdf']) {
    const none = await S.http.get(urlPath);
    assert.equal(none.status, 404, `${urlPath}: nothing there yet`);
  }
});

test('a month typed in full width is closed: one page of 20 items whose 税込 is the CSV row\'s', async () => {
  const fullWidth = S.month.replace(/[0-9-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
  const closed = await S.http.post('/admin/billing/close', { csrf_token: S.csrf, month: fullWidth });
  assert.equal(closed.status, 303, pageText(closed.text).slice(0, 300));
  assert.equal(closed.location, `/admin/billing/${S.month}?done=closed`);
  assert.equal(await unbilled(), 0);
  const [inv] = await sqlRows(srv, 'SELECT number, items, total_yen FROM invoices');
  S.invoice = inv.number;
  const fee = certificateFee(20);
  assert.deepEqual([Number(inv.items), Number(inv.total_yen)], [20, fee.total]);

  const csv = await download(S.http, `/admin/billing/${S.month}/deduction.csv`);
  assert.equal(csv.status, 200);
  const rows = csv.bytes.subarray(3).toString('utf8').split('\r\n').slice(1, -1).map((l) => l.split(','));
  assert.deepEqual(rows, [[S.d.acct.institutionCode, S.d.acct.institutionName, '20', String(fee.total)]]);

  const pdf = await download(S.http, `/admin/billing/invoices/${S.invoice}/invoice.pdf`);
  assert.equal(pdf.status, 200);
  const file = path.join(S.work, 'invoice-20.pdf');
  await fsp.writeFile(file, pdf.bytes);
  assert.match((await exec('pdfinfo', [file])).stdout, /^Pages:\s+1$/m, 'twenty items on one page');
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout;
  for (let i = 1; i <= 20; i += 1) {
    const n = `${S.appC}-${String(i).padStart(2, '0')}`;
    assert.ok(text.includes(n), `${n} on the invoice\n${text}`);
  }
  const total = /ご請求金額（税込）\s+([\d,]+)円/.exec(text)?.[1];
  assert.equal(total, yen(Number(rows[0][3])), 'the invoice\'s 税込 is the CSV row\'s: the same rule');
  const month = await S.http.get(closed.location);
  assert.ok(pageText(month.text).includes(`税込 ${yen(fee.total)}円`), pageText(month.text).slice(0, 800));
});

test('入金の記録 refuses an unknown invoice, more than is owed and the same transfer twice', async () => {
  const today = new Date(Date.now() + JST_MS).toISOString().slice(0, 10);
  const pay = (number, amount) => S.http.post(`/admin/billing/invoices/${number}/payments`,
    { csrf_token: S.csrf, amount, received_on: today });
  const fee = certificateFee(20);

  const unknown = await pay('209901-0000000000', '1000');
  assert.equal(unknown.status, 404);
  assert.ok(pageText(unknown.text).includes(MSG['billing.no_such_invoice']), pageText(unknown.text).slice(0, 400));
  const odd = (number, amount, receivedOn) => S.http.post(`/admin/billing/invoices/${number}/payments`,
    { csrf_token: S.csrf, amount, received_on: receivedOn });
  for (const [amount, receivedOn, field] of [
    ['', today, 'amount'], ['0', today, 'amount'], ['-1', today, 'amount'], ['1e3', today, 'amount'],
    ['９'.repeat(12), today, 'amount'], ['\u0000', today, 'amount'],
    ['1000', '2026-02-30', 'received_on'], ['1000', '', 'received_on'], ['1000', '9999-12-31', 'received_on'],
    ['1000', '2019-01-01', 'received_on'], // before the invoice
  ]) {
    const r = await odd(S.invoice, amount, receivedOn);
    assert.equal(r.status, 422, `${JSON.stringify([amount, receivedOn])}: ${pageText(r.text).slice(0, 300)}`);
    assert.ok(besideField(r.text, `${field}_${S.invoice}`), `${JSON.stringify([amount, receivedOn])}: beside ${field}`);
  }
  for (const number of ['%00', 'x'.repeat(3000), '../../etc']) {
    const r = await odd(number, '1000', today);
    assert.ok(r.status === 404, `${number.slice(0, 20)}: ${r.status}`);
  }
  assert.equal(await count('invoice_payments'), 0);
  const over = await pay(S.invoice, String(fee.total + 1));
  assert.equal(over.status, 422);
  assert.equal(besideField(over.text, `amount_${S.invoice}`), MSG['billing_refused.over_balance'].replace('{}', yen(fee.total)));
  assert.equal(await count('invoice_payments'), 0);

  const paid = await pay(S.invoice, yen(fee.total));
  assert.equal(paid.status, 303, pageText(paid.text).slice(0, 300));
  const twice = await pay(S.invoice, yen(fee.total));
  assert.equal(twice.status, 422);
  assert.equal(besideField(twice.text, `amount_${S.invoice}`), MSG['billing_refused.already_paid']);
  assert.ok(twice.text.includes(`<a href="#amount_${S.invoice}">${MSG['billing_refused.already_paid']}</a>`), 'summarized');
  assert.match(twice.text, new RegExp(`id="amount_${S.invoice}"[^>]*value="${yen(fee.total)}"`), 'what was typed kept');
  assert.equal(await count('invoice_payments'), 1, 'one payment stored');
  const cli = await runOnshi(srv, ['admin', 'billing', 'pay', S.invoice, '--amount', '1', '--date', today, '--operator', 'adm1']);
  assert.equal(cli.code, 2, cli.stdout + cli.stderr);
  assert.ok(cli.stderr.includes(MSG['billing_refused.already_paid']), cli.stderr);
  assert.equal(await count('invoice_payments'), 1, 'the CLI refuses it too');
});
