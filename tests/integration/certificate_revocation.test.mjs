// 失効 with the real `onshi serve`, CLI and SMTP sink: the JSON API for vendors (fetch with a
// Bearer token: the list and one certificate, 201 then 200 for the same Idempotency-Key, 409, 404
// for another institution's number, 422, 400), マイページ's form over HTTP (two certificates in one
// request, the confirmation naming them, one mail listing both), the published CRL listing what both
// revoked with its reason as `openssl crl` reads it, `onshi admin certificates show` by serial, and
// the scheduler of `onshi serve` revoking at start a certificate nobody picked up
// once its deadline is past by the grace days (the deadline moved back in the database: the only
// way to let 194 days pass).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  stopServer, restartServer, runOnshi, pageText, loadMessages, createApiToken, apiRequest, csrfToken, inputValue,
  sleep, sqlRows, sqlExec,
} from '../support/harness.mjs';
import {
  startServerWithCa, newClinic, applyForCertificates, createOperator,
} from '../support/back_office.mjs';
import { onshiOk as onshiOkOn } from '../support/pickup.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();
const DAY_MS = 86_400_000;
const SUBJECT_REVOKED = '【医療機関等向けポータルサイト】電子証明書を失効しました';
const SUBJECT_UNPICKED = '【医療機関等向けポータルサイト】取得されなかった電子証明書を失効しました';

let srv;
const S = {};

const onshiOk = (args, opts) => onshiOkOn(srv, args, opts);

const sql = (query) => sqlRows(srv, query);

async function row(number) {
  const [r] = await sql(`SELECT status, revocation_reason, revoked_at, invalidity_date, CASE WHEN sealed_key IS NULL THEN 0 ELSE 1 END AS key_held,
    serial_hex FROM certificates WHERE issuance_number = '${number}' AND replaced_at IS NULL`);
  return r;
}

const api = (method, p, opts = {}) => apiRequest(srv.baseUrl, method, p, opts);

function revocation(number, json, { token = S.a.token, key } = {}) {
  return api('POST', `/api/v1/certificates/${number}/revocation`, {
    token, json, headers: key ? { 'idempotency-key': key } : {},
  });
}

before(async () => {
  ({ srv } = await startServerWithCa({
    name: 'certificate_revocation', passphrase: 'Revocation-CA-passphrase-2026',
    env: { ONSHI_CRL_REVOCATION_DELAY_SECONDS: '4' },
  }));
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${role} 担当`, role, password: 'operator passphrase for revocation 2026' });
  }
  S.a = await newClinic(srv, 'revokeA', { institutionName: '医療法人テスト会 さつき診療所', terminals: 4 });
  S.b = await newClinic(srv, 'revokeB', { institutionName: '医療法人べつの会 かえで医院', terminals: 1 });
  S.appA = await applyForCertificates(S.a, 4);
  S.appB = await applyForCertificates(S.b, 1);
  for (const n of [S.appA, S.appB]) {
    await onshiOk(['admin', 'applications', 'approve', n, '--operator', 'rev1']);
    await onshiOk(['admin', 'applications', 'issue', n, '--operator', 'iss1']);
  }
  S.numbersA = [1, 2, 3, 4].map((i) => `${S.appA}-0${i}`);
  S.numberB = `${S.appB}-01`;
  S.a.token = (await createApiToken(srv, { email: S.a.acct.email, label: 'テストベンダ株式会社' })).token;
  S.b.token = (await createApiToken(srv, { email: S.b.acct.email, label: 'テストベンダ株式会社' })).token;
});
after(async () => { await stopServer(srv); });

test('GET /api/v1/certificates lists the institution\'s own, GET one names it; another\'s is 404', async () => {
  const list = await api('GET', '/api/v1/certificates', { token: S.a.token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((c) => c.number), S.numbersA);
  const first = list.json.items[0];
  assert.equal(first.status, 'issued');
  assert.equal(first.pickup, 'waiting');
  assert.equal(first.serial, (await row(S.numbersA[0])).serial_hex);
  assert.match(first.notAfter, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(first.revokedAt, null);
  const one = await api('GET', `/api/v1/certificates/${S.numbersA[1]}`, { token: S.a.token });
  assert.equal(one.status, 200);
  assert.equal(one.json.terminal, 'T02');
  assert.equal((await api('GET', `/api/v1/certificates/${S.numberB}`, { token: S.a.token })).status, 404);
  assert.equal((await api('GET', '/api/v1/certificates')).status, 401);
});

test('POST /api/v1/certificates/{n}/revocation: 201, the same key 200, a new key 409; refusals change nothing', async () => {
  const n = S.numbersA[0];
  const noKey = await revocation(n, { reason: 'superseded' });
  assert.equal(noKey.status, 400, noKey.text);
  assert.match(noKey.json.type, /\/problems\/missing-idempotency-key$/);
  const bad = await revocation(n, { reason: 'certificateHold' }, { key: 'bad-1' });
  assert.equal(bad.status, 422, bad.text);
  assert.deepEqual(bad.json.errors.map((e) => [e.field, e.code]), [['reason', 'own_revocation.reason_unknown']]);
  const theirs = await revocation(S.numberB, { reason: 'superseded' }, { key: 'theirs-1' });
  assert.equal(theirs.status, 404, theirs.text);
  assert.equal((await row(S.numberB)).status, 'issued');
  assert.equal((await row(n)).status, 'issued');

  const key = `vendor-${Date.now()}`;
  const r = await revocation(n, { reason: 'keyCompromise', compromisedSince: '2026-01-05' }, { key });
  assert.equal(r.status, 201, r.text);
  assert.equal(new URL(r.location, srv.baseUrl).pathname, `/api/v1/certificates/${n}`);
  assert.equal(r.json.status, 'revoked');
  assert.equal(r.json.reason, 'keyCompromise');
  assert.equal(r.json.compromisedSince, '2026-01-05');
  assert.ok(Math.abs(Date.parse(r.json.revokedAt) - Date.now()) < 60_000, r.json.revokedAt);
  const stored = await row(n);
  assert.deepEqual([stored.status, stored.revocation_reason, stored.key_held], ['revoked', 1, 0]);
  assert.equal(stored.invalidity_date, Date.UTC(2026, 0, 4, 15), 'the start of that day in Japan');

  const again = await revocation(n, { reason: 'keyCompromise', compromisedSince: '2026-01-05' }, { key });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.revokedAt, r.json.revokedAt);
  const later = await revocation(n, { reason: 'superseded' }, { key: `${key}-2` });
  assert.equal(later.status, 409, later.text);
  assert.equal(later.json.code, 'already-revoked');
  assert.equal(later.json.detail, MSG['certificate.already_revoked']);

  const mail = await srv.waitForMail({ to: S.a.acct.email, subjectIncludes: SUBJECT_REVOKED });
  assert.ok(mail.subject.includes('（1枚）'), mail.subject);
  assert.ok(mail.body.includes(n) && mail.body.includes('秘密鍵の漏えい・紛失の恐れ'), mail.body);
  assert.equal(await srv.countMails({ to: S.a.acct.email, subjectIncludes: SUBJECT_REVOKED }), 1, 'one mail, not one per retry');
  const audit = await onshiOk(['audit', 'list', '--action', 'certificate.revoke', '--subject', n]);
  assert.match(audit.stdout, /account:\d+\s+certificate\.revoke/, audit.stdout);
  assert.equal(audit.stdout.trim().split('\n').length, 1, audit.stdout);
});

test('マイページ revokes two certificates in one request through the confirmation; one mail lists both', async () => {
  const [, n2, n3] = S.numbersA;
  const form = await S.a.c.get('/certificates/revoke');
  assert.equal(form.status, 200);
  assert.ok(!form.text.includes(`value="${S.numbersA[0]}"`), 'the revoked one is not offered');
  const fields = (action, extra = []) => new URLSearchParams([
    ['csrf_token', csrfToken(form.text)], ['idempotency_key', inputValue(form.text, 'idempotency_key')],
    ['certificate', n2], ['certificate', n3], ['reason', 'cessationOfOperation'], ['compromised_since', ''],
    ['action', action], ...extra]).toString();
  const confirm = await S.a.c.post('/certificates/revoke', fields('confirm'));
  assert.equal(confirm.status, 200, pageText(confirm.text).slice(0, 800));
  const text = pageText(confirm.text);
  for (const part of [n2, n3, '失効は取り消せません', '利用の終了', `${S.a.acct.institutionCode}-T02`]) {
    assert.ok(text.includes(part), `${part} on the confirmation`);
  }
  assert.equal((await row(n2)).status, 'issued', 'the confirmation changes nothing');

  const done = await S.a.c.post('/certificates/revoke', fields('revoke'));
  assert.equal(done.status, 303, pageText(done.text).slice(0, 800));
  assert.equal(done.location, `/certificates/revoke/done?n=${n2}&n=${n3}`);
  for (const n of [n2, n3]) assert.deepEqual([(await row(n)).status, (await row(n)).revocation_reason], ['revoked', 5]);
  const [t2, t3] = [await row(n2), await row(n3)];
  assert.equal(t2.revoked_at, t3.revoked_at, 'one transaction, one time');
  const my = pageText((await S.a.c.get('/mypage')).text);
  assert.ok(/失効（\d{4}年\d{1,2}月\d{1,2}日（.）、利用の終了）/.test(my), my.slice(0, 2000));

  const mail = await srv.waitForMail({ to: S.a.acct.email, subjectIncludes: `${SUBJECT_REVOKED}（2枚）` });
  assert.ok(mail.body.includes(n2) && mail.body.includes(n3), mail.body);
  assert.ok(!mail.body.includes(S.numbersA[3]), 'only what was revoked');
});

test('the published CRL lists what the API and マイページ revoked, with the reasons and the date', async () => {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-revocation-crl-'));
  try {
    const serials = await Promise.all(S.numbersA.slice(0, 3).map(async (n) => (await row(n)).serial_hex.toUpperCase()));
    const der = path.join(work, 'issuing.crl');
    let text = '';
    for (const start = Date.now(); Date.now() - start < 20_000; await sleep(250)) {
      const res = await fetch(`${srv.baseUrl}/pki/crl/issuing.crl`);
      if (res.status !== 200) continue;
      await fsp.writeFile(der, Buffer.from(await res.arrayBuffer()));
      ({ stdout: text } = await exec('openssl', ['crl', '-inform', 'DER', '-in', der, '-noout', '-text']));
      if (serials.every((s) => text.includes(`Serial Number: ${s}`))) break;
    }
    const entry = (serial) => {
      const at = text.indexOf(`Serial Number: ${serial}`);
      assert.ok(at >= 0, `${serial} on the CRL:\n${text}`);
      const next = text.indexOf('Serial Number:', at + 1);
      return text.slice(at, next < 0 ? undefined : next);
    };
    assert.match(entry(serials[0]), /CRL Reason Code:\s*\n\s*Key Compromise/);
    assert.match(entry(serials[0]), /Invalidity Date:\s*\n\s*Jan  4 15:00:00 2026 GMT/);
    for (const s of serials.slice(1)) assert.match(entry(s), /CRL Reason Code:\s*\n\s*Cessation Of Operation/);
    assert.ok(!text.includes(`Serial Number: ${(await row(S.numbersA[3])).serial_hex.toUpperCase()}`), 'not the one still valid');
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
});

test('onshi admin certificates show finds a serial and prints the revocation', async () => {
  const n = S.numbersA[0];
  const { serial_hex: serial } = await row(n);
  const grouped = serial.toUpperCase().match(/.{1,4}/g).join(' ');
  const shown = await onshiOk(['admin', 'certificates', 'show', grouped]);
  assert.match(shown.stdout, new RegExp(`^number:\\s+${n}$`, 'm'), shown.stdout);
  assert.match(shown.stdout, /^status:\s+revoked$/m);
  assert.match(shown.stdout, /^revoked:\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}.* \(keyCompromise\)$/m, shown.stdout);
  assert.match(shown.stdout, /^compromised:\s+2026-01-05/m);
  assert.match(shown.stdout, /^key held:\s+no$/m);
  assert.match(shown.stdout, /^subject:\s+.*CN=\d{10}-T01/m);
  const unknown = await runOnshi(srv, ['admin', 'certificates', 'show', 'C-99999999-01']);
  assert.notEqual(unknown.code, 0);
});

test('onshi serve revokes at start what nobody picked up within the deadline and the grace days', async () => {
  const n = S.numberB;
  const last = S.numbersA[3];
  // B's deadline 15 days ago (past the 14 grace days), A's last one 13 days ago (inside them).
  const now = Date.now();
  await sqlExec(srv, `UPDATE certificates SET pickup_expires_at = ${now - 15 * DAY_MS} WHERE issuance_number = '${n}';
    UPDATE certificates SET pickup_expires_at = ${now - 13 * DAY_MS} WHERE issuance_number = '${last}';`);
  await restartServer(srv);
  const mail = await srv.waitForMail({ to: S.b.acct.email, subjectIncludes: SUBJECT_UNPICKED });
  assert.ok(mail.body.includes(n) && mail.body.includes('利用の終了'), mail.body);
  const stored = await row(n);
  assert.deepEqual([stored.status, stored.revocation_reason, stored.key_held], ['revoked', 5, 0]);
  assert.equal((await row(last)).status, 'issued', 'still in its grace days');
  const audit = await onshiOk(['audit', 'list', '--action', 'certificate.revoke', '--subject', n]);
  assert.match(audit.stdout, /system\s+certificate\.revoke.*"why":"unpicked"/, audit.stdout);
  const page = pageText((await S.b.c.get(`/certificates/${n}`)).text);
  assert.ok(page.includes(MSG['own_revocation.unpicked']), page.slice(0, 1500));
  await restartServer(srv);
  assert.equal((await onshiOk(['audit', 'list', '--action', 'certificate.revoke', '--subject', n])).stdout.trim().split('\n').length, 1,
    'a second start revokes nothing again');
});
