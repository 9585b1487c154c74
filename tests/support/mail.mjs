// The mail the portal sends: its From address and the subjects of the account mails, parsing of
// the messages (RFC 5322 headers, RFC 2047 encoded words, base64 and quoted-printable bodies,
// text/plain picked out of multiparts), links taken from a body, and the SMTP sink the server
// sends to (Debian's python3-aiosmtpd writing a Maildir) with waits for a given mail.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PYTHON, sleep, track, waitExit, waitForPort } from './processes.mjs';

export const MAIL_FROM = 'portal@fask.or.jp';
export const SUBJECT_VERIFY = '【医療機関等向けポータルサイト】メールアドレスの確認';
export const SUBJECT_RESET = '【医療機関等向けポータルサイト】パスワード再設定のご案内';

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
