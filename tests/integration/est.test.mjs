// EST (RFC 7030) end to end over the TLS listener of a real `onshi serve`: certificates issued
// from the back office (`onshi admin applications approve|issue`), their codes read off the
// notice letters' PDF, then curl and openssl as a vendor runs them — the commands of
// docs/vendor-guide.md section 7 run as written — for cacerts, csrattrs, simpleenroll,
// serverkeygen and simplereenroll, and every refusal: the plain listener, malformed Basic auth,
// wrong pairs, PEM and non-base64 bodies, weak keys, bodies of 2 and 10 MB, no client
// certificate, one of another CA, the renewed and the revoked one. Nothing is issued for a
// refusal and the server keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stopServer, runOnshi, loadMessages, strongPassword } from '../support/harness.mjs';
import { EstVendor, assertRefusal, toolOk } from '../support/est.mjs';
import {
  startServerWithCa, withTlsListener, newClinic, applyForCertificates, createOperator,
} from '../support/back_office.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();
const PASSPHRASE = 'Uguisu-Momiji-EST-passphrase-2026';
const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g;
const CERTS_ONLY = 'application/pkcs7-mime; smime-type=certs-only';

let srv;
let work;
let root;
let issuing;
let v; // the vendor's tools (tests/support/est.mjs)
const S = {}; // shared by the tests below, which run in order

// ---------------------------------------------------------------------------------------------

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'est', passphrase: PASSPHRASE }));
  await withTlsListener(srv);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-est-'));
  root = path.join(srv.dataDir, 'ca', 'root.crt');
  issuing = path.join(srv.dataDir, 'ca', 'issuing.crt');
  v = new EstVendor({ srv, work, root, issuing });
});
after(async () => {
  await stopServer(srv);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

test('setup: three certificates issued (two generated keys, one from a CSR), codes from the letter', async () => {
  for (const [login, role] of [['est-rev', 'reviewer'], ['est-iss', 'issuer']]) {
    await createOperator(srv, { login, name: `${role} さん`, role, password: strongPassword() });
  }
  S.clinic = await newClinic(srv, 'est', { terminals: 3 });
  const number = await applyForCertificates(S.clinic, 3);
  const approve = await runOnshi(srv, ['admin', 'applications', 'approve', number, '--operator', 'est-rev']);
  assert.equal(approve.code, 0, approve.stdout + approve.stderr);
  S.vendorCsr = await v.newCsr('vendor', '/CN=vendor-made');
  const issue = await runOnshi(srv, ['admin', 'applications', 'issue', number, '--operator', 'est-iss',
    '--csr', `3=${S.vendorCsr.der}`]);
  assert.equal(issue.code, 0, issue.stdout + issue.stderr);
  S.n = [1, 2, 3].map((i) => `${number}-0${i}`);
  S.issuedSerial3 = (await v.sql(`SELECT serial_hex FROM certificates WHERE issuance_number = '${S.n[2]}'`))[0].serial_hex;

  const pdf = path.join(work, 'letters.pdf');
  const printed = await runOnshi(srv, ['admin', 'letters', 'render', '--operator', 'est-iss', '--out', pdf]);
  assert.equal(printed.code, 0, printed.stdout + printed.stderr);
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'])).stdout;
  S.codes = {};
  for (const n of S.n) {
    const at = text.indexOf(n);
    assert.ok(at >= 0, `${n} in the letter`);
    S.codes[n] = (text.slice(at).match(PICKUP_CODE_RE) ?? [])[0];
    assert.ok(S.codes[n], `a code after ${n}`);
  }
});

test('EST answers only on the TLS listener: the plain one says to use https', async () => {
  for (const [op, opts] of [['cacerts', {}], ['simpleenroll', { user: `${S.n[0]}:${S.codes[S.n[0]]}`, body: 'AAAA' }]]) {
    const r = await v.est(op, { ...opts, plain: true });
    assertRefusal(r, 403, MSG['est.https_only'], `plain ${op}`);
  }
  const left = await v.sql(`SELECT count(*) AS n FROM certificate_downloads`);
  assert.equal(left[0].n, 0, 'nothing handed out on the plain listener');
});

test('cacerts: the issuing and root CA certificates as base64 PKCS#7, as the guide reads them', async () => {
  const r = await v.est('cacerts');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['content-type'], 'application/pkcs7-mime');
  assert.equal(r.headers['content-transfer-encoding'], 'base64');
  assert.match(r.text, /^([A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/]{0,63}={0,2}\n$/, 'base64 in lines of 64');
  const pem = await v.certsOf(r.body, 'cacerts');
  const want = (await fsp.readFile(issuing, 'utf8')) + (await fsp.readFile(root, 'utf8'));
  const blocks = (s) => s.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  assert.deepEqual(blocks(pem), blocks(want), 'issuing then root, exactly the CA folder\'s');

  S.dirA = await v.vendorDir('vendor-a');
  const g = await v.runGuide('7.2', S.dirA);
  assert.equal(g.code, 0, g.out);
  assert.deepEqual(blocks(await fsp.readFile(path.join(S.dirA, 'chain.pem'), 'utf8')), blocks(want));
});

test('csrattrs: the profile\'s P-256 key and ECDSA with SHA-256', async () => {
  const r = await v.est('csrattrs');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['content-type'], 'application/csrattrs');
  assert.equal(r.headers['content-transfer-encoding'], 'base64');
  const g = await v.runGuide('7.3', S.dirA);
  assert.equal(g.code, 0, g.out);
  for (const s of ['OBJECT            :id-ecPublicKey', ':prime256v1', ':ecdsa-with-SHA256']) {
    assert.ok(g.out.includes(s), `${s} in:\n${g.out}`);
  }
});

test('Basic auth: missing, malformed or a wrong pair gets 401 with the challenge; nothing issued', async () => {
  const before = await v.certificateCount();
  const csr = await v.newCsr('auth');
  const challenge = 'Basic realm="onshi EST", charset="UTF-8"';
  for (const [what, args] of [['no credentials', []], ['not base64', ['-H', 'Authorization: Basic !!!!']],
    ['no colon', ['-H', `Authorization: Basic ${Buffer.from(S.n[0]).toString('base64')}`]],
    ['another scheme', ['-H', 'Authorization: Bearer abc']]]) {
    const r = await v.est('simpleenroll', { bodyFile: csr.file, args });
    assertRefusal(r, 401, MSG['est.basic_auth'], what);
    assert.equal(r.headers['www-authenticate'], challenge, what);
  }
  const wrong = await v.est('simpleenroll', { user: `${S.n[0]}:${S.codes[S.n[1]]}`, bodyFile: csr.file });
  assertRefusal(wrong, 401, MSG['pickup.wrong_pair'], 'the other certificate\'s code');
  assert.equal(wrong.headers['www-authenticate'], challenge);
  await v.assertNothingIssued(before, 'wrong pairs');
});

test('bad requests: PEM, not base64, a weak key, another media type, 2 MB and 10 MB bodies', async () => {
  const before = await v.certificateCount();
  const user = `${S.n[0]}:${S.codes[S.n[0]]}`;
  const pem = await toolOk('openssl', ['req', '-inform', 'DER', '-in', (await v.newCsr('pem')).der]);
  assertRefusal(await v.est('simpleenroll', { user, body: pem }), 400, MSG['est.pem_not_accepted'], 'PEM');
  assertRefusal(await v.est('simpleenroll', { user, body: 'this is not base64: 100% sure!' }), 400, MSG['est.not_base64'], 'text');
  const junk = Buffer.from('not a certificate request').toString('base64');
  assertRefusal(await v.est('simpleenroll', { user, body: junk }), 400, MSG['est.csr_unreadable'], 'base64 junk');
  const weakDer = path.join(work, 'weak.der');
  await toolOk('openssl', ['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', path.join(work, 'weak.key'),
    '-subj', '/CN=weak', '-outform', 'DER', '-out', weakDer]);
  const weak = await v.est('simpleenroll', { user, body: (await fsp.readFile(weakDer)).toString('base64') });
  assertRefusal(weak, 400, MSG['csr.weak_key'], 'RSA 1024');
  const form = await v.est('simpleenroll', { user, body: 'AAAA', type: 'application/x-www-form-urlencoded' });
  assertRefusal(form, 415, MSG['http.415'], 'a form');

  const two = await v.write('two-mb.b64', Buffer.alloc(2 * 1024 * 1024, 'A'));
  assertRefusal(await v.est('simpleenroll', { user, bodyFile: two }), 413, MSG['http.413'], '2 MB');
  const ten = await v.write('ten-mb.b64', Buffer.alloc(10 * 1024 * 1024, 'A'));
  const big = await v.est('simpleenroll', { user, bodyFile: ten });
  assert.ok(big.status === 413 || (big.status === 0 && big.curlCode !== 0),
    `10 MB: 413 or the connection closed, got ${big.status} (curl ${big.curlCode}: ${big.curlOut})`);
  await v.assertNothingIssued(before, 'bad requests');
  await v.assertServing('after the bad requests');
});

test('simpleenroll: the terminal\'s key replaces the unused generated one; again for the same key only', async () => {
  const g = await v.runGuide('7.4', S.dirA, S.n[0], S.codes[S.n[0]]);
  assert.equal(g.code, 0, g.out);
  assert.match(g.out, /terminal\.crt: OK/, g.out);
  const crt = path.join(S.dirA, 'terminal.crt');
  const fromCert = await toolOk('openssl', ['x509', '-in', crt, '-noout', '-pubkey']);
  const fromKey = await toolOk('openssl', ['pkey', '-in', path.join(S.dirA, 'terminal.key'), '-pubout']);
  assert.equal(fromCert, fromKey, 'the certificate is for the terminal\'s own key');
  const subject = await toolOk('openssl', ['x509', '-in', crt, '-noout', '-subject', '-nameopt', 'RFC2253']);
  assert.ok(subject.includes(`serialNumber=${S.n[0]}`) && subject.includes('-T01'), subject);
  const rows = await v.sql(`SELECT generation, key_source, serial_hex, revoked_at, sealed_key FROM certificates
                          WHERE issuance_number = '${S.n[0]}' ORDER BY generation`);
  assert.equal(rows.length, 2, JSON.stringify(rows));
  assert.equal(rows[1].key_source, 'csr');
  assert.equal(rows[1].serial_hex, await v.serialOf(crt));
  assert.ok(rows[0].revoked_at && rows[0].sealed_key === null, 'the unused one superseded, its key destroyed');
  const dl = await v.sql(`SELECT what FROM certificate_downloads d JOIN certificates c ON c.id = d.certificate_id
                        WHERE c.serial_hex = '${rows[1].serial_hex}'`);
  assert.deepEqual(dl.map((d) => d.what), ['est-enroll']);
  await srv.waitForMail({ subjectIncludes: `取得されました（${S.n[0]}）` });

  // The same request again (a lost answer): the same certificate; another key: refused.
  const user = `${S.n[0]}:${S.codes[S.n[0]]}`;
  const again = await v.est('simpleenroll', { user, bodyFile: path.join(S.dirA, 'terminal.csr.b64') });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.headers['content-type'], CERTS_ONLY);
  const againPem = await v.write('again.pem', await v.certsOf(again.body, 'again'));
  assert.equal(await v.serialOf(againPem), rows[1].serial_hex);
  const before = await v.certificateCount();
  const other = await v.est('simpleenroll', { user, bodyFile: (await v.newCsr('other')).file });
  assertRefusal(other, 409, MSG['est.other_key'], 'another key');
  await v.assertNothingIssued(before, 'another key');
});

test('simpleenroll of a certificate issued from the vendor\'s CSR returns that very certificate', async () => {
  const r = await v.est('simpleenroll', { user: `${S.n[2]}:${S.codes[S.n[2]]}`, bodyFile: S.vendorCsr.file });
  assert.equal(r.status, 200, r.text);
  const pem = await v.write('vendor.pem', await v.certsOf(r.body, 'vendor'));
  assert.equal(await v.serialOf(pem), S.issuedSerial3);
  await v.verify(pem);
  const keygen = await v.est('serverkeygen', { user: `${S.n[2]}:${S.codes[S.n[2]]}`, body: '' });
  assertRefusal(keygen, 409, MSG['est.not_generated'], 'serverkeygen for a CSR\'s certificate');
});

test('serverkeygen: the generated key as PKCS#8 and its certificate, as multipart/mixed', async () => {
  const r = await v.est('serverkeygen', { user: `${S.n[1]}:${S.codes[S.n[1]]}`, body: '' });
  assert.equal(r.status, 200, r.text);
  const type = /^multipart\/mixed; boundary=([A-Za-z0-9_-]+)$/.exec(r.headers['content-type']);
  assert.ok(type, r.headers['content-type']);
  const parts = r.text.split(`--${type[1]}`);
  assert.equal(parts.length, 4, 'two parts between three boundaries');
  assert.equal(parts[3], '--\r\n', 'the closing boundary');
  assert.match(parts[1], /^\r\nContent-Type: application\/pkcs8\r\nContent-Transfer-Encoding: base64\r\n\r\n/);
  assert.match(parts[2], /^\r\nContent-Type: application\/pkcs7-mime; smime-type=certs-only\r\nContent-Transfer-Encoding: base64\r\n\r\n/);

  S.dirB = await v.vendorDir('vendor-b');
  assert.equal((await v.runGuide('7.2', S.dirB)).code, 0);
  const g = await v.runGuide('7.5', S.dirB, S.n[1], S.codes[S.n[1]]);
  assert.equal(g.code, 0, g.out);
  assert.match(g.out, /terminal\.crt: OK/, g.out);
  const st = await fsp.stat(path.join(S.dirB, 'terminal.key'));
  assert.equal(st.mode & 0o077, 0, 'the key is readable by its owner only (umask 077)');
  const crt = path.join(S.dirB, 'terminal.crt');
  const current = (await v.sql(`SELECT serial_hex, key_source FROM certificates WHERE issuance_number = '${S.n[1]}'`));
  assert.equal(current.length, 1);
  assert.equal(current[0].key_source, 'generated');
  assert.equal(await v.serialOf(crt), current[0].serial_hex);
  S.gen1Serial = current[0].serial_hex;
  await fsp.copyFile(crt, path.join(work, 'gen1.crt'));
  await fsp.copyFile(path.join(S.dirB, 'terminal.key'), path.join(work, 'gen1.key'));
});

test('simplereenroll: a new certificate for a new key with the current one; audited, mailed', async () => {
  const mailsBefore = await srv.countMails({ subjectIncludes: `取得されました（${S.n[1]}）` });
  const oldSubject = await toolOk('openssl', ['x509', '-in', path.join(S.dirB, 'terminal.crt'), '-noout', '-subject']);
  const g = await v.runGuide('7.6', S.dirB);
  assert.equal(g.code, 0, g.out);
  assert.match(g.out, /new\.crt: OK/, g.out);
  // The guide ends by switching the terminal over to the new key and certificate.
  const newCrt = path.join(S.dirB, 'terminal.crt');
  assert.equal(await toolOk('openssl', ['x509', '-in', newCrt, '-noout', '-subject']), oldSubject, 'the same subject');
  assert.equal(await toolOk('openssl', ['x509', '-in', newCrt, '-noout', '-pubkey']),
    await toolOk('openssl', ['pkey', '-in', path.join(S.dirB, 'terminal.key'), '-pubout']), 'for the new key');
  const rows = await v.sql(`SELECT generation, serial_hex, replaced_at, replaced_how, revoked_at, status FROM certificates
                          WHERE issuance_number = '${S.n[1]}' ORDER BY generation`);
  assert.equal(rows.length, 2, JSON.stringify(rows));
  assert.equal(rows[0].serial_hex, S.gen1Serial);
  assert.equal(rows[0].replaced_how, 'renewed');
  assert.equal(rows[0].revoked_at, null, 'the renewed one stays valid');
  assert.equal(rows[1].serial_hex, await v.serialOf(newCrt));
  assert.notEqual(rows[1].serial_hex, S.gen1Serial);
  assert.equal(rows[1].replaced_at, null, 'the new one is current');
  const audit = await v.sql(`SELECT action FROM audit_log WHERE subject = '${S.n[1]}' AND action = 'certificate.renew'`);
  assert.equal(audit.length, 1, 'audited certificate.renew');
  const dl = await v.sql(`SELECT what FROM certificate_downloads d JOIN certificates c ON c.id = d.certificate_id
                        WHERE c.serial_hex = '${rows[1].serial_hex}'`);
  assert.deepEqual(dl.map((d) => d.what), ['est-reenroll']);
  await srv.waitForMail({ subjectIncludes: `取得されました（${S.n[1]}）`, nth: mailsBefore + 1 });
  S.gen2Serial = rows[1].serial_hex;
});

test('simplereenroll with the renewed certificate is refused (still valid, but no longer current)', async () => {
  const before = await v.certificateCount();
  // Another machine that kept the first generation runs the same commands.
  const dirC = await v.vendorDir('vendor-c');
  await fsp.copyFile(path.join(S.dirB, 'chain.pem'), path.join(dirC, 'chain.pem'));
  await fsp.copyFile(path.join(work, 'gen1.crt'), path.join(dirC, 'terminal.crt'));
  await fsp.copyFile(path.join(work, 'gen1.key'), path.join(dirC, 'terminal.key'));
  await v.verify(path.join(dirC, 'terminal.crt')); // it does still verify
  const g = await v.runGuide('7.6', dirC);
  assert.equal(g.code, 22, `curl --fail-with-body stops: ${g.out}`);
  assert.equal(await fsp.readFile(path.join(dirC, 'new.p7.b64'), 'utf8'), `${MSG['est.renewed']}\n`,
    'the reason, where the guide says to look');
  await v.assertNothingIssued(before, 'the renewed certificate');

  // The terminal that switched over renews again with its new certificate.
  const again = await v.runGuide('7.6', S.dirB);
  assert.equal(again.code, 0, again.out);
  const rows = await v.sql(`SELECT generation FROM certificates WHERE issuance_number = '${S.n[1]}' AND replaced_at IS NULL`);
  assert.deepEqual(rows, [{ generation: 3 }]);
});

test('simplereenroll refuses no client certificate, another CA\'s, and a revoked one', async () => {
  const before = await v.certificateCount();
  const csr = await v.newCsr('reenroll-any');
  assertRefusal(await v.est('simplereenroll', { bodyFile: csr.file }), 401, MSG['http.401'], 'no client certificate');

  // Another CA, whose certificate carries the serial of one of ours.
  const caKey = path.join(work, 'other-ca.key');
  const caCrt = path.join(work, 'other-ca.crt');
  await toolOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', caKey, '-subj', '/CN=Other CA', '-days', '2', '-out', caCrt]);
  const leafKey = path.join(work, 'other-leaf.key');
  await toolOk('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', leafKey, '-subj', '/CN=1310000000-T01', '-out', path.join(work, 'other-leaf.csr')]);
  const ext = await v.write('client.ext', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  const leafCrt = path.join(work, 'other-leaf.crt');
  await toolOk('openssl', ['x509', '-req', '-in', path.join(work, 'other-leaf.csr'), '-CA', caCrt, '-CAkey', caKey,
    '-set_serial', `0x${S.gen2Serial}`, '-days', '1', '-extfile', ext, '-out', leafCrt]);
  const foreign = await v.est('simplereenroll', { bodyFile: csr.file, cert: leafCrt, key: leafKey });
  assertRefusal(foreign, 403, MSG['est.not_ours'], 'another CA\'s certificate with our serial');

  // Revoked (the revocation issue will do it from the back office; here the store is set so).
  const current = path.join(S.dirB, 'terminal.crt');
  const serial = await v.serialOf(current);
  await v.sqlExec(`UPDATE certificates SET status = 'revoked', revoked_at = ${Date.now()}, revocation_reason = 1
             WHERE serial_hex = '${serial}'`);
  const renewCsr = path.join(work, 'revoked.b64');
  const newKey = path.join(work, 'revoked-new.key');
  await toolOk('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', newKey]);
  const req = await toolOk('bash', ['-c', `openssl x509 -x509toreq -in '${current}' -key '${newKey}' | openssl req -outform DER | base64`]);
  await fsp.writeFile(renewCsr, req);
  const revoked = await v.est('simplereenroll', { bodyFile: renewCsr, cert: current, key: path.join(S.dirB, 'terminal.key') });
  assertRefusal(revoked, 403, MSG['est.revoked'], 'a revoked certificate');
  await v.assertNothingIssued(before, 'refused re-enrolments');
});

test('wrong codes lock the number (401 with the reason), too many from one address throttle it (429)', async () => {
  const csr = await v.newCsr('throttle');
  const [number] = [S.n[2]];
  const wrongCode = S.codes[S.n[0]];
  for (let i = 0; i < 5; i += 1) {
    assertRefusal(await v.est('simpleenroll', { user: `${number}:${wrongCode}`, bodyFile: csr.file }), 401,
      MSG['pickup.wrong_pair'], `wrong code ${i + 1}`);
  }
  const locked = await v.est('simpleenroll', { user: `${number}:${S.codes[number]}`, bodyFile: S.vendorCsr.file });
  assert.equal(locked.status, 401, locked.text);
  assert.ok(locked.text.startsWith(MSG['pickup.locked'].split('{desk}')[0]), locked.text);
  assert.equal(locked.headers['www-authenticate'], 'Basic realm="onshi EST", charset="UTF-8"');

  let throttled;
  for (let i = 0; i < 15 && !throttled; i += 1) {
    const r = await v.est('simpleenroll', { user: `C-99999999-0${(i % 9) + 1}:${wrongCode}`, bodyFile: csr.file });
    if (r.status === 429) throttled = r;
    else assert.equal(r.status, 401, r.text);
  }
  assert.ok(throttled, 'an address walking through numbers is stopped');
  assertRefusal(throttled, 429, MSG['pickup.throttled'], 'throttled');
  assert.match(throttled.headers['retry-after'] ?? '', /^\d+$/, 'with Retry-After');
});

test('the server still serves on both listeners, and nothing was left half-issued', async () => {
  await v.assertServing('at the end');
  const reserved = await v.sql("SELECT count(*) AS n FROM issuance_reservations WHERE state = 'reserved'");
  assert.equal(reserved[0].n, 0);
  const certs = await v.sql('SELECT serial_hex, length(der) AS der_bytes FROM certificates');
  for (const c of certs) assert.ok(c.der_bytes > 0 && c.serial_hex, 'every certificate row is complete');
  // Every serial reserved for signing was settled: issued or abandoned, none waiting.
  const settled = await v.sql('SELECT state, count(*) AS n FROM issuance_reservations GROUP BY state ORDER BY state');
  assert.ok(settled.every((r) => r.state === 'issued' || r.state === 'abandoned'), JSON.stringify(settled));
});
