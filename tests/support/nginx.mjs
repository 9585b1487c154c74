// Debian's nginx in front of several `onshi serve` nodes, as docs/deploy.md puts it in production
// (without the TLS): one upstream, round robin, the Host the client sent, X-Forwarded-For, nothing
// cached. It runs in the foreground (daemon off) with its configuration, pid file, logs and
// temporary folders in a folder of its own, so it needs no root and touches nothing of the
// machine's. With tlsPort and tlsUpstreams it also passes TLS through untouched to the nodes' TLS
// listeners (the stream module, Debian's libnginx-mod-stream), as deploy.md does for EST and the
// terminals' client certificates. Each access log line names the node that answered ($upstream_addr), which is how a
// test tells which node served which request; every answer also carries it in X-Upstream.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { freePort, sleep, track, waitExit, waitForPort } from './processes.mjs';

const NGINX = '/usr/sbin/nginx';

// One line a request: the fields split on tabs by accessLog().
const LOG_FIELDS = ['method', 'uri', 'status', 'upstream', 'upstreamStatus', 'seconds'];
const LOG_FORMAT = "'$request_method\\t$request_uri\\t$status\\t$upstream_addr\\t$upstream_status\\t$request_time'";

const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

// deploy.md's stream block on loopback.
function streamText({ dir, tlsPort, tlsUpstreams }) {
  if (!tlsPort) return '';
  const servers = tlsUpstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n');
  return `stream {
  log_format onshi_tls '$remote_addr\t$upstream_addr\t$status\t$bytes_received\t$bytes_sent';
  access_log ${dir}/stream.log onshi_tls;
  upstream onshi_tls {
${servers}
  }
  server {
    listen 127.0.0.1:${tlsPort};
    proxy_pass onshi_tls;
    proxy_connect_timeout 2s;
  }
}
`;
}

function configText({ dir, port, upstreams, tlsPort, tlsUpstreams }) {
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n');
  const stream = streamText({ dir, tlsPort, tlsUpstreams });
  // `user` is only obeyed by a master running as root, whose workers would otherwise be nobody's
  // and could not write the temporary folders below.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `${stream ? `load_module ${STREAM_MODULE};\n` : ''}${user}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  log_format onshi ${LOG_FORMAT};
  access_log ${dir}/access.log onshi;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # onshi enforces its own body limit (server.max_body_bytes) and says so in Japanese.
  client_max_body_size 16m;
  upstream onshi {
${servers}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://onshi;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_cache off;
      # A node that refuses the connection is skipped; a request one node has received is never
      # sent to the other (nginx's default for POST), so nothing is done twice.
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
${stream}`;
}

export class Nginx {
  /**
   * @param {{dir: string, port: number, upstreams: number[], tlsPort?: number, tlsUpstreams?: number[]}} opts
   *   upstreams: the nodes' ports; tlsPort, tlsUpstreams: the TLS pass-through and the nodes' TLS ports
   */
  constructor({ dir, port, upstreams, tlsPort, tlsUpstreams = [] }) {
    this.dir = dir;
    this.port = port;
    this.upstreams = upstreams;
    this.tlsPort = tlsPort;
    this.tlsUpstreams = tlsUpstreams;
    this.url = `http://127.0.0.1:${port}`;
    this.child = null;
  }

  get configFile() { return path.join(this.dir, 'nginx.conf'); }
  get accessLogFile() { return path.join(this.dir, 'access.log'); }
  get errorLogFile() { return path.join(this.dir, 'error.log'); }

  async start() {
    await fsp.mkdir(this.dir, { recursive: true });
    await fsp.writeFile(this.configFile, configText(this));
    const out = fs.openSync(path.join(this.dir, 'nginx.stderr.log'), 'a');
    // -e: the error log before the configuration is read (else the compiled-in /var/log/nginx).
    this.child = track(spawn(NGINX, ['-p', this.dir, '-e', this.errorLogFile, '-c', this.configFile], {
      stdio: ['ignore', out, out],
    }));
    fs.closeSync(out);
    try {
      await waitForPort(this.port, 10000, this.child, 'nginx');
      if (this.tlsPort) await waitForPort(this.tlsPort, 10000, this.child, 'nginx (stream)');
    } catch (e) {
      const log = await fsp.readFile(this.errorLogFile, 'utf8').catch(() => '');
      throw new Error(`${e.message}\n${log.slice(-2000)}`);
    }
  }

  /** Graceful stop (SIGQUIT: requests in flight finish), then SIGKILL after 5 s. */
  async stop() {
    if (!this.child) return undefined;
    const child = this.child;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
    return waitExit(child, 5000);
  }

  /** The access log's requests, oldest first: { method, uri, status, upstream, upstreamStatus, seconds }. */
  async accessLog() {
    // nginx writes a line when the request ends; a test reading right after a response may be
    // a moment early.
    await sleep(50);
    const text = await fsp.readFile(this.accessLogFile, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(LOG_FIELDS.map((k, i) => [k, values[i]]));
    });
  }
}

/** nginx on a free loopback port in front of `upstreams` (ports), its files in `dir`. */
export async function startNginx({ dir, upstreams, avoid = [] }) {
  const nginx = new Nginx({ dir, port: await freePort([...upstreams, ...avoid]), upstreams });
  await nginx.start();
  return nginx;
}
