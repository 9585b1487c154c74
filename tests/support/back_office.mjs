// What the back-office tests share: a server with a CA (`onshi ca init`, then a restart, since the
// server loads the CA at startup only), operators made with `onshi operator create`, their TOTP
// codes computed as an authenticator app does, and a clinic's certificate application made
// through the portal's pages.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  freePort, startServer, restartServer, runOnshi, freshEmail, freshInstitutionCode, strongPassword, csrfToken, inputValue,
  pageText, hiddenInputs, formContaining, finalizeUsageApplication, certificateFields, CERT_NUMBER_RE,
} from './harness.mjs';

/**
 * A server with a development CA. The server and every CLI run read one onshi.toml, as in
 * production, so certificates issued from the CLI carry CRL and OCSP URLs under the server's
 * public address. `env` adds to the server's and the CLI's environment. Returns { srv, caInit }
 * (caInit: what `onshi ca init` printed).
 */
export async function startServerWithCa({ name, passphrase, env = {} }) {
  const srv = await startServer({ name, env: { ONSHI_CA_PASSPHRASE: passphrase, ...env } });
  await fsp.writeFile(path.join(srv.dataDir, 'onshi.toml'), `[server]\nbase_url = "${srv.publicBaseUrl}"\n`);
  const init = await runOnshi(srv, ['ca', 'init']);
  assert.equal(init.code, 0, `onshi ca init -> ${init.code}: ${init.stdout}${init.stderr}`);
  await restartServer(srv);
  return { srv, caInit: init.stdout };
}

/**
 * Gives a server with a CA (startServerWithCa) its TLS listener: `onshi ca server-cert --dns
 * localhost --ip 127.0.0.1 --out DATA/tls`, then a restart with --tls-listen on a free port.
 * Returns the server (srv.tls: { port, certFile, keyFile }, srv.tlsUrl) and what server-cert printed.
 */
export async function withTlsListener(srv) {
  const dir = path.join(srv.dataDir, 'tls');
  const issued = await runOnshi(srv, ['ca', 'server-cert', '--dns', 'localhost', '--ip', '127.0.0.1', '--out', dir]);
  assert.equal(issued.code, 0, `onshi ca server-cert -> ${issued.code}: ${issued.stdout}${issued.stderr}`);
  srv.tls = {
    port: await freePort([srv.port, srv.smtpPort]),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
  };
  await restartServer(srv);
  return { srv, serverCert: issued.stdout };
}

// ---- TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) -----------------------------------

export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit code of `secret` (base32) for a 30-second step, by default the current one. */
export function totp(secret, step = Math.floor(Date.now() / 1000 / 30)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

/** A 6-digit code valid in none of the steps the server accepts (now - 1 … now + 1, and next). */
export function wrongTotp(secret) {
  const now = Math.floor(Date.now() / 1000 / 30);
  const valid = new Set([-1, 0, 1, 2].map((d) => totp(secret, now + d)));
  for (let n = 123456; ; n = (n + 111111) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

// ---- operators and applications ---------------------------------------------------------------

/**
 * `onshi operator create --json` with the password on stdin: { id, totp_secret, totp_uri, login,
 * name, role, password }.
 */
export async function createOperator(srv, { login, name, role, password }) {
  const r = await runOnshi(srv, ['operator', 'create', '--login', login, '--name', name, '--role', role,
    '--password-stdin', '--json'], { stdin: password });
  assert.equal(r.code, 0, `operator create ${login}: ${r.stdout}${r.stderr}`);
  const created = JSON.parse(r.stdout);
  assert.match(created.totp_secret, /^[A-Z2-7]{16,}=*$/, r.stdout);
  assert.ok(created.totp_uri.startsWith('otpauth://totp/'), created.totp_uri);
  return { ...created, login, name, role, password };
}

/**
 * A clinic account (CLI) logged in over HTTP with a finalized usage application for `terminals`
 * terminals: { acct, c, usage } (usage: its U-number).
 */
export async function newClinic(srv, tag, { institutionName, prefix = '131', terminals = 2 } = {}) {
  const acct = await srv.createAccount({
    email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(prefix),
    institutionName: institutionName ?? `医療法人テスト会 ${tag}クリニック`,
  });
  const c = srv.client();
  const r = await c.login(acct.email, acct.password);
  assert.equal(r.status, 303, `login ${acct.email}: ${pageText(r.text).slice(0, 300)}`);
  const usage = await finalizeUsageApplication(c, { terminals: String(terminals) });
  return { acct, c, usage };
}

/** 電子証明書発行申請 through the pages (form -> 次へ -> 閉じる); returns C-XXXXXXXX. */
export async function applyForCertificates({ acct, c }, n, overrides = {}) {
  const form = await c.get('/certificate-application/form');
  assert.equal(form.status, 200, `certificate form: ${pageText(form.text).slice(0, 300)}`);
  const conf = await c.post('/certificate-application/confirm', {
    ...certificateFields(acct, { certificates: String(n), ...overrides }),
    idempotency_key: inputValue(form.text, 'idempotency_key'), csrf_token: csrfToken(form.text),
  });
  assert.equal(conf.status, 200, `certificate confirm: ${pageText(conf.text).slice(0, 600)}`);
  const close = formContaining(conf.text, '閉じる');
  assert.ok(close, 'a 閉じる form on the confirmation page');
  const r = await c.post('/certificate-application/submit', hiddenInputs(close.html));
  assert.equal(r.status, 303, `certificate submit: ${pageText(r.text).slice(0, 500)}`);
  const number = CERT_NUMBER_RE.exec(r.location ?? '')?.[0];
  assert.ok(number, `an application number in ${r.location}`);
  return number;
}

/**
 * 更新申請 through the pages of `clinic.c`: GET /renewal, choose `numbers`, change `overrides`, 次へ,
 * 申請. The certificates must be inside the renewal window.
 * Returns { number, form, confirm, done } (done: the complete page).
 */
export async function applyForRenewal(clinic, numbers, overrides = {}) {
  const form = await clinic.c.get('/renewal');
  assert.equal(form.status, 200, `renewal form: ${pageText(form.text).slice(0, 500)}`);
  const fields = {
    csrf_token: csrfToken(form.text), idempotency_key: inputValue(form.text, 'idempotency_key'),
    municipality: /<option value="(\d+)" selected>/.exec(form.text)?.[1] ?? '',
    payment_method: /name="payment_method" value="(\w+)" checked/.exec(form.text)?.[1] ?? '',
  };
  for (const name of ['postal_code', 'address_line', 'department', 'contact_name', 'phone', 'email']) {
    fields[name] = inputValue(form.text, name);
  }
  const body = new URLSearchParams({ ...fields, ...overrides, action: 'confirm' });
  for (const n of numbers) body.append('certificate', n);
  const confirm = await clinic.c.post('/renewal', body.toString());
  assert.equal(confirm.status, 200, `renewal confirm: ${pageText(confirm.text).slice(0, 800)}`);
  const send = formContaining(confirm.text, '申請する');
  assert.ok(send, 'a 申請する form on the confirmation page');
  const sent = new URLSearchParams(hiddenInputs(send.html));
  sent.delete('certificate');
  for (const n of numbers) sent.append('certificate', n);
  sent.set('action', 'submit');
  const r = await clinic.c.post('/renewal', sent.toString());
  assert.equal(r.status, 303, `renewal submit: ${pageText(r.text).slice(0, 800)}`);
  const number = CERT_NUMBER_RE.exec(r.location ?? '')?.[0];
  assert.ok(number, `an application number in ${r.location}`);
  const done = await clinic.c.get(r.location);
  return { number, form, confirm, done };
}
