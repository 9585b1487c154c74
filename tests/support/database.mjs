// The database engine the integration tests run onshi on, and SQL behind its back on either.
//
// ONSHI_TEST_ENGINE=postgresql (what CTest sets for the integration_pg.* tests) gives each test
// server a PostgreSQL database of its own, created on the server named by ONSHI_TEST_POSTGRES_URL
// or by the file ONSHI_TEST_POSTGRES_URL_FILE names (CTest's throw-away cluster), migrated with
// `onshi db migrate` before `serve` (which migrates only the embedded database) and dropped when
// the server is stopped. Otherwise the server keeps its default DATA/onshi.db.
//
// sqlRows and sqlExec run a test's SQL with the engine's own client (sqlite3, psql): for looking at
// what the pages do not show, and for moving stored times back, the only way to let days pass.
// The SQL must mean the same on both (CASE rather than a boolean compared with 0, sqlHex rather
// than hex()): the tables and columns are the same.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { psqlExec, psqlRows } from './postgres.mjs';

const exec = promisify(execFile);

export const TEST_ENGINE = process.env.ONSHI_TEST_ENGINE || 'sqlite';
if (!['sqlite', 'postgresql'].includes(TEST_ENGINE)) {
  throw new Error(`ONSHI_TEST_ENGINE=${TEST_ENGINE}: sqlite or postgresql`);
}
export const onPostgres = TEST_ENGINE === 'postgresql';

// Query results of tests can be large (every certificate's DER of a run).
const MAX_BUFFER = 64 << 20;

function postgresAdminUrl() {
  const direct = process.env.ONSHI_TEST_POSTGRES_URL;
  if (direct) return direct.trim();
  const file = process.env.ONSHI_TEST_POSTGRES_URL_FILE;
  if (!file) {
    throw new Error('ONSHI_TEST_ENGINE=postgresql needs ONSHI_TEST_POSTGRES_URL or ONSHI_TEST_POSTGRES_URL_FILE '
      + '(scripts/pg-cluster start DIR writes DIR/url)');
  }
  // Fail, never skip: a cluster that did not start is a failure of the run.
  return fs.readFileSync(file, 'utf8').trim();
}

/** The URL of database `name` on the same server as `url`. */
function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

let databaseCounter = 0;

/**
 * A new PostgreSQL database for the server `name`: { name, url, drop() }, empty or a copy of
 * database `template` (which nobody may be connected to). Its name is unique per process and call,
 * so that tests run side by side never share one.
 */
export async function createPostgresDatabase(name, { template } = {}) {
  const admin = postgresAdminUrl();
  databaseCounter += 1;
  const tag = String(name).toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  const db = `onshi_${tag}_${process.pid}_${databaseCounter}_${Math.random().toString(36).slice(2, 8)}`;
  await psqlExec(admin, `CREATE DATABASE "${db}"${template ? ` TEMPLATE "${template}"` : ''}`);
  return {
    name: db,
    url: withDatabase(admin, db),
    // FORCE: a CLI call killed by a failing test may still hold a connection.
    drop: () => psqlExec(admin, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`),
  };
}

/** The database URL `server` runs on (what --database-url would say). */
export function databaseUrl(server) {
  return server.env?.ONSHI_DATABASE_URL || `sqlite:${path.join(server.dataDir, 'onshi.db')}`;
}

function sqliteFile(server) {
  return path.join(server.dataDir, 'onshi.db');
}

/** The rows of one SELECT as objects, column names as keys (name every computed column with AS). */
export async function sqlRows(server, query) {
  if (!onPostgres) {
    const { stdout } = await exec('sqlite3', ['-json', sqliteFile(server), query], { maxBuffer: MAX_BUFFER });
    return stdout.trim() ? JSON.parse(stdout) : [];
  }
  return psqlRows(databaseUrl(server), query.trim().replace(/;$/, ''));
}

/** Runs statements (`;` between them) in one go; resolves when they are done. */
export async function sqlExec(server, script) {
  if (!onPostgres) {
    await exec('sqlite3', [sqliteFile(server), script], { maxBuffer: MAX_BUFFER });
    return;
  }
  // psql -c runs the statements of one string in one transaction.
  await psqlExec(databaseUrl(server), script);
}

/** Everything the server's database holds, as SQL text (sqlite3 .dump, pg_dump). */
export async function sqlDump(server) {
  const { stdout } = onPostgres
    ? await exec('pg_dump', ['--no-owner', '-d', databaseUrl(server)], { maxBuffer: 256 << 20 })
    : await exec('sqlite3', [sqliteFile(server), '.dump'], { maxBuffer: 256 << 20 });
  return stdout;
}

/** An SQL expression: the bytes of the BLOB/BYTEA `expr` as upper-case hex. */
export function sqlHex(expr) {
  return onPostgres ? `upper(encode(${expr}, 'hex'))` : `hex(${expr})`;
}

/** An SQL statement that drops trigger `name` of `table` (PostgreSQL names the table). */
export function sqlDropTrigger(table, name) {
  return onPostgres ? `DROP TRIGGER ${name} ON ${table}` : `DROP TRIGGER ${name}`;
}

/**
 * A copy of the stopped `server`'s database for `onshi` runs of its own: { dataDir, env, logDir }
 * for runOnshi and sqlExec. `dataDir` is an empty folder made for it; on SQLite the copy is its
 * onshi.db, on PostgreSQL a database made from the original as a template (dropped with the
 * original's server: see stopServer).
 */
export async function copyDatabase(server, dataDir) {
  await fs.promises.mkdir(dataDir, { recursive: true });
  if (!onPostgres) {
    await exec('sqlite3', [sqliteFile(server), `.backup '${path.join(dataDir, 'onshi.db')}'`]);
    return { dataDir, env: server.env, logDir: server.logDir };
  }
  const template = new URL(databaseUrl(server)).pathname.slice(1);
  const copy = await createPostgresDatabase(`${server.name}_copy`, { template });
  (server.copies ??= []).push(copy);
  return { dataDir, env: { ...server.env, ONSHI_DATABASE_URL: copy.url }, logDir: server.logDir };
}
