// Several `onshi serve` nodes as docs/deploy.md deploys them: one PostgreSQL database (a cluster
// of the test's own, tests/support/postgres.mjs), one data folder each with its copy of the CA
// folder (DATA/ca: made by `onshi ca init` in a folder of its own and copied without the root
// key, which only the CA ceremonies use; the nodes only read it), one Maildir for all the mail (an aiosmtpd per
// node writing into it, so that a test can stall one node's SMTP server and not the other's), and
// nginx in front of them round robin (tests/support/nginx.mjs), which also passes each node's TLS
// listener through untouched (its stream module; one server certificate from `onshi ca server-cert`
// on every node), and is the nodes' one trusted proxy (server.trusted_proxies). Every node is told nginx's address as its public one,
// so mailed links go through nginx too. The schema is made by `onshi db migrate` before any node
// starts, as on a real upgrade: on PostgreSQL `serve` never migrates.
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SmtpSink } from './mail.mjs';
import { Nginx } from './nginx.mjs';
import { PgCluster, psqlExec, psqlRows } from './postgres.mjs';
import { ARTIFACTS, freePort } from './processes.mjs';
import { OnshiServer, runOnshi } from './server.mjs';

/**
 * Starts the cluster, migrates, makes the CA (`onshi ca init`), starts `count` nodes and nginx.
 * `env` adds to every node's and CLI run's environment. Returns a TwoNodes.
 */
export async function startNodes({ name, count = 2, passphrase, env = {} }) {
  const logDir = path.join(ARTIFACTS, name);
  await fsp.rm(logDir, { recursive: true, force: true });
  await fsp.mkdir(logDir, { recursive: true });
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), `onshi-${name}-`));
  const pg = new PgCluster(path.join(root, 'pg'));
  const cluster = new TwoNodes({ root, logDir, pg });
  try {
    await pg.start();
    // UTF-8 for the Japanese text; C.UTF-8 as docs/deploy.md creates it (text columns are
    // COLLATE "C" in any case).
    await psqlExec(pg.url, "CREATE DATABASE onshi TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'");
    cluster.dbUrl = pg.urlOf('onshi');

    const taken = [];
    const port = async () => { const p = await freePort(taken); taken.push(p); return p; };
    const nginxPort = await port();
    const nginxTlsPort = await port();
    const tlsDir = path.join(root, 'tls');
    const publicBaseUrl = `http://127.0.0.1:${nginxPort}`;
    const nodeEnv = {
      ...process.env,
      ONSHI_MAIL_POLL_MS: '100',
      ONSHI_MAIL_RETRY_BASE_MS: '200',
      ONSHI_LOGIN_LOCK_BASE_SECONDS: '2',
      ONSHI_DATABASE_URL: cluster.dbUrl,
      ONSHI_CA_PASSPHRASE: passphrase,
      ONSHI_TRUSTED_PROXIES: '127.0.0.1',
      ONSHI_TLS_CERT_FILE: path.join(tlsDir, 'server.crt'),
      ONSHI_TLS_KEY_FILE: path.join(tlsDir, 'server.key'),
      ...env,
    };
    for (let i = 0; i < count; i++) {
      const letter = String.fromCharCode('a'.charCodeAt(0) + i);
      const dataDir = path.join(root, `node-${letter}`);
      await fsp.mkdir(dataDir, { recursive: true });
      const smtpPort = await port();
      const sink = new SmtpSink({ port: smtpPort, maildir: path.join(root, 'maildir'), logDir: path.join(logDir, `smtp-${letter}`) });
      await sink.start();
      cluster.sinks.push(sink);
      const tlsPort = await port();
      const node = new OnshiServer({
        name: `${name}/${letter}`, port: await port(), smtpPort, dataDir,
        logDir: path.join(logDir, `node-${letter}`), env: { ...nodeEnv, ONSHI_TLS_LISTEN: `127.0.0.1:${tlsPort}` },
        publicBaseUrl,
      });
      node.tlsPort = tlsPort;
      node.smtp = sink;
      node.root = root;
      cluster.nodes.push(node);
    }
    const first = cluster.nodes[0];
    await fsp.mkdir(first.logDir, { recursive: true });
    const ceremony = path.join(root, 'ca-ceremony');
    const atCeremony = { ...first, env: { ...nodeEnv, ONSHI_CA_DIR: ceremony } };
    const steps = [[first, ['db', 'migrate']], [atCeremony, ['ca', 'init']],
      [atCeremony, ['ca', 'server-cert', '--ip', '127.0.0.1', '--dns', 'localhost', '--out', tlsDir]]];
    for (const [where, args] of steps) {
      const r = await runOnshi(where, args);
      assert.equal(r.code, 0, `onshi ${args.join(' ')} -> ${r.code}: ${r.stdout}${r.stderr}`);
    }
    for (const node of cluster.nodes) {
      await fsp.cp(ceremony, path.join(node.dataDir, 'ca'), {
        recursive: true, filter: (from) => path.basename(from) !== 'root.key',
      });
    }
    await Promise.all(cluster.nodes.map((n) => n.start()));
    cluster.ceremony = ceremony;
    cluster.nginx = new Nginx({
      dir: path.join(root, 'nginx'), port: nginxPort, upstreams: cluster.nodes.map((n) => n.port),
      tlsPort: nginxTlsPort, tlsUpstreams: cluster.nodes.map((n) => n.tlsPort),
    });
    await cluster.nginx.start();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

export class TwoNodes {
  constructor({ root, logDir, pg }) {
    this.root = root;
    this.logDir = logDir;
    this.pg = pg;
    this.nodes = [];
    this.sinks = [];
    this.nginx = null;
    this.dbUrl = undefined;
  }

  /** `host:port` of a node as nginx's $upstream_addr names it. */
  upstreamOf(node) { return `127.0.0.1:${node.port}`; }

  /** The node whose port nginx names (X-Upstream, the access log). */
  nodeAt(upstream) { return this.nodes.find((n) => this.upstreamOf(n) === upstream); }

  /** The SMTP sink of the first node: every node's mail is in its Maildir. */
  get sink() { return this.sinks[0]; }

  rows(query) { return psqlRows(this.dbUrl, query); }

  sql(statement) { return psqlExec(this.dbUrl, statement); }

  /** Stops nginx, the nodes and the sink; keeps the logs in the artifacts; removes the cluster. */
  async stop() {
    if (this.nginx) await this.nginx.stop();
    for (const n of this.nodes) {
      // A node a test left stopped (SIGSTOP) would never see the SIGTERM.
      if (n.alive) n.child.kill('SIGCONT');
      await n.stop();
    }
    for (const sink of this.sinks) {
      if (sink.running) sink.child.kill('SIGCONT');
      await sink.stop();
    }
    const keep = [[path.join(this.root, 'nginx'), 'nginx'], [path.join(this.root, 'maildir'), 'maildir'],
      [this.pg.logFile, 'postgresql.log']];
    for (const [from, to] of keep) {
      await fsp.cp(from, path.join(this.logDir, to), { recursive: true }).catch(() => {});
    }
    await this.pg.stop().catch(() => {});
    if (!process.env.ONSHI_KEEP_DATA) await fsp.rm(this.root, { recursive: true, force: true });
  }
}
