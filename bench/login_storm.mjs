// Logins at a steady rate against an `onshi serve` already up (./scripts/bench's "マイページ
// during logins" step): ACCOUNTS accounts made with the CLI, then for SECONDS one login every
// 1/RATE s, each from a fresh client (GET /login for the form's token, then POST /login), started
// on schedule whether or not the ones before have been answered (an open loop: a slow server does
// not slow the storm). Prints one JSON line on stdout: the rate asked and reached, the answers by
// status (303 logged in; 503 the password pool full, server.password_queue) and the logins'
// latency. The CLI runs read the same environment as the server (ONSHI_DATABASE_URL).
//   ONSHI_BIN=build-bench/onshi node bench/login_storm.mjs BASE_URL DATA_DIR RATE SECONDS [ACCOUNTS]
import fsp from 'node:fs/promises';
import path from 'node:path';
import { OnshiServer, freshEmail, freshInstitutionCode, strongPassword } from '../tests/support/harness.mjs';

const [baseUrl, dataDir, rateArg = '50', secondsArg = '12', accountsArg = '4'] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const accountCount = Number(accountsArg);
if (!baseUrl || !dataDir || !(rate > 0) || !(seconds > 0) || !(accountCount >= 1)) {
  console.error('usage: node bench/login_storm.mjs BASE_URL DATA_DIR RATE SECONDS [ACCOUNTS]');
  process.exit(2);
}

const logDir = path.join(dataDir, 'storm-logs');
await fsp.mkdir(logDir, { recursive: true });
const srv = new OnshiServer({
  name: 'bench-logins', port: Number(new URL(baseUrl).port), smtpPort: 9, dataDir, logDir, env: process.env,
});
// Several accounts, so that no one account's throttle (five attempts in flight at most) is what
// the storm measures.
const accounts = [];
for (let i = 0; i < accountCount; i++) {
  accounts.push(await srv.createAccount({
    email: freshEmail(`storm${i}`), password: strongPassword(`storm${i}`), institutionCode: freshInstitutionCode(),
  }));
}

const byStatus = {};
const latencies = [];
let failed = 0;
async function oneLogin(account) {
  const started = performance.now();
  try {
    const c = srv.client();
    const token = await c.csrf('/login');
    const r = await c.post('/login', { email: account.email, password: account.password, csrf_token: token });
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    if (r.status === 303) latencies.push(performance.now() - started);
  } catch (e) {
    failed += 1;
    console.error(`login_storm: ${e.message}`);
  }
}

// Ready: the caller starts its load once this line is on stderr.
console.error(`login_storm: ${rate} logins/s for ${seconds} s`);
const interval = 1000 / rate;
const total = Math.round(rate * seconds);
const begin = performance.now();
const inFlight = [];
for (let i = 0; i < total; i++) {
  const due = begin + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  inFlight.push(oneLogin(accounts[i % accounts.length]));
}
const sent = performance.now();
await Promise.all(inFlight);
const elapsed = (sent - begin) / 1000;

latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0);
console.log(JSON.stringify({
  rate_asked: rate,
  rate_sent: Number((total / elapsed).toFixed(1)),
  logins: byStatus[303] ?? 0,
  logins_per_second: Number(((byStatus[303] ?? 0) / elapsed).toFixed(1)),
  busy_503: byStatus[503] ?? 0,
  statuses: Object.entries(byStatus).map(([s, n]) => `${s}:${n}`).join(','),
  errors: failed,
  login_p50_ms: Number(pct(0.5).toFixed(1)),
  login_p99_ms: Number(pct(0.99).toFixed(1)),
}));
