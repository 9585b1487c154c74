// The crash at any point: SIGKILL of `onshi serve` (and, as a power cut would, of the `onshi`
// command running beside it) at a moment chosen by a seeded generator, then the checks of
// invariants.mjs while nothing runs, then a restart. The flow's HTTP requests and commands go
// through the Crasher: each waits while a crash is being handled, and each one killed is tried
// again the way a browser's resubmission or an operator's second try would be.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Client, restartServer, ONSHI_BIN, sleep } from '../support/harness.mjs';
import { waitExit } from '../support/processes.mjs';

/** mulberry32: a small seeded generator, so that a run's choices follow from its seed. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Crasher {
  /**
   * @param {{srv: object, seed: number, kills: number, check: (phase: string) => Promise<void>,
   *   log: (line: string) => void}} opts  check(phase) runs with the server down ('down') and
   *   after its restart ('up'); it throws when an invariant does not hold.
   */
  constructor({ srv, seed, kills, check, log }) {
    this.srv = srv;
    this.random = seededRandom(seed);
    this.wanted = kills;
    this.kills = 0;
    this.check = check;
    this.log = log;
    this.cli = null; // the `onshi` command running, if any
    this.crashing = null; // a promise while a crash is handled
    this.failure = null;
    this.arm();
  }

  get done() { return this.kills >= this.wanted; }

  // The next kill: after 1 to 6 more writes (POSTs and commands), 0 to 60 ms into the last, of
  // `onshi serve` alone or of the command running too.
  arm() {
    this.countdown = 1 + Math.floor(this.random() * 6);
    this.delayMs = Math.floor(this.random() * 60);
    this.alsoCommand = this.random() < 0.5;
  }

  /** Before each write: counts down to the next kill and schedules it. */
  operation(what) {
    if (this.done || this.crashing) return;
    this.countdown -= 1;
    if (this.countdown > 0) return;
    const delay = this.delayMs;
    this.countdown = Infinity;
    setTimeout(() => { this.crash(what, delay); }, delay);
  }

  /** Resolves when no crash is being handled; rethrows a failed check. */
  async settled() {
    while (this.crashing) await this.crashing;
    if (this.failure) throw this.failure;
  }

  crash(what, delay) {
    if (this.crashing || this.done) return this.crashing;
    this.crashing = (async () => {
      const { srv } = this;
      const victims = [];
      if (srv.child && srv.alive) victims.push(srv.child);
      if (this.alsoCommand && this.cli) victims.push(this.cli);
      for (const v of victims) v.kill('SIGKILL');
      for (const v of victims) await waitExit(v, 10000);
      // A command left running finishes before the checks look: they need a quiet database.
      while (this.cli) await sleep(20);
      this.kills += 1;
      this.log(`kill ${this.kills}/${this.wanted}: ${delay} ms into ${what}`
        + `${victims.length > 1 ? ' (and the command)' : ''}`);
      try {
        await this.check('down');
        await restartServer(srv);
        await this.check('up');
      } catch (e) {
        this.failure ??= e;
      }
      if (!this.done) this.arm();
    })().finally(() => { this.crashing = null; });
    return this.crashing;
  }

  /**
   * Runs `onshi ARGS --data DIR` until it exits 0, again after each kill; before each retry,
   * isDone() may say the killed run had finished its work (then nothing more is run).
   * Returns { code, stdout, stderr, attempts } of the last run.
   */
  async command(args, { isDone, what = args.slice(0, 3).join(' ') } = {}) {
    for (let attempt = 1; ; attempt += 1) {
      await this.settled();
      if (attempt > 1 && isDone && await isDone()) return { code: 0, stdout: '', stderr: '', attempts: attempt };
      this.operation(`onshi ${what}`);
      const r = await this.run(args);
      if (r.signal === 'SIGKILL') continue;
      if (r.code !== 0) {
        // A run that failed while the server it shares the database with was being killed is
        // tried again too; one that fails on its own is a finding.
        if (this.crashing) continue;
        throw new Error(`onshi ${args.join(' ')} -> exit ${r.code}\n${r.stdout}${r.stderr}`);
      }
      return { ...r, attempts: attempt };
    }
  }

  async run(args) {
    let at = args.findIndex((a) => a.startsWith('-'));
    if (at < 0) at = args.length;
    const child = spawn(ONSHI_BIN, [...args.slice(0, at), '--data', this.srv.dataDir, ...args.slice(at)], {
      stdio: ['ignore', 'pipe', 'pipe'], env: this.srv.env,
    });
    this.cli = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const [code, signal] = await once(child, 'exit');
    if (this.cli === child) this.cli = null;
    await fsp.appendFile(path.join(this.srv.logDir, 'cli.log'),
      `onshi ${args.join(' ')}: exit ${code} ${signal ?? ''}\n${stdout}${stderr}\n`);
    return { code, signal, stdout, stderr };
  }
}

/**
 * A browser's cookie jar whose requests wait out a crash and are sent again, unchanged, when the
 * server died under them: what a person does who presses reload or 再送信. A 5xx is a finding.
 */
export class ResilientClient extends Client {
  constructor(crasher, baseUrl = crasher.srv.baseUrl) {
    super(baseUrl);
    this.crasher = crasher;
  }

  async request(method, urlPath, opts) {
    // Connections that failed with the server alive and no kill under way: one stale keep-alive
    // socket is expected after a restart, a few in a row are a server refusing to answer.
    let unexplained = 0;
    for (;;) {
      await this.crasher.settled();
      if (method !== 'GET') this.crasher.operation(`${method} ${urlPath.split('?')[0]}`);
      let r;
      try {
        r = await super.request(method, urlPath, opts);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // fetch failed: the connection, not the answer
        await sleep(10); // the kill that closed it has begun
        if (!this.crasher.crashing && this.crasher.srv.alive) {
          if (++unexplained >= 3) throw new Error(`${method} ${urlPath}: the connection failed 3 times with onshi serve up and no kill: ${e.cause?.message ?? e.message}`);
          continue;
        }
        if (!this.crasher.crashing) throw new Error(`onshi serve died without a kill during ${method} ${urlPath}`);
        continue;
      }
      if (r.status >= 500) {
        throw new Error(`${method} ${urlPath} -> ${r.status}: ${r.text.slice(0, 400)}`);
      }
      return r;
    }
  }
}
