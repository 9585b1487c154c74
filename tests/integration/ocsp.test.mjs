// The OCSP responder of the real `onshi serve`, asked by `openssl ocsp` as a relying party asks
// (RFC 6960, RFC 5019): good with and without a nonce, revoked with its reason at once after
// `onshi admin certificates revoke`, the delegated responder certificate (EKU OCSPSigning,
// nocheck) verifying to the root, unknown and unauthorized, the GET form with its RFC 5019
// caching headers, and bad requests answered malformedRequest (or 415) with the server still up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stopServer, sqlRows, sqlHex } from '../support/harness.mjs';
import {
  startServerWithCa, newClinic, applyForCertificates, createOperator,
} from '../support/back_office.mjs';
import { onshiOk, approveAndIssue } from '../support/pickup.mjs';

const exec = promisify(execFile);
// OCSPResponse { responseStatus malformedRequest (1) }, without responseBytes.
const MALFORMED = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]);

let srv;
let work;
const S = {};
const ca = (name) => path.join(srv.dataDir, 'ca', name);

const sql = (query) => sqlRows(srv, query);

/** `openssl ocsp` against the server; exit code and both outputs, whatever the code. */
async function ocsp(args) {
  try {
    const { stdout, stderr } = await exec('openssl', ['ocsp', '-url', `${srv.baseUrl}/pki/ocsp`, ...args]);
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    return { code: e.code, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}
const verifyArgs = (cert) => ['-issuer', ca('issuing.crt'), '-cert', cert, '-CAfile', ca('root.crt')];

async function post(body, contentType = 'application/ocsp-request') {
  const res = await fetch(`${srv.baseUrl}/pki/ocsp`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

/** `openssl ocsp -reqout` for one certificate, the request's DER. */
async function requestFor(cert, flags = ['-no_nonce']) {
  const file = path.join(work, `req-${path.basename(cert)}.der`);
  await exec('openssl', ['ocsp', '-issuer', ca('issuing.crt'), '-cert', cert, ...flags, '-reqout', file]);
  return fsp.readFile(file);
}

async function respText(der, cert) {
  const file = path.join(work, 'resp.der');
  await fsp.writeFile(file, der);
  const args = ['ocsp', '-respin', file, '-resp_text'];
  if (cert) args.push(...verifyArgs(cert), '-no_nonce');
  else args.push('-noverify');
  try {
    const { stdout, stderr } = await exec('openssl', args);
    return stdout + stderr;
  } catch (e) {
    return (e.stdout ?? '') + (e.stderr ?? ''); // an error response exits 1
  }
}

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'ocsp', passphrase: 'OCSP-responder-CA-passphrase-2026' }));
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-ocsp-'));
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${role} 担当`, role, password: 'operator passphrase for ocsp 2026' });
  }
  const clinic = await newClinic(srv, 'ocspA', { institutionName: '医療法人テスト会 おーしーえすぴー診療所', terminals: 3 });
  const app = await applyForCertificates(clinic, 3);
  await approveAndIssue(srv, app);
  S.numbers = [1, 2, 3].map((i) => `${app}-0${i}`);
  S.pem = {};
  for (const n of S.numbers) {
    const [row] = await sql(`SELECT ${sqlHex('der')} AS der FROM certificates WHERE issuance_number = '${n}'`);
    const der = path.join(work, `${n}.der`);
    await fsp.writeFile(der, Buffer.from(row.der, 'hex'));
    S.pem[n] = path.join(work, `${n}.pem`);
    await exec('openssl', ['x509', '-inform', 'DER', '-in', der, '-out', S.pem[n]]);
  }
});
after(async () => {
  await stopServer(srv);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

test('openssl ocsp: good, with a nonce (the default) and with -no_nonce', async () => {
  const cert = S.pem[S.numbers[0]];
  const withNonce = await ocsp(verifyArgs(cert));
  assert.equal(withNonce.code, 0, withNonce.out);
  assert.match(withNonce.out, /Response verify OK/);
  assert.ok(withNonce.out.includes(`${cert}: good`), withNonce.out);
  assert.doesNotMatch(withNonce.out, /WARNING: no nonce/);
  const noNonce = await ocsp([...verifyArgs(cert), '-no_nonce']);
  assert.equal(noNonce.code, 0, noNonce.out);
  assert.ok(noNonce.out.includes(`${cert}: good`), noNonce.out);
  assert.match(noNonce.out, /This Update: .*\n\s*Next Update: /);
});

test('after onshi admin certificates revoke, revoked with its reason at once', async () => {
  const n = S.numbers[1];
  const cert = S.pem[n];
  // The pre-produced response is stored before the revocation...
  assert.ok((await ocsp([...verifyArgs(cert), '-no_nonce'])).out.includes(`${cert}: good`));
  await onshiOk(srv, ['admin', 'certificates', 'revoke', n, '--reason', 'keyCompromise', '--operator', 'iss1']);
  const revokedAt = Date.now();
  // Another process revoked: the server drops what it holds in memory within
  // pki.ocsp_cache_check_ms (100 ms), and never serves the good answer after that.
  let first;
  do {
    first = await ocsp([...verifyArgs(cert), '-no_nonce']);
  } while (!first.out.includes(`${cert}: revoked`) && Date.now() - revokedAt < 2000);
  assert.ok(first.out.includes(`${cert}: revoked`), first.out);
  assert.ok(Date.now() - revokedAt < 1000, `revoked after ${Date.now() - revokedAt} ms`);
  for (const flags of [['-no_nonce'], []]) {
    const r = await ocsp([...verifyArgs(cert), ...flags]);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.out.includes(`${cert}: revoked`), r.out);
    assert.match(r.out, /Reason: keyCompromise/);
    assert.match(r.out, /Revocation Time: /);
  }
});

test('the responder certificate: EKU OCSPSigning, nocheck, verifies to the root', async () => {
  const { res, body } = await post(await requestFor(S.pem[S.numbers[0]]));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/ocsp-response');
  const text = await respText(body);
  assert.match(text, /Responder Id: [0-9A-F]{40}/, 'byKey');
  assert.match(text, /OCSP Signing/);
  assert.match(text, /OCSP No Check/);
  const pem = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/)[0];
  const file = path.join(work, 'responder.pem');
  await fsp.writeFile(file, pem);
  const { stdout } = await exec('openssl', ['verify', '-purpose', 'ocsphelper', '-CAfile', ca('root.crt'),
    '-untrusted', ca('issuing.crt'), file]);
  assert.match(stdout, /: OK/);
  const [row] = await sql("SELECT count(*) AS n FROM audit_log WHERE action = 'ocsp.responder_issue'");
  assert.equal(row.n, 1, 'issued once at start, with its audit record');
});

test('an unknown serial is unknown; another issuer is unauthorized', async () => {
  const unknown = await ocsp(['-issuer', ca('issuing.crt'), '-serial', '0x5f3a00112233445566778899aabbccdd',
    '-CAfile', ca('root.crt')]);
  assert.match(unknown.out, /: unknown/, unknown.out);
  assert.match(unknown.out, /Response verify OK/);
  const other = await ocsp(['-issuer', ca('root.crt'), '-serial', '0x01', '-CAfile', ca('root.crt')]);
  assert.match(other.out, /Responder Error: unauthorized \(6\)/, other.out);
});

test('GET with the request base64 in the path: the RFC 5019 caching headers, then 304', async () => {
  const cert = S.pem[S.numbers[2]];
  const b64 = (await requestFor(cert)).toString('base64');
  const url = `${srv.baseUrl}/pki/ocsp/${encodeURIComponent(b64)}`;
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/ocsp-response');
  const cc = res.headers.get('cache-control');
  const m = cc.match(/^max-age=(\d+), public, no-transform, must-revalidate$/);
  assert.ok(m, cc);
  const maxAge = Number(m[1]);
  assert.ok(maxAge > 11 * 3600 && maxAge <= 12 * 3600, `max-age ${maxAge}: until nextUpdate, 12 hours`);
  const expires = Date.parse(res.headers.get('expires'));
  const modified = Date.parse(res.headers.get('last-modified'));
  assert.ok(expires - modified === 12 * 3600 * 1000, `${res.headers.get('last-modified')} .. ${res.headers.get('expires')}`);
  const etag = res.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const body = Buffer.from(await res.arrayBuffer());
  assert.ok((await respText(body, cert)).includes(`${cert}: good`));
  // The same bytes from POST: one pre-produced response.
  assert.deepEqual((await post(await requestFor(cert))).body, body);
  // A '/' of base64 left unescaped works too (RFC 6960 appendix A leaves it to the client).
  const raw = await fetch(`${srv.baseUrl}/pki/ocsp/${b64.replace(/\+/g, '%2B').replace(/=/g, '%3D')}`);
  assert.equal(raw.status, 200);
  assert.deepEqual(Buffer.from(await raw.arrayBuffer()), body);
  const again = await fetch(url, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
});

test('truncated, oversized, wrong-version and garbage requests: malformedRequest, and the server still answers', async () => {
  const good = await requestFor(S.pem[S.numbers[0]]);
  // TBSRequest with an explicit version 2 ([0] INTEGER 1) before the requestList.
  const tbs = good.subarray(2, 2 + 2 + good[3]);
  const versioned = Buffer.concat([Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x01]), tbs.subarray(2)]);
  const tbs2 = Buffer.concat([Buffer.from([0x30, versioned.length]), versioned]);
  const wrongVersion = Buffer.concat([Buffer.from([0x30, tbs2.length]), tbs2]);
  const cases = {
    truncated: good.subarray(0, good.length - 7),
    oversized: Buffer.concat([good, Buffer.alloc(70 * 1024, 0x41)]),
    wrongVersion,
    garbage: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    empty: Buffer.alloc(0),
  };
  for (const [name, body] of Object.entries(cases)) {
    const r = await post(body);
    assert.equal(r.res.status, 200, name);
    assert.deepEqual(r.body, MALFORMED, `${name}: malformedRequest`);
    assert.equal(r.res.headers.get('cache-control'), 'no-store', name);
  }
  assert.match(await respText(MALFORMED), /malformedrequest \(1\)/);
  for (const bad of ['%%%', 'not*base64', 'MIIB']) {
    const res = await fetch(`${srv.baseUrl}/pki/ocsp/${bad}`);
    assert.ok(res.status === 200 || res.status === 400, `${bad}: ${res.status}`);
    if (res.status === 200) assert.deepEqual(Buffer.from(await res.arrayBuffer()), MALFORMED, bad);
  }
  assert.equal((await post(good, 'application/octet-stream')).res.status, 415);
  const health = await fetch(`${srv.baseUrl}/healthz`);
  assert.equal(health.status, 200);
  const metrics = await (await fetch(`${srv.baseUrl}/metrics`)).text();
  const count = Number(metrics.match(/onshi_ocsp_responses_total\{outcome="malformed"\} (\d+)/)[1]);
  assert.ok(count >= 8, metrics);
});
