// Hostile and malformed input never crashes the server or answers 5xx; error pages, security
// headers, /healthz, /metrics and graceful shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, rawRequest, pageText, csrfToken, MSG_NOT_FOUND, MSG_METHOD, MSG_BAD_FORM,
} from '../support/harness.mjs';

let srv;
let stopped = false;
before(async () => { srv = await startServer({ name: 'bad_input' }); });
after(async () => { if (!stopped) await stopServer(srv); });

async function assertHealthy(what) {
  assert.ok(srv.alive, `onshi died after ${what}`);
  const r = await fetch(`${srv.baseUrl}/healthz`);
  assert.equal(r.status, 200, `/healthz after ${what}`);
  await r.arrayBuffer();
}

/** A visitor with cookies and a valid token for /login. */
async function visitor() {
  const c = srv.client();
  const token = await c.csrf('/login');
  return { c, token };
}

function rawPost(pathname, cookie, body, extraHeaders = '') {
  const len = Buffer.byteLength(body);
  return Buffer.concat([
    Buffer.from(`POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n`
      + `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${len}\r\n`
      + (cookie ? `Cookie: ${cookie}\r\n` : '') + extraHeaders + 'Connection: close\r\n\r\n', 'latin1'),
    Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'),
  ]);
}

test('10 MB body to POST /login: 413 or the connection closed, never 5xx', async () => {
  const { c, token } = await visitor();
  const size = 10 * 1024 * 1024;
  const head = Buffer.from(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n`
    + 'Content-Type: application/x-www-form-urlencoded\r\n'
    + `Content-Length: ${size}\r\nCookie: ${c.cookieHeader()}\r\nConnection: close\r\n\r\n`, 'latin1');
  const prefix = Buffer.from(`csrf_token=${token}&email=a%40b.jp&password=`, 'latin1');
  const chunks = [head, prefix];
  let left = size - prefix.length;
  const mb = Buffer.alloc(1024 * 1024, 'a');
  while (left > 0) {
    const n = Math.min(left, mb.length);
    chunks.push(mb.subarray(0, n));
    left -= n;
  }
  const r = await rawRequest(srv.port, chunks, { timeoutMs: 20000 });
  assert.ok(r.status === 413 || r.closedWithoutResponse,
    `expected 413 or a closed connection, got ${r.status} (${r.why}, ${r.error}): ${r.head.slice(0, 200)}`);
  if (r.status) assert.ok(r.status < 500);
  await assertHealthy('a 10 MB body');
});

test('a body just over 1 MiB gets 413', async () => {
  const { c, token } = await visitor();
  const body = `csrf_token=${token}&email=a%40b.jp&password=${'x'.repeat(1024 * 1024 + 10)}`;
  const r = await rawRequest(srv.port, [rawPost('/login', c.cookieHeader(), body)], { timeoutMs: 10000 });
  // docs/pages.md: "A body over the limit (1 MiB by default) gets 413" -- an answer, not a reset.
  assert.equal(r.status, 413, `1 MiB + 10 bytes -> ${r.status ?? `no response (${r.why}, ${r.error})`}: ${r.head.slice(0, 200)}`);
  await assertHealthy('a 1 MiB body');
});

test('binary garbage body: 400', async () => {
  const { c } = await visitor();
  let x = 12345;
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    garbage[i] = x >> 16 & 0xff;
  }
  garbage.set([0xff, 0xfe, 0x00, 0x25, 0x00, 0xc3, 0x28], 0);
  const r = await c.post('/login', garbage);
  assert.equal(r.status, 400, `garbage -> ${r.status}: ${pageText(r.text).slice(0, 200)}`);
  assert.ok(pageText(r.text).includes(MSG_BAD_FORM), pageText(r.text));
  await assertHealthy('a garbage body');
});

test('malformed urlencoding (%zz): 400', async () => {
  const { c, token } = await visitor();
  for (const body of [`csrf_token=${token}&email=%zz&password=x`, `csrf_token=${token}&email=abc%&password=x`,
    `csrf_token=${token}&email=%E3%81&password=x`]) {
    const r = await c.post('/login', body);
    assert.equal(r.status, 400, `${body} -> ${r.status}: ${pageText(r.text).slice(0, 200)}`);
    assert.ok(pageText(r.text).includes(MSG_BAD_FORM), pageText(r.text));
  }
  await assertHealthy('malformed urlencoding');
});

test('invalid UTF-8 in a field: 400 or 422, never 500', async () => {
  const { c, token } = await visitor();
  for (const [where, body] of [
    ['/login', `csrf_token=${token}&email=%FF%FEa%40b.jp&password=xxxxxxxxxxxx`],
    ['/login', `csrf_token=${token}&email=a%40b.jp&password=%C0%AF%ED%A0%80xxxxxxxxxx`],
  ]) {
    const r = await c.post(where, body);
    assert.ok(r.status === 400 || r.status === 422, `${where} ${body} -> ${r.status}`);
  }
  const reg = srv.client();
  const rt = await reg.csrf('/register');
  const r = await reg.post('/register', `csrf_token=${rt}&email=a%40b.jp&password=Kusunoki-abc-123&password_confirm=Kusunoki-abc-123`
    + '&institution_code=1310123455&institution_name=%83e%83X%83g'); // Shift_JIS bytes
  assert.ok(r.status === 400 || r.status === 422, `register with Shift_JIS name -> ${r.status}`);
  await assertHealthy('invalid UTF-8');
});

test('a 100 KB header: 4xx or the connection closed, never a crash', async () => {
  const big = 'a'.repeat(100 * 1024);
  const req = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Big: ${big}\r\nConnection: close\r\n\r\n`, 'latin1');
  const r = await rawRequest(srv.port, [req], { timeoutMs: 10000 });
  assert.ok((r.status >= 400 && r.status < 500) || r.closedWithoutResponse,
    `100 KB header -> ${r.status} (${r.why}): ${r.head.slice(0, 200)}`);
  await assertHealthy('a 100 KB header');

  // Many headers, and a huge URL.
  const many = Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join('\r\n');
  const r2 = await rawRequest(srv.port, [Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\n${many}\r\nConnection: close\r\n\r\n`)]);
  assert.ok(!(r2.status >= 500), `2000 headers -> ${r2.status}`);
  const r3 = await rawRequest(srv.port, [Buffer.from(`GET /${'b'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)]);
  assert.ok(!(r3.status >= 500), `100 KB URL -> ${r3.status}`);
  await assertHealthy('many headers and a long URL');
});

test('garbage instead of HTTP, and a half-sent request: no crash', async () => {
  const r = await rawRequest(srv.port, [Buffer.from('\x00\x01\x02 hello \xff\xfe\r\n\r\n', 'latin1')], { timeoutMs: 5000 });
  assert.ok(!(r.status >= 500), `garbage request line -> ${r.status}`);
  const r2 = await rawRequest(srv.port, [Buffer.from(`POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc`)],
    { timeoutMs: 1500 });
  assert.ok(!(r2.status >= 500), `half-sent body -> ${r2.status}`);
  await assertHealthy('garbage requests');
});

test('unknown path: 404 「ページが見つかりません」', async () => {
  const r = await srv.client().get('/no-such-page-xyz123');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  assert.ok(pageText(r.text).includes(MSG_NOT_FOUND), pageText(r.text));
  const r2 = await srv.client().get('/static/../../etc/passwd');
  assert.ok(r2.status === 404 || r2.status === 400, `path traversal -> ${r2.status}`);
  assert.ok(!r2.text.includes('root:'), 'no file outside static/');
  const r3 = await srv.client().get('/static/%2e%2e/%2e%2e/etc/passwd');
  assert.ok(r3.status === 404 || r3.status === 400, `encoded path traversal -> ${r3.status}`);
  assert.ok(!r3.text.includes('root:'));
});

test('wrong method: 405 「この操作は許可されていません」', async () => {
  const r = await srv.client().request('DELETE', '/login');
  assert.equal(r.status, 405);
  assert.ok(pageText(r.text).includes(MSG_METHOD), pageText(r.text));
  const r2 = await srv.client().request('PUT', '/register', { body: 'x=1', contentType: 'application/x-www-form-urlencoded' });
  assert.equal(r2.status, 405);
});

test('security headers on pages', async () => {
  for (const p of ['/', '/login', '/register', '/no-such-page']) {
    const r = await srv.client().get(p);
    const csp = r.headers.get('content-security-policy');
    assert.ok(csp, `${p}: Content-Security-Policy`);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean)
      .map((d) => { const [k, ...v] = d.split(/\s+/); return [k.toLowerCase(), v.join(' ')]; }));
    assert.equal(directives['frame-ancestors'], "'none'", `${p}: frame-ancestors 'none' in ${csp}`);
    const script = directives['script-src'] ?? directives['default-src'];
    assert.ok(script !== undefined, `${p}: script-src or default-src in ${csp}`);
    assert.ok(!script.includes("'unsafe-inline'"), `${p}: no 'unsafe-inline' for scripts in ${csp}`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${p}: X-Content-Type-Options`);
    assert.ok(r.headers.get('referrer-policy'), `${p}: Referrer-Policy`);
  }
});

test('/healthz and /metrics', async () => {
  const h = await fetch(`${srv.baseUrl}/healthz`);
  assert.equal(h.status, 200);
  assert.match(h.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(await h.json(), { status: 'ok', database: 'ok', ca: 'none' }, 'a server without a CA');

  const m = await fetch(`${srv.baseUrl}/metrics`);
  assert.equal(m.status, 200);
  const text = await m.text();
  assert.match(text, /^onshi_http_requests_total\{[^}]*route="[^"]*"[^}]*\} \d/m, 'onshi_http_requests_total{route,...}');
  assert.match(text, /^onshi_http_requests_total\{[^}]*method="GET"[^}]*\}/m);
  assert.match(text, /^onshi_http_requests_total\{[^}]*status="404"[^}]*\}/m);
  assert.match(text, /onshi_http_request_duration_seconds_bucket/);
  assert.match(text, /^onshi_outbox_pending \d+/m);
  assert.ok(!text.includes('xyz123'), 'unknown paths must not become metric labels');
});

test('graceful shutdown: SIGTERM -> exit code 0 within 10 s', async () => {
  const t0 = Date.now();
  const result = await stopServer(srv);
  stopped = true;
  assert.equal(result.timedOut, false, 'exited within 10 s');
  assert.equal(result.signal, null, `killed by ${result.signal}`);
  assert.equal(result.code, 0, `exit code ${result.code}`);
  assert.ok(Date.now() - t0 < 10000);
});
