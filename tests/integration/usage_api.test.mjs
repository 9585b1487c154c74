// The JSON API for vendors (docs/api.md): API tokens from `onshi account token`, the usage
// application's check / first / change / list / one, RFC 9457 problems, idempotency, isolation
// between institutions, session cookies, revocation and the acceptance mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, pageText, sleep, jstDate, toFullWidth,
  loadMessages, createApiToken, revokeApiToken, runOnshi, apiRequest, MAIL_FROM, SUBJECT_USAGE_ACCEPTED,
} from '../support/harness.mjs';

const MSG = loadMessages();
const start = jstDate(30);
const BODY = {
  line_type: 'flets_next_east',
  customer_id: 'CAF1234567890',
  start_date: start.iso,
  terminals: 2,
  vendor: { name: 'テストベンダ株式会社', contact: '山田 太郎', phone: '03-1234-5678' },
};
const NORMALIZED = { ...BODY };

let srv;
const A = {};
const B = {};

before(async () => {
  srv = await startServer({ name: 'usage_api' });
  for (const [who, tag, name] of [[A, 'apia', '医療法人テスト会 しらかば診療所'], [B, 'apib', '医療法人べつの会 もみじ医院']]) {
    who.acct = await srv.createAccount({
      email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(), institutionName: name,
    });
    const t = await createApiToken(srv, { email: who.acct.email, label: 'テストベンダ株式会社' });
    who.token = t.token;
    who.tokenId = t.id;
  }
});
after(async () => { await stopServer(srv); });

const api = (method, p, opts = {}) => apiRequest(srv.baseUrl, method, p, opts);

function assertProblem(r, status, type, what) {
  assert.equal(r.status, status, `${what}: status ${r.status}: ${r.text.slice(0, 500)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/i, `${what}: content type`);
  assert.ok(r.json && typeof r.json === 'object', `${what}: a JSON body: ${r.text.slice(0, 300)}`);
  assert.equal(r.json.status, status, `${what}: problem.status`);
  assert.ok(typeof r.json.type === 'string' && r.json.type.endsWith(`/problems/${type}`),
    `${what}: problem.type ${r.json.type} should end with /problems/${type}`);
  assert.ok(typeof r.json.title === 'string' && r.json.title.length > 0, `${what}: problem.title`);
  assert.ok(!/sqlite|exception|std::|\.cpp/i.test(r.text), `${what}: no internal detail: ${r.text}`);
  return r.json;
}

function locPath(loc) {
  return loc ? new URL(loc, srv.baseUrl).pathname : loc;
}

function assertApplication(a, { number, version, kind, changes, terminals = 2 }) {
  if (number) assert.equal(a.number, number);
  assert.match(a.number, /^U-\d{8}$/);
  assert.equal(a.version, version);
  assert.equal(a.kind, kind);
  assert.equal(a.changes, changes);
  assert.equal(a.status, 'finalized');
  assert.match(a.finalized_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, `finalized_at ${a.finalized_at}`);
  assert.ok(Math.abs(Date.parse(a.finalized_at) - Date.now()) < 10 * 60 * 1000, `finalized_at is now: ${a.finalized_at}`);
  assert.equal(a.line_type, 'flets_next_east');
  assert.equal(a.customer_id, 'CAF1234567890');
  assert.equal(a.start_date, start.iso);
  assert.equal(a.terminals, terminals);
  assert.deepEqual(a.vendor, BODY.vendor);
}

test('GET /api/v1/institution with a Bearer token; 401 problems without', async () => {
  const r = await api('GET', '/api/v1/institution', { token: A.token });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/i);
  assert.equal(r.json.name, A.acct.institutionName);
  assert.equal(r.json.code, A.acct.institutionCode);
  assert.equal(r.json.email, A.acct.email);
  const rb = await api('GET', '/api/v1/institution', { token: B.token });
  assert.equal(rb.json.code, B.acct.institutionCode);

  for (const [what, opts] of [
    ['no credentials', {}],
    ['unknown token', { token: `onshi_${crypto.randomBytes(32).toString('base64url')}` }],
    ['token with a changed character', { token: A.token.slice(0, -1) + (A.token.endsWith('A') ? 'B' : 'A') }],
    ['Basic auth', { headers: { authorization: `Basic ${Buffer.from(`${A.acct.email}:${A.acct.password}`).toString('base64')}` } }],
    ['empty Bearer', { headers: { authorization: 'Bearer ' } }],
    ['unknown session cookie', { cookie: 'onshi_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
  ]) {
    const u = await api('GET', '/api/v1/institution', opts);
    assertProblem(u, 401, 'unauthenticated', what);
    assert.match(u.headers.get('www-authenticate') ?? '', /^Bearer\b/i, `${what}: WWW-Authenticate`);
    assert.ok(!u.text.includes(A.acct.institutionName), `${what}: no data`);
  }
  const list = await api('GET', '/api/v1/usage-applications');
  assertProblem(list, 401, 'unauthenticated', 'list without credentials');
  const post = await api('POST', '/api/v1/usage-applications', { json: BODY, headers: { 'idempotency-key': crypto.randomUUID() } });
  assertProblem(post, 401, 'unauthenticated', 'finalize without credentials');
});

test('`onshi account token list` never shows the token', async () => {
  const r = await runOnshi(srv, ['account', 'token', 'list', '--email', A.acct.email]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('テストベンダ株式会社'), r.stdout);
  assert.ok(!r.stdout.includes(A.token), 'the token value is printed only once');
});

test('POST /usage-applications/check: 200 normalized, 422 problem, stores nothing', async () => {
  const typed = {
    line_type: 'flets_next_east',
    customer_id: toFullWidth('CAF1234567890'),
    start_date: start.slash,
    terminals: '２',
    vendor: { name: 'テストベンダ株式会社', contact: '山田 太郎', phone: '03ー1234ー5678' },
  };
  const r = await api('POST', '/api/v1/usage-applications/check', { token: A.token, json: typed });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/i);
  for (const [k, v] of Object.entries(NORMALIZED)) assert.deepEqual(r.json[k], v, `normalized ${k}: ${r.text}`);
  const n = await api('POST', '/api/v1/usage-applications/check', { token: A.token, json: BODY });
  assert.equal(n.status, 200, n.text);
  assert.equal(n.json.terminals, 2);

  const bad = await api('POST', '/api/v1/usage-applications/check', {
    token: A.token, json: { ...BODY, customer_id: 'CAF123456789' },
  });
  const p = assertProblem(bad, 422, 'validation', 'check with a 12-digit id');
  assert.equal(p.title, MSG['problem.validation'] ?? '入力内容に誤りがあります。');
  assert.equal(p.instance, '/api/v1/usage-applications/check');
  assert.deepEqual(p.errors, [{ field: 'customer_id', code: 'customer_id.wrong_length', message: MSG['customer_id.wrong_length'] }]);

  const many = await api('POST', '/api/v1/usage-applications/check', {
    token: A.token,
    json: { line_type: 'ipsec_ike', customer_id: 'CAF1234567890', start_date: '2026-02-30', terminals: 100, vendor: { name: '', contact: '山田', phone: '123' } },
  });
  const pm = assertProblem(many, 422, 'validation', 'check with many errors');
  const byField = Object.fromEntries(pm.errors.map((e) => [e.field, e]));
  assert.equal(byField.customer_id?.code, 'customer_id.not_applicable', JSON.stringify(pm.errors));
  assert.equal(byField.start_date?.code, 'date.invalid_date', JSON.stringify(pm.errors));
  assert.equal(byField.terminals?.code, 'terminals.out_of_range', JSON.stringify(pm.errors));
  const vn = byField['vendor.name'] ?? byField.vendor_name;
  assert.equal(vn?.code, 'vendor_name.empty', JSON.stringify(pm.errors));
  const vp = byField['vendor.phone'] ?? byField.vendor_phone;
  assert.ok(vp && vp.code.startsWith('phone_number.'), JSON.stringify(pm.errors));
  assert.equal(byField['vendor.contact'] ?? byField.vendor_contact, undefined);
  for (const e of pm.errors) assert.equal(e.message, MSG[e.code], `message of ${e.code} is the pages' text`);

  const missing = await api('POST', '/api/v1/usage-applications/check', { token: A.token, json: {} });
  const pmiss = assertProblem(missing, 422, 'validation', 'check of {}');
  assert.ok(pmiss.errors.some((e) => e.field === 'line_type' && e.code === 'line_type.empty'), JSON.stringify(pmiss.errors));

  const list = await api('GET', '/api/v1/usage-applications', { token: A.token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json, { items: [] }, 'check stores nothing');
});

test('finalize: Idempotency-Key required; 201 + Location; same key 200; second first 409', async () => {
  const noKey = await api('POST', '/api/v1/usage-applications', { token: A.token, json: BODY });
  assertProblem(noKey, 400, 'missing-idempotency-key', 'no Idempotency-Key');
  const longKey = await api('POST', '/api/v1/usage-applications', {
    token: A.token, json: BODY, headers: { 'idempotency-key': 'k'.repeat(65) },
  });
  assertProblem(longKey, 400, 'missing-idempotency-key', '65-character Idempotency-Key');
  assert.deepEqual((await api('GET', '/api/v1/usage-applications', { token: A.token })).json, { items: [] });

  const invalid = await api('POST', '/api/v1/usage-applications', {
    token: A.token, json: { ...BODY, terminals: 0 }, headers: { 'idempotency-key': crypto.randomUUID() },
  });
  const pi = assertProblem(invalid, 422, 'validation', 'finalize with 0 terminals');
  assert.equal(pi.instance, '/api/v1/usage-applications');
  assert.deepEqual(pi.errors.map((e) => e.code), ['terminals.out_of_range']);

  A.key1 = crypto.randomUUID();
  const r = await api('POST', '/api/v1/usage-applications', { token: A.token, json: BODY, headers: { 'idempotency-key': A.key1 } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/i);
  assertApplication(r.json, { version: 1, kind: 'first', changes: null });
  A.number1 = r.json.number;
  assert.equal(locPath(r.location), `/api/v1/usage-applications/${A.number1}`);

  const again = await api('POST', '/api/v1/usage-applications', { token: A.token, json: BODY, headers: { 'idempotency-key': A.key1 } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.number, A.number1);
  assertApplication(again.json, { number: A.number1, version: 1, kind: 'first', changes: null });

  const second = await api('POST', '/api/v1/usage-applications', {
    token: A.token, json: { ...BODY, terminals: 5 }, headers: { 'idempotency-key': crypto.randomUUID() },
  });
  const p = assertProblem(second, 409, 'conflict', 'a second first application');
  assert.equal(p.code, 'already-started', second.text);

  const list = await api('GET', '/api/v1/usage-applications', { token: A.token });
  assert.equal(list.json.items.length, 1, list.text);
});

test('acceptance mail for an API-finalized application, once', async () => {
  const mail = await srv.waitForMail({ to: A.acct.email, subjectIncludes: A.number1 });
  assert.equal(mail.subject, `${SUBJECT_USAGE_ACCEPTED}（${A.number1}）`);
  assert.equal(mail.from, MAIL_FROM);
  assert.ok(mail.body.includes('CAF1234567890'), mail.body);
  assert.ok(mail.body.includes('03-1234-5678'), mail.body);
  await sleep(800);
  assert.equal((await srv.smtp.find({ to: A.acct.email, subjectIncludes: SUBJECT_USAGE_ACCEPTED })).length, 1);
});

test('changes: 201 version 2; the old version again 409; list newest first; one', async () => {
  const key = crypto.randomUUID();
  const r = await api('POST', `/api/v1/usage-applications/${A.number1}/changes`, {
    token: A.token, json: { ...BODY, terminals: 3 }, headers: { 'idempotency-key': key },
  });
  assert.equal(r.status, 201, r.text);
  assertApplication(r.json, { version: 2, kind: 'change', changes: A.number1, terminals: 3 });
  A.number2 = r.json.number;
  assert.notEqual(A.number2, A.number1);
  assert.equal(locPath(r.location), `/api/v1/usage-applications/${A.number2}`);
  const rep = await api('POST', `/api/v1/usage-applications/${A.number1}/changes`, {
    token: A.token, json: { ...BODY, terminals: 3 }, headers: { 'idempotency-key': key },
  });
  assert.equal(rep.status, 200, rep.text);
  assert.equal(rep.json.number, A.number2);

  const stale = await api('POST', `/api/v1/usage-applications/${A.number1}/changes`, {
    token: A.token, json: { ...BODY, terminals: 4 }, headers: { 'idempotency-key': crypto.randomUUID() },
  });
  assert.equal(assertProblem(stale, 409, 'conflict', 'change of the old version').code, 'already-changed', stale.text);
  const noKey = await api('POST', `/api/v1/usage-applications/${A.number2}/changes`, { token: A.token, json: BODY });
  assertProblem(noKey, 400, 'missing-idempotency-key', 'change without a key');
  const unknown = await api('POST', '/api/v1/usage-applications/U-99999999/changes', {
    token: A.token, json: BODY, headers: { 'idempotency-key': crypto.randomUUID() },
  });
  assertProblem(unknown, 404, 'not-found', 'change of an unknown number');
  const invalid = await api('POST', `/api/v1/usage-applications/${A.number2}/changes`, {
    token: A.token, json: { ...BODY, customer_id: 'COP12345678' }, headers: { 'idempotency-key': crypto.randomUUID() },
  });
  assert.deepEqual(assertProblem(invalid, 422, 'validation', 'invalid change').errors.map((e) => e.code), ['customer_id.wrong_carrier']);

  const list = await api('GET', '/api/v1/usage-applications', { token: A.token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((a) => a.number), [A.number2, A.number1], 'newest first');
  assertApplication(list.json.items[0], { number: A.number2, version: 2, kind: 'change', changes: A.number1, terminals: 3 });
  assertApplication(list.json.items[1], { number: A.number1, version: 1, kind: 'first', changes: null });

  const one = await api('GET', `/api/v1/usage-applications/${A.number1}`, { token: A.token });
  assert.equal(one.status, 200, one.text);
  assertApplication(one.json, { number: A.number1, version: 1, kind: 'first', changes: null });
  const two = await api('GET', `/api/v1/usage-applications/${A.number2}`, { token: A.token });
  assertApplication(two.json, { number: A.number2, version: 2, kind: 'change', changes: A.number1, terminals: 3 });
  assertProblem(await api('GET', '/api/v1/usage-applications/U-99999999', { token: A.token }), 404, 'not-found', 'unknown number');

  const mail = await srv.waitForMail({ to: A.acct.email, subjectIncludes: A.number2 });
  assert.ok(/3\s*台/.test(mail.body), mail.body);
  await sleep(500);
  assert.equal((await srv.smtp.find({ to: A.acct.email, subjectIncludes: SUBJECT_USAGE_ACCEPTED })).length, 2);
});

test('another institution: 404 for the numbers, its own list only; concurrent same key is one application', async () => {
  for (const n of [A.number1, A.number2]) {
    const r = await api('GET', `/api/v1/usage-applications/${n}`, { token: B.token });
    assertProblem(r, 404, 'not-found', `B reads ${n}`);
    assert.ok(!r.text.includes('CAF1234567890'));
    const ch = await api('POST', `/api/v1/usage-applications/${n}/changes`, {
      token: B.token, json: BODY, headers: { 'idempotency-key': crypto.randomUUID() },
    });
    assertProblem(ch, 404, 'not-found', `B changes ${n}`);
  }
  // A's key used by B never answers with A's application.
  const stolen = await api('POST', '/api/v1/usage-applications', { token: B.token, json: BODY, headers: { 'idempotency-key': A.key1 } });
  assert.ok(!stolen.text.includes(A.number1), `B with A's key: ${stolen.status} ${stolen.text}`);
  assert.ok(stolen.status < 500, stolen.text);
  let items = (await api('GET', '/api/v1/usage-applications', { token: B.token })).json.items;
  assert.ok(items.every((a) => a.number !== A.number1 && a.number !== A.number2), JSON.stringify(items));

  assert.ok(items.length <= 1, JSON.stringify(items));

  // Two identical requests at once (a retrying client): one application, one mail.
  const C = await srv.createAccount({
    email: freshEmail('apic'), password: strongPassword('c'), institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会 いちょう医院',
  });
  const cToken = (await createApiToken(srv, { email: C.email, label: 'retry' })).token;
  {
    const key = crypto.randomUUID();
    const both = await Promise.all([0, 1].map(() => api('POST', '/api/v1/usage-applications', {
      token: cToken, json: BODY, headers: { 'idempotency-key': key },
    })));
    assert.deepEqual(both.map((x) => x.status).sort(), [200, 201], both.map((x) => x.text).join('\n'));
    assert.equal(both[0].json.number, both[1].json.number);
    items = (await api('GET', '/api/v1/usage-applications', { token: cToken })).json.items;
    assert.equal(items.length, 1);
    await sleep(800);
    assert.equal((await srv.smtp.find({ to: C.email, subjectIncludes: SUBJECT_USAGE_ACCEPTED })).length, 1);
  }
  const aList = (await api('GET', '/api/v1/usage-applications', { token: A.token })).json.items;
  assert.deepEqual(aList.map((a) => a.number), [A.number2, A.number1]);
});

test('415 for other content types, 400 problem for malformed JSON', async () => {
  for (const [what, body, ct] of [
    ['form body', 'line_type=flets_next_east', 'application/x-www-form-urlencoded'],
    ['text/plain', JSON.stringify(BODY), 'text/plain'],
    ['no content type', JSON.stringify(BODY), undefined],
  ]) {
    for (const p of ['/api/v1/usage-applications/check', '/api/v1/usage-applications']) {
      const headers = { 'idempotency-key': crypto.randomUUID() };
      if (ct) headers['content-type'] = ct;
      const r = await api('POST', p, { token: A.token, body: Buffer.from(body), headers });
      assertProblem(r, 415, 'unsupported-media-type', `${what} to ${p}`);
    }
  }
  for (const [what, body] of [['truncated', '{"line_type": "flets_next_east",'], ['not JSON', 'hello'], ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])]]) {
    for (const p of ['/api/v1/usage-applications/check', '/api/v1/usage-applications']) {
      const r = await api('POST', p, {
        token: A.token, body, headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      });
      assertProblem(r, 400, 'malformed-json', `${what} to ${p}`);
    }
  }
  const charset = await api('POST', '/api/v1/usage-applications/check', {
    token: A.token, body: JSON.stringify(BODY), headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  assert.equal(charset.status, 200, `application/json; charset=utf-8 is JSON: ${charset.text}`);
  assert.equal((await api('GET', '/api/v1/usage-applications', { token: A.token })).json.items.length, 2);
});

test('unknown API paths and wrong methods answer problems', async () => {
  assertProblem(await api('GET', '/api/v1/nothing-here', { token: A.token }), 404, 'not-found', 'unknown path');
  const r = await api('DELETE', `/api/v1/usage-applications/${A.number1}`, { token: A.token });
  assertProblem(r, 405, 'method-not-allowed', 'DELETE an application');
});

test('a revoked token answers 401; other tokens keep working', async () => {
  const extra = await createApiToken(srv, { email: A.acct.email, label: 'revoke-me' });
  assert.equal((await api('GET', '/api/v1/institution', { token: extra.token })).status, 200);
  assert.ok(Number.isInteger(extra.id), `token create prints its id: ${extra.stdout}`);
  await revokeApiToken(srv, { email: A.acct.email, id: extra.id });
  const r = await api('GET', '/api/v1/institution', { token: extra.token });
  assertProblem(r, 401, 'unauthenticated', 'revoked token');
  assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer\b/i);
  assertProblem(await api('GET', '/api/v1/usage-applications', { token: extra.token }), 401, 'unauthenticated', 'revoked token, list');
  assert.equal((await api('GET', '/api/v1/institution', { token: A.token })).status, 200, 'the first token still works');
  const list = await runOnshi(srv, ['account', 'token', 'list', '--email', A.acct.email]);
  assert.ok(list.stdout.includes('revoke-me'), list.stdout);
  // Another account cannot revoke A's token through its own e-mail.
  const wrong = await runOnshi(srv, ['account', 'token', 'revoke', '--email', B.acct.email, '--id', String(A.tokenId)]);
  assert.notEqual(wrong.code, 0, `revoking A's token as B must fail: ${wrong.stdout}${wrong.stderr}`);
  assert.equal((await api('GET', '/api/v1/institution', { token: A.token })).status, 200, 'A\'s token survives');
});

test('the session cookie of a logged-in browser works too', async () => {
  const c = srv.client();
  const login = await c.login(A.acct.email, A.acct.password);
  assert.equal(login.status, 303);
  const cookie = `onshi_session=${c.cookie('onshi_session')}`;
  const r = await api('GET', '/api/v1/institution', { cookie });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.code, A.acct.institutionCode);
  const list = await api('GET', '/api/v1/usage-applications', { cookie });
  assert.deepEqual(list.json.items.map((a) => a.number), [A.number2, A.number1]);
  const chk = await api('POST', '/api/v1/usage-applications/check', { cookie, json: BODY });
  assert.equal(chk.status, 200, chk.text);
  // The pages show what the API finalized.
  const my = await c.get('/mypage');
  assert.ok(my.text.includes(`/usage-applications/${A.number1}`) && my.text.includes(`/usage-applications/${A.number2}`),
    pageText(my.text));
  await c.logout();
  assertProblem(await api('GET', '/api/v1/institution', { cookie }), 401, 'unauthenticated', 'session after logout');
});

// The probe: B sent a change with `Idempotency-Key: shared-key-1`, then A's own change with the
// same key answered 404. Keys are chosen by vendors, so they belong to the institution.
test('the same Idempotency-Key at two institutions makes two applications', async () => {
  const tokens = [];
  for (const tag of ['keyd', 'keye']) {
    const acct = await srv.createAccount({
      email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(), institutionName: `医療法人テスト会 ${tag}医院`,
    });
    tokens.push((await createApiToken(srv, { email: acct.email, label: 'テストベンダ株式会社' })).token);
  }
  const headers = { 'idempotency-key': 'shared-key-1' };
  const first = await api('POST', '/api/v1/usage-applications', { token: tokens[0], json: BODY, headers });
  assert.equal(first.status, 201, first.text);
  const other = await api('POST', '/api/v1/usage-applications', { token: tokens[1], json: BODY, headers });
  assert.equal(other.status, 201, `the second institution's own application: ${other.text}`);
  assert.notEqual(other.json.number, first.json.number);
  // Changes too, each under the institution's own key.
  const changeHeaders = { 'idempotency-key': 'shared-key-2' };
  const c1 = await api('POST', `/api/v1/usage-applications/${first.json.number}/changes`, { token: tokens[0], json: { ...BODY, terminals: 3 }, headers: changeHeaders });
  assert.equal(c1.status, 201, c1.text);
  const c2 = await api('POST', `/api/v1/usage-applications/${other.json.number}/changes`, { token: tokens[1], json: { ...BODY, terminals: 4 }, headers: changeHeaders });
  assert.equal(c2.status, 201, c2.text);
  assert.equal(c2.json.terminals, 4);
  // A repeat within one institution is still the same application.
  const again = await api('POST', '/api/v1/usage-applications', { token: tokens[0], json: BODY, headers });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.number, first.json.number);
});
