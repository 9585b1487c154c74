// What the pickup tests share (integration and browser): an issued application's notice letters
// printed by `onshi admin letters render` and read back (pdftotext for each 発行番号's code, the
// QR code's text by zbarimg when Debian's zbar-tools is there), a cookie-jar client that connects
// from a chosen loopback address (the server counts wrong pairs per client address, and sees
// 127.0.0.1 for every other client here), and the openssl runs that check what was downloaded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, csrfToken, inputValue, runOnshi } from './harness.mjs';

export const exec = promisify(execFile);
export const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g;
export const ISSUANCE_RE = /\bC-\d{8}-\d{2}\b/g;
export const SUBJECT_DOWNLOADED = '【医療機関等向けポータルサイト】電子証明書が取得されました';

export async function onshiOk(srv, args, opts) {
  const r = await runOnshi(srv, args, opts);
  assert.equal(r.code, 0, `onshi ${args.join(' ')} -> exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** 承認 by `reviewer` and 発行 by `issuer` from the CLI; CSRs as { index: file }. */
export async function approveAndIssue(srv, number, { reviewer = 'rev1', issuer = 'iss1', csrs = {} } = {}) {
  await onshiOk(srv, ['admin', 'applications', 'approve', number, '--operator', reviewer]);
  const csrArgs = Object.entries(csrs).flatMap(([i, f]) => ['--csr', `${i}=${f}`]);
  return onshiOk(srv, ['admin', 'applications', 'issue', number, '--operator', issuer, ...csrArgs]);
}

/** The 取得コード printed after each 発行番号 in the text of a letter batch: { 'C-…-01': 'ABCD-…' }. */
export function codesOf(text) {
  const out = {};
  for (const m of text.matchAll(ISSUANCE_RE)) {
    if (out[m[0]]) continue;
    const code = (text.slice(m.index).match(PICKUP_CODE_RE) ?? [])[0];
    if (code) out[m[0]] = code;
  }
  return out;
}

/** The letters' text (pdftotext -layout), kept beside the PDF as NAME.txt. */
export async function letterText(file) {
  const text = (await exec('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout;
  await fsp.writeFile(file.replace(/\.pdf$/, '.txt'), text);
  return text;
}

/** `onshi admin letters render` (every letter waiting) into `file`: { text, codes }. */
export async function printLetters(srv, file, { issuer = 'iss1' } = {}) {
  await fsp.rm(file, { force: true });
  await onshiOk(srv, ['admin', 'letters', 'render', '--operator', issuer, '--out', file]);
  const text = await letterText(file);
  return { text, codes: codesOf(text) };
}

/**
 * What a phone reads from the letter's QR codes: each pickup URL, decoded by zbarimg (Debian's
 * zbar-tools, installed by scripts/deps) from the PDF rendered at 300 dpi.
 * Returns { 'C-…-01': 'http://…/pickup?n=C-…-01', … }.
 */
export async function pickupUrlsOf(file) {
  const prefix = file.replace(/\.pdf$/, '-page');
  await exec('pdftoppm', ['-r', '300', '-png', file, prefix]);
  const dir = path.dirname(file);
  const pages = (await fsp.readdir(dir)).filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.png'));
  const urls = {};
  for (const p of pages) {
    const { stdout } = await exec('zbarimg', ['--quiet', '--raw', path.join(dir, p)]).catch((e) => ({ stdout: e.stdout ?? '' }));
    for (const line of stdout.split('\n').filter(Boolean)) {
      const n = new URL(line).searchParams.get('n');
      if (n) urls[n] = line;
    }
  }
  return urls;
}

/** A serial as the letter, the pages and the mails show it: upper case in groups of four. */
export function serialAsPrinted(hex) {
  return hex.toUpperCase().match(/.{1,4}/g).join(' ');
}

/** Full width, lower case, no hyphens: a code as a person may type it off the paper. */
export function typedLoosely(code) {
  return [...code.replace(/-/g, '').toLowerCase()]
    .map((ch) => String.fromCodePoint(ch.codePointAt(0) + 0xfee0)).join('');
}

// ---------------------------------------------------------------------------------------------
// A client connecting from a chosen loopback address (Linux routes all of 127/8 to lo).

export class AddressedClient extends Client {
  constructor(baseUrl, localAddress) {
    super(baseUrl);
    this.localAddress = localAddress;
  }

  /** As Client.request, with `bytes` (the body as a Buffer) for downloads. */
  request(method, urlPath, { body, headers = {}, contentType } = {}) {
    const url = new URL(urlPath, this.baseUrl);
    const h = { ...headers };
    const cookies = this.cookieHeader();
    if (cookies) h.cookie = cookies;
    if (contentType) h['content-type'] = contentType;
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers: h, localAddress: this.localAddress }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const setCookies = [].concat(res.headers['set-cookie'] ?? []);
          for (const sc of setCookies) {
            const [pair] = sc.split(';');
            const i = pair.indexOf('=');
            this.setCookie(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
          }
          const hs = new Headers();
          for (const [k, v] of Object.entries(res.headers)) hs.set(k, [].concat(v).join(', '));
          resolve({ status: res.statusCode, headers: hs, text: bytes.toString('utf8'), bytes, location: hs.get('location') });
        });
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

/**
 * The pickup as a browser does it: GET the letter's URL (the number filled in), POST the pair
 * with what the form holds. Returns the response of the POST; `form` is the GET's page.
 */
export async function openPickup(client, url, code, { number } = {}) {
  const form = await client.get(url);
  assert.equal(form.status, 200, `GET ${url}: ${form.text.slice(0, 300)}`);
  const filled = inputValue(form.text, 'issuance_number');
  const r = await client.post('/pickup', {
    csrf_token: csrfToken(form.text), issuance_number: number ?? filled, pickup_code: code,
  });
  return Object.assign(r, { form, filled });
}

// ---------------------------------------------------------------------------------------------
// Checking what was downloaded

/** The SubjectPublicKeyInfo (PEM) of a certificate or key file, as openssl prints it. */
export async function publicKeyOfCert(file, inform = 'PEM') {
  return (await exec('openssl', ['x509', '-inform', inform, '-in', file, '-pubkey', '-noout'])).stdout.trim();
}
export async function publicKeyOfKey(file) {
  return (await exec('openssl', ['pkey', '-in', file, '-pubout'])).stdout.trim();
}

/** openssl verify of `file` (its first certificate) against the CA of `caDir`; the output line. */
export async function verifyChain(file, caDir) {
  const { stdout } = await exec('openssl', ['verify', '-CAfile', path.join(caDir, 'root.crt'),
    '-untrusted', path.join(caDir, 'issuing.crt'), file]);
  return stdout.trim();
}
