// `onshi relying-party` under test: the real program on free ports, with a TLS certificate from
// the server's own CA (`onshi ca server-cert`), trusting the CA's root; its structured log (one
// JSON object per line on stderr) read back, its /metrics parsed. HttpRelay is a small HTTP
// forwarder that a certificate's OCSP or CRL URL can point at, so that a test takes one of the
// CA's services down (closes the relay) while the others stay up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { csrfToken, inputValue } from './html.mjs';
import { AddressedClient, openPickup } from './pickup.mjs';
import { tool, toolOk } from './est.mjs';
import { ONSHI_BIN, freePort, sleep, track, waitExit } from './processes.mjs';
import { sqlRows } from './database.mjs';
import { runOnshi } from './server.mjs';

export class RelyingParty {
  constructor({ args, env, logDir, port, metricsPort, root }) {
    Object.assign(this, { args, env, logDir, port, metricsPort, root });
    this.stderr = '';
    this.stdout = '';
    this.child = null;
  }

  get url() { return `https://127.0.0.1:${this.port}`; }
  get metricsUrl() { return `http://127.0.0.1:${this.metricsPort}`; }

  async start() {
    this.child = track(spawn(ONSHI_BIN, ['relying-party', ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'], env: this.env,
    }));
    const log = fs.createWriteStream(path.join(this.logDir, 'relying-party.stderr.log'), { flags: 'a' });
    this.child.stderr.on('data', (d) => { this.stderr += d; log.write(d); });
    this.child.stdout.on('data', (d) => { this.stdout += d; });
    const deadline = Date.now() + 20_000;
    while (!this.stdout.includes(`onshi: relying party on ${this.url}`)) {
      if (this.child.exitCode !== null) {
        throw new Error(`onshi relying-party exited (${this.child.exitCode}): ${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`onshi relying-party did not listen: ${this.stderr}`);
      await sleep(50);
    }
  }

  async stop() {
    if (!this.child) return undefined;
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return waitExit(this.child, 15_000);
  }

  /** The structured log so far: every stderr line that is a JSON object. */
  logLines() {
    return this.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }

  /** The first log line (after `from` lines) for which `match` holds, waiting up to `ms`. */
  async waitForLog(match, { from = 0, ms = 5000 } = {}) {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.logLines().slice(from).find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no such log line in:\n${this.stderr.slice(-4000)}`);
      await sleep(50);
    }
  }

  /** /metrics as { 'name{labels}': value }. */
  async metrics() {
    const res = await fetch(`${this.metricsUrl}/metrics`);
    assert.equal(res.status, 200);
    const out = {};
    for (const line of (await res.text()).split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const at = line.lastIndexOf(' ');
      out[line.slice(0, at)] = Number(line.slice(at + 1));
    }
    return out;
  }
}

/**
 * `onshi relying-party` trusting `srv`'s root, with a server certificate its CA issued for
 * localhost and 127.0.0.1. `maxAge`: --status-max-age; `ca`: the --ca file (default the root; the
 * root and the issuing CA together serve clients that send only their own certificate); `args`:
 * more flags; `threads`: --threads.
 */
export async function startRelyingParty(srv, { name = 'rp', maxAge = 300, fetchTimeoutMs = 1000, threads = 2, ca, args = [] } = {}) {
  const dir = path.join(srv.dataDir, `${name}-tls`);
  const issued = await runOnshi(srv, ['ca', 'server-cert', '--dns', 'localhost', '--ip', '127.0.0.1', '--out', dir]);
  assert.equal(issued.code, 0, `onshi ca server-cert -> ${issued.code}: ${issued.stdout}${issued.stderr}`);
  const port = await freePort([srv.port, srv.smtpPort]);
  const metricsPort = await freePort([srv.port, srv.smtpPort, port]);
  const root = path.join(srv.dataDir, 'ca', 'root.crt');
  const rp = new RelyingParty({
    port, metricsPort, root, logDir: srv.logDir, env: srv.env,
    args: ['--listen', `127.0.0.1:${port}`, '--tls-cert', path.join(dir, 'server.crt'),
      '--tls-key', path.join(dir, 'server.key'), '--ca', ca ?? root, '--metrics-listen', `127.0.0.1:${metricsPort}`,
      '--status-max-age', String(maxAge), '--fetch-timeout-ms', String(fetchTimeoutMs), '--threads', String(threads), ...args],
  });
  await rp.start();
  return rp;
}

/** Forwards every request to `target` (http://HOST:PORT); `stop` closes it, `start` opens it again. */
export class HttpRelay {
  constructor(target) {
    this.target = new URL(target);
    this.port = 0;
    this.forwarded = 0;
    this.server = null;
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  async start() {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        this.forwarded += 1;
        const headers = { ...req.headers, host: this.target.host };
        const out = http.request({ host: this.target.hostname, port: this.target.port, path: req.url, method: req.method, headers }, (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        });
        out.on('error', () => { res.writeHead(502); res.end(); });
        out.end(Buffer.concat(chunks));
      });
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = this.server.address().port;
    return this;
  }

  /** Down: no more connections accepted (refused), the open ones cut. */
  async stop() {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    s.close();
    s.closeAllConnections();
    await once(s, 'close');
  }
}

/**
 * The pickup of `number` with its 取得コード as a PKCS#12 file (standard format) under `dir`, as a
 * browser at 127.0.0.N does it, and its certificate, key and CA certificates as PEM beside it:
 * { number, p12, password, crt, key, chain, serial, terminal } (serial as the database holds it).
 */
export async function pickUpPkcs12(srv, dir, number, code, n) {
  const c = new AddressedClient(srv.baseUrl, `127.0.0.${20 + n}`);
  const page = await openPickup(c, `/pickup?n=${number}`, code);
  assert.equal(page.status, 200, page.text.slice(0, 400));
  const password = `Terminal-pass-${n}`;
  const r = await c.post('/pickup/pkcs12', {
    csrf_token: csrfToken(page.text), grant: inputValue(page.text, 'grant'), number: inputValue(page.text, 'number'),
    password, password_again: password, format: 'standard',
  });
  assert.equal(r.status, 200, r.text.slice(0, 400));
  const file = (ext) => path.join(dir, `${number}.${ext}`);
  await fsp.writeFile(file('p12'), r.bytes);
  const pkcs12 = (out, ...what) => toolOk('openssl', ['pkcs12', '-in', file('p12'), '-passin', `pass:${password}`,
    ...what, '-out', file(out)]);
  await pkcs12('key', '-nocerts', '-nodes');
  await pkcs12('crt', '-clcerts', '-nokeys');
  await pkcs12('chain', '-cacerts', '-nokeys');
  const [row] = await sqlRows(srv, `SELECT serial_hex, terminal FROM certificates WHERE issuance_number = '${number}'`);
  return { number, p12: file('p12'), password, crt: file('crt'), key: file('key'), chain: file('chain'), serial: row.serial_hex, terminal: row.terminal };
}

/**
 * curl to the relying party `rp`: { status, headers, text, json }. `as`: { p12, password } or
 * { cert, key } (a file with the chain after the certificate sends the chain).
 */
export async function curlRp(rp, urlPath, { as = {}, method, body, contentType = 'application/json' } = {}) {
  const args = ['-sS', '-i', '--max-time', '15', '--cacert', rp.root];
  if (as.p12) args.push('--cert-type', 'P12', '--cert', `${as.p12}:${as.password}`);
  if (as.cert) args.push('--cert', as.cert, '--key', as.key);
  if (method) args.push('-X', method);
  if (body !== undefined) args.push('-H', `Content-Type: ${contentType}`, '--data-binary', body);
  const r = await tool('curl', [...args, `${rp.url}${urlPath}`]);
  assert.equal(r.code, 0, `curl ${urlPath}: ${r.out}`);
  const at = r.out.indexOf('\r\n\r\n');
  const head = r.out.slice(0, at).split('\r\n');
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const text = r.out.slice(at + 4);
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: Number(head[0].split(' ')[1]), headers, text, json };
}

/** Writes `text` to the server's DATA/onshi.toml (the server and every CLI run read it). */
export async function writeConfig(srv, text) {
  await fsp.writeFile(path.join(srv.dataDir, 'onshi.toml'), text);
}

/**
 * A certificate for `subject` signed here by `openssl ca` with `srv`'s issuing CA key (its
 * passphrase `passphrase`), with what onshi's own profile never writes: `args` (the validity:
 * `-days N`, or `-startdate`/`-enddate`), `eku` (default clientAuth) and `extensions` (more config
 * lines: an AIA, a CRL DP). Its files under DIR/testca: { cert (it, then the issuing CA, PEM),
 * key }.
 */
export async function signWithIssuingKey(srv, dir, passphrase, name,
  { subject, args = ['-days', '2'], eku = 'clientAuth', extensions = [] }) {
  const f = (n) => path.join(dir, 'testca', n);
  const ca = (n) => path.join(srv.dataDir, 'ca', n);
  await fsp.mkdir(f(''), { recursive: true });
  await fsp.writeFile(f(`${name}.index`), '');
  await fsp.writeFile(f(`${name}.serial`), '1000\n');
  await fsp.writeFile(f(`${name}.cnf`), [
    '[ca]', 'default_ca = test', '[test]', `dir = ${f('')}`, `database = $dir/${name}.index`,
    `serial = $dir/${name}.serial`, 'new_certs_dir = $dir', 'default_md = sha256', 'policy = any',
    'unique_subject = no', 'email_in_dn = no', '[any]', 'countryName = optional',
    'organizationName = optional', 'organizationalUnitName = optional', 'commonName = supplied',
    '[ext]', 'basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature',
    `extendedKeyUsage = ${eku}`, ...extensions, '',
  ].join('\n'));
  await toolOk('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', f(`${name}.key`), '-utf8', '-subj', subject, '-out', f(`${name}.csr`)]);
  await toolOk('openssl', ['ca', '-batch', '-config', f(`${name}.cnf`), '-cert', ca('issuing.crt'),
    '-keyfile', ca('issuing.key'), '-passin', `pass:${passphrase}`, '-rand_serial', '-notext', '-utf8',
    ...args, '-extensions', 'ext', '-in', f(`${name}.csr`), '-out', f(`${name}.crt`)]);
  await fsp.writeFile(f(`${name}-chain.crt`),
    (await fsp.readFile(f(`${name}.crt`), 'utf8')) + await fsp.readFile(ca('issuing.crt'), 'utf8'));
  return { cert: f(`${name}-chain.crt`), key: f(`${name}.key`) };
}
