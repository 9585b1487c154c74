// A clinic for ./scripts/bench's マイページ run (docs/benchmarks.md): against an `onshi serve`
// already up with a CA, through the same pages and CLI as the tests (tests/support), it makes a
// reviewer and an issuer, one clinic account (CLI) logged in over HTTP with its usage
// application, and APPLICATIONS certificate applications: all but the last two approved and
// issued, CERTIFICATES certificates spread over them (default 2 each), then one of 2 approved and
// one of 2 left applied. It checks that GET /mypage with the session shows every application,
// then prints the Cookie header value for wrk (nothing else on stdout); with ONSHI_BENCH_SEED_INFO
// set it also writes there, as JSON, the numbers of an issued application and certificate and of
// the usage application, for the runs over every clinic page. The CLI runs read the same
// environment as the server (ONSHI_DATABASE_URL, ONSHI_CA_PASSPHRASE).
//   ONSHI_BIN=build-bench/onshi node bench/mypage_seed.mjs BASE_URL DATA_DIR [APPLICATIONS [CERTIFICATES]]
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createOperator, newClinic, applyForCertificates } from '../tests/support/back_office.mjs';
import { OnshiServer, strongPassword } from '../tests/support/harness.mjs';
import { approveAndIssue, onshiOk } from '../tests/support/pickup.mjs';

const [baseUrl, dataDir, count = '5', certCount] = process.argv.slice(2);
const applications = Number(count);
const issuedApplications = applications - 2;
const certificates = certCount === undefined ? 2 * issuedApplications : Number(certCount);
if (!baseUrl || !dataDir || !(applications >= 3) || !(certificates >= issuedApplications)
    || certificates > 99 * issuedApplications) {
  console.error('usage: node bench/mypage_seed.mjs BASE_URL DATA_DIR [APPLICATIONS >= 3 [CERTIFICATES]]');
  process.exit(2);
}
// The issued applications' sizes: as even as the total allows.
const sizes = Array.from({ length: issuedApplications },
  (_, i) => Math.floor(certificates / issuedApplications) + (i < certificates % issuedApplications ? 1 : 0));

// The server is started by scripts/bench; this object only lends the harness its address, data
// dir, environment and a folder for the CLI's log.
const logDir = path.join(dataDir, 'seed-logs');
await fsp.mkdir(logDir, { recursive: true });
const srv = new OnshiServer({
  name: 'bench-mypage', port: Number(new URL(baseUrl).port), smtpPort: 9, dataDir, logDir, env: process.env,
});

for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
  await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
}
const clinic = await newClinic(srv, 'bench', { terminals: certificates + 4 });
const numbers = [];
for (let i = 0; i < applications; i++) {
  const number = await applyForCertificates(clinic, sizes[i] ?? 2);
  numbers.push(number);
  if (i < applications - 2) await approveAndIssue(srv, number);
  else if (i === applications - 2) await onshiOk(srv, ['admin', 'applications', 'approve', number, '--operator', 'rev1']);
}

const page = await clinic.c.get('/mypage');
if (page.status !== 200) throw new Error(`GET /mypage answered ${page.status}`);
const missing = numbers.filter((n) => !page.text.includes(n));
if (missing.length) throw new Error(`マイページ does not show ${missing.join(', ')}`);
const issued = (page.text.match(/C-\d{8}-\d{2}/g) ?? []);
console.error(`mypage_seed: ${clinic.acct.institutionCode}, usage ${clinic.usage}, applications ${numbers.join(' ')}; `
  + `マイページ ${page.text.length} bytes, ${new Set(issued).size} 発行番号 shown`);
if (process.env.ONSHI_BENCH_SEED_INFO) {
  await fsp.writeFile(process.env.ONSHI_BENCH_SEED_INFO, JSON.stringify({
    usage: clinic.usage, application: numbers[0], certificate: `${numbers[0]}-01`,
    applications: numbers.length, certificates: new Set(issued).size,
  }));
}
console.log(clinic.c.cookieHeader());
