// Hostile JSON bodies against the real server: the probe's body of 250,000 '[' once killed the whole
// process (portal, back office and CA). Every JSON endpoint now answers a problem, and the server
// stays up to serve the next request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, createApiToken, apiRequest, rawRequest,
} from '../support/harness.mjs';

let srv;
let token;

before(async () => {
  srv = await startServer({ name: 'json_bodies' });
  const acct = await srv.createAccount({
    email: freshEmail('json'), password: strongPassword('json'), institutionCode: freshInstitutionCode(),
  });
  ({ token } = await createApiToken(srv, { email: acct.email, label: 'テストベンダ株式会社' }));
});
after(async () => { await stopServer(srv); });

const ENDPOINTS = [
  '/api/v1/usage-applications/check',
  '/api/v1/usage-applications',
  '/api/v1/usage-applications/U-00000001/changes',
];

const n = 250000;
const BODIES = {
  'the probe: deep arrays under vendor': `{"vendor":${'['.repeat(n)}${']'.repeat(n)}}`,
  'deep objects under line_type': `{"line_type":${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}}`,
  'deep arrays at the top': `${'['.repeat(20000)}${']'.repeat(20000)}`,
  'deep arrays never closed': `{"vendor":${'['.repeat(n)}`,
};

async function assertAlive(what) {
  const res = await fetch(`${srv.baseUrl}/healthz`);
  assert.equal(res.status, 200, `${what}: the server still answers /healthz`);
  assert.ok(srv.alive, `${what}: the server process is alive`);
}

for (const path of ENDPOINTS) {
  test(`${path}: deep bodies get a problem, not a crash`, async () => {
    for (const [what, body] of Object.entries(BODIES)) {
      const r = await apiRequest(srv.baseUrl, 'POST', path, {
        token, body, headers: { 'content-type': 'application/json', 'idempotency-key': `deep-${what.length}` },
      });
      assert.ok([400, 413].includes(r.status), `${what}: status ${r.status}: ${r.text.slice(0, 300)}`);
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
      await assertAlive(`${path}, ${what}`);
    }
    // Within the size limit the problem says that the nesting is what was refused.
    const deep = await apiRequest(srv.baseUrl, 'POST', path, {
      token, body: `{"vendor":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'deep-within-size' },
    });
    assert.equal(deep.status, 400, deep.text);
    assert.equal(deep.json.code, 'too-deep');
    assert.match(deep.json.detail, /32段/);
  });
}

test('nesting up to 32 levels is read as usual', async () => {
  const r = await apiRequest(srv.baseUrl, 'POST', '/api/v1/usage-applications/check', {
    // The body object and 31 arrays inside it: 32 levels.
    token, json: { line_type: 'ipsec_ike', extra: JSON.parse(`${'['.repeat(31)}${']'.repeat(31)}`) },
  });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.type.endsWith('/problems/validation'), true);
  assert.ok(r.json.errors.some((e) => e.field === 'terminals'), 'the fields are checked as usual');
});

test('a path that is not UTF-8 gets its problem, not a 500', async () => {
  // Raw bytes 0xFF 0xFE in the path: the problem's `instance` repeats the path, and a JSON writer
  // that throws on invalid UTF-8 turned this into a 500.
  const head = Buffer.from(`GET /api/v1/usage-applications/U-\xff\xfe HTTP/1.1\r\nHost: x\r\n`
    + `Authorization: Bearer ${token}\r\nConnection: close\r\n\r\n`, 'latin1');
  const r = await rawRequest(srv.port, [head]);
  assert.equal(r.status, 404, r.head);
  assert.match(r.head, /content-type: application\/problem\+json/i);
  JSON.parse(r.body);
});
