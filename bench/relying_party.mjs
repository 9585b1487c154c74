// The relying party under load (issue 17, docs/benchmarks.md), run by ./scripts/bench after its
// other HTTP runs: `onshi serve` with a CA on loopback, one clinic's certificate issued and picked
// up as PKCS#12 through the real pages (tests/support), `onshi relying-party` trusting the root
// (and the issuing CA, for openssl s_time which sends only its own certificate), then mutual-TLS
// GET /whoami
//   - with keep-alive: RP_BENCH_CONCURRENCY (default 16) requests in flight from Node's https
//     with a keep-alive agent (every request on a connection checks the certificate again);
//   - with a new handshake each time: `openssl s_time -new -www /whoami` (one connection at a
//     time), and Node's https without keep-alive at RP_BENCH_CONCURRENCY;
// each for RP_BENCH_SECONDS (default 10). /metrics before and after each run: every request
// answered 200, and how many OCSP queries and CRL checks the run caused.
//   ONSHI_BIN=build-bench/onshi node bench/relying_party.mjs
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { startServerWithCa, createOperator, newClinic, applyForCertificates } from '../tests/support/back_office.mjs';
import { stopServer, strongPassword } from '../tests/support/harness.mjs';
import { onshiOk, approveAndIssue, printLetters } from '../tests/support/pickup.mjs';
import { startRelyingParty, pickUpPkcs12, curlRp } from '../tests/support/relying_party.mjs';

const exec = promisify(execFile);
const SECONDS = Number(process.env.RP_BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.RP_BENCH_CONCURRENCY ?? 16);

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

/** CONCURRENCY loops of GET /whoami through `agent` for SECONDS: { n, bad, rps, p50, p99 } (ms). */
async function load(rp, agent, headers = {}) {
  const url = new URL('/whoami', rp.url);
  const latencies = [];
  let bad = 0;
  const one = () => new Promise((resolve) => {
    const start = process.hrtime.bigint();
    https.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) bad += 1;
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        resolve();
      });
    }).on('error', () => { bad += 1; resolve(); });
  });
  const began = Date.now();
  const deadline = began + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) await one();
  }));
  const elapsed = (Date.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return { n: latencies.length, bad, rps: latencies.length / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

/** CPU seconds (user + system) the relying party's process has used. */
async function cpuSeconds(rp) {
  const stat = await fsp.readFile(`/proc/${rp.child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function counters(rp) {
  const m = await rp.metrics();
  return {
    cpu: await cpuSeconds(rp),
    ok: m['onshi_rp_requests_total{result="ok"}'], ocsp: m.onshi_rp_ocsp_queries_total,
    crl: m.onshi_rp_crl_checks_total, hits: m.onshi_rp_status_cache_hits_total,
    handshakes: m['onshi_rp_tls_handshakes_total{result="ok"}'],
    handshakeSeconds: m.onshi_rp_tls_handshake_duration_seconds_sum,
    handshakeCount: m.onshi_rp_tls_handshake_duration_seconds_count,
  };
}

function line(label, r, before, after) {
  const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  return `${label.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${fmt(r.p50).padStart(6)} ms   p99 ${fmt(r.p99).padStart(6)} ms   `
    + `${after.ok - before.ok} answered 200, ${r.bad} not; ${after.handshakes - before.handshakes} handshakes`
    + ` (${fmt((1000 * (after.handshakeSeconds - before.handshakeSeconds)) / Math.max(1, after.handshakeCount - before.handshakeCount))} ms each, accept to finished); `
    + `relying party CPU ${fmt((1000 * (after.cpu - before.cpu)) / Math.max(1, after.ok - before.ok))} ms per request; `
    + `OCSP queries +${after.ocsp - before.ocsp}, CRL checks +${after.crl - before.crl}, cache hits +${after.hits - before.hits}`;
}

const { srv } = await startServerWithCa({ name: 'bench-relying-party', passphrase: 'bench passphrase for the relying party' });
let rp;
try {
  const work = path.join(srv.logDir, 'files');
  await fsp.mkdir(work, { recursive: true });
  await onshiOk(srv, ['ca', 'sign-root-crl']);
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
  }
  const clinic = await newClinic(srv, 'bench', { terminals: 1 });
  const app = await applyForCertificates(clinic, 1);
  await approveAndIssue(srv, app);
  const { codes } = await printLetters(srv, path.join(work, 'letters.pdf'));
  const t = await pickUpPkcs12(srv, work, `${app}-01`, codes[`${app}-01`], 1);
  const anchors = path.join(work, 'root-and-issuing.crt');
  const caDir = path.join(srv.dataDir, 'ca');
  await fsp.writeFile(anchors, (await fsp.readFile(path.join(caDir, 'root.crt'), 'utf8'))
    + await fsp.readFile(path.join(caDir, 'issuing.crt'), 'utf8'));
  rp = await startRelyingParty(srv, { ca: anchors, threads: 2 });
  const first = await curlRp(rp, '/whoami', { as: t });
  if (first.status !== 200) throw new Error(`GET /whoami answered ${first.status}: ${first.text}`);
  console.log(`relying party ${rp.url}: ${t.number} answered by ${first.json.status.source}, `
    + `status kept until ${first.json.status.nextUpdate} or 300 s`);

  // One context for every connection: from the PKCS#12 on each one, Node would spend most of a
  // handshake on the file's key derivation (PBKDF2), which is the client's cost, not the server's.
  const secureContext = tls.createSecureContext({
    cert: (await fsp.readFile(t.crt, 'utf8')) + await fsp.readFile(t.chain, 'utf8'),
    key: await fsp.readFile(t.key), ca: await fsp.readFile(rp.root),
  });
  const options = { secureContext, maxSockets: CONCURRENCY };
  const summary = [];
  let before = await counters(rp);
  const alive = new https.Agent({ keepAlive: true, ...options });
  const kept = await load(rp, alive);
  alive.destroy();
  let after = await counters(rp);
  summary.push(line(`keep-alive, ${CONCURRENCY} in flight (Node)`, kept, before, after));

  before = after;
  // Without `Connection: close` Node's agent would still queue requests on open sockets.
  const fresh = await load(rp, new https.Agent({ keepAlive: false, ...options }),
    { connection: 'close' });
  after = await counters(rp);
  summary.push(line(`new handshake, ${CONCURRENCY} in flight (Node)`, fresh, before, after));

  before = after;
  const args = ['s_time', '-connect', `127.0.0.1:${rp.port}`, '-cert', t.crt, '-key', t.key, '-CAfile', rp.root,
    '-new', '-time', String(SECONDS), '-www', '/whoami'];
  const { stdout } = await exec('openssl', args);
  after = await counters(rp);
  const m = /(\d+) connections in (\d+) real seconds/.exec(stdout);
  const n = Number(m?.[1] ?? 0);
  summary.push(line('new handshake, one at a time (s_time)', { rps: n / Number(m?.[2] ?? SECONDS), p50: NaN, p99: NaN, bad: n - (after.ok - before.ok) }, before, after));

  console.log(`\n== relying party summary (GET /whoami over mutual TLS, ${SECONDS} s each, relying party --threads 2, same machine as the clients)`);
  console.log(`   s_time: openssl ${args.join(' ')}`);
  for (const s of summary) console.log(s);
} finally {
  if (rp) await rp.stop();
  await stopServer(srv);
}
