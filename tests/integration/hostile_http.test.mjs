// What an attacker sends at the HTTP layer, below the pages (bad_input.test.mjs has bodies and
// headers that are merely too large or malformed): request smuggling (conflicting Content-Length
// and Transfer-Encoding), NUL bytes, 100,000 form fields, slow and idle clients. None may be
// answered 5xx, smuggle a second request, hold up other clients, or leave memory higher than it
// was. The route table's answers to hostile parameters and bodies are
// tests/unit/web/hostile_routes_test.cpp's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { startServer, stopServer, pageText, sleep, MSG_BAD_FORM } from '../support/harness.mjs';

// Seconds a request may take to arrive (server.read_timeout): short, so that the slow clients'
// cut-off is seen within the test.
const READ_TIMEOUT = 3;

let srv;
before(async () => {
  srv = await startServer({ name: 'hostile_http', env: { ONSHI_READ_TIMEOUT: String(READ_TIMEOUT) } });
});
after(async () => { await stopServer(srv); });

/** Writes `bytes` and reads until the server closes or `ms` pass: every response in what came. */
function exchange(bytes, ms = 4000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port: srv.port });
    const got = [];
    const done = (why) => {
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(got).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ statuses, text, closed: why === 'closed' });
    };
    const timer = setTimeout(() => done('timeout'), ms);
    sock.on('data', (d) => got.push(d));
    sock.on('error', () => {});
    sock.on('close', () => done('closed'));
    sock.on('connect', () => sock.write(Buffer.from(bytes, 'latin1')));
  });
}

async function assertHealthy(what) {
  assert.ok(srv.alive, `onshi died after ${what}`);
  const r = await fetch(`${srv.baseUrl}/healthz`);
  assert.equal(r.status, 200, `/healthz after ${what}`);
  await r.arrayBuffer();
}

function rssKiB() {
  const status = fs.readFileSync(`/proc/${srv.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]);
}

const host = () => `Host: 127.0.0.1:${srv.port}\r\n`;
// The request hidden in a smuggling attempt's body: were it parsed as a request of its own, a
// second response (a 404 page) would come back on the connection.
const HIDDEN = 'GET /smuggled-request-was-parsed HTTP/1.1\r\nHost: x\r\n\r\n';

test('request smuggling: conflicting Content-Length and Transfer-Encoding never yield a second request', async () => {
  const attempts = {
    'CL then TE': `POST /login HTTP/1.1\r\n${host()}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${HIDDEN}`,
    'TE then CL': `POST /login HTTP/1.1\r\n${host()}Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n${HIDDEN}`,
    'two Content-Lengths': `POST /login HTTP/1.1\r\n${host()}Content-Length: 0\r\nContent-Length: ${HIDDEN.length}\r\n\r\n${HIDDEN}`,
    'Content-Length list': `POST /login HTTP/1.1\r\n${host()}Content-Length: 0, ${HIDDEN.length}\r\n\r\n${HIDDEN}`,
    'obfuscated TE': `POST /login HTTP/1.1\r\n${host()}Content-Length: ${HIDDEN.length + 5}\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${HIDDEN}`,
    'TE with a space before the colon': `POST /login HTTP/1.1\r\n${host()}Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${HIDDEN}`,
    'bad chunk size': `POST /login HTTP/1.1\r\n${host()}Transfer-Encoding: chunked\r\n\r\nzz\r\n${HIDDEN}\r\n0\r\n\r\n`,
    'negative Content-Length': `POST /login HTTP/1.1\r\n${host()}Content-Length: -1\r\n\r\n${HIDDEN}`,
    'bare LF line ends': `POST /login HTTP/1.1\n${host().trim()}\nContent-Length: 0\nTransfer-Encoding: chunked\n\n0\n\n${HIDDEN}`,
  };
  for (const [name, bytes] of Object.entries(attempts)) {
    const r = await exchange(bytes);
    assert.ok(r.statuses.every((s) => s < 500), `${name}: ${r.statuses}`);
    assert.ok(!r.text.includes('smuggled-request-was-parsed') && r.statuses.length <= 1,
      `${name}: the hidden request was answered (${r.statuses}): ${r.text.slice(0, 400)}`);
    // Refused (an answer, then the connection closed) or cut off: the hidden bytes are never read
    // as the connection's next request.
    assert.ok(r.closed, `${name}: the connection stayed open after a message it could not frame`);
  }
  await assertHealthy('smuggling attempts');
});

test('NUL bytes in the request line and the headers: refused, never a 5xx', async () => {
  for (const [name, bytes] of Object.entries({
    'path': `GET /lo\0gin HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`,
    'encoded path': `GET /login%00.html HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`,
    'header value': `GET /login HTTP/1.1\r\n${host()}Cookie: onshi_csrf=a\0b\r\nConnection: close\r\n\r\n`,
    'header name': `GET /login HTTP/1.1\r\n${host()}X-A\0: b\r\nConnection: close\r\n\r\n`,
    'method': `G\0T /login HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`,
  })) {
    const r = await exchange(bytes);
    assert.ok(r.statuses.every((s) => s >= 400 && s < 500) || (r.statuses.length === 0 && r.closed),
      `${name}: ${r.statuses} ${r.text.slice(0, 200)}`);
  }
  await assertHealthy('NUL bytes');
});

test('100,000 form fields: 400 with the Japanese message, in well under a second of work', async () => {
  const c = srv.client();
  const token = await c.csrf('/login');
  const body = `csrf_token=${token}&` + 'f=1&'.repeat(100_000) + 'email=a%40b.jp&password=x';
  const started = Date.now();
  const r = await c.post('/login', body);
  assert.equal(r.status, 400, `${r.status}: ${pageText(r.text).slice(0, 200)}`);
  assert.ok(pageText(r.text).includes(MSG_BAD_FORM), pageText(r.text).slice(0, 300));
  // Not a timing assertion on onshi's speed: a parser that went quadratic would take minutes.
  assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  await assertHealthy('100,000 fields');
});

test('slow and idle clients hold sockets, not the threads: others are answered, and they are cut off', async () => {
  // 200 clients that trickle one header byte every 200 ms (slowloris) and 200 that connect and
  // say nothing.
  const sockets = [];
  const closedAt = new Map();
  const opened = Date.now();
  for (let i = 0; i < 400; i++) {
    const s = net.connect({ host: '127.0.0.1', port: srv.port });
    s.on('error', () => {});
    s.on('close', () => closedAt.set(s, Date.now()));
    if (i % 2 === 0) {
      s.on('connect', () => s.write(`GET /login HTTP/1.1\r\n${host()}X-Slow: `));
      s.trickle = setInterval(() => { if (!s.destroyed) s.write('a'); }, 200);
    }
    sockets.push(s);
  }
  try {
    await sleep(500);
    // Meanwhile, pages and health checks are answered at once.
    for (let i = 0; i < 20; i++) {
      const t0 = Date.now();
      const r = await fetch(`${srv.baseUrl}/login`);
      await r.text();
      assert.equal(r.status, 200);
      assert.ok(Date.now() - t0 < 2000, `GET /login took ${Date.now() - t0} ms beside 400 slow clients`);
    }
    // Every one of them is closed once server.read_timeout has passed (RESTinio checks its
    // timers about once a second).
    const deadline = opened + (READ_TIMEOUT + 5) * 1000;
    while (closedAt.size < sockets.length && Date.now() < deadline) await sleep(200);
    assert.equal(closedAt.size, sockets.length,
      `${sockets.length - closedAt.size} slow or idle connections still open after ${READ_TIMEOUT + 5} s`);
    const earliest = Math.min(...closedAt.values()) - opened;
    assert.ok(earliest >= (READ_TIMEOUT - 1) * 1000, `a connection was closed after ${earliest} ms, before its time`);
  } finally {
    for (const s of sockets) { clearInterval(s.trickle); s.destroy(); }
  }
  await assertHealthy('slow clients');
});

test('memory comes back to its level after rounds of floods', async () => {
  const c = srv.client();
  const token = await c.csrf('/login');
  const flood = `csrf_token=${token}&` + 'f=1&'.repeat(100_000);
  const big = `csrf_token=${token}&email=a%40b.jp&password=${'x'.repeat(1024 * 1024 + 10)}`;
  const round = async () => {
    await Promise.all(Array.from({ length: 4 }, async () => {
      const r1 = await c.post('/login', flood);
      assert.equal(r1.status, 400);
      const r2 = await c.post('/login', big);
      assert.equal(r2.status, 413);
      for (const bytes of [
        `POST /login HTTP/1.1\r\n${host()}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${HIDDEN}`,
        `GET /${'b'.repeat(100 * 1024)} HTTP/1.1\r\n${host()}\r\n`,
      ]) await exchange(bytes, 2000);
    }));
  };
  // The first rounds grow the allocator's arenas to what such a load needs; later ones must not
  // add to it.
  for (let i = 0; i < 3; i++) await round();
  const level = rssKiB();
  for (let i = 0; i < 15; i++) await round();
  const after = rssKiB();
  assert.ok(after - level < 16 * 1024,
    `RSS grew from ${level} KiB to ${after} KiB over 15 more rounds of the same floods`);
  await assertHealthy('floods');
});
