// The TLS listener of `onshi serve` (issue 15), beside the plain one: its certificate comes from
// the server's own CA (`onshi ca server-cert`) and curl and openssl s_client check it against the
// root; TLS 1.2 and 1.3 only, 1.2 with ECDHE and AEAD only; a client certificate is asked for,
// naming our CA, and never required, so that one of another CA still gets through; garbage and
// plain HTTP on the TLS port leave both listeners serving; a key that is not the certificate's
// stops the server at startup. What the app receives of a client certificate is
// tests/unit/web/tls_listener_test.cpp's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ONSHI_BIN, stopServer, freePort } from '../support/harness.mjs';
import { startServerWithCa, withTlsListener } from '../support/back_office.mjs';
import { tool } from '../support/est.mjs';

const PASSPHRASE = 'Hibari-Tsubaki-TLS-passphrase-2026';
let srv;
let work; // keys and certificates made here
let root; // the CA's root certificate, the only trust anchor the clients are given
let issuingCa;

const hostPort = () => `127.0.0.1:${srv.tls.port}`;
const sClient = (args, opts) => tool('openssl', ['s_client', '-connect', hostPort(), '-CAfile', root, ...args], opts);
const curlTls = (args, p = '/healthz') => tool('curl', ['-sS', '--max-time', '10', ...args, `${srv.tlsUrl}${p}`]);

/** A P-256 key and a clientAuth certificate for `cn`, signed by `ca` (files under work/). */
async function clientCertificate(name, cn, ca) {
  const file = (ext) => path.join(work, `${name}.${ext}`);
  assert.equal((await tool('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('key')])).code, 0);
  const req = await tool('openssl', ['req', '-new', '-key', file('key'), '-subj', `/CN=${cn}`, '-out', file('csr')]);
  assert.equal(req.code, 0, req.out);
  const ext = path.join(work, 'client.ext');
  await fsp.writeFile(ext, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  const signed = await tool('openssl', ['x509', '-req', '-in', file('csr'), '-CA', ca.cert, '-CAkey', ca.key,
    ...(ca.passEnv ? ['-passin', `env:${ca.passEnv}`] : []), '-set_serial', `0x${crypto.randomBytes(8).toString('hex')}`,
    '-days', '1', '-extfile', ext, '-out', file('crt')], { env: srv.env });
  assert.equal(signed.code, 0, signed.out);
  return { cert: file('crt'), key: file('key') };
}

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'tls_listener', passphrase: PASSPHRASE }));
  await withTlsListener(srv);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-tls-listener-'));
  root = path.join(srv.dataDir, 'ca', 'root.crt');
  issuingCa = { cert: path.join(srv.dataDir, 'ca', 'issuing.crt'), key: path.join(srv.dataDir, 'ca', 'issuing.key'),
    passEnv: 'ONSHI_CA_PASSPHRASE' };
});
after(async () => {
  await stopServer(srv);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

test('serve prints the https URL on a line of its own, after the plain one', async () => {
  const out = await fsp.readFile(srv.stdoutFile, 'utf8');
  const plain = `onshi: serving ${srv.publicBaseUrl} (listening on 127.0.0.1:${srv.port})\n`;
  const tls = `onshi: serving https://${hostPort()} (TLS)\n`;
  assert.ok(out.includes(plain + tls), out);
});

test('curl trusting only the root reaches /healthz by IP address and by host name', async () => {
  const byIp = await curlTls(['--cacert', root]);
  assert.equal(byIp.code, 0, byIp.out);
  assert.equal(JSON.parse(byIp.out).status, 'ok');
  const byName = await tool('curl', ['-sS', '--max-time', '10', '--cacert', root, '--resolve', `localhost:${srv.tls.port}:127.0.0.1`,
    `https://localhost:${srv.tls.port}/healthz`]);
  assert.equal(byName.code, 0, byName.out);
  // Without our root curl has nothing to verify the chain against: exit 60, the certificate.
  const untrusted = await curlTls([]);
  assert.equal(untrusted.code, 60, untrusted.out);
  // A name the certificate does not carry.
  const wrongName = await tool('curl', ['-sS', '--max-time', '10', '--cacert', root, '--resolve', `portal.example.jp:${srv.tls.port}:127.0.0.1`,
    `https://portal.example.jp:${srv.tls.port}/healthz`]);
  assert.equal(wrongName.code, 60, wrongName.out);
});

test('s_client verifies the chain, and the CertificateRequest names the issuing CA and the root', async () => {
  for (const version of ['-tls1_3', '-tls1_2']) {
    const r = await sClient([version, '-verify_return_error', '-verify_ip', '127.0.0.1']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Verify return code: 0 \(ok\)/);
    const names = /Acceptable client certificate CA names\n((?:.+\n)+?)(?:Client Certificate Types|Requested Signature)/.exec(r.out);
    assert.ok(names, `a list of CA names in:\n${r.out}`);
    assert.match(names[1], /CN = onshi Issuing CA G1/);
    assert.match(names[1], /CN = onshi Root CA G1/);
    // The server sends its certificate and the issuing CA's, not the root.
    assert.match(r.out, /1 s:C = JP, O = onshi, CN = onshi Issuing CA G1/);
    assert.doesNotMatch(r.out, /2 s:/);
  }
  const tls12 = await sClient(['-tls1_2']);
  assert.match(tls12.out, /Cipher is ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)/, tls12.out);
});

test('TLS 1.0 and 1.1 are refused by the server, and so are TLS 1.2 suites without ECDHE or AEAD', async () => {
  // SECLEVEL=0: OpenSSL 3's client would not even offer TLS 1.1 otherwise, and the refusal must be
  // the server's (its protocol_version alert), not the client's.
  for (const version of ['-tls1', '-tls1_1']) {
    const r = await sClient([version, '-cipher', 'DEFAULT@SECLEVEL=0']);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /alert protocol version/, r.out);
  }
  for (const cipher of ['AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384']) {
    const r = await sClient(['-tls1_2', '-cipher', cipher]);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /alert handshake failure/, `${cipher}: ${r.out}`);
  }
});

test('a client certificate is asked for, never required: ours and one of another CA both get through', async () => {
  const ours = await clientCertificate('ours', '1310123455-T01', issuingCa);
  const nobodyKey = path.join(work, 'nobody.key');
  const nobodyCrt = path.join(work, 'nobody.crt');
  assert.equal((await tool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', nobodyKey, '-subj', "/CN=Nobody's CA", '-days', '1', '-out', nobodyCrt])).code, 0);
  const theirs = await clientCertificate('theirs', '1310123455-T01', { cert: nobodyCrt, key: nobodyKey });
  for (const [who, c] of [['ours', ours], ['another CA', theirs]]) {
    const r = await curlTls(['--cacert', root, '--cert', c.cert, '--key', c.key]);
    assert.equal(r.code, 0, `${who}: ${r.out}`);
    assert.equal(JSON.parse(r.out).status, 'ok');
    const s = await sClient(['-cert', c.cert, '-key', c.key, '-verify_return_error']);
    assert.equal(s.code, 0, `${who}: ${s.out}`);
    assert.match(s.out, /Verify return code: 0 \(ok\)/);
  }
  const none = await curlTls(['--cacert', root]);
  assert.equal(none.code, 0, none.out);
});

/** Writes `bytes` to the TLS port; resolves once the server has closed the connection. */
function sendAndWaitForClose(bytes) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port: srv.tls.port }, () => sock.write(bytes));
    let received = Buffer.alloc(0);
    sock.on('data', (d) => { received = Buffer.concat([received, d]); });
    sock.setTimeout(15000, () => { sock.destroy(); reject(new Error('the server kept the connection open')); });
    sock.on('error', () => {}); // a reset is a close too
    sock.on('close', () => resolve(received));
  });
}

test('garbage and plain HTTP on the TLS port are closed; both listeners keep serving', async () => {
  const plainHttp = await sendAndWaitForClose('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  assert.doesNotMatch(plainHttp.toString('latin1'), /^HTTP\/1\.1 200/, 'no answer in the clear');
  await sendAndWaitForClose(crypto.randomBytes(4096));
  // A ClientHello header that promises more than it sends, then nothing: the handshake deadline.
  await sendAndWaitForClose(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc]));
  assert.ok(srv.alive, 'onshi still running');
  const tls = await curlTls(['--cacert', root]);
  assert.equal(tls.code, 0, tls.out);
  const plain = await fetch(`${srv.baseUrl}/healthz`);
  assert.equal(plain.status, 200);
  const log = await fsp.readFile(srv.stderrFile, 'utf8');
  assert.match(log, /TLS handshake from 127\.0\.0\.1 failed: http request/);
  assert.match(log, /TLS handshake from 127\.0\.0\.1 failed: no handshake within the time limit/);
});

test('a key that is not the certificate\'s, or a missing file, stops serve at startup with the reason', async () => {
  const otherKey = path.join(work, 'other.key');
  assert.equal((await tool('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey])).code, 0);
  const serve = async (cert, key) => tool(ONSHI_BIN, ['serve', '--data', srv.dataDir, '--listen', `127.0.0.1:${await freePort([srv.port])}`,
    '--tls-listen', `127.0.0.1:${await freePort([srv.port, srv.tls.port])}`, '--tls-cert', cert, '--tls-key', key], { env: srv.env });
  const mismatch = await serve(srv.tls.certFile, otherKey);
  assert.equal(mismatch.code, 1, mismatch.out);
  assert.match(mismatch.out, /onshi: server\.tls_key_file .*other\.key is not the key of the certificate in server\.tls_cert_file/);
  const missing = await serve(path.join(work, 'missing.crt'), srv.tls.keyFile);
  assert.equal(missing.code, 1, missing.out);
  assert.match(missing.out, /onshi: server\.tls_cert_file .*missing\.crt: cannot read it \(No such file or directory\)/);
  const noKey = await tool(ONSHI_BIN, ['serve', '--data', srv.dataDir, '--tls-listen', '127.0.0.1:1'], { env: srv.env });
  assert.equal(noKey.code, 1, noKey.out);
  assert.match(noKey.out, /server\.tls_listen is set: server\.tls_cert_file and server\.tls_key_file must be too/);
});
