// /healthz and /readyz of a real `onshi serve` over SQLite, without and with a CA: what a load
// balancer and a monitor read. The 503 answers need a database out of reach, which a SQLite file
// under a running server cannot be made (its connections stay open and `SELECT 1` reads nothing;
// permissions do not stop root): database_outage.test.mjs stops PostgreSQL under a node, and
// tests/unit/web/health_probes_test.cpp covers the CA's failures.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer } from '../support/harness.mjs';
import { startServerWithCa } from '../support/back_office.mjs';

const servers = [];
after(async () => { for (const s of servers) await stopServer(s); });

async function probe(srv, path, init) {
  const r = await fetch(`${srv.baseUrl}${path}`, init);
  return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), text: await r.text() };
}

async function expectJson(srv, path, status, body) {
  const r = await probe(srv, path);
  assert.equal(r.status, status, `${path}: ${r.text}`);
  assert.equal(r.type, 'application/json', path);
  assert.equal(r.cache, 'no-store', `${path}: a balancer reads the present`);
  assert.deepEqual(JSON.parse(r.text), body, path);
}

test('without a CA: both ready, /healthz says there is none', async () => {
  const srv = await startServer({ name: 'health_probes_no_ca' });
  servers.push(srv);
  await expectJson(srv, '/healthz', 200, { status: 'ok', database: 'ok', ca: 'none' });
  await expectJson(srv, '/readyz', 200, { status: 'ready' });
  for (const path of ['/healthz', '/readyz']) {
    const head = await probe(srv, path, { method: 'HEAD' });
    assert.equal(head.status, 200, `HEAD ${path}`);
    assert.equal(head.text, '', `HEAD ${path}: no body`);
    assert.equal((await probe(srv, path, { method: 'POST' })).status, 405, `POST ${path}`);
  }
});

test('with a CA: the server publishes its CRLs at start, so /healthz says the CA is ok', async () => {
  const { srv } = await startServerWithCa({ name: 'health_probes_ca', passphrase: 'health probes passphrase' });
  servers.push(srv);
  // startServer waited for /healthz 200: the CRL publisher ran before the first probe passed.
  await expectJson(srv, '/healthz', 200, { status: 'ok', database: 'ok', ca: 'ok' });
  await expectJson(srv, '/readyz', 200, { status: 'ready' });
  // A balancer polling every second, and faster: each answer is from the moment it was asked.
  for (let i = 0; i < 50; i += 1) {
    const [h, r] = await Promise.all([probe(srv, '/healthz'), probe(srv, '/readyz')]);
    assert.equal(h.status, 200, h.text);
    assert.equal(r.status, 200, r.text);
  }
});
