// The test process's environment and its children: where the onshi binary, the repository and the
// artifacts folder are, the child processes the tests start (each one passed through track() is
// killed when the test process exits or is interrupted, so a failing test never leaves servers
// behind), and free and listening TCP ports on 127.0.0.1. The lowest of the support modules:
// mail.mjs (the SMTP sink) and server.mjs (`onshi serve`) start their processes through it.
//
// Environment (set by tests/CMakeLists.txt):
//   ONSHI_BIN         path of the onshi executable (default: <repo>/build/onshi)
//   ONSHI_SOURCE_DIR  repo root (default: two levels above this file)
//   ONSHI_ARTIFACTS   folder for logs and screenshots (default: <tmp>/onshi-test-artifacts), and
//                     its postgresql/ for the tests run with ONSHI_TEST_ENGINE=postgresql
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.ONSHI_SOURCE_DIR || path.resolve(here, '..', '..');
export const ONSHI_BIN = process.env.ONSHI_BIN || path.join(SOURCE_DIR, 'build', 'onshi');
// integration.NAME and integration_pg.NAME run the same file (ONSHI_TEST_ENGINE tells them apart):
// each keeps its own logs, so that one run does not overwrite the other's.
export const ARTIFACTS = path.join(process.env.ONSHI_ARTIFACTS || path.join(os.tmpdir(), 'onshi-test-artifacts'),
  process.env.ONSHI_TEST_ENGINE === 'postgresql' ? 'postgresql' : '');
export const PYTHON = '/usr/bin/python3';

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

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function waitExit(child, timeoutMs) {
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

/** A free TCP port on 127.0.0.1, other than those in `avoid`: bind to port 0, read it, close. */
export async function freePort(avoid = []) {
  // Linux hands out a just-closed ephemeral port again now and then, so two draws in a row can
  // return the same port: draw again until it is not one the caller already holds.
  for (;;) {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const { port } = srv.address();
    srv.close();
    await once(srv, 'close');
    if (!avoid.includes(port)) return port;
  }
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

export async function waitForPort(port, timeoutMs, child, what) {
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
