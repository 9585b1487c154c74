// After issuance, with the real `onshi serve` and CLI: マイページ's 電子証明書 and a certificate's page
// (another institution's number is a 404); five wrong codes sent as a vendor's EST client sends
// them (Basic auth on simpleenroll over the TLS listener) lock the pickup, `onshi admin
// certificates show|unlock` clears it (roles, exit codes, the audit record) and the letter's code
// then enrols the terminal's CSR (a second generation on マイページ); and the housekeeping of
// `onshi serve` closes that pickup at start once its re-download days are over (the first
// download's time moved back 8 days in the database: the only way to let the days pass).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EstVendor } from '../support/est.mjs';
import { serialAsPrinted } from '../support/pickup.mjs';
import {
  stopServer, restartServer, runOnshi, pageText, loadMessages, sqlRows, sqlExec as sqlExecOn, sqlHex,
} from '../support/harness.mjs';
import {
  startServerWithCa, withTlsListener, newClinic, applyForCertificates, createOperator,
} from '../support/back_office.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();
const DAY_MS = 86_400_000;
const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g;

let srv;
let work;
let v; // a vendor's EST client (tests/support/est.mjs)
const S = {};

async function onshi(args, opts) {
  return runOnshi(srv, args, opts);
}

async function onshiOk(args, opts) {
  const r = await onshi(args, opts);
  assert.equal(r.code, 0, `onshi ${args.join(' ')} -> exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const sql = (query) => sqlRows(srv, query);
const sqlExec = (script) => sqlExecOn(srv, script);

/** `name: value` lines of `onshi admin certificates show`. */
function shown(stdout) {
  return Object.fromEntries([...stdout.matchAll(/^(\S[^:]*):\s+(.*)$/gm)].map((m) => [m[1].trim(), m[2].trim()]));
}

/** The text of the マイページ row linking to the certificate's page. */
function certificateRow(html, number) {
  for (const m of html.matchAll(/<tr\b[\s\S]*?<\/tr>/gi)) {
    if (m[0].includes(`href="/certificates/${number}"`)) return pageText(m[0]);
  }
  return undefined;
}

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'certificate_pickup_desk', passphrase: 'Pickup-Desk-CA-passphrase-2026' }));
  await withTlsListener(srv);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-pickup-desk-'));
  v = new EstVendor({
    srv, work, root: path.join(srv.dataDir, 'ca', 'root.crt'), issuing: path.join(srv.dataDir, 'ca', 'issuing.crt'),
  });
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${role} 担当`, role, password: 'operator passphrase for the desk 2026' });
  }
  S.a = await newClinic(srv, 'deskA', { institutionName: '医療法人テスト会 あおば診療所' });
  S.b = await newClinic(srv, 'deskB', { institutionName: '医療法人べつの会 みどり医院' });
  S.appA = await applyForCertificates(S.a, 2);
  S.appB = await applyForCertificates(S.b, 1);
  for (const n of [S.appA, S.appB]) {
    await onshiOk(['admin', 'applications', 'approve', n, '--operator', 'rev1']);
    await onshiOk(['admin', 'applications', 'issue', n, '--operator', 'iss1']);
  }
  S.numbersA = [`${S.appA}-01`, `${S.appA}-02`];
  S.numberB = `${S.appB}-01`;
  // The codes as the letter prints them.
  const pdf = path.join(work, 'letters.pdf');
  await onshiOk(['admin', 'letters', 'render', '--operator', 'iss1', '--out', pdf]);
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'])).stdout;
  S.codes = {};
  for (const n of [...S.numbersA, S.numberB]) {
    S.codes[n] = (text.slice(text.indexOf(n)).match(PICKUP_CODE_RE) ?? [])[0];
    assert.ok(S.codes[n], `a code after ${n} in the letter`);
  }
});
after(async () => {
  await stopServer(srv);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

test('マイページ lists the certificates just issued, each linking to its page', async () => {
  const my = await S.a.c.get('/mypage');
  assert.equal(my.status, 200);
  for (const [i, n] of S.numbersA.entries()) {
    const row = certificateRow(my.text, n);
    assert.ok(row, `a row for ${n}: ${pageText(my.text).slice(0, 2000)}`);
    for (const part of [`T0${i + 1}`, n, '発行済（未取得）', '未取得', '0回']) {
      assert.ok(row.includes(part), `${n}: ${part} in 「${row}」`);
    }
    const serial = (await sql(`SELECT serial_hex FROM certificates WHERE issuance_number = '${n}'`))[0].serial_hex;
    assert.ok(row.includes(serialAsPrinted(serial)), `${n}: its serial as the letter prints it`);
  }
  assert.equal(certificateRow(my.text, S.numberB), undefined, "another institution's certificate is not listed");

  const page = await S.a.c.get(`/certificates/${S.numbersA[0]}`);
  assert.equal(page.status, 200, pageText(page.text).slice(0, 500));
  assert.ok(page.text.includes(`href="/pickup?n=${S.numbersA[0]}"`), 'the 取得用ページ with the number');
  assert.ok(pageText(page.text).includes('まだ取得されていません'), pageText(page.text));
  const theirs = await S.a.c.get(`/certificates/${S.numberB}`);
  const nobody = await S.a.c.get('/certificates/C-99999999-01');
  assert.equal(theirs.status, 404);
  assert.equal(nobody.status, 404);
  assert.ok(pageText(theirs.text).includes(MSG['certificate.not_found']), pageText(theirs.text));
  assert.equal(pageText(theirs.text), pageText(nobody.text), 'another institution\'s number reads as an unknown one');
});

test('five wrong codes lock the pickup; onshi admin certificates unlock clears it, then the code works', async () => {
  const n = S.numbersA[0];
  const before = shown((await onshiOk(['admin', 'certificates', 'show', n])).stdout);
  assert.equal(before.pickup, 'waiting', JSON.stringify(before));
  assert.equal(before['wrong codes'], '0 of 5');
  assert.equal(before['key held'], 'yes');
  assert.equal(before.application, S.appA);

  // A vendor's EST client with another certificate's code: the pair is wrong five times.
  S.csr = await v.newCsr('terminal1', '/CN=terminal1');
  for (let i = 0; i < 5; i += 1) {
    const r = await v.est('simpleenroll', { user: `${n}:${S.codes[S.numbersA[1]]}`, bodyFile: S.csr.file });
    assert.equal(r.status, 401, `wrong code ${i + 1}: ${r.status} ${r.text}`);
  }
  const refused = await v.est('simpleenroll', { user: `${n}:${S.codes[n]}`, bodyFile: S.csr.file });
  assert.equal(refused.status, 401, 'even the right code while locked');
  assert.ok(refused.text.startsWith(MSG['pickup.locked'].split('{desk}')[0]), refused.text);
  const locked = shown((await onshiOk(['admin', 'certificates', 'show', n])).stdout);
  assert.equal(locked.pickup, 'locked');
  assert.equal(locked['wrong codes'], '5 of 5');
  assert.notEqual(locked['locked at'], '-');
  const my = await S.a.c.get('/mypage');
  assert.ok(certificateRow(my.text, n)?.includes('取得ロック中'), certificateRow(my.text, n));
  const page = pageText((await S.a.c.get(`/certificates/${n}`)).text);
  assert.ok(page.includes(MSG['pickup.locked'].split('{desk}')[0]), page);

  const byReviewer = await onshi(['admin', 'certificates', 'unlock', n, '--operator', 'rev1']);
  assert.equal(byReviewer.code, 2, `a reviewer: ${byReviewer.stdout}${byReviewer.stderr}`);
  assert.ok(byReviewer.stderr.includes(MSG['review.forbidden']), byReviewer.stderr);
  const nobody = await onshi(['admin', 'certificates', 'unlock', n, '--operator', 'nobody']);
  assert.equal(nobody.code, 2);
  assert.match(nobody.stderr, /no active operator/);
  const missing = await onshi(['admin', 'certificates', 'unlock', n]);
  assert.notEqual(missing.code, 0, '--operator is required');
  assert.equal((await sql(`SELECT pickup_locked_at FROM certificates WHERE issuance_number = '${n}'`))[0]
    .pickup_locked_at !== null, true, 'still locked after the refusals');

  // Typed as on the letter, in full width: the same number.
  const typed = n.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  const ok = await onshiOk(['admin', 'certificates', 'unlock', typed, '--operator', 'iss1']);
  assert.equal(ok.stdout.trim(), `${n}: ${MSG['pickup_desk.unlocked']}`);
  const row = (await sql(`SELECT pickup_locked_at, pickup_failures FROM certificates WHERE issuance_number = '${n}'`))[0];
  assert.deepEqual(row, { pickup_locked_at: null, pickup_failures: 0 });
  const audit = await onshiOk(['audit', 'list', '--action', 'certificate.pickup_unlock', '--subject', n]);
  const lines = audit.stdout.split('\n').filter((l) => l.includes('certificate.pickup_unlock'));
  assert.equal(lines.length, 1, audit.stdout);
  assert.match(lines[0], /cli:operator:\d+/, lines[0]);
  assert.ok(lines[0].includes('"by":"iss1"'), lines[0]);
  assert.equal(shown((await onshiOk(['admin', 'certificates', 'show', n])).stdout).pickup, 'waiting');

  // The letter's code works again: the terminal's CSR replaces the unused generated key.
  const enrolled = await v.est('simpleenroll', { user: `${n}:${S.codes[n]}`, bodyFile: S.csr.file });
  assert.equal(enrolled.status, 200, enrolled.text);
  const after = shown((await onshiOk(['admin', 'certificates', 'show', n])).stdout);
  assert.equal(after.generation, '2');
  assert.equal(after.pickup, 'picked_up');
  assert.equal(after.key, 'csr');
  const generations = await sql(`SELECT generation, serial_hex, replaced_how FROM certificates
    WHERE issuance_number = '${n}' ORDER BY generation`);
  assert.deepEqual(generations.map((g) => g.replaced_how), ['superseded', null]);
  const mine = await S.a.c.get('/mypage');
  const listed = certificateRow(mine.text, n);
  assert.ok(listed.includes(serialAsPrinted(generations[1].serial_hex)), listed);
  assert.ok(!listed.includes(serialAsPrinted(generations[0].serial_hex)), listed);
  assert.ok(listed.includes('取得済') && listed.includes('1回'), listed);
  const detail = pageText((await S.a.c.get(`/certificates/${n}`)).text);
  for (const part of ['第1世代', '第2世代', '置き換え済', '現在の電子証明書', MSG['pickup.what.est-enroll'], '127.0.0.1']) {
    assert.ok(detail.includes(part), `${part} on the certificate's page: ${detail.slice(0, 2000)}`);
  }

  const again = await onshi(['admin', 'certificates', 'unlock', n, '--operator', 'iss1']);
  assert.equal(again.code, 2);
  assert.ok(again.stderr.includes(MSG['pickup.not_locked']), again.stderr);
  const unknown = await onshi(['admin', 'certificates', 'unlock', 'C-99999999-01', '--operator', 'iss1']);
  assert.equal(unknown.code, 2);
  assert.ok(unknown.stderr.includes(MSG['certificate.not_found']), unknown.stderr);
  const unknownShow = await onshi(['admin', 'certificates', 'show', 'C-99999999-01']);
  assert.equal(unknownShow.code, 2);
});

test('onshi serve closes a pickup whose re-download days are over when it starts', async () => {
  const n = S.numbersA[0];
  // Eight days pass for the download of the test before.
  const firstDownload = Date.now() - 8 * DAY_MS;
  await sqlExec(`UPDATE certificates SET picked_up_at = ${firstDownload}
      WHERE issuance_number = '${n}' AND replaced_at IS NULL;
    UPDATE certificate_downloads SET downloaded_at = ${firstDownload}
      WHERE certificate_id = (SELECT id FROM certificates WHERE issuance_number = '${n}' AND replaced_at IS NULL);`);
  const open = shown((await onshiOk(['admin', 'certificates', 'show', n])).stdout);
  assert.equal(open.pickup, 'closed', 'past the re-download days the code no longer works');

  await restartServer(srv);
  let row;
  for (let i = 0; i < 50; i += 1) {
    [row] = await sql(`SELECT pickup_closed_how FROM certificates WHERE issuance_number = '${n}' AND replaced_at IS NULL`);
    if (row.pickup_closed_how) break;
    await new Promise((r) => { setTimeout(r, 100); });
  }
  assert.equal(row.pickup_closed_how, 'lapsed');
  assert.match(await fsp.readFile(srv.stderrFile, 'utf8'), /housekeeping: 1 lapsed pickup\(s\) closed/);
  const audit = await onshiOk(['audit', 'list', '--action', 'certificate.pickup_lapsed', '--subject', n]);
  assert.match(audit.stdout, /system\s+certificate\.pickup_lapsed/, audit.stdout);

  const closed = await v.est('simpleenroll', { user: `${n}:${S.codes[n]}`, bodyFile: S.csr.file });
  assert.equal(closed.status, 409, closed.text);
  assert.ok(closed.text.startsWith(MSG['pickup.closed'].split('{desk}')[0]), closed.text);

  const page = await S.a.c.get(`/certificates/${n}`);
  const text = pageText(page.text);
  for (const part of ['受取完了', '最初の取得から7日が過ぎたため、受取を完了しました。']) {
    assert.ok(text.includes(part), `${part} on the certificate's page: ${text.slice(0, 1500)}`);
  }
  const my = await S.a.c.get('/mypage');
  assert.ok(certificateRow(my.text, n)?.includes('1回'), certificateRow(my.text, n));
});

test('onshi admin certificates revoke: at once, once, with the reason the CPS allows; list shows it', async () => {
  const n = S.numbersA[1];
  const byReviewer = await onshi(['admin', 'certificates', 'revoke', n, '--reason', 'superseded', '--operator', 'rev1']);
  assert.equal(byReviewer.code, 2, byReviewer.stderr);
  const hold = await onshi(['admin', 'certificates', 'revoke', n, '--reason', 'certificateHold', '--operator', 'iss1']);
  assert.equal(hold.code, 2);
  assert.ok(hold.stderr.includes(MSG['revocation.reason_unknown']), hold.stderr);
  const ok = await onshiOk(['admin', 'certificates', 'revoke', n, '--reason', 'keyCompromise',
    '--compromised-since', '2026-11-01', '--operator', 'iss1']);
  assert.match(ok.stdout, new RegExp(`^${n}  serial [0-9a-f]+  revoked `), ok.stdout);
  const [row] = await sql(`SELECT status, revocation_reason, sealed_key FROM certificates
    WHERE issuance_number = '${n}' AND replaced_at IS NULL`);
  assert.deepEqual([row.status, row.revocation_reason, row.sealed_key], ['revoked', 1, null]);
  const again = await onshi(['admin', 'certificates', 'revoke', n, '--reason', 'unspecified', '--operator', 'iss1']);
  assert.equal(again.code, 2);
  assert.ok(again.stderr.includes(MSG['certificate.already_revoked']), again.stderr);
  const listed = await onshiOk(['admin', 'certificates', 'list', '--status', 'revoked']);
  assert.ok(listed.stdout.includes(n), listed.stdout);
  const ofA = await onshiOk(['admin', 'certificates', 'list', '--institution', S.a.acct.institutionCode]);
  assert.ok(ofA.stdout.includes(n), ofA.stdout);
  const ofB = await onshiOk(['admin', 'certificates', 'list', '--institution', S.b.acct.institutionCode]);
  assert.ok(ofB.stdout.includes(S.numberB) && !ofB.stdout.includes(n), ofB.stdout);
  const audit = await onshiOk(['audit', 'list', '--action', 'certificate.revoke', '--subject', n]);
  assert.match(audit.stdout, /certificate\.revoke/, audit.stdout);
});

test('the CA certificates a terminal certificate names in its authorityInfoAccess are served, DER', async () => {
  const n = S.numbersA[0];
  const [row] = await sql(`SELECT ${sqlHex('der')} AS der FROM certificates WHERE issuance_number = '${n}' AND replaced_at IS NULL`);
  const leaf = path.join(work, 'aia-leaf.der');
  await fsp.writeFile(leaf, Buffer.from(row.der, 'hex'));
  const { stdout: text } = await exec('openssl', ['x509', '-inform', 'DER', '-in', leaf, '-noout', '-ext', 'authorityInfoAccess']);
  const caIssuers = /CA Issuers - URI:(\S+)/.exec(text)?.[1];
  assert.equal(caIssuers, `${srv.publicBaseUrl}/pki/ca/issuing.crt`, text);
  const pems = [];
  for (const name of ['issuing', 'root']) {
    const res = await fetch(`${srv.baseUrl}/pki/ca/${name}.crt`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pkix-cert');
    const der = path.join(work, `aia-${name}.der`);
    await fsp.writeFile(der, Buffer.from(await res.arrayBuffer()));
    const pem = path.join(work, `aia-${name}.pem`);
    await exec('openssl', ['x509', '-inform', 'DER', '-in', der, '-out', pem]);
    assert.equal(await fsp.readFile(pem, 'utf8'), await fsp.readFile(path.join(srv.dataDir, 'ca', `${name}.crt`), 'utf8'));
    pems.push(pem);
  }
  const leafPem = path.join(work, 'aia-leaf.pem');
  await exec('openssl', ['x509', '-inform', 'DER', '-in', leaf, '-out', leafPem]);
  const { stdout } = await exec('openssl', ['verify', '-CAfile', pems[1], '-untrusted', pems[0], leafPem]);
  assert.match(stdout, /: OK/, 'the chain from the served certificates verifies the terminal certificate');
});
