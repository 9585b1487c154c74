// CRLs with the real `onshi serve` and CLI, read by the openssl CLI as a relying party reads them:
// the scheduler publishes a full and a delta CRL at start, a revocation by `onshi admin
// certificates revoke` reaches both within pki.crl_revocation_delay_seconds with its reason,
// `openssl verify -crl_check` (and -crl_check_all with the root's ARL, -use_deltas with a delta)
// refuses the revoked certificate and accepts the others, the CRL number grows across a restart,
// a delta lists only what changed since its base (two days let pass by moving the stored times
// back in the database), conditional GET answers 304, and a CRL of 100,000 entries (seeded through
// the store API by tests/support/seed_revoked_main.cpp) is published and parsed by openssl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  stopServer, restartServer, runOnshi, sleep, sqlRows, sqlExec, sqlHex, databaseUrl,
} from '../support/harness.mjs';
import {
  startServerWithCa, newClinic, applyForCertificates, createOperator,
} from '../support/back_office.mjs';
import { onshiOk as onshiOkOn } from '../support/pickup.mjs';

const exec = promisify(execFile);
const DAY_MS = 86_400_000;
const DELAY_S = 4; // pki.crl_revocation_delay_seconds: the scheduler looks every second
const SEED_BIN = process.env.ONSHI_SEED_REVOKED_BIN;

let srv;
let work;
const S = {};

const onshiOk = (args, opts) => onshiOkOn(srv, args, opts);

const sql = (query) => sqlRows(srv, query);

const caFile = (name) => path.join(srv.dataDir, 'ca', name);

/** GET /pki/crl/NAME: the response and, for a 200, the CRL written as DER and PEM. */
async function fetchCrl(name, headers = {}) {
  const res = await fetch(`${srv.baseUrl}/pki/crl/${name}`, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return { res, body };
  const der = path.join(work, `${name}.${Date.now()}.${Math.random().toString(36).slice(2)}.der`);
  await fsp.writeFile(der, body);
  const pem = `${der}.pem`;
  await exec('openssl', ['crl', '-inform', 'DER', '-in', der, '-out', pem]);
  const { stdout: text } = await exec('openssl', ['crl', '-inform', 'DER', '-in', der, '-noout', '-text'],
    { maxBuffer: 256 * 1024 * 1024 });
  const number = Number(/X509v3 CRL Number: \n\s*(\d+)/.exec(text)?.[1]);
  const base = /X509v3 Delta CRL Indicator: critical\n\s*(\d+)/.exec(text)?.[1];
  return { res, body, der, pem, text, number, base: base === undefined ? undefined : Number(base) };
}

/** Polls NAME until `ok(crl)`; fails after `ms`. Returns the CRL and how long it took. */
async function awaitCrl(name, ok, ms) {
  const start = Date.now();
  let last;
  while (Date.now() - start < ms) {
    last = await fetchCrl(name);
    if (last.res.status === 200 && ok(last)) return { ...last, took: Date.now() - start };
    await sleep(200);
  }
  assert.fail(`${name} did not change as expected within ${ms} ms; last:\n${last?.text ?? last?.res.status}`);
}

const lists = (crl, serial) => crl.text.includes(`Serial Number: ${serial.toUpperCase()}`);

/** The terminal certificate of 発行番号 `n` as PEM, and its serial. */
async function leaf(n) {
  const [row] = await sql(`SELECT ${sqlHex('der')} AS der, serial_hex FROM certificates WHERE issuance_number = '${n}'`);
  const der = path.join(work, `${n}.der`);
  await fsp.writeFile(der, Buffer.from(row.der, 'hex'));
  const pem = path.join(work, `${n}.pem`);
  await exec('openssl', ['x509', '-inform', 'DER', '-in', der, '-out', pem]);
  return { pem, serial: row.serial_hex };
}

/** `openssl verify` of `cert` against the CA folder's chain with `flags` and the CRL files. */
async function verify(cert, crls, flags = ['-crl_check']) {
  const args = ['verify', ...flags, '-CAfile', caFile('root.crt'), '-untrusted', caFile('issuing.crt')];
  for (const c of crls) args.push('-CRLfile', c);
  args.push(cert.pem);
  try {
    const { stdout, stderr } = await exec('openssl', args);
    return { ok: true, out: stdout + stderr };
  } catch (e) {
    return { ok: false, out: `${e.stdout}${e.stderr}` };
  }
}

async function revoke(n, reason) {
  await onshiOk(['admin', 'certificates', 'revoke', n, '--reason', reason, '--operator', 'iss1']);
  return Date.now();
}

before(async () => {
  ({ srv } = await startServerWithCa({
    name: 'crl', passphrase: 'CRL-test-CA-passphrase-2026',
    env: { ONSHI_CRL_REVOCATION_DELAY_SECONDS: String(DELAY_S) },
  }));
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-crl-'));
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${role} 担当`, role, password: 'operator passphrase for CRLs 2026' });
  }
  const clinic = await newClinic(srv, 'crl', { terminals: 4 });
  const app = await applyForCertificates(clinic, 4);
  await onshiOk(['admin', 'applications', 'approve', app, '--operator', 'rev1']);
  await onshiOk(['admin', 'applications', 'issue', app, '--operator', 'iss1']);
  for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) S[key] = { n: `${app}-0${i + 1}`, ...(await leaf(`${app}-0${i + 1}`)) };
  const arl = await onshiOk(['ca', 'sign-root-crl']);
  assert.match(arl.stdout, /ARL number 1, /, arl.stdout);
  S.arl = path.join(work, 'root.crl.pem');
  await exec('openssl', ['crl', '-inform', 'DER', '-in', caFile('root.crl'), '-out', S.arl]);
});
after(async () => {
  await stopServer(srv);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

test('at start the scheduler publishes a full and a delta CRL of the issuing CA, DER and signed', async () => {
  const full = await awaitCrl('issuing.crl', () => true, 10_000);
  assert.equal(full.res.headers.get('content-type'), 'application/pkix-crl');
  const { stdout, stderr } = await exec('openssl', ['crl', '-inform', 'DER', '-in', full.der, '-noout', '-CAfile', caFile('issuing.crt')]);
  assert.match(stdout + stderr, /verify OK/);
  assert.match(full.text, /Issuing Distribution Point: critical/);
  assert.ok(full.text.includes(`URI:${srv.publicBaseUrl}/pki/crl/issuing.crl`), full.text);
  assert.ok(full.text.includes(`URI:${srv.publicBaseUrl}/pki/crl/issuing-delta.crl`), 'freshestCRL');
  assert.match(full.text, /No Revoked Certificates/);
  const delta = await fetchCrl('issuing-delta.crl');
  assert.equal(delta.res.status, 200);
  assert.ok(delta.number > full.number, `delta ${delta.number} after full ${full.number}`);
  assert.ok(delta.base <= full.number, delta.text);
  const other = await fetch(`${srv.baseUrl}/pki/crl/issuing-0badc0de.crl`);
  assert.equal(other.status, 404);
  const { stdout: fresh } = await exec('openssl', ['x509', '-in', S.a.pem, '-noout', '-ext', 'freshestCRL']);
  assert.ok(fresh.includes(`URI:${srv.publicBaseUrl}/pki/crl/issuing-delta.crl`), `certificates name the delta: ${fresh}`);
  S.firstFull = full;
});

test('a revocation by the CLI is on the full and the delta CRL within the delay, with its reason', async () => {
  const at = await revoke(S.a.n, 'keyCompromise');
  const full = await awaitCrl('issuing.crl', (c) => lists(c, S.a.serial), DELAY_S * 1000 + 3000);
  assert.ok(Date.now() - at <= DELAY_S * 1000 + 3000, `published ${Date.now() - at} ms after the revocation`);
  assert.ok(full.number > S.firstFull.number);
  assert.match(full.text, /Key Compromise/);
  assert.ok(!lists(full, S.b.serial), full.text);
  const delta = await fetchCrl('issuing-delta.crl');
  assert.ok(lists(delta, S.a.serial), delta.text);
  assert.match(delta.text, /Key Compromise/);
  S.fullA = full;
});

test('openssl verify -crl_check with the fetched CRL refuses the revoked certificate and accepts another', async () => {
  const revoked = await verify(S.a, [S.fullA.pem]);
  assert.equal(revoked.ok, false, revoked.out);
  assert.match(revoked.out, /certificate revoked/);
  const good = await verify(S.b, [S.fullA.pem]);
  assert.equal(good.ok, true, good.out);
  // The whole chain: the root's ARL says the issuing CA is not revoked.
  const all = await verify(S.b, [S.fullA.pem, S.arl], ['-crl_check_all']);
  assert.equal(all.ok, true, all.out);
  const allRevoked = await verify(S.a, [S.fullA.pem, S.arl], ['-crl_check_all']);
  assert.match(allRevoked.out, /certificate revoked/);
  const noArl = await verify(S.b, [S.fullA.pem], ['-crl_check_all']);
  assert.equal(noArl.ok, false, 'without the ARL the chain cannot be checked');
  assert.match(noArl.out, /unable to get certificate CRL/);
});

test('If-None-Match and If-Modified-Since answer 304; the caching headers end at nextUpdate', async () => {
  const res = await fetch(`${srv.baseUrl}/pki/crl/issuing.crl`);
  const etag = res.headers.get('etag');
  assert.equal(etag, `"${S.fullA.number}"`);
  const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control'))?.[1]);
  assert.ok(maxAge > 23 * 3600 && maxAge <= 24 * 3600, res.headers.get('cache-control'));
  assert.ok(res.headers.get('cache-control').startsWith('public'));
  const nextUpdate = /Next Update: (.+)/.exec(S.fullA.text)[1];
  assert.equal(Date.parse(res.headers.get('expires')), Date.parse(nextUpdate));
  const lastUpdate = /Last Update: (.+)/.exec(S.fullA.text)[1];
  assert.equal(Date.parse(res.headers.get('last-modified')), Date.parse(lastUpdate));
  const again = await fetch(`${srv.baseUrl}/pki/crl/issuing.crl`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  const since = await fetch(`${srv.baseUrl}/pki/crl/issuing.crl`, { headers: { 'If-Modified-Since': res.headers.get('last-modified') } });
  assert.equal(since.status, 304);
  const other = await fetch(`${srv.baseUrl}/pki/crl/issuing.crl`, { headers: { 'If-None-Match': '"1"' } });
  assert.equal(other.status, 200);
  const root = await fetch(`${srv.baseUrl}/pki/crl/root.crl`);
  assert.equal(root.status, 200);
  assert.equal(root.headers.get('content-type'), 'application/pkix-crl');
  assert.deepEqual(Buffer.from(await root.arrayBuffer()), await fsp.readFile(caFile('root.crl')));
});

test('the number grows across a restart; a delta lists only what changed since its base; -use_deltas reads it', async () => {
  const before = (await fetchCrl('issuing-delta.crl')).number;
  // Two days pass while the server is down: every CRL so far has expired, and A was revoked long
  // before the next base (the stored times moved back: the only way to let the days pass).
  await restartServer(srv, {
    whileStopped: () => sqlExec(srv,
      `UPDATE crls SET this_update = this_update - ${2 * DAY_MS}, next_update = next_update - ${2 * DAY_MS},
         created_at = created_at - ${2 * DAY_MS};
       UPDATE certificates SET revoked_at = revoked_at - ${2 * DAY_MS} WHERE revoked_at IS NOT NULL;`),
  });
  const base = await awaitCrl('issuing.crl', (c) => c.number > before, 10_000);
  assert.ok(lists(base, S.a.serial), 'A is still on the full CRL');
  const empty = await fetchCrl('issuing-delta.crl');
  assert.equal(empty.base, base.number, 'no earlier full CRL is valid: the delta is on the new one');
  assert.ok(!lists(empty, S.a.serial), empty.text);

  await revoke(S.b.n, 'cessationOfOperation');
  const delta = await awaitCrl('issuing-delta.crl', (c) => lists(c, S.b.serial), DELAY_S * 1000 + 3000);
  assert.equal(delta.base, base.number, delta.text);
  assert.ok(!lists(delta, S.a.serial), `A was revoked before the base: ${delta.text}`);
  assert.match(delta.text, /Cessation Of Operation/);
  const full = await fetchCrl('issuing.crl');
  assert.ok(lists(full, S.a.serial) && lists(full, S.b.serial), full.text);

  // The base alone still accepts B; with the delta (-use_deltas), B is revoked.
  const stale = await verify(S.b, [base.pem]);
  assert.equal(stale.ok, true, stale.out);
  const withDelta = await verify(S.b, [base.pem, delta.pem], ['-crl_check', '-use_deltas']);
  assert.equal(withDelta.ok, false, withDelta.out);
  assert.match(withDelta.out, /certificate revoked/);
  const other = await verify(S.c, [base.pem, delta.pem], ['-crl_check', '-use_deltas']);
  assert.equal(other.ok, true, other.out);
});

test('onshi ca sign-root-crl --revoke: the next ARL lists the issuing CA, and every terminal fails -crl_check_all', async () => {
  const { stdout } = await exec('openssl', ['x509', '-in', caFile('issuing.crt'), '-noout', '-serial']);
  const serial = stdout.trim().split('=')[1];
  const bad = await runOnshi(srv, ['ca', 'sign-root-crl', '--revoke', serial]);
  assert.equal(bad.code, 2, 'a reason is required');
  const r = await onshiOk(['ca', 'sign-root-crl', '--revoke', serial, '--reason', 'cACompromise']);
  assert.match(r.stdout, /ARL number 2, .*1 revoked/, r.stdout);
  const arl = await fetchCrl('root.crl');
  assert.equal(arl.number, 2);
  assert.ok(lists(arl, serial), arl.text);
  assert.match(arl.text, /CA Compromise/);
  assert.match(arl.text, /Only CA Certificates/);
  const full = await fetchCrl('issuing.crl');
  const refused = await verify(S.c, [full.pem, arl.pem], ['-crl_check_all']);
  assert.equal(refused.ok, false, refused.out);
  assert.match(refused.out, /certificate revoked/);
});

test('a CRL of 100,000 revoked certificates is published and parsed by openssl crl', async () => {
  assert.ok(SEED_BIN, 'ONSHI_SEED_REVOKED_BIN names tests/support/seed_revoked_main.cpp');
  const { stdout } = await exec(SEED_BIN, [databaseUrl(srv), S.d.serial, '100000']);
  assert.equal(stdout.trim(), '100000');
  // Every one of them: on PostgreSQL they are stored a few thousand a transaction, and a CRL may
  // be signed between two.
  const entries = (c) => (c.text.match(/Serial Number: /g) ?? []).length;
  const crl = await awaitCrl('issuing.crl', (c) => entries(c) >= 100_002, 60_000);
  const { stdout: verified, stderr } = await exec('openssl', ['crl', '-inform', 'DER', '-in', crl.der, '-noout', '-CAfile', caFile('issuing.crt')]);
  assert.match(verified + stderr, /verify OK/);
  assert.equal(entries(crl), 100_000 + 2, 'the seeded ones, A and B');
  const delta = await fetchCrl('issuing-delta.crl');
  assert.ok(delta.text.match(/Serial Number: /g).length >= 100_000, 'revoked since the base: on the delta too');
});
