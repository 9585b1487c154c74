// 更新申請 end to end, over HTTP to the real `onshi serve` and its SMTP sink: certificates moved
// into the renewal window (their notAfter set 30 days ahead in the database), the renewal from
// /renewal (選択 → 次へ → 申請) with its fee, the receipt PDF and the acceptance mail, the review
// queue's kind, the issuance that keeps each terminal and 発行番号 with a new key and serial, the
// new one picked up with its letter's code, and the old one revoked (superseded) by the
// scheduler once the overlap after that pickup is over (moved into the past in the database, then
// a restart: the sweeps run at start). Then review.auto_approve_renewals on: an unchanged clinic's
// renewal approved by system, one with a new address left to a reviewer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  stopServer, restartServer, strongPassword, pageText, loadMessages, csrfToken, inputValue,
  sqlRows, sqlExec, certificateFee, yen,
} from '../support/harness.mjs';
import { startServerWithCa, createOperator, newClinic, applyForCertificates, applyForRenewal, totp } from '../support/back_office.mjs';
import { onshiOk, approveAndIssue, printLetters, openPickup, exec } from '../support/pickup.mjs';
import { buttonWithText, selectedValue, fieldErrorIds } from '../support/html.mjs';

const MSG = loadMessages();
const DAY_MS = 86_400_000;
const SUBJECT_RENEWAL_ACCEPTED = '【医療機関等向けポータルサイト】電子証明書更新申請受付のお知らせ';
const SUBJECT_RENEWED_REVOKED = '【医療機関等向けポータルサイト】更新前の電子証明書を失効しました';
let srv;
let work;
const S = {};

async function certificateRows(number) {
  return sqlRows(srv, `SELECT generation, terminal, serial_hex, status, revocation_reason, replaced_how,
    picked_up_at, application_id FROM certificates WHERE issuance_number = '${number}' ORDER BY generation`);
}

async function applicationRow(number) {
  return (await sqlRows(srv, `SELECT kind, status, certificates, total_yen, contact_name, address_line
    FROM certificate_applications WHERE number = '${number}'`))[0];
}

/** Moves the current certificates of `numbers` into the renewal window: notAfter in 30 days. */
async function nearExpiry(numbers) {
  const until = Date.now() + 30 * DAY_MS;
  await sqlExec(srv, numbers.map((n) => `UPDATE certificates SET not_after = ${until}
    WHERE issuance_number = '${n}' AND replaced_at IS NULL`).join(';\n'));
}

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'renewal', passphrase: 'Kusunoki-renewal-CA-passphrase-2026' }));
  work = path.join(srv.logDir, 'files');
  await fsp.mkdir(work, { recursive: true });
  S.operators = {};
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    S.operators[login] = await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
  }
  S.a = await newClinic(srv, 'rnA', { institutionName: '医療法人テスト会 かえで診療所', terminals: 2 });
  S.appA = await applyForCertificates(S.a, 2);
  await approveAndIssue(srv, S.appA);
  S.numbersA = [`${S.appA}-01`, `${S.appA}-02`];
  S.b = await newClinic(srv, 'rnB', { institutionName: '医療法人べつの会 もみじ医院', terminals: 1 });
  S.appB = await applyForCertificates(S.b, 1);
  await approveAndIssue(srv, S.appB);
  await printLetters(srv, path.join(work, 'first-letters.pdf'));
});

after(async () => {
  await stopServer(srv);
});

test('a certificate far from its expiry is not offered for renewal', async () => {
  const page = await S.a.c.get('/renewal');
  assert.equal(page.status, 200);
  assert.ok(pageText(page.text).includes('いま更新できる電子証明書はありません'), pageText(page.text).slice(0, 800));
  const mypage = await S.a.c.get('/mypage');
  assert.ok(!mypage.text.includes('href="/renewal"'), 'no renewal button on マイページ');
  const body = new URLSearchParams({ csrf_token: csrfToken(page.text), action: 'confirm', certificate: S.numbersA[0] });
  const refused = await S.a.c.post('/renewal', body.toString());
  assert.equal(refused.status, 422);
});

test('更新申請 from マイページ: chosen certificates, fee, receipt, mail, the queue\'s kind', async () => {
  await nearExpiry(S.numbersA);
  const mypage = await S.a.c.get('/mypage');
  assert.ok(mypage.text.includes('href="/renewal"'), 'マイページ offers the renewal');
  const { number, form, confirm, done } = await applyForRenewal(S.a, [S.numbersA[0]], { contact_name: '更新 担当者' });
  for (const n of S.numbersA) assert.ok(form.text.includes(`value="${n}" checked`), `${n} offered and chosen`);
  assert.equal(inputValue(form.text, 'department'), '医事課', 'pre-filled from the last application');
  const fee = certificateFee(1);
  const shown = pageText(confirm.text);
  assert.ok(shown.includes(`${yen(fee.total)}円`) && shown.includes(S.numbersA[0]), shown.slice(0, 1500));
  assert.ok(!shown.includes(S.numbersA[1]), 'only the one chosen');
  assert.equal(done.status, 200);
  assert.ok(pageText(done.text).includes('更新申請成功'), pageText(done.text).slice(0, 600));
  const receipt = await S.a.c.get(`/certificate-applications/${number}/receipt.pdf`);
  assert.equal(receipt.status, 200);
  assert.equal(receipt.headers.get('content-type'), 'application/pdf');

  const row = await applicationRow(number);
  assert.deepEqual([row.kind, row.status, Number(row.certificates), Number(row.total_yen), row.contact_name],
    ['renewal', 'applied', 1, fee.total, '更新 担当者']);
  const mail = await srv.waitForMail({ to: S.a.acct.email, subjectIncludes: SUBJECT_RENEWAL_ACCEPTED });
  assert.ok(mail.body.includes(number) && mail.body.includes(S.numbersA[0]), mail.body);
  const listed = await onshiOk(srv, ['audit', 'list', '--action', 'certificate_application.apply', '--subject', number]);
  assert.match(listed.stdout, /"kind":"renewal"/, listed.stdout);
  const again = await S.a.c.get('/mypage');
  assert.match(again.text, new RegExp(`${number}</a> <span class="badge">更新</span>`), 'the application labelled 更新');
  const form2 = await S.a.c.get('/renewal');
  assert.ok(!form2.text.includes(`value="${S.numbersA[0]}"`), 'a certificate with a renewal under way is not offered again');
  S.renewalA = number;
});

test('the renewal is issued under the same 発行番号 and terminal, and the old certificate stays valid', async () => {
  const before = await certificateRows(S.numbersA[0]);
  assert.equal(before.length, 1);
  await approveAndIssue(srv, S.renewalA);
  const rows = await certificateRows(S.numbersA[0]);
  assert.equal(rows.length, 2, JSON.stringify(rows));
  const [old, next] = rows;
  assert.equal(next.terminal, old.terminal, 'the terminal number is kept');
  assert.notEqual(next.serial_hex, old.serial_hex);
  assert.equal(Number(next.generation), 2);
  assert.equal(old.replaced_how, 'renewed', 'recorded as EST re-enrolment records it');
  assert.equal(old.status, 'issued', 'not revoked');
  assert.equal((await applicationRow(S.renewalA)).status, 'issued');
  const audit = await onshiOk(srv, ['audit', 'list', '--action', 'certificate.renew', '--subject', S.numbersA[0]]);
  assert.match(audit.stdout, new RegExp(`"renewed":"${old.serial_hex}"`), audit.stdout);

  // The new certificate's letter, then its first download.
  const { codes } = await printLetters(srv, path.join(work, 'renewal-letters.pdf'));
  const code = codes[S.numbersA[0]];
  assert.ok(code, `a code for ${S.numbersA[0]}: ${JSON.stringify(codes)}`);
  const page = await openPickup(S.a.c, `/pickup?n=${S.numbersA[0]}`, code);
  assert.equal(page.status, 200, pageText(page.text).slice(0, 600));
  const pass = 'renewal-terminal-pass-2026';
  const p12 = await S.a.c.post('/pickup/pkcs12', {
    csrf_token: csrfToken(page.text), grant: inputValue(page.text, 'grant'), number: inputValue(page.text, 'number'),
    password: pass, password_again: pass, format: 'standard',
  });
  assert.equal(p12.status, 200, pageText(p12.text).slice(0, 600));
  const picked = (await certificateRows(S.numbersA[0]))[1];
  assert.ok(picked.picked_up_at, 'the new one is picked up');
  assert.equal((await certificateRows(S.numbersA[0]))[0].status, 'issued', 'the overlap runs');
});

test('after the overlap the scheduler revokes the old certificate as superseded, once', async () => {
  await restartServer(srv);
  assert.equal((await certificateRows(S.numbersA[0]))[0].status, 'issued', 'the overlap is not over');
  await sqlExec(srv, `UPDATE certificates SET picked_up_at = ${Date.now() - 15 * DAY_MS}
    WHERE issuance_number = '${S.numbersA[0]}' AND generation = 2`);
  await restartServer(srv);
  const mail = await srv.waitForMail({ to: S.a.acct.email, subjectIncludes: SUBJECT_RENEWED_REVOKED });
  assert.ok(mail.body.includes(S.numbersA[0]), mail.body);
  const [old, next] = await certificateRows(S.numbersA[0]);
  assert.deepEqual([old.status, Number(old.revocation_reason)], ['revoked', 4]);
  assert.equal(next.status, 'active');
  const audit = await onshiOk(srv, ['audit', 'list', '--action', 'certificate.revoke', '--subject', S.numbersA[0]]);
  assert.match(audit.stdout, /system\s+certificate\.revoke.*"why":"renewed"/, audit.stdout);
  await restartServer(srv);
  const again = await onshiOk(srv, ['audit', 'list', '--action', 'certificate.revoke', '--subject', S.numbersA[0]]);
  assert.equal(again.stdout.trim().split('\n').length, audit.stdout.trim().split('\n').length, 'revoked once');
});

test('review.auto_approve_renewals: an unchanged clinic is approved by system, a new address is not', async () => {
  const toml = path.join(srv.dataDir, 'onshi.toml');
  await fsp.appendFile(toml, '\n[review]\nauto_approve_renewals = true\n');
  await restartServer(srv);
  await nearExpiry([S.numbersA[1], `${S.appB}-01`]);
  const same = await applyForRenewal(S.a, [S.numbersA[1]], { phone: '03-9876-5432' });
  assert.equal((await applicationRow(same.number)).status, 'approved');
  const audit = await onshiOk(srv, ['audit', 'list', '--action', 'application.auto_approve', '--subject', same.number]);
  assert.match(audit.stdout, /system\s+application\.auto_approve/, audit.stdout);
  const moved = await applyForRenewal(S.b, [`${S.appB}-01`], { address_line: '銀座九丁目9番9号' });
  const row = await applicationRow(moved.number);
  assert.deepEqual([row.kind, row.status], ['renewal', 'applied'], 'a changed address goes to a reviewer');
  // The back office: the queue labels the renewal, its page names what it renews and who approved.
  const reviewer = S.operators.rev1;
  const office = srv.client();
  const login = await office.get('/admin/login');
  const signedIn = await office.post('/admin/login', {
    csrf_token: csrfToken(login.text), login: 'rev1', password: reviewer.password, totp_code: totp(reviewer.totp_secret),
  });
  assert.equal(signedIn.status, 303, pageText(signedIn.text).slice(0, 400));
  const queue = await office.get('/admin/applications');
  assert.equal(queue.status, 200);
  assert.match(queue.text, new RegExp(`${moved.number}</a> <span class="badge">更新</span>`), 'the queue labels it 更新');
  const detail = await office.get(`/admin/applications/${same.number}`);
  assert.equal(detail.status, 200);
  const shownDetail = pageText(detail.text);
  assert.ok(shownDetail.includes('更新する電子証明書') && shownDetail.includes(S.numbersA[1]), shownDetail.slice(0, 1500));
  assert.ok(shownDetail.includes(MSG['renewal.auto_approved']), 'says the system approved it');
  // The issuer issues the approved one; nobody approved it, so separate_issuer does not stop it.
  await onshiOk(srv, ['admin', 'applications', 'issue', same.number, '--operator', 'iss1']);
  assert.equal((await certificateRows(S.numbersA[1])).length, 2);
});

test('the renewal form: 郵便番号から住所 without the script, another prefecture refused, the transfer, a receipt that says 更新', async () => {
  const c = await newClinic(srv, 'rnC', { institutionName: '医療法人ふじ会 さくら薬局', terminals: 1 });
  const app = await applyForCertificates(c, 1);
  await approveAndIssue(srv, app);
  const numberC = `${app}-01`;
  await nearExpiry([numberC]);
  const form = await c.c.get('/renewal');
  assert.equal(form.status, 200);
  const button = buttonWithText(form.text, '郵便番号から住所を入力');
  assert.ok(button, 'the no-script button on the renewal form');
  assert.equal(button.formaction, '/renewal');
  assert.match(form.text, /name="payment_method" value="deduction" checked/, 'the last application\'s method, chosen');
  const fields = {
    csrf_token: csrfToken(form.text), idempotency_key: inputValue(form.text, 'idempotency_key'),
    municipality: '', postal_code: '１０４－００６１', address_line: '', department: '薬剤部',
    contact_name: '郵便 太郎', phone: '03-1111-2222', email: c.acct.email, payment_method: 'transfer',
  };
  const post = (extra) => {
    const body = new URLSearchParams({ ...fields, ...extra });
    body.append('certificate', numberC);
    return c.c.post('/renewal', body.toString());
  };
  const filled = await post({ action: 'postcode' });
  assert.equal(filled.status, 200, pageText(filled.text).slice(0, 600));
  assert.equal(selectedValue(filled.text, 'municipality'), '131024');
  assert.equal(inputValue(filled.text, 'postal_code'), '104-0061');
  assert.equal(inputValue(filled.text, 'address_line'), '銀座');
  assert.equal(inputValue(filled.text, 'contact_name'), '郵便 太郎', 'the rest as typed');
  assert.match(filled.text, /name="payment_method" value="transfer" checked/, 'the choice kept');
  assert.match(filled.text, new RegExp(`value="${numberC}" checked`), 'the certificate still chosen');
  assert.ok(pageText(filled.text).includes('郵便番号 104-0061 から都道府県・市区町村を入力しました'), pageText(filled.text).slice(0, 800));
  // 札幌: the renewal keeps the prefecture of its institution code, so it says to apply anew.
  const moved = await post({ action: 'postcode', postal_code: '060-0000', address_line: '北一条西1丁目' });
  assert.equal(moved.status, 422);
  assert.deepEqual(fieldErrorIds(moved.text), ['postal_code-error']);
  assert.ok(pageText(moved.text).includes('更新申請では都道府県（東京都）は変えられません'), pageText(moved.text).slice(0, 800));
  assert.equal(inputValue(moved.text, 'address_line'), '北一条西1丁目', 'what was typed is kept');
  const unknown = await post({ action: 'postcode', postal_code: '000-0000' });
  assert.equal(unknown.status, 422);
  assert.deepEqual(fieldErrorIds(unknown.text), ['postal_code-error']);
  const badMethod = await post({ action: 'confirm', municipality: '131024', postal_code: '104-0061', address_line: '銀座1-2-3', payment_method: 'cash' });
  assert.equal(badMethod.status, 422);
  assert.ok(fieldErrorIds(badMethod.text).includes('payment_method-error'), fieldErrorIds(badMethod.text).join());
  assert.equal((await sqlRows(srv, `SELECT count(*) AS n FROM certificate_applications WHERE kind = 'renewal' AND contact_name = '郵便 太郎'`))[0].n * 1, 0,
    'nothing saved by the postcode or a refusal');

  const done = await applyForRenewal(c, [numberC], { municipality: '131024', postal_code: '104-0061', address_line: '銀座1-2-3', payment_method: 'transfer' });
  const confirmed = pageText(done.confirm.text);
  assert.ok(confirmed.includes('払込請求書による振込') && confirmed.includes('振込手数料は医療機関等のご負担となります'), confirmed.slice(0, 1500));
  assert.ok(confirmed.includes('更新枚数'), 'the count is called 更新枚数');
  const stored = await sqlRows(srv, `SELECT payment_method FROM certificate_applications WHERE number = '${done.number}'`);
  assert.equal(stored[0].payment_method, 'transfer');
  const receipt = await fetch(new URL(`/certificate-applications/${done.number}/receipt.pdf`, srv.baseUrl),
    { headers: { cookie: c.c.cookieHeader() }, redirect: 'manual' });
  assert.equal(receipt.status, 200);
  const file = path.join(work, `receipt-${done.number}.pdf`);
  await fsp.writeFile(file, Buffer.from(await receipt.arrayBuffer()));
  const info = (await exec('pdfinfo', [file])).stdout;
  assert.match(info, /^Pages:\s+1$/m, 'one page');
  const text = (await exec('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout.replace(/\s+/g, '');
  for (const words of ['電子証明書の更新申請', '更新枚数', '更新する電子証明書', numberC, '払込請求書による振込', done.number]) {
    assert.ok(text.includes(words.replace(/\s+/g, '')), `the receipt says ${words}: ${text.slice(0, 800)}`);
  }
});
