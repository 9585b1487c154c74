// The data folder full, and the database locked by another process: a clear Japanese 503 for the
// user, nothing half-written (the audit chain, the rows and the outbox as before), and the same
// form going through once space returns or the lock is let go.
//
// The full disk is a tmpfs mounted over the data folder, which needs a mount namespace of its own:
// CTest runs this file under `unshare --map-root-user --mount` (util-linux), so that no privilege
// is needed and nothing is mounted outside this test's processes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  stopServer, restartServer, pageText, loadMessages, csrfToken, inputValue, formContaining, hiddenInputs,
  certificateFields, sqlRows, sqlExec, SUBJECT_CERT_ACCEPTED, CERT_NUMBER_RE,
} from '../support/harness.mjs';
import { startServerWithCa, createOperator, newClinic } from '../support/back_office.mjs';

const exec = promisify(execFile);
const MSG = loadMessages();
let srv;
let clinic;
let filler;

/** The counts a failed action must leave as they were. */
async function state() {
  const [row] = await sqlRows(srv, `SELECT
    (SELECT count(*) FROM certificate_applications) AS applications,
    (SELECT count(*) FROM certificates) AS certificates,
    (SELECT count(*) FROM outbox) AS mails,
    (SELECT count(*) FROM audit_log) AS audit`);
  return row;
}

async function auditVerifies() {
  const { stdout } = await exec(process.env.ONSHI_BIN, ['audit', 'verify', '--data', srv.dataDir], { env: srv.env });
  return stdout;
}

/** The certificate application's confirmation page and the hidden fields its 閉じる form sends. */
async function confirmedApplication() {
  const form = await clinic.c.get('/certificate-application/form');
  assert.equal(form.status, 200, pageText(form.text).slice(0, 300));
  const conf = await clinic.c.post('/certificate-application/confirm', {
    ...certificateFields(clinic.acct, { certificates: '1' }),
    idempotency_key: inputValue(form.text, 'idempotency_key'), csrf_token: csrfToken(form.text),
  });
  assert.equal(conf.status, 200, pageText(conf.text).slice(0, 500));
  return hiddenInputs(formContaining(conf.text, '閉じる').html);
}

function assertUnavailable(r, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${pageText(r.text).slice(0, 300)}`);
  assert.ok(pageText(r.text).includes(MSG['database_unavailable.title']), `${what}: the Japanese 503 page: ${pageText(r.text).slice(0, 300)}`);
  assert.ok(r.headers.get('retry-after'), `${what}: Retry-After`);
}

before(async () => {
  const probe = await exec('sh', ['-c', 'mkdir -p /tmp/onshi-mount-probe && mount -t tmpfs -o size=1m tmpfs /tmp/onshi-mount-probe && umount /tmp/onshi-mount-probe'])
    .then(() => '', (e) => `${e.stderr}`);
  assert.equal(probe, '', 'this file runs under `unshare --map-root-user --mount` (CTest crash.storage_faults), where it may mount a tmpfs');
  ({ srv } = await startServerWithCa({ name: 'storage_faults', passphrase: 'Storage-faults-CA-passphrase-2026' }));
  // The data folder moved onto a tmpfs of 64 MiB while the server is stopped.
  await restartServer(srv, {
    whileStopped: async () => {
      const aside = `${srv.dataDir}.aside`;
      await fsp.rename(srv.dataDir, aside);
      await fsp.mkdir(srv.dataDir);
      await exec('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', srv.dataDir]);
      await exec('cp', ['-a', `${aside}/.`, srv.dataDir]);
      await fsp.rm(aside, { recursive: true, force: true });
    },
  });
  filler = path.join(srv.dataDir, 'filler');
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${login} 担当`, role, password: 'operator passphrase for storage faults 2026' });
  }
  clinic = await newClinic(srv, 'full', { terminals: 2 });
});

after(async () => {
  if (!srv) return;
  await srv.stop();
  await exec('umount', [srv.dataDir]);
  await stopServer(srv); // removes what is left of the folder
});

test('the disk full: 503 in Japanese, nothing written, and the same form goes through once space returns', async () => {
  const fields = await confirmedApplication();
  // Every page the database's write-ahead log had is given back first, then every free block taken.
  await sqlExec(srv, 'PRAGMA wal_checkpoint(TRUNCATE);');
  await exec('sh', ['-c', `dd if=/dev/zero of='${filler}' bs=64k 2>/dev/null; true`]);
  const { stdout: df } = await exec('df', ['--output=avail', srv.dataDir]);
  assert.equal(Number(df.trim().split('\n').pop()), 0, `nothing left on the tmpfs: ${df}`);
  const before_ = await state();

  const refused = await clinic.c.post('/certificate-application/submit', fields);
  assertUnavailable(refused, 'submit with the disk full');
  const listed = await exec(process.env.ONSHI_BIN, ['admin', 'applications', 'list', '--data', srv.dataDir], { env: srv.env });
  assert.ok(listed.stdout.length > 0, 'reading still works');
  assert.ok(srv.alive, 'onshi serve survives the full disk');
  assert.deepEqual(await state(), before_, 'nothing half-written');

  await fsp.rm(filler);
  const r = await clinic.c.post('/certificate-application/submit', fields);
  assert.equal(r.status, 303, `the same form once space returned: ${pageText(r.text).slice(0, 300)}`);
  const number = CERT_NUMBER_RE.exec(r.location)?.[0];
  const after_ = await state();
  assert.equal(Number(after_.applications), Number(before_.applications) + 1, 'one application');
  assert.ok(Number(after_.audit) > Number(before_.audit), 'and its audit entry');
  const mail = await srv.waitForMail({ to: clinic.acct.email, subjectIncludes: SUBJECT_CERT_ACCEPTED });
  assert.ok(mail.body.includes(number), mail.body);
  assert.match(await auditVerifies(), /./);
});

test('the disk full under 発行: the command fails with nothing issued, and issues once space returns', async () => {
  const number = (await sqlRows(srv, `SELECT number FROM certificate_applications ORDER BY id DESC LIMIT 1`))[0].number;
  const onshi = (args) => exec(process.env.ONSHI_BIN, [...args, '--data', srv.dataDir], { env: srv.env })
    .then((r) => ({ code: 0, ...r }), (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
  assert.equal((await onshi(['admin', 'applications', 'approve', number, '--operator', 'rev1'])).code, 0);
  await sqlExec(srv, 'PRAGMA wal_checkpoint(TRUNCATE);');
  await exec('sh', ['-c', `dd if=/dev/zero of='${filler}' bs=64k 2>/dev/null; true`]);
  const before_ = await state();
  const failed = await onshi(['admin', 'applications', 'issue', number, '--operator', 'iss1']);
  assert.notEqual(failed.code, 0, `issue with the disk full: ${failed.stdout}`);
  assert.match(failed.stderr, /full|disk/i, 'says why');
  assert.deepEqual(await state(), before_, 'no certificate, charge or audit entry');
  await fsp.rm(filler);
  const issued = await onshi(['admin', 'applications', 'issue', number, '--operator', 'iss1']);
  assert.equal(issued.code, 0, `issue once space returned: ${issued.stderr}`);
  assert.equal(Number((await state()).certificates), Number(before_.certificates) + 1);
  await auditVerifies();
});

test('the database locked by another process: 503 in Japanese after the wait, then the form goes through', { timeout: 120_000 }, async () => {
  const fields = await confirmedApplication();
  const before_ = await state();
  const locker = spawn('sqlite3', [path.join(srv.dataDir, 'onshi.db')], { stdio: ['pipe', 'pipe', 'inherit'] });
  locker.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  let out = '';
  locker.stdout.on('data', (d) => { out += d; });
  while (!out.includes('locked')) await once(locker.stdout, 'data');
  try {
    const started = Date.now();
    const refused = await clinic.c.post('/certificate-application/submit', fields);
    assertUnavailable(refused, 'submit while another process holds the lock');
    assert.ok(Date.now() - started >= 10_000, 'after waiting out the busy timeout');
    assert.deepEqual(await state(), before_, 'nothing written');
    const page = await clinic.c.get('/mypage');
    assert.equal(page.status, 200, 'pages that only read still answer');
  } finally {
    locker.stdin.end('ROLLBACK;\n');
    await once(locker, 'exit');
  }
  const r = await clinic.c.post('/certificate-application/submit', fields);
  assert.equal(r.status, 303, pageText(r.text).slice(0, 300));
  assert.equal(Number((await state()).applications), Number(before_.applications) + 1);
  await auditVerifies();
});
