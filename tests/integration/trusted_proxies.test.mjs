// server.trusted_proxies over real sockets: the per-address throttle of the pickup page counts the
// client that nginx names in X-Forwarded-For, but only when the request came from a trusted proxy;
// without the setting (or from an address not in it) the header changes nothing; a setting that is
// no address stops `onshi serve` at start. (The pickup page needs a CA: without one it answers 503.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { execFile } from 'node:child_process';
import {
  startServer, stopServer, loadMessages, pageText, freePort, ONSHI_BIN,
} from '../support/harness.mjs';
import { AddressedClient, openPickup } from '../support/pickup.mjs';
import { startServerWithCa } from '../support/back_office.mjs';

const PASSPHRASE = 'trusted proxies CA passphrase';

const MSG = loadMessages();
const servers = [];
after(async () => { for (const s of servers) await stopServer(s); });

/** A client at `local` whose requests say they were forwarded for `forwardedFor`. */
class ForwardedClient extends AddressedClient {
  constructor(baseUrl, local, forwardedFor) {
    super(baseUrl, local);
    this.forwardedFor = forwardedFor;
  }

  request(method, urlPath, options = {}) {
    return super.request(method, urlPath,
      { ...options, headers: { ...(options.headers ?? {}), 'x-forwarded-for': this.forwardedFor } });
  }
}

/** Ten wrong pairs from `client`: the throttle's allowance for one address. */
async function tenWrongPairs(client) {
  for (let i = 0; i < 10; i += 1) {
    const r = await openPickup(client, '/pickup', 'AAAA-AAAA-AAAA-AAAA', { number: `C-9999${1000 + i}-01` });
    assert.equal(r.status, 401, `wrong pair ${i + 1}: ${pageText(r.text).slice(0, 200)}`);
  }
}

async function nextTry(client) {
  return openPickup(client, '/pickup', 'AAAA-AAAA-AAAA-AAAA', { number: 'C-99998888-01' });
}

test('behind a trusted proxy each forwarded client has its own count', async () => {
  const { srv } = await startServerWithCa({
    name: 'trusted_proxies_on', passphrase: PASSPHRASE, env: { ONSHI_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' },
  });
  servers.push(srv);
  await tenWrongPairs(new ForwardedClient(srv.baseUrl, '127.0.0.1', '198.51.100.7, 203.0.113.1'));
  const held = await nextTry(new ForwardedClient(srv.baseUrl, '127.0.0.1', '203.0.113.1'));
  assert.equal(held.status, 429, 'the forwarded client that walked through numbers is held');
  assert.ok(pageText(held.text).includes(MSG['pickup.throttled']));
  // What the client wrote left of nginx's own entry is not its address.
  const spoofed = await nextTry(new ForwardedClient(srv.baseUrl, '127.0.0.1', '203.0.113.1, 203.0.113.2'));
  assert.equal(spoofed.status, 401, 'another forwarded client, even naming the first one');
  const proxyItself = await nextTry(new AddressedClient(srv.baseUrl, '127.0.0.1'));
  assert.equal(proxyItself.status, 401, 'the proxy\'s own address was never counted');
  // 127.0.0.2 is no trusted proxy: its header is ignored and its own address counted.
  const untrusted = new ForwardedClient(srv.baseUrl, '127.0.0.2', '203.0.113.9');
  await tenWrongPairs(untrusted);
  assert.equal((await nextTry(new ForwardedClient(srv.baseUrl, '127.0.0.2', '203.0.113.10'))).status, 429,
    'an untrusted peer cannot shed its count by naming another client');
  const log = await fsp.readFile(srv.stderrFile, 'utf8');
  assert.match(log, /path=\/pickup .*remote=203\.0\.113\.1\b/, 'the access log names the forwarded client');
  assert.match(log, /path=\/pickup .*remote=127\.0\.0\.2\b/, 'and the untrusted peer by its socket');
  assert.doesNotMatch(log, /remote=203\.0\.113\.(9|10)\b/, 'never what an untrusted peer claimed');
});

test('without the setting X-Forwarded-For is ignored', async () => {
  const { srv } = await startServerWithCa({ name: 'trusted_proxies_off', passphrase: PASSPHRASE });
  servers.push(srv);
  await tenWrongPairs(new ForwardedClient(srv.baseUrl, '127.0.0.3', '203.0.113.1'));
  const r = await nextTry(new ForwardedClient(srv.baseUrl, '127.0.0.3', '203.0.113.2'));
  assert.equal(r.status, 429, 'one socket address, one count, whatever the header says');
});

test('a trusted proxy that is no address stops serve at start', async () => {
  const srv = await startServer({ name: 'trusted_proxies_check' });
  servers.push(srv);
  const port = await freePort();
  // A serve that wrongly started is killed by the timeout, and then fails the test below.
  const r = await new Promise((resolve) => {
    execFile(ONSHI_BIN, ['serve', '--data', srv.dataDir, '--listen', `127.0.0.1:${port}`],
      { env: { ...srv.env, ONSHI_TRUSTED_PROXIES: 'nginx.local' }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error?.code ?? 0, killed: error?.killed, stderr }));
  });
  assert.ok(!r.killed && r.code !== 0, `serve refused to start: ${JSON.stringify(r)}`);
  assert.match(r.stderr, /trusted_proxies.*nginx\.local/);
});
