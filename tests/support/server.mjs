// The onshi server under test: OnshiServer runs the real `onshi serve` on a free port with its own
// data directory, log folder and SMTP sink (and, once given `tls`, its TLS listener on another
// port), and creates, registers and verifies accounts and reads metrics; startServer/stopServer/restartServer manage its life, and runOnshi plus the API token
// helpers run `onshi` subcommands against its data directory. Its database is DATA/onshi.db, or
// with ONSHI_TEST_ENGINE=postgresql one PostgreSQL database of its own (database.mjs).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPostgresDatabase, onPostgres } from './database.mjs';
import { freshEmail, freshInstitutionCode, strongPassword } from './fixtures.mjs';
import { pageText } from './html.mjs';
import { Client } from './http.mjs';
import { SUBJECT_VERIFY, SmtpSink, linkFromBody } from './mail.mjs';
import { ARTIFACTS, ONSHI_BIN, freePort, portAccepts, sleep, track, waitExit } from './processes.mjs';

// ---------------------------------------------------------------------------------------------
// The onshi server

function safeName(name) {
  return String(name).replace(/[^A-Za-z0-9_.-]+/g, '_');
}

async function tail(file, n = 4000) {
  try {
    const s = await fsp.readFile(file, 'utf8');
    return s.slice(-n);
  } catch {
    return '';
  }
}

export class OnshiServer {
  constructor({ name, port, smtpPort, dataDir, logDir, env, publicBaseUrl }) {
    this.name = name;
    this.port = port;
    this.smtpPort = smtpPort;
    this.dataDir = dataDir;
    this.logDir = logDir;
    this.env = env;
    this.baseUrl = `http://127.0.0.1:${port}`;
    // What the server is told its public address is (--base-url): links in mails start with it.
    this.publicBaseUrl = publicBaseUrl ?? this.baseUrl;
    this.child = null;
    // { port, certFile, keyFile }: `serve --tls-listen 127.0.0.1:PORT --tls-cert --tls-key` when set
    // (withTlsListener in back_office.mjs sets it, with a certificate from the server's own CA).
    this.tls = null;
    this.smtp = new SmtpSink({ port: smtpPort, maildir: path.join(dataDir, '..', 'maildir'), logDir });
    this.exitResult = null;
  }

  get stdoutFile() { return path.join(this.logDir, 'onshi.stdout.log'); }
  get stderrFile() { return path.join(this.logDir, 'onshi.stderr.log'); }

  /** https://127.0.0.1:PORT of the TLS listener. */
  get tlsUrl() { return this.tls ? `https://127.0.0.1:${this.tls.port}` : undefined; }

  get alive() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start() {
    await fsp.mkdir(this.logDir, { recursive: true });
    const out = fs.openSync(this.stdoutFile, 'a');
    const err = fs.openSync(this.stderrFile, 'a');
    const tlsArgs = this.tls ? ['--tls-listen', `127.0.0.1:${this.tls.port}`, '--tls-cert', this.tls.certFile,
      '--tls-key', this.tls.keyFile] : [];
    this.child = track(spawn(ONSHI_BIN, [
      'serve', '--data', this.dataDir, '--listen', `127.0.0.1:${this.port}`,
      '--base-url', this.publicBaseUrl, '--smtp-url', `smtp://127.0.0.1:${this.smtpPort}`, ...tlsArgs,
    ], { stdio: ['ignore', out, err], env: this.env }));
    fs.closeSync(out);
    fs.closeSync(err);
    const spawnError = once(this.child, 'error').then(([e]) => e);
    const deadline = Date.now() + 20000;
    for (;;) {
      const failed = await Promise.race([spawnError, sleep(0).then(() => null)]);
      if (failed) throw new Error(`cannot start ${ONSHI_BIN}: ${failed.message}`);
      if (!this.alive) {
        throw new Error(`onshi exited early (code ${this.child.exitCode}, signal ${this.child.signalCode}); `
          + `stderr:\n${await tail(this.stderrFile)}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        // The two listeners open side by side: the plain one answering says nothing of the other.
        if (res.status === 200 && (!this.tls || await portAccepts(this.tls.port))) return;
      } catch { /* not yet listening */ }
      if (Date.now() > deadline) {
        throw new Error(`onshi did not answer /healthz 200 within 20 s; stderr:\n${await tail(this.stderrFile)}`);
      }
      await sleep(100);
    }
  }

  /** SIGTERM, then waits up to 10 s for the exit. Returns { code, signal, timedOut }. */
  async stop() {
    if (this.exitResult) return this.exitResult;
    if (!this.child) return { code: null, signal: null, timedOut: false };
    const child = this.child;
    if (this.alive) child.kill('SIGTERM');
    this.exitResult = await waitExit(child, 10000);
    return this.exitResult;
  }

  client() {
    return new Client(this.baseUrl);
  }

  /** `onshi account create` (a pre-verified account); password on stdin. */
  async createAccount({ email, password, institutionCode: code, institutionName = '医療法人テスト会' }) {
    const child = spawn(ONSHI_BIN, [
      'account', 'create', '--data', this.dataDir, '--email', email,
      '--institution-code', code, '--name', institutionName, '--password-stdin',
    ], { stdio: ['pipe', 'pipe', 'pipe'], env: this.env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.stdin.on('error', () => {}); // the exit code says what went wrong
    child.stdin.end(password);
    const [code2, signal] = await once(child, 'exit');
    await fsp.appendFile(path.join(this.logDir, 'cli.log'), `account create ${email}: exit ${code2}\n${out}\n`);
    if (code2 !== 0) throw new Error(`onshi account create failed (exit ${code2}, ${signal}): ${out}`);
    return { email, password, institutionCode: code, institutionName };
  }

  waitForMail(opts) { return this.smtp.waitForMail(opts); }
  countMails(filter) { return this.smtp.countMails(filter); }

  /** Registers through the web form; returns the POST response. */
  async register(client, { email, password, passwordConfirm = password, institutionCode: code, institutionName }) {
    return client.submit('/register', {
      email, password, password_confirm: passwordConfirm, institution_code: code, institution_name: institutionName,
    });
  }

  /** Waits for the verification mail to `email` and returns its link. */
  async verificationLink(email, opts = {}) {
    const mail = await this.waitForMail({ to: email, subjectIncludes: SUBJECT_VERIFY, ...opts });
    const link = linkFromBody(mail.body, `${this.publicBaseUrl}/verify?token=`);
    if (!link) throw new Error(`no verify link in mail body:\n${mail.body}`);
    return link;
  }

  /** Web registration + mail + POST /verify: a ready account. */
  async registerVerified({ email = freshEmail(), password = strongPassword(), institutionCode: code = freshInstitutionCode(),
    institutionName = '医療法人テスト会' } = {}) {
    const c = this.client();
    const r = await this.register(c, { email, password, institutionCode: code, institutionName });
    if (r.status !== 200) throw new Error(`register -> ${r.status}: ${pageText(r.text).slice(0, 500)}`);
    const link = await this.verificationLink(email);
    const token = new URL(link).searchParams.get('token');
    const v = await c.submit(`/verify?token=${encodeURIComponent(token)}`, { token }, '/verify');
    if (v.status !== 200) throw new Error(`verify -> ${v.status}: ${pageText(v.text).slice(0, 500)}`);
    return { email, password, institutionCode: code, institutionName };
  }

  /** Latest value of a metric line (`name` or `name{labels}`), or undefined. */
  async metric(name) {
    const res = await fetch(`${this.baseUrl}/metrics`);
    const text = await res.text();
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([^\s{]+)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (m && m[1] === name) return Number(m[3]);
    }
    return undefined;
  }
}

/**
 * Starts an SMTP sink (unless startSmtp is false) and `onshi serve` on free ports.
 * @param {{name: string, startSmtp?: boolean, smtpPort?: number, env?: object, publicBaseUrl?: string}} opts
 *   publicBaseUrl: --base-url when it should differ from http://127.0.0.1:PORT (e.g. https://...)
 */
export async function startServer({ name, startSmtp = true, smtpPort, env = {}, publicBaseUrl } = {}) {
  const logDir = path.join(ARTIFACTS, safeName(name || 'server'));
  await fsp.rm(logDir, { recursive: true, force: true });
  await fsp.mkdir(logDir, { recursive: true });
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), `onshi-${safeName(name || 'test')}-`));
  const dataDir = path.join(root, 'data');
  await fsp.mkdir(dataDir, { recursive: true });
  const port = await freePort(smtpPort === undefined ? [] : [smtpPort]);
  const sport = smtpPort ?? await freePort([port]);
  // A test that brings its own database (a cluster it stops, say) keeps it.
  const database = onPostgres && !env.ONSHI_DATABASE_URL ? await createPostgresDatabase(name || 'server') : null;
  const server = new OnshiServer({
    name, port, smtpPort: sport, dataDir, logDir, publicBaseUrl,
    env: {
      ...process.env,
      ONSHI_MAIL_POLL_MS: '100',
      ONSHI_MAIL_RETRY_BASE_MS: '200',
      ONSHI_LOGIN_LOCK_BASE_SECONDS: '2',
      ...(database ? { ONSHI_DATABASE_URL: database.url } : {}),
      ...env,
    },
  });
  server.root = root;
  server.database = database;
  if (startSmtp) await server.smtp.start();
  try {
    // `serve` migrates only the embedded database: a shared one is migrated by hand first.
    if (database) {
      const m = await runOnshi(server, ['db', 'migrate']);
      if (m.code !== 0) throw new Error(`onshi db migrate failed (exit ${m.code}): ${m.stdout}${m.stderr}`);
    }
    await server.start();
  } catch (e) {
    await server.stop();
    await server.smtp.stop();
    await dropDatabases(server);
    throw e;
  }
  return server;
}

async function dropDatabases(server) {
  if (process.env.ONSHI_KEEP_DATA) return;
  for (const db of [server.database, ...(server.copies ?? [])]) {
    if (db) await db.drop();
  }
}

/**
 * Stops the server and the sink, keeps the Maildir copy in the artifacts, removes the temp dir
 * and drops its PostgreSQL databases (ONSHI_KEEP_DATA=1 keeps both).
 */
export async function stopServer(server) {
  if (!server) return undefined;
  const result = await server.stop();
  await server.smtp.stop();
  try {
    await fsp.cp(path.join(server.root, 'maildir'), path.join(server.logDir, 'maildir'), { recursive: true });
  } catch { /* no mail */ }
  if (!process.env.ONSHI_KEEP_DATA) await fsp.rm(server.root, { recursive: true, force: true });
  await dropDatabases(server);
  return result;
}
// ---------------------------------------------------------------------------------------------
// Restarting `onshi serve` (e.g. after `onshi ca init`: the server loads the CA only at startup)

/**
 * Stops `onshi serve` and starts it again on the same port, data directory and environment;
 * `whileStopped` runs in between (to change its database while no node uses it).
 */
export async function restartServer(server, { whileStopped } = {}) {
  await server.stop();
  if (whileStopped) await whileStopped();
  server.exitResult = null;
  server.child = null;
  await server.start();
  return server;
}

// ---------------------------------------------------------------------------------------------
// The CLI against the server's data directory

/** Runs `onshi ARGS...` with the server's data directory; resolves { code, stdout, stderr }. */
export async function runOnshi(server, args, { stdin } = {}) {
  // --data right after the subcommand words (`account token create --data DIR --email ...`).
  let at = args.findIndex((a) => a.startsWith('-'));
  if (at < 0) at = args.length;
  const child = spawn(ONSHI_BIN, [...args.slice(0, at), '--data', server.dataDir, ...args.slice(at)], {
    stdio: ['pipe', 'pipe', 'pipe'], env: server.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdin.on('error', () => {}); // a command that reads nothing may exit first
  child.stdin.end(stdin ?? '');
  const [code] = await once(child, 'exit');
  await fsp.appendFile(path.join(server.logDir, 'cli.log'),
    `onshi ${args.join(' ')}: exit ${code}\n${stdout}${stderr}\n`);
  return { code, stdout, stderr };
}

/** `onshi account token create --email E --label L`; returns { id, token, stdout }. */
export async function createApiToken(server, { email, label = 'test' }) {
  const r = await runOnshi(server, ['account', 'token', 'create', '--email', email, '--label', label]);
  if (r.code !== 0) throw new Error(`account token create failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
  const token = /^\s*token:\s*(\S+)\s*$/m.exec(r.stdout)?.[1];
  const id = /^\s*id:\s*(\d+)\s*$/m.exec(r.stdout)?.[1];
  if (!token) throw new Error(`no "token: ..." line in: ${r.stdout}`);
  return { id: id === undefined ? undefined : Number(id), token, stdout: r.stdout };
}

/** `onshi account token revoke --email E --id N`. */
export async function revokeApiToken(server, { email, id }) {
  const r = await runOnshi(server, ['account', 'token', 'revoke', '--email', email, '--id', String(id)]);
  if (r.code !== 0) throw new Error(`account token revoke failed (exit ${r.code}): ${r.stdout}${r.stderr}`);
  return r;
}
