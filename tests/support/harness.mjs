// Test harness for the integration and browser tests: starts the real `onshi serve` with an SMTP
// sink (Debian's python3-aiosmtpd writing a Maildir), and gives an HTTP client with a cookie jar,
// form posting, CSRF token extraction and mail parsing. docs/pages.md is the contract.
//
// Environment (set by tests/CMakeLists.txt):
//   ONSHI_BIN         path of the onshi executable (default: <repo>/build/onshi)
//   ONSHI_SOURCE_DIR  repo root (default: two levels above this file)
//   ONSHI_ARTIFACTS   folder for logs and screenshots (default: <tmp>/onshi-test-artifacts)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.ONSHI_SOURCE_DIR || path.resolve(here, '..', '..');
export const ONSHI_BIN = process.env.ONSHI_BIN || path.join(SOURCE_DIR, 'build', 'onshi');
export const ARTIFACTS = process.env.ONSHI_ARTIFACTS || path.join(os.tmpdir(), 'onshi-test-artifacts');
export const PYTHON = '/usr/bin/python3';

export const MAIL_FROM = 'portal@fask.or.jp';
export const SUBJECT_VERIFY = '【医療機関等向けポータルサイト】メールアドレスの確認';
export const SUBJECT_RESET = '【医療機関等向けポータルサイト】パスワード再設定のご案内';
export const MSG_BAD_LOGIN = 'メールアドレスまたはパスワードが正しくありません。';
export const MSG_LOCKED = 'ログインの試行回数が上限に達しました。しばらく時間をおいてから再度お試しください。';
export const MSG_CSRF = '不正なリクエストです';
export const MSG_BAD_TOKEN = 'このリンクは無効か、有効期限が切れています';
export const MSG_NOT_FOUND = 'ページが見つかりません';
export const MSG_METHOD = 'この操作は許可されていません';
export const MSG_BAD_FORM = '送信された内容を読み取れませんでした';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Children we started: killed on exit so a failing test never leaves servers behind.
const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const c of children) {
      try { c.kill('SIGKILL'); } catch { /* already gone */ }
    }
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function waitExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode, timedOut: false };
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal, timedOut: false }));
  let t;
  const timer = new Promise((r) => { t = setTimeout(() => r(null), timeoutMs); });
  const r = await Promise.race([exited, timer]);
  clearTimeout(t);
  if (r) return r;
  child.kill('SIGKILL');
  const [code, signal] = await once(child, 'exit').catch(() => [null, 'SIGKILL']);
  return { code, signal, timedOut: true };
}

// ---------------------------------------------------------------------------------------------
// Ports

/** A free TCP port on 127.0.0.1: bind to port 0, read it, close. */
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAccepts(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function waitForPort(port, timeoutMs, child, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (await portAccepts(port)) return;
    await sleep(50);
  }
  throw new Error(`${what}: port ${port} did not accept connections within ${timeoutMs} ms`);
}

// ---------------------------------------------------------------------------------------------
// Institution codes: 2 digits prefecture + 1 digit 点数表 + 7 digits, the last a check digit over
// the 6 digits after the first 3 (weights 2,1,2,1,... from the rightmost, digits of products
// summed, check = (10 - sum % 10) % 10). 1310123455 is valid.

export function checkDigit(six) {
  const d = String(six);
  if (!/^\d{6}$/.test(d)) throw new Error(`need 6 digits, got ${six}`);
  let sum = 0;
  for (let i = 0; i < 6; i++) {
    const digit = Number(d[5 - i]);
    const p = digit * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(p / 10) + (p % 10);
  }
  return (10 - (sum % 10)) % 10;
}

/** A valid 10-digit institution code from 6 digits (prefix: prefecture + 点数表, default 東京都 医科). */
export function institutionCode(six, prefix = '131') {
  const d = String(six).padStart(6, '0');
  return `${prefix}${d}${checkDigit(d)}`;
}

/** The same code with a wrong check digit. */
export function badCheckDigitCode(six, prefix = '131') {
  const good = institutionCode(six, prefix);
  const wrong = (Number(good[9]) + 1) % 10;
  return good.slice(0, 9) + wrong;
}

let codeCounter = Math.floor(Math.random() * 400000) + 100000;
/** A fresh valid institution code (unique within this process). */
export function freshInstitutionCode(prefix = '131') {
  codeCounter += 1 + Math.floor(Math.random() * 7);
  return institutionCode(String(codeCounter % 1000000).padStart(6, '0'), prefix);
}

let emailCounter = 0;
/** A fresh e-mail address (unique within this process). */
export function freshEmail(tag = 'user') {
  emailCounter += 1;
  return `${tag}${emailCounter}.${process.pid}.${Date.now().toString(36)}@clinic.example.jp`;
}

/** A password that passes the policy (12+ characters, not a common one). */
export function strongPassword(tag = '') {
  return `Kusunoki-${tag}${Math.random().toString(36).slice(2, 10)}-Tsubame7`;
}

/** Full-width digits (１３１...) with full-width hyphens, as people type them. */
export function toFullWidthCode(code) {
  const fw = [...code].map((c) => String.fromCharCode(c.charCodeAt(0) - 0x30 + 0xff10)).join('');
  // 都道府県2 － 点数表1 － 医療機関コード7
  return `${fw.slice(0, 2)}－${fw.slice(2, 3)}－${fw.slice(3)}`;
}

// ---------------------------------------------------------------------------------------------
// Mail parsing (RFC 5322 + RFC 2047 encoded words + base64 / quoted-printable bodies)

function bytesToUtf8(latin1) {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

function decodeQ(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

/** Decodes RFC 2047 encoded words; whitespace between adjacent encoded words is dropped, and the
 * bytes of adjacent words in one charset are joined before decoding (a character may be split). */
export function decodeEncodedWords(value) {
  const re = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let out = '';
  let last = 0;
  let pending = null; // { charset, bufs }
  const flush = () => {
    if (!pending) return;
    const buf = Buffer.concat(pending.bufs);
    const cs = pending.charset.toLowerCase().replace(/\*.*$/, '');
    out += cs === 'utf-8' || cs === 'utf8' ? buf.toString('utf8') : new TextDecoder(cs).decode(buf);
    pending = null;
  };
  let m;
  while ((m = re.exec(value)) !== null) {
    const between = value.slice(last, m.index);
    if (!(pending && /^\s*$/.test(between))) {
      flush();
      out += bytesToUtf8(between);
    }
    const [, charset, enc, text] = m;
    const buf = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    if (pending && pending.charset.toLowerCase() !== charset.toLowerCase()) flush();
    if (!pending) pending = { charset, bufs: [] };
    pending.bufs.push(buf);
    last = re.lastIndex;
  }
  flush();
  out += bytesToUtf8(value.slice(last));
  return out;
}

function decodeQuotedPrintable(latin1) {
  const s = latin1.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

function splitHeaderBody(latin1) {
  const m = /\r?\n\r?\n/.exec(latin1);
  if (!m) return { head: latin1, body: '' };
  return { head: latin1.slice(0, m.index), body: latin1.slice(m.index + m[0].length) };
}

function parseHeaders(head) {
  const headers = {}; // lower-case name -> array of raw (unfolded) values
  const unfolded = head.replace(/\r?\n([ \t])/g, '$1');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    (headers[name] ||= []).push(value);
  }
  return headers;
}

function headerParam(value, param) {
  const re = new RegExp(`;\\s*${param}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const m = re.exec(value || '');
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Decodes an entity (headers + body) to text: picks text/plain in multiparts. */
function decodeEntity(latin1) {
  const { head, body } = splitHeaderBody(latin1);
  const headers = parseHeaders(head);
  const ctype = (headers['content-type']?.[0] || 'text/plain; charset=us-ascii');
  if (/^multipart\//i.test(ctype)) {
    const boundary = headerParam(ctype, 'boundary');
    const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
    const decoded = parts.map((p) => decodeEntity(p.replace(/^\r?\n/, '')));
    const plain = decoded.find((p) => /^text\/plain/i.test(p.ctype)) || decoded[0];
    return { ctype, text: plain ? plain.text : '' };
  }
  const cte = (headers['content-transfer-encoding']?.[0] || '7bit').toLowerCase();
  let buf;
  if (cte === 'base64') buf = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (cte === 'quoted-printable') buf = decodeQuotedPrintable(body);
  else buf = Buffer.from(body, 'latin1');
  const charset = (headerParam(ctype, 'charset') || 'utf-8').toLowerCase();
  const text = charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii'
    ? buf.toString('utf8') : new TextDecoder(charset).decode(buf);
  return { ctype, text };
}

function addresses(value) {
  if (!value) return [];
  const out = [];
  for (const m of value.matchAll(/<([^<>\s]+@[^<>\s]+)>|([^\s<>,;"]+@[^\s<>,;"]+)/g)) {
    out.push((m[1] || m[2]).toLowerCase());
  }
  return out;
}

/** Parses one RFC 5322 message (Buffer or string). Returns
 * { subject, body, headers (lower-case name -> decoded string, first occurrence), rawHeaders,
 *   from, to (array of addresses; To, Cc and the sink's X-RcptTo), file }. */
export function parseMail(raw, file) {
  const latin1 = Buffer.isBuffer(raw) ? raw.toString('latin1') : Buffer.from(raw, 'utf8').toString('latin1');
  const { head } = splitHeaderBody(latin1);
  const rawHeaders = parseHeaders(head);
  const headers = {};
  for (const [k, v] of Object.entries(rawHeaders)) headers[k] = decodeEncodedWords(v[0]);
  const { text } = decodeEntity(latin1);
  const to = new Set([
    ...addresses(headers.to), ...addresses(headers.cc), ...addresses(headers['x-rcptto']),
  ]);
  return {
    subject: headers.subject ?? '',
    body: text.replace(/\r\n/g, '\n'),
    headers,
    rawHeaders,
    from: addresses(headers.from)[0],
    to: [...to],
    file,
  };
}

/** The first line of a mail body that is a URL starting with prefix (e.g. BASE/verify?token=). */
export function linkFromBody(body, prefix) {
  for (const line of body.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith(prefix)) return t;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// SMTP sink: python3 -m aiosmtpd writing a Maildir

export class SmtpSink {
  /** @param {{port: number, maildir: string, logDir: string}} opts */
  constructor({ port, maildir, logDir }) {
    this.port = port;
    this.maildir = maildir;
    this.logDir = logDir;
    this.child = null;
  }

  get running() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start() {
    if (this.running) return;
    await fsp.mkdir(this.logDir, { recursive: true });
    await fsp.mkdir(path.dirname(this.maildir), { recursive: true });
    const out = fs.openSync(path.join(this.logDir, 'smtp.log'), 'a');
    this.child = track(spawn(PYTHON, [
      '-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${this.port}`,
      '-c', 'aiosmtpd.handlers.Mailbox', this.maildir,
    ], { stdio: ['ignore', out, out] }));
    fs.closeSync(out);
    await waitForPort(this.port, 10000, this.child, 'aiosmtpd');
  }

  async stop() {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await waitExit(child, 5000);
  }

  /** All parsed mails, oldest first. */
  async mails() {
    const list = [];
    for (const sub of ['new', 'cur']) {
      const dir = path.join(this.maildir, sub);
      let names = [];
      try { names = await fsp.readdir(dir); } catch { continue; }
      for (const name of names) {
        const file = path.join(dir, name);
        try {
          const [st, raw] = await Promise.all([fsp.stat(file, { bigint: true }), fsp.readFile(file)]);
          list.push({ mtime: st.mtimeNs, name, mail: parseMail(raw, file) });
        } catch { /* being moved */ }
      }
    }
    list.sort((a, b) => (a.mtime < b.mtime ? -1 : a.mtime > b.mtime ? 1 : a.name.localeCompare(b.name)));
    return list.map((x) => x.mail);
  }

  /** Mails matching {to, subjectIncludes}. */
  async find({ to, subjectIncludes } = {}) {
    const want = to?.toLowerCase();
    return (await this.mails()).filter((m) =>
      (!want || m.to.includes(want)) && (!subjectIncludes || m.subject.includes(subjectIncludes)));
  }

  async countMails(filter = {}) {
    return (await this.find(filter)).length;
  }

  /** Waits for the nth (1-based, default 1) mail matching {to, subjectIncludes}. */
  async waitForMail({ to, subjectIncludes, timeoutMs = 10000, nth = 1 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.find({ to, subjectIncludes });
      if (found.length >= nth) return found[nth - 1];
      if (Date.now() > deadline) {
        const all = await this.mails();
        throw new Error(`no mail #${nth} to ${to} with subject containing ${JSON.stringify(subjectIncludes)} `
          + `within ${timeoutMs} ms; mails in the sink: ${JSON.stringify(all.map((m) => ({ to: m.to, subject: m.subject })))}`);
      }
      await sleep(50);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP client with a cookie jar

export function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Attributes of the first tag matching `<tag ... name="NAME" ...>`, or undefined. */
export function findTag(html, tag, name) {
  const re = new RegExp(`<${tag}\\b[^>]*>`, 'gi');
  for (const m of html.matchAll(re)) {
    const attrs = parseAttrs(m[0]);
    if (name === undefined || attrs.name === name) return attrs;
  }
  return undefined;
}

export function parseAttrs(tagText) {
  const attrs = {};
  const re = /([^\s=<>"'/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  const inner = tagText.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const m of inner.matchAll(re)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** The value attribute of <input name="NAME">, '' when it has none, undefined when no such input. */
export function inputValue(html, name) {
  const a = findTag(html, 'input', name);
  if (!a) return undefined;
  return a.value ?? '';
}

/** The hidden csrf_token of a page. */
export function csrfToken(html) {
  const v = inputValue(html, 'csrf_token');
  if (!v) throw new Error(`no csrf_token in page:\n${html.slice(0, 2000)}`);
  return v;
}

/** The text of a page without tags, entities decoded, whitespace collapsed. */
export function pageText(html) {
  return decodeEntities(html
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** Parses one Set-Cookie header value. */
export function parseSetCookie(value) {
  const [pair, ...attrParts] = value.split(';');
  const i = pair.indexOf('=');
  const cookie = {
    name: pair.slice(0, i).trim(),
    value: pair.slice(i + 1).trim(),
    attributes: {},
    raw: value,
  };
  for (const a of attrParts) {
    const j = a.indexOf('=');
    const k = (j < 0 ? a : a.slice(0, j)).trim().toLowerCase();
    if (!k) continue;
    cookie.attributes[k] = j < 0 ? true : a.slice(j + 1).trim();
  }
  return cookie;
}

export function formBody(fields) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    p.append(k, String(v));
  }
  return p.toString();
}

export class Client {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.jar = new Map(); // name -> parsed cookie (with attributes)
  }

  cookie(name) {
    return this.jar.get(name)?.value;
  }

  cookieAttributes(name) {
    return this.jar.get(name)?.attributes;
  }

  setCookie(name, value) {
    this.jar.set(name, { name, value, attributes: {}, raw: `${name}=${value}` });
  }

  cookieHeader() {
    return [...this.jar.values()].map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** Raw request; returns { status, headers, text, location, setCookies, res }. */
  async request(method, urlPath, { body, headers = {}, contentType } = {}) {
    const url = new URL(urlPath, this.baseUrl);
    const h = { ...headers };
    const cookies = this.cookieHeader();
    if (cookies) h.cookie = cookies;
    if (contentType) h['content-type'] = contentType;
    const res = await fetch(url, { method, body, headers: h, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const sc of setCookies) {
      const c = parseSetCookie(sc);
      const expired = c.attributes['max-age'] !== undefined && Number(c.attributes['max-age']) <= 0;
      const pastExpiry = typeof c.attributes.expires === 'string' && Date.parse(c.attributes.expires) < Date.now();
      if (expired || pastExpiry || c.value === '') this.jar.delete(c.name);
      else this.jar.set(c.name, c);
    }
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      location: res.headers.get('location'),
      setCookies: setCookies.map(parseSetCookie),
      res,
    };
  }

  get(urlPath, opts) {
    return this.request('GET', urlPath, opts);
  }

  /** POST an application/x-www-form-urlencoded form. */
  post(urlPath, fields, opts = {}) {
    return this.request('POST', urlPath, {
      ...opts,
      body: typeof fields === 'string' || Buffer.isBuffer(fields) ? fields : formBody(fields),
      contentType: opts.contentType ?? 'application/x-www-form-urlencoded',
    });
  }

  /** GET a page and return its csrf_token. */
  async csrf(urlPath) {
    const r = await this.get(urlPath);
    if (r.status !== 200) throw new Error(`GET ${urlPath} -> ${r.status}: ${r.text.slice(0, 500)}`);
    return csrfToken(r.text);
  }

  /** GET formPath for the token, then POST fields (+csrf_token) to postPath (default formPath). */
  async submit(formPath, fields, postPath) {
    const token = await this.csrf(formPath);
    return this.post(postPath ?? formPath.replace(/\?.*$/, ''), { ...fields, csrf_token: token });
  }

  login(email, password) {
    return this.submit('/login', { email, password });
  }

  /** Logs out with the token of /mypage's logout form. */
  async logout() {
    const token = await this.csrf('/mypage');
    return this.post('/logout', { csrf_token: token });
  }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP over a socket, for requests fetch would refuse or alter (huge bodies and headers).

/** Sends raw bytes; resolves { status, head, body, closedWithoutResponse, error } after the server
 * answers and closes or timeoutMs passes. Never rejects. */
export function rawRequest(port, chunks, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const received = [];
    let error;
    let finished = false;
    const finish = (why) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(received);
      const s = buf.toString('latin1');
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(s);
      const split = s.indexOf('\r\n\r\n');
      resolve({
        status: m ? Number(m[1]) : undefined,
        head: split >= 0 ? s.slice(0, split) : s,
        body: split >= 0 ? Buffer.from(s.slice(split + 4), 'latin1').toString('utf8') : '',
        closedWithoutResponse: !m,
        error,
        why,
      });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('data', (d) => {
      received.push(d);
      // Stop once a complete response with Content-Length has arrived.
      const s = Buffer.concat(received).toString('latin1');
      const split = s.indexOf('\r\n\r\n');
      if (split >= 0) {
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(s.slice(0, split));
        if (cl && Buffer.byteLength(s.slice(split + 4), 'latin1') >= Number(cl[1])) finish('complete');
      }
    });
    sock.on('error', (e) => { error = e.code || String(e); });
    sock.on('close', () => finish('closed'));
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (finished || sock.destroyed) break;
        const ok = sock.write(c);
        if (!ok) {
          await Promise.race([once(sock, 'drain'), once(sock, 'close')]).catch(() => {});
        }
      }
    });
  });
}

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
    this.smtp = new SmtpSink({ port: smtpPort, maildir: path.join(dataDir, '..', 'maildir'), logDir });
    this.exitResult = null;
  }

  get stdoutFile() { return path.join(this.logDir, 'onshi.stdout.log'); }
  get stderrFile() { return path.join(this.logDir, 'onshi.stderr.log'); }

  get alive() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start() {
    await fsp.mkdir(this.logDir, { recursive: true });
    const out = fs.openSync(this.stdoutFile, 'a');
    const err = fs.openSync(this.stderrFile, 'a');
    this.child = track(spawn(ONSHI_BIN, [
      'serve', '--data', this.dataDir, '--listen', `127.0.0.1:${this.port}`,
      '--base-url', this.publicBaseUrl, '--smtp-url', `smtp://127.0.0.1:${this.smtpPort}`,
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
        if (res.status === 200) return;
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
  const port = await freePort();
  const sport = smtpPort ?? await freePort();
  const server = new OnshiServer({
    name, port, smtpPort: sport, dataDir, logDir, publicBaseUrl,
    env: {
      ...process.env,
      ONSHI_MAIL_POLL_MS: '100',
      ONSHI_MAIL_RETRY_BASE_MS: '200',
      ONSHI_LOGIN_LOCK_BASE_SECONDS: '2',
      ...env,
    },
  });
  server.root = root;
  if (startSmtp) await server.smtp.start();
  try {
    await server.start();
  } catch (e) {
    await server.stop();
    await server.smtp.stop();
    throw e;
  }
  return server;
}

/** Stops the server and the sink, keeps the Maildir copy in the artifacts, removes the temp dir. */
export async function stopServer(server) {
  if (!server) return undefined;
  const result = await server.stop();
  await server.smtp.stop();
  try {
    await fsp.cp(path.join(server.root, 'maildir'), path.join(server.logDir, 'maildir'), { recursive: true });
  } catch { /* no mail */ }
  if (!process.env.ONSHI_KEEP_DATA) await fsp.rm(server.root, { recursive: true, force: true });
  return result;
}

/** The path (+query) of a Location header, relative or absolute. */
export function locationPath(location, baseUrl = 'http://127.0.0.1/') {
  if (!location) return location;
  const u = new URL(location, baseUrl);
  return u.pathname + u.search;
}

/** Digits only (for comparing institution codes however they are displayed). */
export function digitsOnly(s) {
  return String(s).replace(/[^0-9]/g, '');
}

/** True when the page text shows the 10-digit code, with or without separators between digits. */
export function showsCode(html, code) {
  const text = pageText(html);
  const re = new RegExp([...code].join('[\\s\\-‐－]?'));
  return re.test(text);
}

// ---------------------------------------------------------------------------------------------
// オンライン資格確認利用開始・変更申請 and the JSON API (docs/pages.md, docs/api.md)

export const USAGE_TITLE = 'オンライン資格確認利用開始・変更申請';
export const USAGE_PROCEED = 'オンライン資格確認などシステムの利用申請画面へ進む';
export const USAGE_HEADINGS = [
  'オンライン資格確認・医療情報化支援基金関係', '医療機関等向けポータルサイト', USAGE_TITLE,
];
export const SUBJECT_USAGE_ACCEPTED = '【医療機関等向けポータルサイト】オンライン資格確認利用申請受付のお知らせ';
export const USAGE_NUMBER_RE = /U-\d{8}/;
export const USAGE_FIELDS = ['line_type', 'customer_id', 'start_date', 'terminals', 'vendor_name',
  'vendor_contact', 'vendor_phone'];

/** The calendar date in Japan (UTC+9) `days` after today: { y, m, d, iso: 'YYYY-MM-DD', slash: 'YYYY/M/D' }. */
export function jstDate(days = 0) {
  const t = new Date(Date.now() + 9 * 3600 * 1000 + days * 86400 * 1000);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + 1;
  const d = t.getUTCDate();
  return {
    y, m, d,
    iso: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    slash: `${y}/${m}/${d}`,
  };
}

/** Half-width ASCII letters and digits to full-width (ＣＡＦ１２３...). */
export function toFullWidth(s) {
  return [...String(s)].map((c) => (/[0-9A-Za-z]/.test(c)
    ? String.fromCharCode(c.charCodeAt(0) - 0x20 + 0xff00) : c)).join('');
}

/** Valid form fields of a usage application (as posted by the HTML form), with overrides. */
export function usageFields(overrides = {}) {
  return {
    line_type: 'flets_next_east',
    customer_id: 'CAF1234567890',
    start_date: jstDate(30).iso,
    terminals: '2',
    vendor_name: 'テストベンダ株式会社',
    vendor_contact: '山田 太郎',
    vendor_phone: '03-1234-5678',
    ...overrides,
  };
}

/** The value of the checked radio button `name`, or undefined. */
export function checkedRadio(html, name) {
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (a.name === name && String(a.type).toLowerCase() === 'radio' && 'checked' in a) return a.value;
  }
  return undefined;
}

/** The text of <p class="field-error" id="FIELD-error">, or undefined when the page has none. */
export function fieldError(html, field) {
  for (const m of html.matchAll(/<p\b([^>]*)>([\s\S]*?)<\/p>/gi)) {
    const a = parseAttrs(`<p ${m[1]}>`);
    if (a.id === `${field}-error` && String(a.class ?? '').split(/\s+/).includes('field-error')) {
      return pageText(m[2]);
    }
  }
  return undefined;
}

/** Every field-error id on a page (['customer_id-error', ...]). */
export function fieldErrorIds(html) {
  const ids = [];
  for (const m of html.matchAll(/<p\b([^>]*)>/gi)) {
    const a = parseAttrs(`<p ${m[1]}>`);
    if (String(a.class ?? '').split(/\s+/).includes('field-error')) ids.push(a.id);
  }
  return ids;
}

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

/** A JSON API call: { status, headers, text, json (parsed or undefined), location }. */
export async function apiRequest(baseUrl, method, urlPath, { token, cookie, body, json, headers = {} } = {}) {
  const h = { accept: 'application/json', ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
  }
  const res = await fetch(new URL(urlPath, baseUrl), { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, text, json: parsed, location: res.headers.get('location') };
}

/** The message catalogue data/messages.ja.toml as { 'section.key': text } (the subset of TOML it uses:
 * [section] headers and `key = "text"` lines, keys bare or quoted). */
export function loadMessages(file = path.join(SOURCE_DIR, 'data', 'messages.ja.toml')) {
  const out = {};
  let section = '';
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) { section = sec[1].trim(); continue; }
    const kv = /^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.-]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/.exec(line);
    if (!kv) continue;
    const key = kv[1].startsWith('"') ? JSON.parse(kv[1]) : kv[1];
    out[section ? `${section}.${key}` : key] = JSON.parse(kv[2]);
  }
  return out;
}

/**
 * What the usage form's <input type="date"> shows for a typed start date: a real date typed as
 * YYYY/M/D (full-width too) comes back as YYYY-MM-DD, the only form a date input can display;
 * anything else comes back exactly as typed (docs/pages.md).
 */
export function shownStartDate(typed) {
  if (typed === undefined) return '';
  const m = /^\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})\s*$/.exec(String(typed).normalize('NFKC'));
  if (!m) return typed;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return typed;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// 電子証明書発行申請 (docs/pages.md, the guide's step 3)

export const CERT_FLOW_TITLE = '電子証明書発行申請の流れ';
export const CERT_FORM_TITLE = '証明書発行申請情報の入力画面（オンライン請求ネットワーク関連システム）';
export const CERT_PROCEED = '電子証明書の発行へ進む';
export const CERT_YES = 'はい 電子証明書の申請画面へ進む';
export const CERT_NO = 'いいえ オンライン資格確認の申請画面へ進む';
export const CERT_QUESTION = '電子証明書を利用いただくには、オンライン資格確認の利用申請が必要です。'
  + 'オンライン資格確認の利用申請は、行いましたか。';
export const CERT_NEED_USAGE = 'オンライン資格確認の申請画面へ進む';
export const CPIPCS_TITLE = 'オンライン請求ネットワーク関連システム共通認証局運用規程';
export const SUBJECT_CERT_ACCEPTED = '【医療機関等向けポータルサイト】電子証明書発行申請受付のお知らせ';
export const CERT_NUMBER_RE = /C-\d{8}/;
export const CERT_FIELDS = ['classification', 'prefecture', 'municipality', 'postal_code', 'address_line',
  'institution_code', 'institution_name', 'department', 'contact_name', 'phone', 'email', 'signature_name',
  'certificates'];
export const CERT_FEE_YEN = 1500; // data/fees.toml: 1件につき1,500円（税別）, 消費税10%

/** 3 digits grouped with commas (4,950). */
export function yen(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** { subtotal, tax, total } of n certificates: tax once on the total, rounded down. */
export function certificateFee(n, fee = CERT_FEE_YEN, taxPercent = 10) {
  const subtotal = fee * n;
  const tax = Math.floor((subtotal * taxPercent) / 100);
  return { subtotal, tax, total: subtotal + tax };
}

// 国民の祝日 (including 振替休日 and 国民の休日) of 2026 (令和8年) and 2027 (令和9年), as published by
// 内閣府 「国民の祝日について」 https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html (and its CSV
// https://www8.cao.go.jp/chosei/shukujitsu/syukujitsu.csv). Written out by hand, not computed.
export const JP_HOLIDAYS = new Map([
  ['2026-01-01', '元日'], ['2026-01-12', '成人の日'], ['2026-02-11', '建国記念の日'], ['2026-02-23', '天皇誕生日'],
  ['2026-03-20', '春分の日'], ['2026-04-29', '昭和の日'], ['2026-05-03', '憲法記念日'], ['2026-05-04', 'みどりの日'],
  ['2026-05-05', 'こどもの日'], ['2026-05-06', '休日'], ['2026-07-20', '海の日'], ['2026-08-11', '山の日'],
  ['2026-09-21', '敬老の日'], ['2026-09-22', '休日'], ['2026-09-23', '秋分の日'], ['2026-10-12', 'スポーツの日'],
  ['2026-11-03', '文化の日'], ['2026-11-23', '勤労感謝の日'],
  ['2027-01-01', '元日'], ['2027-01-11', '成人の日'], ['2027-02-11', '建国記念の日'], ['2027-02-23', '天皇誕生日'],
  ['2027-03-21', '春分の日'], ['2027-03-22', '休日'], ['2027-04-29', '昭和の日'], ['2027-05-03', '憲法記念日'],
  ['2027-05-04', 'みどりの日'], ['2027-05-05', 'こどもの日'], ['2027-07-19', '海の日'], ['2027-08-11', '山の日'],
  ['2027-09-20', '敬老の日'], ['2027-09-23', '秋分の日'], ['2027-10-11', 'スポーツの日'], ['2027-11-03', '文化の日'],
  ['2027-11-23', '勤労感謝の日'],
]);
const HOLIDAY_YEARS = new Set([2026, 2027]);

function isoOfUtc(t) {
  return t.toISOString().slice(0, 10);
}

/** True unless Saturday, Sunday, a 国民の祝日 or 年末年始 (12/29–1/3). Throws outside 2026–2027. */
export function isBusinessDay(iso) {
  const t = new Date(`${iso}T00:00:00Z`);
  const y = t.getUTCFullYear();
  if (!HOLIDAY_YEARS.has(y)) throw new Error(`no holiday list for ${y} in the tests (JP_HOLIDAYS)`);
  const dow = t.getUTCDay();
  if (dow === 0 || dow === 6) return false;
  if (JP_HOLIDAYS.has(iso)) return false;
  const m = t.getUTCMonth() + 1;
  const d = t.getUTCDate();
  if ((m === 12 && d >= 29) || (m === 1 && d <= 3)) return false;
  return true;
}

/** The date `n` business days after `iso` (the starting day never counts), as YYYY-MM-DD. */
export function addBusinessDays(iso, n) {
  let t = new Date(`${iso}T00:00:00Z`);
  let left = n;
  while (left > 0) {
    t = new Date(t.getTime() + 86400 * 1000);
    if (isBusinessDay(isoOfUtc(t))) left -= 1;
  }
  return isoOfUtc(t);
}

/** The expected 発行通知書 date of an application made today in Japan: today (JST) + 5 business days. */
export function expectedNoticeDate() {
  return addBusinessDays(jstDate(0).iso, 5);
}

/** True when the text shows the date as YYYY-MM-DD, YYYY/M/D or YYYY年M月D日. */
export function showsDate(text, iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return text.includes(iso) || text.includes(`${y}/${m}/${d}`) || text.includes(`${y}年${m}月${d}日`);
}

/** Every <input type="hidden"> in html, name -> value. */
export function hiddenInputs(html) {
  const out = {};
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (String(a.type).toLowerCase() === 'hidden' && a.name) out[a.name] = a.value ?? '';
  }
  return out;
}

/** The <form> containing `needle`: { attrs, html }, or undefined. */
export function formContaining(html, needle) {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    if (m[0].includes(needle)) return { attrs: parseAttrs(/<form\b[^>]*>/i.exec(m[0])[0]), html: m[0] };
  }
  return undefined;
}

/** Attributes of the <button> whose text is `label`, or undefined. */
export function buttonWithText(html, label) {
  for (const m of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    if (pageText(m[2]) === label) return parseAttrs(`<button ${m[1]}>`);
  }
  return undefined;
}

/** Attributes of the first <a> whose text is `label` (whitespace collapsed), or undefined. */
export function linkNamed(html, label) {
  for (const m of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)) {
    if (pageText(m[2]) === label) return parseAttrs(`<a ${m[1]}>`);
  }
  return undefined;
}

/** The options of <select name="NAME">: [{ value, label, selected }], or undefined without one. */
export function selectOptions(html, name) {
  for (const m of html.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
    if (parseAttrs(`<select ${m[1]}>`).name !== name) continue;
    return [...m[2].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi)].map((o) => {
      const a = parseAttrs(`<option ${o[1]}>`);
      return { value: a.value ?? pageText(o[2]), label: pageText(o[2]), selected: 'selected' in a };
    });
  }
  return undefined;
}

/** The value of the selected option of <select name="NAME"> ('' when none is marked). */
export function selectedValue(html, name) {
  return selectOptions(html, name)?.find((o) => o.selected)?.value ?? '';
}

/**
 * Finalizes a usage application through the pages: GET /usage-application/form, POST confirm,
 * POST finalize with the confirmation page's hidden fields. Returns its number (U-XXXXXXXX).
 */
export async function finalizeUsageApplication(client, overrides = {}) {
  const form = await client.get('/usage-application/form');
  if (form.status !== 200) throw new Error(`usage form -> ${form.status}`);
  const conf = await client.post('/usage-application/confirm', {
    ...usageFields(overrides), changes: inputValue(form.text, 'changes') ?? '',
    idempotency_key: inputValue(form.text, 'idempotency_key'), csrf_token: csrfToken(form.text),
  });
  if (conf.status !== 200) throw new Error(`usage confirm -> ${conf.status}: ${pageText(conf.text).slice(0, 500)}`);
  const fin = formContaining(conf.text, '上記の内容で確定する');
  if (!fin) throw new Error('no 上記の内容で確定する form on the usage confirmation page');
  const r = await client.post('/usage-application/finalize', hiddenInputs(fin.html));
  const number = USAGE_NUMBER_RE.exec(r.location ?? '')?.[0];
  if (r.status !== 303 || !number) throw new Error(`usage finalize -> ${r.status} ${r.location}: ${pageText(r.text).slice(0, 500)}`);
  return number;
}

/** Valid fields of the certificate form for an account (as the HTML form posts them), with overrides. */
export function certificateFields(acct, overrides = {}) {
  return {
    classification: '2',
    prefecture: String(Number(acct.institutionCode.slice(0, 2))),
    municipality: '131024', // 中央区 (東京都)
    postal_code: '104-0061', // 中央区銀座: where the notice letter goes by registered mail
    address_line: '銀座1-2-3 オンシビル5階',
    institution_code: acct.institutionCode,
    institution_name: acct.institutionName,
    department: '医事課',
    contact_name: '佐藤 花子',
    phone: '03-1234-5678',
    email: acct.email,
    signature_name: 'オンライン資格確認利用アイコン',
    certificates: '3',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// Restarting `onshi serve` (e.g. after `onshi ca init`: the server loads the CA only at startup)

/** Stops `onshi serve` and starts it again on the same port, data directory and environment. */
export async function restartServer(server) {
  await server.stop();
  server.exitResult = null;
  server.child = null;
  await server.start();
  return server;
}
