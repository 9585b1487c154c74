// `onshi db copy` end to end (docs/database.md): an installation made on the embedded SQLite store
// (a clinic's account, usage and certificate applications, an issued certificate, operators, the
// audit log) is stopped, copied into PostgreSQL, and served from there: the clinic logs in and
// sees its applications, the certificate and the audit chain are the same, new rows take new ids,
// and a second copy into the now used database is refused. PostgreSQL: a database made on the
// server ONSHI_TEST_POSTGRES_URL names, else a throw-away cluster of this test's own
// (scripts/pg-cluster).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  SOURCE_DIR, stopServer, restartServer, runOnshi, pageText, locationPath,
} from '../support/harness.mjs';
import {
  startServerWithCa, createOperator, newClinic, applyForCertificates,
} from '../support/back_office.mjs';

const exec = promisify(execFile);
const PASSPHRASE = 'Hibari-Kusunoki-CA-passphrase-2026';

let srv;
let cluster; // the folder of our own cluster, when we started one
let server; // the PostgreSQL server's URL
let database; // the database made on it
let pgUrl;
const S = {};

async function onshiOk(args, opts) {
  const r = await runOnshi(srv, args, opts);
  assert.equal(r.code, 0, `onshi ${args.join(' ')} -> exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** A new, empty PostgreSQL database: its URL. */
async function emptyPostgresDatabase() {
  database = `onshi_copy_${crypto.randomBytes(5).toString('hex')}`;
  server = process.env.ONSHI_TEST_POSTGRES_URL;
  if (!server) {
    // Under /tmp itself: as root the cluster runs as nobody, who must reach the folder.
    cluster = path.join(os.tmpdir(), `onshi-db-copy-${crypto.randomBytes(4).toString('hex')}`);
    const { stdout } = await exec(path.join(SOURCE_DIR, 'scripts', 'pg-cluster'), ['start', cluster]);
    server = stdout.trim().split('\n').pop();
  }
  await exec('psql', [server, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${database}`]);
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

before(async () => {
  pgUrl = await emptyPostgresDatabase();
  ({ srv } = await startServerWithCa({ name: 'db_copy', passphrase: PASSPHRASE }));
  await createOperator(srv, { login: 'rev1', name: '審査 一郎', role: 'reviewer', password: 'Reviewer-pass-2026!' });
  await createOperator(srv, { login: 'iss1', name: '発行 次郎', role: 'issuer', password: 'Issuer-pass-2026!' });
  S.a = await newClinic(srv, 'copy', { institutionName: '医療法人コピー会 移行クリニック' });
  S.app = await applyForCertificates(S.a, 1);
  await onshiOk(['admin', 'applications', 'approve', S.app, '--operator', 'rev1']);
  await onshiOk(['admin', 'applications', 'issue', S.app, '--operator', 'iss1']);
});

after(async () => {
  await stopServer(srv);
  if (cluster) {
    await exec(path.join(SOURCE_DIR, 'scripts', 'pg-cluster'), ['stop', cluster]);
  } else if (server && database) {
    await exec('psql', [server, '-qc', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]);
  }
});

test('the installation moves to PostgreSQL and is served from there', async () => {
  const verified = await onshiOk(['audit', 'verify']);
  S.checkpoint = /^checkpoint: (\S+)$/m.exec(verified.stdout)?.[1];
  assert.ok(S.checkpoint, verified.stdout);
  S.shown = (await onshiOk(['admin', 'certificates', 'show', `${S.app}-01`])).stdout;
  const sqliteFile = path.join(srv.dataDir, 'onshi.db');

  await restartServer(srv, {
    whileStopped: async () => {
      const r = await onshiOk(['db', 'copy', '--from', `sqlite:${sqliteFile}`, '--to', pgUrl]);
      S.copyOutput = r.stdout;
      // Served from PostgreSQL from now on, the CLI included; the SQLite file is put away so that
      // nothing can read it by mistake.
      srv.env.ONSHI_DATABASE_URL = pgUrl;
      await fsp.rename(sqliteFile, `${sqliteFile}.copied`);
    },
  });
  const out = S.copyOutput;
  for (const table of ['institutions', 'accounts', 'usage_applications', 'certificate_applications', 'certificates', 'operators', 'audit_log', 'outbox']) {
    const m = new RegExp(`^${table}\\s+(\\d+)\\s+(\\d+)$`, 'm').exec(out);
    assert.ok(m, `a summary line for ${table}:\n${out}`);
    assert.equal(m[1], m[2], `${table}: as many rows copied as the source has`);
    if (table !== 'outbox') assert.ok(Number(m[1]) > 0, `${table} has rows:\n${out}`);
  }
  assert.match(out, /^audit log OK on the copy: \d+ entries$/m);
  assert.ok(out.includes(`checkpoint: ${S.checkpoint}`), `the copy's chain ends where the source's did:\n${out}`);
  assert.ok(!out.includes('DIFFERENT'), out);

  const status = await onshiOk(['db', 'status']);
  assert.match(status.stdout, /\(postgresql\)/, status.stdout);
  const again = await onshiOk(['audit', 'verify', '--checkpoint', S.checkpoint]);
  assert.match(again.stdout, /audit log OK/);
  assert.equal((await onshiOk(['admin', 'certificates', 'show', `${S.app}-01`])).stdout, S.shown,
    'the certificate reads the same from PostgreSQL');

  // The clinic logs in (its password hash came along) and sees its applications and certificate.
  const c = srv.client();
  const login = await c.login(S.a.acct.email, S.a.acct.password);
  assert.equal(login.status, 303, pageText(login.text).slice(0, 300));
  assert.equal(locationPath(login.location), '/mypage');
  const my = pageText((await c.get('/mypage')).text);
  assert.ok(my.includes(S.a.usage), `マイページ lists ${S.a.usage}`);
  assert.ok(my.includes(S.app), `マイページ lists ${S.app}`);
  assert.ok(my.includes(`${S.app}-01`), `マイページ lists the certificate ${S.app}-01`);

  // New rows after the copied ones: another clinic and its application, no id taken twice.
  const b = await newClinic(srv, 'after', { institutionName: '医療法人コピー会 新規クリニック' });
  assert.notEqual(b.usage, S.a.usage);
  const appB = await applyForCertificates(b, 1);
  assert.notEqual(appB, S.app);
  await onshiOk(['audit', 'verify']);
});

test('a second copy into the used database is refused and changes nothing', async () => {
  const before = (await onshiOk(['audit', 'verify'])).stdout;
  const r = await runOnshi(srv, ['db', 'copy', '--from', `sqlite:${path.join(srv.dataDir, 'onshi.db.copied')}`, '--to', pgUrl]);
  assert.equal(r.code, 2, `exit 2 when refused: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /already holds rows .*nothing was changed/, r.stderr);
  assert.equal((await onshiOk(['audit', 'verify'])).stdout, before);
});
