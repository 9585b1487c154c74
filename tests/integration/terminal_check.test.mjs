// `onshi terminal check` (接続確認, issue 17) against the real `onshi serve`: PKCS#12 files picked
// up over HTTP in both formats pass every line but the relying party's, which without --url is a
// warning that the connection was not tried (exit status 3, not 0); the same as PEM files; --json
// says the same verdict; a wrong password, a key of another terminal, a certificate of another CA
// (made with openssl here), a --ca of the issuing CA alone and a revoked certificate each fail
// their line with the Japanese hint and exit status 1; no --ca is a usage error (2); --url to a
// closed port, to an https server that is no relying party (its /whoami 404, its /healthz a 200 JSON
// that is no verdict on this certificate) fail the last line; --url of the relying
// party's /whoami passes every line, exit 0; a certificate whose OCSP responder does not answer
// (or that names none), its CRL good and the relying party connected, is no pass: exit 3 and a
// summary that says so. Every status fetch goes over real sockets to the server's OCSP responder
// and CRLs (the ARL signed by `onshi ca sign-root-crl`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  stopServer, strongPassword, pageText, loadMessages, csrfToken, inputValue, runOnshi, freePort, sleep, ONSHI_BIN,
} from '../support/harness.mjs';
import { track, waitExit, waitForPort } from '../support/processes.mjs';
import {
  startServerWithCa, withTlsListener, createOperator, newClinic, applyForCertificates,
} from '../support/back_office.mjs';
import { exec, onshiOk, approveAndIssue, printLetters, AddressedClient, openPickup } from '../support/pickup.mjs';
import { signWithIssuingKey } from '../support/relying_party.mjs';

const MSG = loadMessages();
const DELAY_S = 2; // pki.crl_revocation_delay_seconds
const STEPS = ['open', 'key', 'chain', 'validity', 'ocsp', 'crl', 'relying_party'];
const STEP_NAME = Object.fromEntries(STEPS.map((s) => [s, MSG[`terminal_check.step.${s}`]]));
const MARK = { ok: '✓', warning: '!', failed: '✗', skipped: '-' };
const PASSPHRASE = 'Terminal-check-CA-passphrase-2026';
let srv;
let relyingParty; // { child, url } once started: ensureRelyingParty()
let work;
let root;
const S = {};

/** `onshi terminal check ARGS` with the password on stdin: { code, stdout, stderr, lines }. */
async function terminalCheck(args, password, { ca = root } = {}) {
  const withPassword = password === undefined ? args : [...args, '--password-stdin'];
  const r = await runOnshi(srv, ['terminal', 'check', ...withPassword, '--ca', ca], {
    stdin: password === undefined ? '' : `${password}\n`,
  });
  const lines = r.stdout.trimEnd().split('\n');
  return { ...r, lines, summary: lines.at(-1) };
}

/** The printed line of `step`: "✓ 秘密鍵：…". */
function lineOf(r, step) {
  const found = r.lines.find((l) => l.slice(2).startsWith(`${STEP_NAME[step]}：`));
  assert.ok(found, `a line for ${step} in:\n${r.stdout}${r.stderr}`);
  return found;
}

function expectMark(r, step, mark) {
  assert.equal(lineOf(r, step)[0], MARK[mark], `${step} is ${mark}:\n${r.stdout}`);
}

/** A catalogue text up to its first placeholder: what a line with arguments starts with. */
const head = (key) => MSG[key].split('{')[0];

async function pickUpPkcs12(number, code, format, password, from) {
  const c = new AddressedClient(srv.baseUrl, `127.0.0.${from}`);
  const page = await openPickup(c, `/pickup?n=${number}`, code);
  assert.equal(page.status, 200, pageText(page.text).slice(0, 500));
  const r = await c.post('/pickup/pkcs12', {
    csrf_token: csrfToken(page.text), grant: inputValue(page.text, 'grant'), number: inputValue(page.text, 'number'),
    password, password_again: password, format,
  });
  assert.equal(r.status, 200, `download ${number}: ${pageText(r.text).slice(0, 400)}`);
  const file = path.join(work, `${number}-${format}.p12`);
  await fsp.writeFile(file, r.bytes);
  return file;
}

before(async () => {
  ({ srv } = await startServerWithCa({
    name: 'terminal_check', passphrase: PASSPHRASE,
    env: { ONSHI_CRL_REVOCATION_DELAY_SECONDS: String(DELAY_S) },
  }));
  work = path.join(srv.logDir, 'files');
  await fsp.mkdir(work, { recursive: true });
  root = path.join(srv.dataDir, 'ca', 'root.crt');
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
  }
  const clinic = await newClinic(srv, 'tchk', { institutionName: '医療法人テスト会 せつぞく診療所', terminals: 2 });
  const app = await applyForCertificates(clinic, 2);
  await approveAndIssue(srv, app);
  const { codes } = await printLetters(srv, path.join(work, 'letters.pdf'));
  S.t01 = `${app}-01`;
  S.t02 = `${app}-02`;
  assert.ok(codes[S.t01] && codes[S.t02], `codes in the letters: ${JSON.stringify(codes)}`);
  // The CRL step checks the issuing CA against the root's ARL too.
  await onshiOk(srv, ['ca', 'sign-root-crl']);

  S.password = 'Terminal check #1';
  S.standard = await pickUpPkcs12(S.t01, codes[S.t01], 'standard', S.password, 11);
  S.compatible = await pickUpPkcs12(S.t01, codes[S.t01], 'compatible', S.password, 12);
  S.revocable = await pickUpPkcs12(S.t02, codes[S.t02], 'standard', S.password, 13);
  // The same certificate as PEM files, as a vendor may hold them.
  const pass = ['-passin', `pass:${S.password}`];
  S.certPem = path.join(work, 't01.crt');
  S.keyPem = path.join(work, 't01.key');
  await exec('openssl', ['pkcs12', '-in', S.standard, ...pass, '-nokeys', '-out', S.certPem]);
  await exec('openssl', ['pkcs12', '-in', S.standard, ...pass, '-nocerts', '-nodes', '-out', S.keyPem]);
  S.serial = (await exec('openssl', ['x509', '-in', S.certPem, '-noout', '-serial'])).stdout.trim().split('=')[1].toLowerCase();
});
after(async () => {
  if (relyingParty) {
    relyingParty.child.kill('SIGTERM');
    await waitExit(relyingParty.child, 5000);
  }
  await stopServer(srv);
});

/**
 * `onshi relying-party` on a free port with the TLS certificate of `onshi ca server-cert`
 * (withTlsListener) and the root to trust, asking OCSP and the CRLs again after a second so that a
 * revocation reaches it within the CRL delay; its log beside the server's.
 */
async function startRelyingParty() {
  const port = await freePort([srv.port, srv.smtpPort, srv.tls.port]);
  const log = await fsp.open(path.join(srv.logDir, 'relying-party.log'), 'w');
  const child = track(spawn(ONSHI_BIN, ['relying-party', '--listen', `127.0.0.1:${port}`,
    '--tls-cert', srv.tls.certFile, '--tls-key', srv.tls.keyFile, '--ca', root,
    '--status-max-age', '1', '--metrics-listen', 'none'], {
    stdio: ['ignore', log.fd, log.fd], env: srv.env,
  }));
  await log.close(); // the child holds its own descriptor
  await waitForPort(port, 10_000, child, 'onshi relying-party');
  return { child, url: `https://127.0.0.1:${port}` };
}

/** The relying party, started (with the portal's TLS listener for its certificate) if not yet. */
async function ensureRelyingParty() {
  if (!srv.tls) await withTlsListener(srv);
  relyingParty ??= await startRelyingParty();
  return relyingParty;
}

/**
 * A terminal certificate signed here with the issuing key, its AIA and CRL DP as `extensions` say,
 * valid 400 days (over 90 left: its validity line passes).
 */
const signedHere = (name, extensions) => signWithIssuingKey(srv, work, PASSPHRASE, name, {
  subject: '/C=JP/O=医療法人テスト会 せつぞく診療所/OU=1310123455/CN=1310123455-T05', args: ['-days', '400'], extensions,
});

test('the picked-up PKCS#12 passes every line; without --url the connection is a warning; exit 3', async () => {
  for (const file of [S.standard, S.compatible]) {
    const r = await terminalCheck(['--p12', file], S.password);
    assert.equal(r.code, 3, `${file}:\n${r.stdout}${r.stderr}`);
    assert.equal(r.lines[0], MSG['terminal_check.heading'].replace('{0}', /\d{10}-T01/.exec(r.lines[0])?.[0]).replace('{1}', '医療法人テスト会 せつぞく診療所'));
    for (const s of ['open', 'key', 'chain', 'validity', 'ocsp', 'crl']) expectMark(r, s, 'ok');
    assert.ok(lineOf(r, 'chain').includes('onshi Issuing CA G1 → onshi Root CA G1'), lineOf(r, 'chain'));
    assert.ok(lineOf(r, 'ocsp').includes(head('terminal_check.ocsp.good')), lineOf(r, 'ocsp'));
    expectMark(r, 'relying_party', 'warning');
    assert.ok(lineOf(r, 'relying_party').endsWith(MSG['terminal_check.relying_party.not_tried']));
    assert.match(lineOf(r, 'relying_party'), /--url https:\/\//);
    assert.equal(r.summary, MSG['terminal_check.summary.ok_not_connected']);
    assert.equal(r.stderr, '', 'nothing on stderr: the password came from stdin without a prompt');
  }
  // The root as a vendor downloads it from the portal: DER.
  const res = await fetch(`${srv.baseUrl}/pki/ca/root.crt`);
  assert.equal(res.status, 200);
  const der = path.join(work, 'root-download.crt');
  await fsp.writeFile(der, Buffer.from(await res.arrayBuffer()));
  assert.ok(!(await fsp.readFile(der, 'latin1')).includes('-----BEGIN'), 'the portal serves DER');
  const r = await terminalCheck(['--p12', S.standard], S.password, { ca: der });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  expectMark(r, 'chain', 'ok');
  assert.equal(r.summary, MSG['terminal_check.summary.ok_not_connected']);
});

test('--ca of the issuing CA alone: the chain line asks for the root (root.crt), exit 1; no --ca: exit 2', async () => {
  const res = await fetch(`${srv.baseUrl}/pki/ca/issuing.crt`);
  assert.equal(res.status, 200);
  const issuing = path.join(work, 'issuing-download.crt');
  await fsp.writeFile(issuing, Buffer.from(await res.arrayBuffer()));
  const r = await terminalCheck(['--p12', S.standard], S.password, { ca: issuing });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  expectMark(r, 'chain', 'failed');
  assert.equal(lineOf(r, 'chain').slice(2), `${STEP_NAME.chain}：${MSG['terminal_check.chain.no_root'].replace('{0}', 'onshi Issuing CA G1')}`);
  assert.match(lineOf(r, 'chain'), /ルート CA（自己署名）の証明書がありません/);
  assert.match(lineOf(r, 'chain'), /\/pki\/ca\/root\.crt/);
  for (const s of ['ocsp', 'crl', 'relying_party']) expectMark(r, s, 'skipped');
  assert.equal(r.summary, MSG['terminal_check.summary.no_root']);

  const none = await runOnshi(srv, ['terminal', 'check', '--p12', S.standard, '--password-stdin'], { stdin: S.password });
  assert.equal(none.code, 2, none.stdout + none.stderr);
  assert.match(none.stderr, /--ca/);
  const help = await runOnshi(srv, ['terminal', 'check', '--help']);
  assert.equal(help.code, 0, help.stderr);
  for (const status of ['0 every line passed', '1 a check failed', '2 usage error', '3 no check failed but not every line was checked',
    'OCSP or the CRL gave no answer']) {
    assert.ok(help.stdout.replace(/\s+/g, ' ').includes(status), `--help says "${status}":\n${help.stdout}`);
  }
});

test('--json: one object with the same verdict, a line per step and the certificate', async () => {
  const r = await runOnshi(srv, ['terminal', 'check', '--p12', S.standard, '--password-stdin', '--ca', root, '--json'],
    { stdin: S.password });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.ok, true);
  assert.equal(j.connected, false);
  assert.equal(j.exit_status, 3);
  assert.deepEqual(j.lines.map((l) => l.step), STEPS);
  assert.deepEqual(j.lines.map((l) => l.mark), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'warning']);
  assert.equal(j.lines.at(-1).key, 'terminal_check.relying_party.not_tried');
  assert.equal(j.summary, MSG['terminal_check.summary.ok_not_connected']);
  assert.equal(j.summary_key, 'terminal_check.summary.ok_not_connected');
  assert.equal(j.certificate.serial, S.serial);
  assert.equal(j.certificate.issuance_number, S.t01);
  const ocsp = j.lines.find((l) => l.step === 'ocsp');
  assert.equal(ocsp.detail.state, 'good');
  assert.equal(ocsp.detail.url, `${srv.publicBaseUrl}/pki/ocsp`);
  const crl = j.lines.find((l) => l.step === 'crl');
  assert.equal(crl.detail.state, 'good');
  assert.ok(Number(j.lines.find((l) => l.step === 'validity').detail.days_left) > 1000);

  const wrong = await runOnshi(srv, ['terminal', 'check', '--p12', S.standard, '--password-stdin', '--ca', root, '--json'],
    { stdin: 'not the password' });
  assert.equal(wrong.code, 1);
  const w = JSON.parse(wrong.stdout);
  assert.equal(w.ok, false);
  assert.equal(w.exit_status, 1);
  assert.equal(w.lines[0].mark, 'failed');
  assert.equal(w.lines[0].detail.error, 'wrong_password');
  assert.equal(w.summary, MSG['terminal_check.summary.wrong_password']);
});

test('a wrong password: ✗ on the file line, the rest skipped, the hint about the pickup password, exit 1', async () => {
  const r = await terminalCheck(['--p12', S.standard], 'Terminal check #2');
  assert.equal(r.code, 1, r.stdout);
  expectMark(r, 'open', 'failed');
  assert.ok(lineOf(r, 'open').endsWith(MSG['terminal_check.open.wrong_password']));
  for (const s of ['key', 'chain', 'validity', 'ocsp', 'crl']) expectMark(r, s, 'skipped');
  assert.equal(r.summary, MSG['terminal_check.summary.wrong_password']);
  assert.match(r.summary, /取得したときに設定したパスワード/);
  // Without --password-stdin and without a terminal, it refuses rather than guess (usage, 2).
  const none = await runOnshi(srv, ['terminal', 'check', '--p12', S.standard, '--ca', root]);
  assert.equal(none.code, 2, none.stdout + none.stderr);
  assert.match(none.stderr, /--password-stdin/);
});

test('--cert/--key PEM files pass; a key of another terminal fails the key line', async () => {
  const r = await terminalCheck(['--cert', S.certPem, '--key', S.keyPem]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.ok(lineOf(r, 'open').includes(head('terminal_check.open.ok_pem')), lineOf(r, 'open'));
  for (const s of ['open', 'key', 'chain', 'validity', 'ocsp', 'crl']) expectMark(r, s, 'ok');
  expectMark(r, 'relying_party', 'warning');
  assert.equal(r.summary, MSG['terminal_check.summary.ok_not_connected']);

  const otherKey = path.join(work, 'other-terminal.key');
  await exec('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey]);
  const bad = await terminalCheck(['--cert', S.certPem, '--key', otherKey, '--url', 'https://127.0.0.1:1']);
  assert.equal(bad.code, 1, bad.stdout);
  expectMark(bad, 'key', 'failed');
  assert.ok(lineOf(bad, 'key').endsWith(MSG['terminal_check.key.mismatch']));
  expectMark(bad, 'chain', 'ok');
  expectMark(bad, 'relying_party', 'skipped');
  assert.equal(bad.summary, MSG['terminal_check.summary.key_mismatch']);
});

test('a certificate of another CA (openssl): the chain line fails and the summary says the file is wrong', async () => {
  const f = (name) => path.join(work, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await exec('openssl', ['req', '-x509', ...ec, '-keyout', f('other-root.key'), '-out', f('other-root.crt'),
    '-subj', '/C=JP/O=other/CN=Other Root CA', '-days', '30']);
  await exec('openssl', ['req', ...ec, '-keyout', f('other.key'), '-out', f('other.csr'),
    '-subj', '/C=JP/O=other/OU=1310123455/CN=1310123455-T01']);
  await fsp.writeFile(f('other.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  await exec('openssl', ['x509', '-req', '-in', f('other.csr'), '-CA', f('other-root.crt'), '-CAkey', f('other-root.key'),
    '-set_serial', '0x1234567890abcdef', '-days', '30', '-extfile', f('other.ext'), '-out', f('other.crt')]);
  await exec('openssl', ['pkcs12', '-export', '-in', f('other.crt'), '-inkey', f('other.key'), '-certfile', f('other-root.crt'),
    '-passout', 'pass:other-pass-123', '-out', f('other.p12')]);
  const r = await terminalCheck(['--p12', f('other.p12')], 'other-pass-123');
  assert.equal(r.code, 1, r.stdout);
  expectMark(r, 'open', 'ok');
  expectMark(r, 'key', 'ok');
  expectMark(r, 'chain', 'failed');
  assert.ok(lineOf(r, 'chain').includes(head('terminal_check.chain.unknown_ca')), lineOf(r, 'chain'));
  for (const s of ['ocsp', 'crl']) expectMark(r, s, 'skipped');
  assert.equal(r.summary, MSG['terminal_check.summary.wrong_ca']);
});

test('--url of a closed port, and of an https server that is no relying party: the last line fails', async () => {
  const closed = await freePort([srv.port, srv.smtpPort]);
  const r = await terminalCheck(['--p12', S.standard, '--url', `https://127.0.0.1:${closed}`], S.password);
  assert.equal(r.code, 1, r.stdout);
  expectMark(r, 'crl', 'ok');
  expectMark(r, 'relying_party', 'failed');
  assert.ok(lineOf(r, 'relying_party').endsWith(MSG['terminal_check.relying_party.connect'].replace('{0}', `127.0.0.1:${closed}`)));
  assert.equal(r.summary, MSG['terminal_check.summary.unreachable']);

  // The portal's own TLS listener (its certificate from `onshi ca server-cert`, under the same
  // root) speaks TLS but has no /whoami.
  await withTlsListener(srv);
  const j = await runOnshi(srv, ['terminal', 'check', '--p12', S.standard, '--password-stdin', '--ca', root, '--json',
    '--url', `https://127.0.0.1:${srv.tls.port}`], { stdin: S.password });
  assert.equal(j.code, 1, j.stdout + j.stderr);
  const rp = JSON.parse(j.stdout).lines.find((l) => l.step === 'relying_party');
  assert.equal(rp.mark, 'failed', JSON.stringify(rp));
  assert.equal(rp.detail.url, `https://127.0.0.1:${srv.tls.port}/whoami`);
  assert.equal(rp.detail.status, '404', JSON.stringify(rp));
  assert.match(rp.detail.tls_version, /^TLSv1\.[23]$/);

  // Its /healthz answers 200 {"status":"ok"} over the same TLS, but says nothing of this
  // certificate (no "result":"ok", no serial): a 200 JSON object is not a relying party's verdict.
  const health = await terminalCheck(['--p12', S.standard, '--url', `https://127.0.0.1:${srv.tls.port}/healthz`], S.password);
  assert.equal(health.code, 1, health.stdout + health.stderr);
  expectMark(health, 'relying_party', 'failed');
  assert.ok(lineOf(health, 'relying_party').endsWith(
    MSG['terminal_check.relying_party.not_relying_party'].replace('{0}', `127.0.0.1:${srv.tls.port}`)), lineOf(health, 'relying_party'));
  assert.ok(health.summary.startsWith(head('terminal_check.summary.relying_party_failed')), health.summary); // {desk}: the desk's name
});

test('--url of onshi relying-party: a mutual-TLS GET /whoami answers this terminal, exit 0', async () => {
  await ensureRelyingParty();
  const r = await terminalCheck(['--p12', S.revocable, '--url', relyingParty.url], S.password);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const s of STEPS) expectMark(r, s, 'ok');
  assert.ok(lineOf(r, 'relying_party').includes(head('terminal_check.relying_party.ok').replace('{0}', '127.0.0.1:')),
    lineOf(r, 'relying_party'));
  assert.equal(r.summary, MSG['terminal_check.summary.ok']);
  const j = await runOnshi(srv, ['terminal', 'check', '--p12', S.revocable, '--password-stdin', '--ca', root, '--json',
    '--url', relyingParty.url], { stdin: S.password });
  assert.equal(j.code, 0, j.stdout + j.stderr);
  assert.equal(JSON.parse(j.stdout).connected, true);
  assert.equal(JSON.parse(j.stdout).exit_status, 0);
  assert.equal(JSON.parse(j.stdout).status_checked, true);
});

test('the OCSP responder not answering, the CRL good, the relying party connected: not every line passed, exit 3', async () => {
  const rp = await ensureRelyingParty();
  const base = srv.publicBaseUrl;
  const closed = await freePort([srv.port, srv.smtpPort, srv.tls.port]);
  const crls = [`crlDistributionPoints = URI:${base}/pki/crl/issuing.crl`, `freshestCRL = URI:${base}/pki/crl/issuing-delta.crl`];
  const down = await signedHere('ocsp-down', [`authorityInfoAccess = OCSP;URI:http://127.0.0.1:${closed}/pki/ocsp`, ...crls]);
  const r = await terminalCheck(['--cert', down.cert, '--key', down.key, '--url', rp.url]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  for (const s of ['open', 'key', 'chain', 'validity', 'crl', 'relying_party']) expectMark(r, s, 'ok');
  expectMark(r, 'ocsp', 'warning');
  assert.ok(lineOf(r, 'ocsp').endsWith(MSG['terminal_check.ocsp.unavailable'].replace('{0}', `http://127.0.0.1:${closed}/pki/ocsp`)),
    lineOf(r, 'ocsp'));
  // What is wrong and what to do; the relying party answered, so nothing about --url.
  assert.equal(r.summary, MSG['terminal_check.summary.ocsp_unavailable'].replace('{0}', ''));
  assert.doesNotMatch(r.summary, /利用できます/);
  const j = await runOnshi(srv, ['terminal', 'check', '--cert', down.cert, '--key', down.key, '--ca', root, '--json',
    '--url', rp.url]);
  assert.equal(j.code, 3, j.stdout + j.stderr);
  const v = JSON.parse(j.stdout);
  assert.deepEqual([v.ok, v.connected, v.status_checked, v.exit_status, v.summary_key],
    [true, true, false, 3, 'terminal_check.summary.ocsp_unavailable']);

  // A certificate that names no responder at all: the same, and the summary says why.
  const none = await signedHere('no-ocsp', crls);
  const n = await terminalCheck(['--cert', none.cert, '--key', none.key, '--url', rp.url]);
  assert.equal(n.code, 3, n.stdout + n.stderr);
  expectMark(n, 'ocsp', 'warning');
  assert.ok(lineOf(n, 'ocsp').endsWith(MSG['terminal_check.ocsp.no_url']), lineOf(n, 'ocsp'));
  expectMark(n, 'crl', 'ok');
  expectMark(n, 'relying_party', 'ok');
  assert.ok(n.summary.startsWith(head('terminal_check.summary.ocsp_no_url')), n.summary); // {desk}: the desk's name
});

// Left last: it revokes T02. OCSP says 失効 at once; the CRL within pki.crl_revocation_delay_seconds;
// a running relying party refuses once its cached answer is older than --status-max-age, with its
// own words, which the last line shows.
test('after onshi admin certificates revoke: the OCSP line says 失効, then the CRL line, exit 1', async () => {
  const url = ['--url', (await ensureRelyingParty()).url];
  const good = await terminalCheck(['--p12', S.revocable, ...url], S.password);
  assert.equal(good.code, 0, good.stdout);
  await onshiOk(srv, ['admin', 'certificates', 'revoke', S.t02, '--reason', 'keyCompromise', '--operator', 'iss1']);
  const revokedAt = Date.now();
  let r;
  let ocspAfter;
  for (;;) {
    r = await terminalCheck(['--p12', S.revocable, ...url], S.password);
    if (ocspAfter === undefined && lineOf(r, 'ocsp')[0] === MARK.failed) ocspAfter = Date.now() - revokedAt;
    const refused = lineOf(r, 'relying_party')[0] === MARK.failed;
    if ((lineOf(r, 'crl')[0] === MARK.failed && refused) || Date.now() - revokedAt > (DELAY_S + 8) * 1000) break;
    await sleep(300);
  }
  assert.ok(ocspAfter !== undefined && ocspAfter < 3000, `OCSP said 失効 after ${ocspAfter} ms`);
  assert.equal(r.code, 1, r.stdout);
  expectMark(r, 'ocsp', 'failed');
  assert.ok(lineOf(r, 'ocsp').includes('失効しています'), lineOf(r, 'ocsp'));
  assert.ok(lineOf(r, 'ocsp').includes(MSG['revocation.reason.keyCompromise']), lineOf(r, 'ocsp'));
  expectMark(r, 'crl', 'failed');
  assert.ok(lineOf(r, 'crl').includes('失効しています'), lineOf(r, 'crl'));
  assert.equal(r.summary, MSG['terminal_check.summary.revoked']);
  assert.match(r.summary, /新しい電子証明書の発行申請/);
  expectMark(r, 'relying_party', 'failed');
  assert.ok(lineOf(r, 'relying_party').includes(head('terminal_check.relying_party.refused').replace('{0}', '')), lineOf(r, 'relying_party'));
  assert.match(lineOf(r, 'relying_party'), /失効/);
});
