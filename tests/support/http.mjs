// Talking HTTP to `onshi serve`: the Client with a cookie jar (GET, form POSTs, CSRF tokens taken
// from the form page, login and logout), Set-Cookie parsing, form encoding, Location paths, JSON
// API calls with a bearer token or a cookie (docs/api.md), and raw bytes over a socket for
// requests fetch would refuse or alter.

import { once } from 'node:events';
import net from 'node:net';
import { csrfToken } from './html.mjs';

// ---------------------------------------------------------------------------------------------
// HTTP client with a cookie jar

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

  /** Raw request; returns { status, headers, text, bytes, location, setCookies, res }. */
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
    // The bytes too, for downloads (PKCS#12, DER); pages are UTF-8 without a byte order mark.
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    return {
      status: res.status,
      headers: res.headers,
      text,
      bytes,
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

/** The path (+query) of a Location header, relative or absolute. */
export function locationPath(location, baseUrl = 'http://127.0.0.1/') {
  if (!location) return location;
  const u = new URL(location, baseUrl);
  return u.pathname + u.search;
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
