// A node over PostgreSQL while the database goes away and comes back (issue 18): `onshi serve` on
// a throw-away cluster (scripts/pg-cluster), which the test stops under it. Meanwhile /readyz
// and /healthz answer 503 naming the database, a page that reads the database is the Japanese
// 503 page with Retry-After, the API its problem `unavailable`, each at once rather than after a
// timeout; once the cluster is back the same requests are answered as before, without a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ONSHI_BIN, SOURCE_DIR, pageText, sleep, startServer, stopServer } from '../support/harness.mjs';

const run = promisify(execFile);
const PG_CLUSTER = path.join(SOURCE_DIR, 'scripts', 'pg-cluster');

let clusterDir;
let url;
let srv;
before(async () => {
  clusterDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-pg-outage-'));
  url = (await run(PG_CLUSTER, ['start', clusterDir])).stdout.trim();
  // A shared server's schema changes only by `onshi db migrate`, never by serve.
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-pg-migrate-'));
  await run(ONSHI_BIN, ['db', 'migrate', '--data', scratch], { env: { ...process.env, ONSHI_DATABASE_URL: url } });
  await fsp.rm(scratch, { recursive: true, force: true });
  srv = await startServer({ name: 'database_outage', env: { ONSHI_DATABASE_URL: url } });
});
after(async () => {
  await stopServer(srv);
  if (clusterDir) await run(PG_CLUSTER, ['stop', clusterDir]);
});

// Each answer timed: a balancer's probe and a person's page must not wait for a timeout.
async function ask(p, headers = {}) {
  const started = Date.now();
  const r = await fetch(`${srv.baseUrl}${p}`, { headers, redirect: 'manual' });
  const text = await r.text();
  const ms = Date.now() - started;
  assert.ok(ms < 3000, `${p} took ${ms} ms`);
  return { status: r.status, headers: r.headers, text };
}

const SESSION = { cookie: 'onshi_session=no-such-session' };
const TOKEN = { authorization: 'Bearer onshi_no-such-token' };

async function expectServing(what) {
  assert.deepEqual(JSON.parse((await ask('/readyz')).text), { status: 'ready' }, what);
  const health = await ask('/healthz');
  assert.equal(health.status, 200, `${what}: ${health.text}`);
  assert.deepEqual(JSON.parse(health.text), { status: 'ok', database: 'ok', ca: 'none' }, what);
  // The session is looked up in the database: unknown, so to the login page.
  const page = await ask('/mypage', SESSION);
  assert.equal(page.status, 303, what);
  assert.equal(page.headers.get('location'), '/login', what);
  assert.equal((await ask('/api/v1/institution', TOKEN)).status, 401, `${what}: an unknown token`);
}

test('PostgreSQL stopped under a running node: 503 everywhere it is needed, then back without a restart', async () => {
  await expectServing('before');

  await run(PG_CLUSTER, ['pause', clusterDir]);
  const ready = await ask('/readyz');
  assert.equal(ready.status, 503, ready.text);
  assert.deepEqual(JSON.parse(ready.text), { status: 'not_ready', database: 'unreachable' });
  const health = await ask('/healthz');
  assert.equal(health.status, 503, health.text);
  assert.deepEqual(JSON.parse(health.text), { status: 'unavailable', database: 'unreachable', ca: 'none' });

  const page = await ask('/mypage', SESSION);
  assert.equal(page.status, 503, 'never the 500 page');
  assert.equal(page.headers.get('retry-after'), '5');
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  const text = pageText(page.text);
  assert.ok(text.includes('ただいまサービスを一時的にご利用いただけません'), text);
  assert.ok(!text.includes('システムエラー'), text);
  assert.ok(!/postgres|connection refused/i.test(page.text), 'no internal detail on the page');

  const api = await ask('/api/v1/institution', TOKEN);
  assert.equal(api.status, 503, api.text);
  assert.equal(api.headers.get('retry-after'), '5');
  assert.equal(api.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const problem = JSON.parse(api.text);
  assert.equal(problem.status, 503);
  assert.ok(problem.type.endsWith('/problems/unavailable'), api.text);
  assert.ok(srv.alive, 'the node keeps running');

  await run(PG_CLUSTER, ['resume', clusterDir]);
  // The pool reconnects on the next borrow; Retry-After's 5 s is more than it needs.
  for (let i = 0; (await ask('/readyz')).status !== 200; i += 1) {
    assert.ok(i < 50, '/readyz ready again within 5 s of the restart');
    await sleep(100);
  }
  await expectServing('after');
});
