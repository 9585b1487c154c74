// 電子証明書の発行 end to end (the back office from the shell): clinics apply through the pages,
// operators review (`onshi admin applications list|approve|send-back|reject`), an issuer issues
// (`... issue`, generated keys and a vendor's CSR), the certificates are checked with openssl
// against the CA made by `onshi ca init`, the notice letters are printed once
// (`onshi admin letters render`), their registered mail recorded (`onshi admin mail record`),
// and the hash-chained audit log verified and tampered with (`onshi audit verify`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  stopServer, runOnshi, strongPassword, pageText, jstDate, loadMessages, sqlRows, sqlExec as sqlExecOn, sqlHex,
  sqlDropTrigger, sqlDump, copyDatabase, createPostgresDatabase, databaseUrl, onPostgres,
} from '../support/harness.mjs';
import { startServerWithCa, newClinic, applyForCertificates } from '../support/back_office.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();
const PASSPHRASE = 'Tsubame-Kusunoki-CA-passphrase-2026';
const SUBJECT_ISSUED = '【医療機関等向けポータルサイト】電子証明書を発行しました';
const SUBJECT_MAILED = '【医療機関等向けポータルサイト】電子証明書発行通知書を発送しました';
const SUBJECT_RETURNED = '【医療機関等向けポータルサイト】電子証明書発行申請の差戻しについて';
const SUBJECT_REJECTED = '【医療機関等向けポータルサイト】電子証明書発行申請の審査結果について';
const RETURN_NOTE = '医療機関名称が登録内容と異なります。';
const REJECT_NOTE = '同一端末への重複申請のため却下します。';
const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g;

let srv;
let outDir;
let work; // scratch files (keys, CSRs, certificates)
const S = {}; // shared by the tests below, which run in order

// ---------------------------------------------------------------------------------------------
// helpers

async function onshi(args, opts) {
  return runOnshi(srv, args, opts);
}

/** runOnshi that must succeed. */
async function onshiOk(args, opts) {
  const r = await onshi(args, opts);
  assert.equal(r.code, 0, `onshi ${args.join(' ')} -> exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const sql = (query) => sqlRows(srv, query);
const sqlExec = (script, on = srv) => sqlExecOn(on, script);

/** The text of the マイページ row linking to the certificate application. */
function rowOf(html, number) {
  for (const m of html.matchAll(/<tr\b[\s\S]*?<\/tr>/gi)) {
    if (m[0].includes(`/certificate-applications/${number}"`)) return pageText(m[0]);
  }
  return undefined;
}

async function applicationStatus(number) {
  const rows = await sql(`SELECT status, status_note FROM certificate_applications WHERE number = '${number}'`);
  assert.equal(rows.length, 1, `one application ${number} in the database`);
  return rows[0];
}

/** Lines `C-XXXXXXXX-NN  TNN  serial HEX` of `onshi admin applications issue`. */
function issuedLines(stdout) {
  return [...stdout.matchAll(/^(C-\d{8}-\d{2})\s+(T\d{2})\s+serial\s+([0-9a-f]+)\s*$/gm)]
    .map((m) => ({ issuanceNumber: m[1], terminal: m[2], serial: m[3] }));
}

/** date + months, day clamped to the target month's last day, same time of day (UTC). */
function addMonthsClamped(date, months) {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return new Date(Date.UTC(ty, tm, Math.min(date.getUTCDate(), last), date.getUTCHours(), date.getUTCMinutes(),
    date.getUTCSeconds()));
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  let caInit;
  ({ srv, caInit } = await startServerWithCa({ name: 'certificate_issuance', passphrase: PASSPHRASE }));
  S.caInit = caInit;
  outDir = srv.logDir;
  work = path.join(srv.root, 'work');
  await fsp.mkdir(work, { recursive: true });
});
after(async () => { await stopServer(srv); });

test('setup: ca init made a root and an issuing CA; operators of three roles', async () => {
  assert.match(S.caInit, /created a certificate authority/, S.caInit);
  for (const f of ['root.crt', 'issuing.crt']) {
    const st = await fsp.stat(path.join(srv.dataDir, 'ca', f)).catch(() => null);
    assert.ok(st?.isFile(), `${f} in DIR/ca`);
  }
  // The folder of the keys is its owner's alone, whatever the umask the test runs under.
  const dirMode = (await fsp.stat(path.join(srv.dataDir, 'ca'))).mode & 0o777;
  assert.equal(dirMode.toString(8), '700', 'DIR/ca is 0700');
  const log = await fsp.readFile(srv.stderrFile, 'utf8');
  assert.match(log, /certificate authority loaded/, 'the restarted server loaded the CA');

  S.ops = {};
  for (const [login, name, role] of [['rev1', '審査 太郎', 'reviewer'], ['iss1', '発行 次郎', 'issuer'],
    ['adm1', '管理 花子', 'admin']]) {
    const r = await onshiOk(['operator', 'create', '--login', login, '--name', name, '--role', role,
      '--password-stdin', '--json'], { stdin: `${strongPassword()}\n` });
    const j = JSON.parse(r.stdout);
    assert.equal(j.login, login, `operator create --json: ${r.stdout}`);
    assert.ok(Number.isInteger(j.id) && j.id > 0, `an id: ${r.stdout}`);
    assert.match(j.totp_secret, /^[A-Z2-7]{16,}=*$/, `a base32 TOTP secret: ${r.stdout}`);
    assert.ok(j.totp_uri.startsWith('otpauth://totp/'), `an otpauth URI: ${r.stdout}`);
    assert.equal(j.password, undefined, 'no password printed with --password-stdin');
    S.ops[login] = j.id;
  }
  const dup = await onshi(['operator', 'create', '--login', 'rev1', '--name', 'x', '--role', 'reviewer',
    '--password-stdin'], { stdin: `${strongPassword('dup')}\n` });
  assert.notEqual(dup.code, 0, 'a taken login is refused');
  assert.ok(dup.stderr.includes(MSG['operator_form.login_taken']), `login_taken: ${dup.stderr}`);
});

test('1. clinics apply through the pages (申請済)', async () => {
  S.a = await newClinic(srv, 'issA', { institutionName: '医療法人テスト会 さくら診療所' });
  S.b = await newClinic(srv, 'issB', { institutionName: '医療法人べつの会 ひまわり医院' });
  S.app1 = await applyForCertificates(S.a, 2); // rev1 approves, iss1 issues (generated keys)
  S.app2 = await applyForCertificates(S.b, 1); // adm1 approves (cannot issue), iss1 issues from a CSR
  S.app3 = await applyForCertificates(S.a, 1); // a weak CSR: refused, stays 承認
  S.app4 = await applyForCertificates(S.b, 1); // 差戻し
  S.app5 = await applyForCertificates(S.a, 1); // 却下
  const numbers = [S.app1, S.app2, S.app3, S.app4, S.app5];
  assert.equal(new Set(numbers).size, 5, `five distinct numbers: ${numbers}`);
  for (const n of numbers) assert.equal((await applicationStatus(n)).status, 'applied', `${n} applied`);
  const my = await S.a.c.get('/mypage');
  assert.ok(rowOf(my.text, S.app1)?.includes('申請済'), `マイページ: ${S.app1} 申請済: ${rowOf(my.text, S.app1)}`);
});

test('2. review from the CLI: list, approve, roles, separate issuer', async () => {
  const list = await onshiOk(['admin', 'applications', 'list']);
  for (const n of [S.app1, S.app2, S.app3, S.app4, S.app5]) {
    const line = list.stdout.split('\n').find((l) => l.startsWith(n));
    assert.ok(line, `${n} in the queue:\n${list.stdout}`);
    assert.match(line, /\bapplied\b/, `${n} applied in the queue: ${line}`);
  }
  assert.ok(list.stdout.split('\n').find((l) => l.startsWith(S.app1)).includes(S.a.acct.institutionCode),
    'the queue shows the institution code');
  const oldest = list.stdout.split('\n').filter((l) => /^C-\d{8}/.test(l)).map((l) => l.slice(0, 10));
  assert.ok(oldest.indexOf(S.app1) < oldest.indexOf(S.app5), `oldest first: ${oldest}`);

  // An issuer may not approve.
  const byIssuer = await onshi(['admin', 'applications', 'approve', S.app1, '--operator', 'iss1']);
  assert.notEqual(byIssuer.code, 0, `issuer approves -> exit ${byIssuer.code}: ${byIssuer.stdout}`);
  assert.ok(byIssuer.stderr.includes(MSG['review.forbidden']), `review.forbidden on stderr: ${byIssuer.stderr}`);
  assert.equal((await applicationStatus(S.app1)).status, 'applied', 'still 申請済 after the refused approval');

  // An unknown operator.
  const nobody = await onshi(['admin', 'applications', 'approve', S.app1, '--operator', 'nobody']);
  assert.notEqual(nobody.code, 0, 'an unknown operator is refused');
  assert.match(nobody.stderr, /no active operator/, nobody.stderr);

  const ok = await onshiOk(['admin', 'applications', 'approve', S.app1, '--operator', 'rev1']);
  assert.ok(ok.stdout.includes(`${S.app1}: ${MSG['certificate_status.approved']}`), `approve output: ${ok.stdout}`);
  assert.equal((await applicationStatus(S.app1)).status, 'approved');
  const again = await onshi(['admin', 'applications', 'approve', S.app1, '--operator', 'rev1']);
  assert.notEqual(again.code, 0, 'approving twice is refused');
  assert.ok(again.stderr.includes(MSG['review.wrong_state']), `review.wrong_state: ${again.stderr}`);

  const approved = await onshiOk(['admin', 'applications', 'list', '--status', 'approved']);
  assert.ok(approved.stdout.includes(S.app1), `--status approved lists ${S.app1}:\n${approved.stdout}`);
  assert.ok(!approved.stdout.includes(S.app2), `--status approved does not list ${S.app2}`);

  // A reviewer may not issue.
  const byReviewer = await onshi(['admin', 'applications', 'issue', S.app1, '--operator', 'rev1']);
  assert.notEqual(byReviewer.code, 0, `reviewer issues -> exit ${byReviewer.code}: ${byReviewer.stdout}`);
  assert.ok(byReviewer.stderr.includes(MSG['review.forbidden']), `review.forbidden on stderr: ${byReviewer.stderr}`);
  assert.equal((await applicationStatus(S.app1)).status, 'approved', 'still 承認');

  // review.separate_issuer (default true): the admin who approved may not issue.
  await onshiOk(['admin', 'applications', 'approve', S.app2, '--operator', 'adm1']);
  const same = await onshi(['admin', 'applications', 'issue', S.app2, '--operator', 'adm1']);
  assert.notEqual(same.code, 0, `the approver issues -> exit ${same.code}: ${same.stdout}`);
  assert.ok(same.stderr.includes(MSG['review.same_operator']), `review.same_operator on stderr: ${same.stderr}`);
  assert.equal((await applicationStatus(S.app2)).status, 'approved', `${S.app2} still 承認`);
  const none = await sql(`SELECT count(*) AS n FROM certificates WHERE issuance_number LIKE '${S.app2}-%'`);
  assert.equal(none[0].n, 0, 'nothing issued by the approver');

  await onshiOk(['admin', 'applications', 'approve', S.app3, '--operator', 'rev1']);
});

test('3. issue: generated keys, a vendor CSR; a weak CSR is refused and nothing is issued', async () => {
  const r = await onshiOk(['admin', 'applications', 'issue', S.app1, '--operator', 'iss1']);
  const lines = issuedLines(r.stdout);
  assert.deepEqual(lines.map((l) => l.issuanceNumber), [`${S.app1}-01`, `${S.app1}-02`], `issue output:\n${r.stdout}`);
  assert.deepEqual(lines.map((l) => l.terminal), ['T01', 'T02'], 'terminals T01, T02');
  assert.equal((await applicationStatus(S.app1)).status, 'issued');
  S.issued = lines.map((l) => ({ ...l, application: S.app1, acct: S.a.acct, keySource: 'generated' }));

  // A P-256 key and CSR made by the terminal's vendor.
  const ecKey = path.join(work, 'p256.key');
  const ecCsr = path.join(work, 'p256.csr');
  await exec('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', ecKey, '-out', ecCsr, '-subj', '/CN=x']);
  const r2 = await onshiOk(['admin', 'applications', 'issue', S.app2, '--operator', 'iss1', '--csr', `1=${ecCsr}`]);
  const lines2 = issuedLines(r2.stdout);
  assert.deepEqual(lines2.map((l) => l.issuanceNumber), [`${S.app2}-01`], `issue --csr output:\n${r2.stdout}`);
  assert.equal(lines2[0].terminal, 'T01', 'the other institution starts at T01');
  S.issued.push({ ...lines2[0], application: S.app2, acct: S.b.acct, keySource: 'csr', csrKey: ecKey, csr: ecCsr });

  // --csr wants the certificate's number; a number the application does not have is refused.
  for (const spec of [`abc=${ecCsr}`, `99999999999=${ecCsr}`, `0=${ecCsr}`, ecCsr]) {
    const bad = await onshi(['admin', 'applications', 'issue', S.app3, '--operator', 'iss1', '--csr', spec]);
    assert.equal(bad.code, 2, `--csr ${spec}: ${bad.stderr}`);
    assert.match(bad.stderr, /--csr wants INDEX=FILE/, bad.stderr);
  }
  const beyond = await onshi(['admin', 'applications', 'issue', S.app3, '--operator', 'iss1', '--csr', `2=${ecCsr}`]);
  assert.equal(beyond.code, 2, `a second certificate ${S.app3} does not have: ${beyond.stderr}`);
  assert.ok(beyond.stderr.includes(MSG['csr.no_such_certificate']), beyond.stderr);

  // RSA 1024 is too short.
  const rsaCsr = path.join(work, 'rsa1024.csr');
  await exec('openssl', ['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', path.join(work, 'rsa1024.key'),
    '-out', rsaCsr, '-subj', '/CN=x']);
  const weak = await onshi(['admin', 'applications', 'issue', S.app3, '--operator', 'iss1', '--csr', `1=${rsaCsr}`]);
  assert.notEqual(weak.code, 0, `RSA-1024 CSR -> exit ${weak.code}: ${weak.stdout}`);
  assert.ok(weak.stderr.includes(MSG['csr.weak_key']), `csr.weak_key on stderr: ${weak.stderr}`);
  assert.equal(issuedLines(weak.stdout).length, 0, 'no issuance number printed');
  assert.equal((await applicationStatus(S.app3)).status, 'approved', `${S.app3} still 承認`);
  const certs3 = await sql(`SELECT count(*) AS n FROM certificates WHERE issuance_number LIKE '${S.app3}-%'`);
  assert.equal(certs3[0].n, 0, `no certificate stored for ${S.app3}`);
  const audit = await onshiOk(['audit', 'list', '--action', 'certificate.issue', '--limit', '1000']);
  assert.ok(!audit.stdout.includes(S.app3), `no certificate.issue for ${S.app3} in the audit log:\n${audit.stdout}`);
  for (const c of S.issued) {
    assert.ok(audit.stdout.includes(c.issuanceNumber), `certificate.issue for ${c.issuanceNumber} in the audit log`);
  }
  const letters3 = await sql(`SELECT count(*) AS n FROM notice_letters l JOIN certificate_applications a
    ON a.id = l.application_id WHERE a.number = '${S.app3}'`);
  assert.equal(letters3[0].n, 0, `no notice letter for ${S.app3}`);

  // Issuing an application twice, or one never approved, is refused.
  const twice = await onshi(['admin', 'applications', 'issue', S.app1, '--operator', 'iss1']);
  assert.notEqual(twice.code, 0, 'issuing twice is refused');
  assert.ok(twice.stderr.includes(MSG['review.wrong_state']), twice.stderr);
  const notApproved = await onshi(['admin', 'applications', 'issue', S.app4, '--operator', 'iss1']);
  assert.notEqual(notApproved.code, 0, 'issuing an application still 申請済 is refused');
  assert.equal((await applicationStatus(S.app4)).status, 'applied');
});

test('4. every certificate: subject, extensions, 39 months, chain, serials', async () => {
  assert.equal(S.issued?.length, 3, 'needs test 3');
  const rows = await sql(`SELECT issuance_number, terminal, serial_hex, subject, ${sqlHex('der')} AS der, key_source, `
    + 'not_before, not_after FROM certificates ORDER BY issuance_number');
  assert.deepEqual(rows.map((r) => r.issuance_number), S.issued.map((c) => c.issuanceNumber).sort(),
    'the database holds exactly the issued certificates');
  const rootCa = path.join(srv.dataDir, 'ca', 'root.crt');
  const issuingCa = path.join(srv.dataDir, 'ca', 'issuing.crt');
  const issuingX509 = new crypto.X509Certificate(await fsp.readFile(issuingCa));
  const serials = new Set();
  for (const c of S.issued) {
    const row = rows.find((r) => r.issuance_number === c.issuanceNumber);
    const what = c.issuanceNumber;
    assert.equal(row.terminal, c.terminal, `${what}: terminal`);
    assert.equal(row.serial_hex, c.serial, `${what}: the serial the CLI printed`);
    assert.equal(row.key_source, c.keySource, `${what}: key_source`);
    const der = Buffer.from(row.der, 'hex');
    const derFile = path.join(outDir, `${what}.der`);
    const pemFile = path.join(outDir, `${what}.pem`);
    await fsp.writeFile(derFile, der);
    await exec('openssl', ['x509', '-inform', 'DER', '-in', derFile, '-out', pemFile]);
    const text = (await exec('openssl', ['x509', '-inform', 'DER', '-in', derFile, '-text', '-noout',
      '-nameopt', 'RFC2253,-esc_msb'])).stdout;
    await fsp.writeFile(path.join(outDir, `${what}.txt`), text);

    // Subject C=JP, O=<name>, OU=<code>, CN=<code>-Tnn, serialNumber=<発行番号>, in that order.
    const x = new crypto.X509Certificate(der);
    const code = c.acct.institutionCode;
    assert.equal(x.subject, ['C=JP', `O=${c.acct.institutionName.normalize('NFKC')}`, `OU=${code}`,
      `CN=${code}-${c.terminal}`, `serialNumber=${c.issuanceNumber}`].join('\n'), `${what}: subject`);
    const subjectLine = /Subject: (.*)/.exec(text)?.[1] ?? '';
    for (const part of ['C=JP', `O=${c.acct.institutionName}`, `OU=${code}`, `CN=${code}-${c.terminal}`,
      `serialNumber=${c.issuanceNumber}`]) {
      assert.ok(subjectLine.includes(part), `${what}: openssl subject has ${part}: ${subjectLine}`);
    }
    assert.equal(x.issuer, issuingX509.subject, `${what}: issued by the issuing CA`);
    assert.ok(x.checkIssued(issuingX509) && x.verify(issuingX509.publicKey), `${what}: signed by the issuing CA`);

    // Extensions.
    assert.match(text, /X509v3 Extended Key Usage:\s*\n\s*TLS Web Client Authentication\s*\n/,
      `${what}: EKU clientAuth only:\n${text}`);
    assert.match(text, /X509v3 Basic Constraints: critical\s*\n\s*CA:FALSE/, `${what}: CA:FALSE`);
    assert.match(text, /X509v3 Key Usage: critical\s*\n\s*Digital Signature/, `${what}: key usage`);
    const base = srv.publicBaseUrl;
    assert.match(text, /X509v3 CRL Distribution Points:/, `${what}: a CRL distribution point`);
    const crl = /CRL Distribution Points:[\s\S]*?URI:(\S+)/.exec(text)?.[1];
    assert.ok(crl?.startsWith(`${base}/`), `${what}: CRL URL ${crl} under ${base}`);
    const ocsp = /OCSP - URI:(\S+)/.exec(text)?.[1];
    assert.ok(ocsp?.startsWith(`${base}/`), `${what}: OCSP URI ${ocsp} under ${base}`);
    assert.ok(x.infoAccess?.includes(`OCSP - URI:${ocsp}`), `${what}: infoAccess ${x.infoAccess}`);

    // 39 months, from the second of issue.
    const from = new Date(x.validFrom);
    const to = new Date(x.validTo);
    assert.ok(Math.abs(from.getTime() - Date.now()) < 10 * 60 * 1000, `${what}: notBefore ${x.validFrom} is now`);
    assert.equal(to.getTime(), addMonthsClamped(from, 39).getTime(),
      `${what}: notAfter ${x.validTo} is notBefore ${x.validFrom} + 39 months`);
    assert.equal(row.not_before, from.getTime(), `${what}: not_before in the database`);
    assert.equal(row.not_after, to.getTime(), `${what}: not_after in the database`);

    // Serial: the 128-bit random value the CLI printed (top bit clear, so a positive INTEGER).
    assert.match(c.serial, /^[0-9a-f]{32}$/, `${what}: 32 hex digits (128 bits): ${c.serial}`);
    const value = BigInt(`0x${c.serial}`);
    assert.ok(value > 0n && value < (1n << 127n), `${what}: positive, below 2^127`);
    assert.ok(value >= (1n << 64n), `${what}: far more than 64 bits of randomness (${c.serial})`);
    assert.equal(BigInt(`0x${x.serialNumber}`), value, `${what}: certificate serial ${x.serialNumber}`);
    serials.add(value);

    // The chain.
    const v = await exec('openssl', ['verify', '-CAfile', rootCa, '-untrusted', issuingCa, pemFile]);
    assert.equal(v.stdout.trim(), `${pemFile}: OK`, `${what}: openssl verify: ${v.stdout}${v.stderr}`);
    const purpose = await exec('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', rootCa, '-untrusted',
      issuingCa, pemFile]);
    assert.match(purpose.stdout, /: OK/, `${what}: a TLS client certificate`);

    if (c.keySource === 'csr') {
      const fromCsr = (await exec('openssl', ['req', '-in', c.csr, '-pubkey', '-noout'])).stdout.trim();
      const fromCert = (await exec('openssl', ['x509', '-in', pemFile, '-pubkey', '-noout'])).stdout.trim();
      assert.equal(fromCert, fromCsr, `${what}: certifies the CSR's key`);
      assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1', `${what}: P-256`);
      assert.ok(x.checkPrivateKey(crypto.createPrivateKey(await fsp.readFile(c.csrKey))), `${what}: matches the vendor's key`);
    }
  }
  assert.equal(serials.size, S.issued.length, 'serial numbers differ');
});

test('5. notice letters: one PDF with the numbers and pickup codes, printed once', async () => {
  const reviewer = await onshi(['admin', 'letters', 'render', '--operator', 'rev1', '--out', path.join(work, 'x.pdf')]);
  assert.notEqual(reviewer.code, 0, 'a reviewer may not print letters');
  assert.ok(reviewer.stderr.includes(MSG['review.forbidden']), reviewer.stderr);

  // The PDF is the only copy of its codes: a file that cannot be made prints nothing, and an
  // existing file (an earlier batch) is never overwritten.
  const unsealed = async () => (await sql('SELECT count(*) AS n FROM certificates WHERE sealed_pickup_code IS NOT NULL'))[0].n;
  const sealedBefore = await unsealed();
  assert.ok(sealedBefore > 0, 'codes wait to be printed');
  const nowhere = await onshi(['admin', 'letters', 'render', '--operator', 'iss1', '--out', path.join(work, 'no-such-dir', 'x.pdf')]);
  assert.equal(nowhere.code, 2, `an unwritable --out: ${nowhere.stdout}${nowhere.stderr}`);
  assert.match(nowhere.stderr, /cannot create/, nowhere.stderr);
  const earlier = path.join(work, 'earlier-batch.pdf');
  await fsp.writeFile(earlier, 'an earlier batch');
  const over = await onshi(['admin', 'letters', 'render', '--operator', 'iss1', '--out', earlier]);
  assert.equal(over.code, 2, `an existing --out: ${over.stdout}${over.stderr}`);
  assert.equal(await fsp.readFile(earlier, 'utf8'), 'an earlier batch', 'the earlier file is untouched');
  assert.equal(await unsealed(), sealedBefore, 'no code was used up');
  assert.equal((await sql("SELECT count(*) AS n FROM audit_log WHERE action = 'letter.print'"))[0].n, 0);

  const file = path.join(outDir, 'notice-letters.pdf');
  await fsp.rm(file, { force: true }); // from an earlier run of this test
  const r = await onshiOk(['admin', 'letters', 'render', '--operator', 'iss1', '--out', file]);
  assert.equal((await fsp.stat(file)).mode & 0o777, 0o600, 'the codes are readable by the operator only');
  assert.match(r.stdout, /wrote 2 letter\(s\)/, r.stdout);
  const bytes = await fsp.readFile(file);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF');
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout;
  await fsp.writeFile(path.join(outDir, 'notice-letters.txt'), text);
  for (const n of [S.app1, S.app2]) assert.ok(text.includes(n), `application number ${n} in the letters:\n${text}`);
  assert.ok(!text.includes(S.app3), `nothing about ${S.app3} (not issued)`);
  for (const c of S.issued) assert.ok(text.includes(c.issuanceNumber), `発行番号 ${c.issuanceNumber} in the letters`);
  const codes = [...new Set(text.match(PICKUP_CODE_RE) ?? [])];
  assert.equal(codes.length, S.issued.length, `one pickup code per certificate: ${codes}\n${text}`);

  // Each printed code is the one whose hash the certificate keeps; the code itself is nowhere.
  const hashes = await sql('SELECT issuance_number, pickup_code_hash, sealed_pickup_code FROM certificates');
  const byHash = new Map(hashes.map((h) => [h.pickup_code_hash, h]));
  const matched = codes.map((code) => byHash.get(crypto.createHash('sha256').update(code.replace(/-/g, '')).digest('hex')));
  assert.deepEqual(matched.map((m) => m?.issuance_number).sort(), S.issued.map((c) => c.issuanceNumber).sort(),
    'each printed code belongs to one certificate (SHA-256 of the code without hyphens)');
  // The code printed next to each 発行番号 (the letter lists them in order).
  for (const c of S.issued) {
    const at = text.indexOf(c.issuanceNumber);
    const code = (text.slice(at).match(PICKUP_CODE_RE) ?? [])[0];
    const h = crypto.createHash('sha256').update(code.replace(/-/g, '')).digest('hex');
    assert.equal(byHash.get(h)?.issuance_number, c.issuanceNumber, `the code after ${c.issuanceNumber} is its own`);
  }
  for (const h of hashes) assert.equal(h.sealed_pickup_code, null, `${h.issuance_number}: sealed code erased once printed`);
  const dump = await sqlDump(srv);
  for (const code of codes) {
    for (const form of [code, code.replace(/-/g, ''), code.toLowerCase(), code.replace(/-/g, '').toLowerCase()]) {
      assert.ok(!dump.includes(form), `pickup code ${form} is not stored in clear`);
    }
  }
  S.codes = codes;

  const second = await onshiOk(['admin', 'letters', 'render', '--operator', 'iss1', '--out', path.join(work, 'again.pdf')]);
  assert.match(second.stdout, /no notice letters to print/, second.stdout);
  assert.equal(await fsp.stat(path.join(work, 'again.pdf')).catch(() => null), null, 'no second PDF');
});

test('5b. 新しい取得コードで再印刷 from the CLI: new codes in the PDF, the old ones void', async () => {
  const hashOf = (code) => crypto.createHash('sha256').update(code.replace(/-/g, '')).digest('hex');
  // A letter that is not waiting to be printed cannot be chosen for a print.
  const notIssued = await onshi(['admin', 'letters', 'render', '--number', S.app3, '--operator', 'iss1',
    '--out', path.join(work, 'app3.pdf')]);
  assert.equal(notIssued.code, 2, `render --number ${S.app3}: ${notIssued.stdout}${notIssued.stderr}`);
  assert.ok(notIssued.stderr.includes(MSG['office_confirm.letters_changed']), notIssued.stderr);
  const byReviewer = await onshi(['admin', 'letters', 'reprint', S.app1, '--operator', 'rev1', '--out', path.join(work, 'r.pdf')]);
  assert.notEqual(byReviewer.code, 0, 'a reviewer may not reprint');

  const mine = S.issued.filter((c) => c.issuanceNumber.startsWith(S.app1));
  const before = await sql(`SELECT c.pickup_code_hash AS h FROM certificates c JOIN certificate_applications a ON a.id = c.application_id WHERE a.number = '${S.app1}'`);
  const oldCodes = S.codes.filter((code) => before.some((r) => r.h === hashOf(code)));
  assert.equal(oldCodes.length, mine.length, 'the first print\'s codes are those stored');

  const file = path.join(work, 'reprint.pdf');
  const r = await onshiOk(['admin', 'letters', 'reprint', S.app1, '--operator', 'iss1', '--out', file]);
  assert.match(r.stdout, /wrote 1 letter\(s\)/, r.stdout);
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout;
  await fsp.writeFile(path.join(outDir, 'notice-letter-reprint.txt'), text);
  const newCodes = [...new Set(text.match(PICKUP_CODE_RE) ?? [])];
  assert.equal(newCodes.length, mine.length, `one new code per certificate: ${newCodes}`);
  const after = await sql(`SELECT c.issuance_number AS n, c.pickup_code_hash AS h, c.sealed_pickup_code AS sealed FROM certificates c JOIN certificate_applications a ON a.id = c.application_id WHERE a.number = '${S.app1}'`);
  const stored = new Set(after.map((x) => x.h));
  for (const code of oldCodes) assert.ok(!stored.has(hashOf(code)), `old code ${code} matches nothing any more`);
  for (const c of mine) {
    const at = text.indexOf(c.issuanceNumber);
    const code = (text.slice(at).match(PICKUP_CODE_RE) ?? [])[0];
    assert.equal(after.find((x) => x.n === c.issuanceNumber)?.h, hashOf(code), `the new code after ${c.issuanceNumber} is its own`);
  }
  for (const x of after) assert.equal(x.sealed, null, `${x.n}: no copy of the new code is kept`);
  const audit = await onshiOk(['audit', 'list', '--action', 'letter.reprint', '--limit', '10']);
  assert.ok(audit.stdout.includes(S.app1), audit.stdout);
});

test('6. registered mail: 通知書発送済, マイページ, mails; bad tracking numbers and dates', async (t) => {
  const today = jstDate(0).iso;
  const bad = await onshi(['admin', 'mail', 'record', S.app2, '--tracking', '12-34', '--date', today, '--operator', 'iss1']);
  assert.notEqual(bad.code, 0, 'tracking 12-34 refused');
  assert.ok(bad.stderr.includes(MSG['review.tracking_number']), `review.tracking_number: ${bad.stderr}`);
  const future = await onshi(['admin', 'mail', 'record', S.app2, '--tracking', '1234-5678-9013', '--date',
    jstDate(1).iso, '--operator', 'iss1']);
  assert.notEqual(future.code, 0, 'a future date refused');
  assert.ok(future.stderr.includes(MSG['review.mailed_on']), `review.mailed_on: ${future.stderr}`);
  assert.equal((await applicationStatus(S.app2)).status, 'issued', `${S.app2} still 発行済`);
  const notIssued = await onshi(['admin', 'mail', 'record', S.app3, '--tracking', '1234-5678-9014', '--date', today,
    '--operator', 'iss1']);
  assert.notEqual(notIssued.code, 0, 'no registered mail for an application without a letter');

  const r = await onshiOk(['admin', 'mail', 'record', S.app1, '--tracking', '1234-5678-9012', '--date', today,
    '--operator', 'iss1']);
  assert.ok(r.stdout.includes(`${S.app1}: ${MSG['certificate_status.notice_sent']}`), r.stdout);
  assert.equal((await applicationStatus(S.app1)).status, 'notice_sent');
  const letter = await sql(`SELECT tracking_number, mailed_on FROM notice_letters l JOIN certificate_applications a
    ON a.id = l.application_id WHERE a.number = '${S.app1}'`);
  assert.deepEqual(letter, [{ tracking_number: '123456789012', mailed_on: today }], 'the letter row');
  const twice = await onshi(['admin', 'mail', 'record', S.app1, '--tracking', '1234-5678-9015', '--date', today,
    '--operator', 'iss1']);
  assert.notEqual(twice.code, 0, 'recording twice refused');
  assert.ok(twice.stderr.includes(MSG['review.already_recorded']), twice.stderr);

  const my = await S.a.c.get('/mypage');
  assert.equal(my.status, 200);
  const row = rowOf(my.text, S.app1);
  assert.ok(row?.includes(MSG['certificate_status.notice_sent']), `マイページ row: ${row}`);
  const myText = pageText(my.text);
  S.mypageShowsTracking = /1234-?5678-?9012|123456789012/.test(myText);
  if (S.mypageShowsTracking) {
    const [y, m, d] = today.split('-').map(Number);
    assert.ok(myText.includes(today) || myText.includes(`${y}年${m}月${d}日`) || myText.includes(`${y}/${m}/${d}`),
      `マイページ shows the tracking number, so the date too: ${myText}`);
  }
  const detail = pageText((await S.a.c.get(`/certificate-applications/${S.app1}`)).text);
  assert.ok(detail.includes(MSG['certificate_status.notice_sent']), `detail page shows 通知書発送済: ${detail}`);
  S.detailShowsTracking = /1234-?5678-?9012|123456789012/.test(detail);
  if (S.detailShowsTracking) {
    const [y, m, d] = today.split('-').map(Number);
    assert.ok(detail.includes(today) || detail.includes(`${y}年${m}月${d}日`) || detail.includes(`${y}/${m}/${d}`),
      `the detail page shows the tracking number, so the date too: ${detail}`);
  }
  t.diagnostic(`tracking number shown on マイページ: ${S.mypageShowsTracking}; on the detail page: ${S.detailShowsTracking}`);
  for (const c of S.issued.filter((x) => x.application === S.app1)) {
    assert.ok(myText.includes(c.terminal), `マイページ lists the certificate ${c.terminal}`);
  }

  const issued = await srv.waitForMail({ to: S.a.acct.email, subjectIncludes: `${SUBJECT_ISSUED}（${S.app1}）` });
  assert.ok(issued.body.includes(S.app1) && issued.body.includes('2 枚'), `発行 mail:\n${issued.body}`);
  for (const code of S.codes) assert.ok(!issued.body.includes(code), 'no pickup code in the mail');
  const mailed = await srv.waitForMail({ to: S.a.acct.email, subjectIncludes: `${SUBJECT_MAILED}（${S.app1}）` });
  assert.ok(mailed.body.includes('123456789012'), `発送 mail has the tracking number:\n${mailed.body}`);
  const [y, m, d] = today.split('-').map(Number);
  assert.ok(mailed.body.includes(`${y}年${m}月${d}日`) || mailed.body.includes(today), `発送 mail has the date:\n${mailed.body}`);
  await srv.waitForMail({ to: S.b.acct.email, subjectIncludes: `${SUBJECT_ISSUED}（${S.app2}）` });
  assert.equal(await srv.countMails({ subjectIncludes: `${SUBJECT_MAILED}（${S.app2}）` }), 0, `no 発送 mail for ${S.app2}`);
});

test('7. send back and reject: the note reaches the clinic by mail and on the pages', async () => {
  const noNote = await onshi(['admin', 'applications', 'send-back', S.app4, '--operator', 'rev1']);
  assert.notEqual(noNote.code, 0, 'send-back without --note refused');
  const r = await onshiOk(['admin', 'applications', 'send-back', S.app4, '--operator', 'rev1', '--note', RETURN_NOTE]);
  assert.ok(r.stdout.includes(`${S.app4}: ${MSG['certificate_status.returned']}`), r.stdout);
  assert.deepEqual(await applicationStatus(S.app4), { status: 'returned', status_note: RETURN_NOTE });
  const mail = await srv.waitForMail({ to: S.b.acct.email, subjectIncludes: `${SUBJECT_RETURNED}（${S.app4}）` });
  assert.ok(mail.body.includes(RETURN_NOTE), `差戻し mail has the note:\n${mail.body}`);
  const d = await S.b.c.get(`/certificate-applications/${S.app4}`);
  assert.equal(d.status, 200);
  const dt = pageText(d.text);
  assert.ok(dt.includes(RETURN_NOTE), `detail page shows the note: ${dt}`);
  assert.ok(dt.includes(MSG['certificate_status.returned']), `detail page shows 差戻し: ${dt}`);
  const my = await S.b.c.get('/mypage');
  assert.ok(rowOf(my.text, S.app4)?.includes(MSG['certificate_status.returned']), `マイページ row: ${rowOf(my.text, S.app4)}`);

  const rj = await onshiOk(['admin', 'applications', 'reject', S.app5, '--operator', 'adm1', '--note', REJECT_NOTE]);
  assert.ok(rj.stdout.includes(`${S.app5}: ${MSG['certificate_status.rejected']}`), rj.stdout);
  assert.equal((await applicationStatus(S.app5)).status, 'rejected');
  const rmail = await srv.waitForMail({ to: S.a.acct.email, subjectIncludes: `${SUBJECT_REJECTED}（${S.app5}）` });
  assert.ok(rmail.body.includes(REJECT_NOTE), `却下 mail has the note:\n${rmail.body}`);
  const rd = pageText((await S.a.c.get(`/certificate-applications/${S.app5}`)).text);
  assert.ok(rd.includes(REJECT_NOTE) && rd.includes(MSG['certificate_status.rejected']), `detail of ${S.app5}: ${rd}`);
  const late = await onshi(['admin', 'applications', 'approve', S.app5, '--operator', 'rev1']);
  assert.notEqual(late.code, 0, 'a rejected application cannot be approved');
});

test('CPIPCS 6.1.6: a CSR whose public key another certificate already certifies is refused', async () => {
  const reused = S.issued?.find((c) => c.keySource === 'csr');
  assert.ok(reused, 'needs test 3');
  const r = await onshi(['admin', 'applications', 'issue', S.app3, '--operator', 'iss1', '--csr', `1=${reused.csr}`]);
  const stored = await sql(`SELECT issuance_number FROM certificates WHERE issuance_number LIKE '${S.app3}-%'`);
  assert.notEqual(r.code, 0, `the key of ${reused.issuanceNumber} again for ${S.app3} -> exit ${r.code}: ${r.stdout}`
    + ` (stored: ${stored.map((x) => x.issuance_number)})`);
  assert.ok(r.stderr.includes(MSG['csr.duplicate_key']), `csr.duplicate_key on stderr: ${r.stderr}`);
  assert.deepEqual(stored, [], `nothing stored for ${S.app3}`);
  assert.equal((await applicationStatus(S.app3)).status, 'approved', `${S.app3} still 承認`);
});

test('8. audit log: verify OK; a changed entry, a deleted entry and deleted newest entries are found', async () => {
  const ok = await onshiOk(['audit', 'verify']);
  assert.match(ok.stdout, /audit log OK/, ok.stdout);
  const entries = Number(/(\d+) entries/.exec(ok.stdout)?.[1]);
  const checkpoint = /^checkpoint: (\d+:[0-9a-f]{64})$/m.exec(ok.stdout)?.[1];
  assert.ok(checkpoint?.startsWith(`${entries}:`), `a checkpoint of the newest entry: ${ok.stdout}`);
  const held = await onshiOk(['audit', 'verify', '--checkpoint', checkpoint]);
  assert.match(held.stdout, new RegExp(`checkpoint ${entries} holds`), held.stdout);
  const typo = await onshi(['audit', 'verify', '--checkpoint', 'not-a-checkpoint']);
  assert.equal(typo.code, 2, `a malformed checkpoint -> exit ${typo.code}: ${typo.stdout}${typo.stderr}`);
  const actions = (await sql('SELECT action FROM audit_log')).map((x) => x.action);
  assert.equal(entries, actions.length, 'verify counts every entry');
  for (const a of ['operator.create', 'application.approve', 'application.issue', 'certificate.issue', 'letter.print',
    'letter.mailed', 'application.send_back', 'application.reject']) {
    assert.ok(actions.includes(a), `audit has ${a}: ${[...new Set(actions)]}`);
  }
  const byCli = await sql(`SELECT actor FROM audit_log WHERE action = 'application.approve' AND subject = '${S.app1}'`);
  assert.deepEqual(byCli.map((x) => x.actor), [`cli:operator:${S.ops.rev1}`], 'the approval is recorded as rev1 via the CLI');

  // Tamper with the database of a stopped server (a copy keeps the untouched log for the delete case).
  await srv.stop();
  const copy = await copyDatabase(srv, path.join(srv.root, 'copy'));
  const cut = await copyDatabase(srv, path.join(srv.root, 'cut'));

  const [{ seq, detail }] = await sql('SELECT seq, detail FROM audit_log WHERE seq = (SELECT max(seq)/2 FROM audit_log)');
  const forged = detail === '{}' ? '{"forged":true}' : '{}';
  await sqlExec(`${sqlDropTrigger('audit_log', 'audit_log_no_update')}; UPDATE audit_log SET detail = '${forged}' WHERE seq = ${seq};`);
  const changed = await onshi(['audit', 'verify']);
  assert.equal(changed.code, 1, `verify after an UPDATE -> exit ${changed.code}: ${changed.stdout}${changed.stderr}`);
  assert.match(changed.stdout, new RegExp(`BROKEN at entry ${seq}\\b`), `names entry ${seq}: ${changed.stdout}`);
  assert.ok(!/audit log OK/.test(changed.stdout), changed.stdout);

  const intact = await runOnshi(copy, ['audit', 'verify']);
  assert.equal(intact.code, 0, `the copy verifies: ${intact.stdout}${intact.stderr}`);
  const gone = Math.floor(entries / 3);
  await sqlExec(`${sqlDropTrigger('audit_log', 'audit_log_no_delete')}; DELETE FROM audit_log WHERE seq = ${gone};`, copy);
  const deleted = await runOnshi(copy, ['audit', 'verify']);
  assert.equal(deleted.code, 1, `verify after a DELETE -> exit ${deleted.code}: ${deleted.stdout}${deleted.stderr}`);
  assert.match(deleted.stdout, new RegExp(`entry ${gone} is missing`), `names entry ${gone}: ${deleted.stdout}`);

  // The newest entries cut off: the chain that is left is whole, so only the checkpoint shows it.
  await sqlExec(`${sqlDropTrigger('audit_log', 'audit_log_no_delete')}; DELETE FROM audit_log WHERE seq > ${entries - 2};`, cut);
  const noCheckpoint = await runOnshi(cut, ['audit', 'verify']);
  assert.equal(noCheckpoint.code, 0, `without a checkpoint the cut log verifies: ${noCheckpoint.stdout}${noCheckpoint.stderr}`);
  const truncated = await runOnshi(cut, ['audit', 'verify', '--checkpoint', checkpoint]);
  assert.equal(truncated.code, 1, `with the checkpoint -> exit ${truncated.code}: ${truncated.stdout}${truncated.stderr}`);
  assert.match(truncated.stdout, new RegExp(`BROKEN at entry ${entries - 1}\\b.*newest entries were deleted`), truncated.stdout);
});

test('9. a folder without a database is said plainly, not as an SQL error', async (t) => {
  const typo = path.join(work, 'no-such-folder'); // a mistyped --data
  const empty = await fsp.mkdtemp(path.join(work, 'empty-'));
  // On PostgreSQL the database is not in the folder: a URL naming none, and one never migrated.
  let cases = [[{ dataDir: typo }, /no onshi database at .*onshi db migrate/],
    [{ dataDir: empty }, /no onshi database at .*onshi db migrate/]];
  if (onPostgres) {
    const blank = await createPostgresDatabase('blank');
    t.after(() => blank.drop());
    const missing = new URL(databaseUrl(srv));
    missing.pathname = '/no_such_database';
    cases = [[{ dataDir: typo, env: { ...srv.env, ONSHI_DATABASE_URL: missing.toString() } }, /no onshi database at .*onshi db migrate/],
      [{ dataDir: empty, env: { ...srv.env, ONSHI_DATABASE_URL: blank.url } }, /schema version 0, .*run `onshi db migrate`/]];
  }
  for (const [where, message] of cases) {
    for (const args of [['admin', 'applications', 'list'], ['audit', 'verify'], ['operator', 'list']]) {
      const r = await runOnshi({ ...srv, ...where }, args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, r.stderr);
      assert.doesNotMatch(r.stderr, /no such table|SQLITE_|step:|relation .* does not exist/i, r.stderr);
    }
  }
  assert.equal(await fsp.stat(typo).catch(() => null), null, 'nothing is created at a mistyped --data');
  assert.deepEqual(await fsp.readdir(empty), [], 'no empty database is left behind');
});
