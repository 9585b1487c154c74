// What tests/integration/est.test.mjs does as a vendor: curl requests to /.well-known/est/ on
// the TLS listener (status, headers and body kept apart), openssl on what comes back, the commands
// of docs/vendor-guide.md section 7 run as written, and the checks that nothing was half-issued.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { SOURCE_DIR, sqlExec, sqlRows } from './harness.mjs';

/** Runs a tool; resolves { code, out } with stdout and stderr together. */
export async function tool(cmd, args, { input = '', env, cwd } = {}) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env, cwd });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  child.stdin.on('error', () => {}); // a tool that reads nothing may exit first
  child.stdin.end(input);
  const [code] = await once(child, 'exit');
  return { code, out };
}

export async function toolOk(cmd, args, opts) {
  const r = await tool(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} -> ${r.code}: ${r.out}`);
  return r.out;
}

/** A refusal: `status`, one line of text/plain saying `message`. */
export function assertRefusal(r, status, message, what) {
  assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8', `${what}: text/plain`);
  assert.equal(r.text, `${message}\n`, `${what}: the one line`);
}

/** The first ```sh block under heading `### 7.N` of docs/vendor-guide.md. */
async function guideBlock(section) {
  const guide = await fsp.readFile(path.join(SOURCE_DIR, 'docs', 'vendor-guide.md'), 'utf8');
  const at = guide.indexOf(`### ${section} `);
  assert.ok(at >= 0, `section ${section} in vendor-guide.md`);
  const m = /```sh\n([\s\S]*?)```/.exec(guide.slice(at));
  assert.ok(m, `a sh block in section ${section}`);
  return m[1];
}

/** A vendor's tools against `srv` (with its TLS listener), trusting only `root`; files in `work`. */
export class EstVendor {
  constructor({ srv, work, root, issuing }) {
    Object.assign(this, { srv, work, root, issuing });
    this.calls = 0;
  }

  /** The rows of a SELECT on the server's database; sqlExec runs other statements. */
  sql(query) {
    return sqlRows(this.srv, query);
  }

  sqlExec(script) {
    return sqlExec(this.srv, script);
  }

  async write(name, data) {
    const file = path.join(this.work, name);
    await fsp.writeFile(file, data);
    return file;
  }

  /**
   * One EST request with curl: `op` under /.well-known/est/ on the TLS listener (or the plain
   * one). Resolves { status, headers (lower-cased names), body (Buffer), text, curlCode, curlOut }.
   */
  async est(op, { user, body, bodyFile, type = 'application/pkcs10', cert, key, args = [], plain = false } = {}) {
    const n = ++this.calls;
    const hdr = path.join(this.work, `call${n}.headers`);
    const out = path.join(this.work, `call${n}.body`);
    const a = ['-sS', '--max-time', '60', '-D', hdr, '-o', out, '-w', '%{http_code}'];
    if (!plain) a.push('--cacert', this.root);
    if (user !== undefined) a.push('--user', user);
    if (cert) a.push('--cert', cert, '--key', key);
    if (body !== undefined || bodyFile) {
      const file = bodyFile ?? await this.write(`call${n}.request`, body);
      a.push('-H', `Content-Type: ${type}`, '--data-binary', `@${file}`);
    }
    const base = plain ? this.srv.baseUrl : this.srv.tlsUrl;
    const r = await tool('curl', [...a, ...args, `${base}/.well-known/est/${op}`]);
    const headers = {};
    const raw = await fsp.readFile(hdr, 'latin1').catch(() => '');
    for (const line of raw.split('\r\n')) {
      const m = /^([^:\s]+):\s*(.*)$/.exec(line);
      if (m) headers[m[1].toLowerCase()] = Buffer.from(m[2], 'latin1').toString('utf8');
    }
    const bytes = await fsp.readFile(out).catch(() => Buffer.alloc(0));
    const status = Number(/(\d{3})$/.exec(r.out)?.[1] ?? 0);
    return { status, headers, body: bytes, text: bytes.toString('utf8'), curlCode: r.code, curlOut: r.out };
  }

  /** Base64 of the DER of a new request for a new P-256 key (files NAME.key, NAME.der, NAME.b64). */
  async newCsr(name, subj = '/CN=terminal') {
    const keyFile = path.join(this.work, `${name}.key`);
    await toolOk('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    const der = path.join(this.work, `${name}.der`);
    await toolOk('openssl', ['req', '-new', '-key', keyFile, '-subj', subj, '-outform', 'DER', '-out', der]);
    const b64 = (await fsp.readFile(der)).toString('base64');
    return { key: keyFile, der, b64, file: await this.write(`${name}.b64`, b64) };
  }

  /** The certificates of a base64 PKCS#7 answer, as PEM. */
  async certsOf(base64Body, name) {
    const p7 = await this.write(`${name}.p7`, Buffer.from(base64Body.toString(), 'base64'));
    return toolOk('openssl', ['pkcs7', '-inform', 'DER', '-in', p7, '-print_certs']);
  }

  async serialOf(pemFile) {
    const out = await toolOk('openssl', ['x509', '-in', pemFile, '-noout', '-serial']);
    return out.trim().replace(/^serial=/, '').toLowerCase();
  }

  async verify(pemFile) {
    return toolOk('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', this.root, '-untrusted', this.issuing, pemFile]);
  }

  /** Runs the guide's commands of `section` with bash in `dir`, with EST, NUMBER and CODE set. */
  async runGuide(section, dir, number = '', code = '') {
    const script = `set -euo pipefail\n${await guideBlock(section)}`;
    const env = { ...process.env, EST: `${this.srv.tlsUrl}/.well-known/est`, NUMBER: number, CODE: code };
    return tool('bash', ['-c', script], { cwd: dir, env });
  }

  /** A vendor's working folder holding the root certificate, as the guide starts. */
  async vendorDir(name) {
    const dir = path.join(this.work, name);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.copyFile(this.root, path.join(dir, 'root.crt'));
    return dir;
  }

  async certificateCount() {
    return (await this.sql('SELECT count(*) AS n FROM certificates'))[0].n;
  }

  async assertNothingIssued(before, what) {
    assert.equal(await this.certificateCount(), before, `${what}: no certificate issued`);
    const live = await this.sql("SELECT count(*) AS n FROM issuance_reservations WHERE state = 'reserved'");
    assert.equal(live[0].n, 0, `${what}: no serial left reserved`);
  }

  async assertServing(what) {
    const plain = await fetch(`${this.srv.baseUrl}/healthz`);
    assert.equal(plain.status, 200, `${what}: the plain listener serves`);
    const tls = await tool('curl', ['-sS', '--max-time', '10', '--cacert', this.root, `${this.srv.tlsUrl}/healthz`]);
    assert.equal(tls.code, 0, `${what}: the TLS listener serves: ${tls.out}`);
  }
}
