// A throw-away PostgreSQL cluster of a test's own (scripts/pg-cluster: initdb, a random loopback
// port, trust authentication), for tests that stop and start the server under a running onshi
// and so must not share CTest's `postgresql` fixture with tests running beside them; and the rows
// of a query read with Debian's psql behind onshi's back (database.mjs's sqlRows and sqlExec run a
// test's SQL on whichever engine its server uses).
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SOURCE_DIR } from './processes.mjs';

const exec = promisify(execFile);
const PG_CLUSTER = path.join(SOURCE_DIR, 'scripts', 'pg-cluster');

export class PgCluster {
  /** dir: created by the cluster; its parents must be searchable by everyone when run as root. */
  constructor(dir) {
    this.dir = dir;
    this.url = undefined;
  }

  async run(command) {
    const { stdout } = await exec(PG_CLUSTER, [command, this.dir], { timeout: 120000 });
    return stdout.trim();
  }

  /** initdb and start; returns postgresql://onshi@127.0.0.1:PORT/postgres. */
  async start() {
    // As root the cluster runs as nobody, which must reach DIR; mkdtemp makes folders 0700.
    await fsp.chmod(path.dirname(this.dir), 0o755);
    this.url = await this.run('start');
    return this.url;
  }

  /** The server stopped (fast shutdown: sessions ended), its data and port kept. */
  pause() { return this.run('pause'); }

  /** Started again after pause(), on the same port. */
  resume() { return this.run('resume'); }

  /** Stopped and its folder removed. */
  stop() { return this.run('stop'); }

  /** The URL of another database on this server. */
  urlOf(database) {
    const u = new URL(this.url);
    u.pathname = `/${database}`;
    return u.toString();
  }

  /** Where the server logs (for a failing test's artifacts). */
  get logFile() { return path.join(this.dir, 'data', 'server.log'); }
}

/** Runs SQL with psql (stops at the first error); resolves its stdout. */
export async function psqlExec(url, sql) {
  const { stdout } = await exec('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    { maxBuffer: 64 << 20 });
  return stdout;
}

/** The rows of one SELECT as objects (column name -> value as JSON gives it). */
export async function psqlRows(url, query) {
  const wrapped = `SELECT coalesce(json_agg(q), '[]'::json) FROM (${query}) q`;
  const { stdout } = await exec('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', wrapped],
    { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}
