// Two `onshi serve` nodes on one PostgreSQL database behind nginx round robin
// (tests/support/two_nodes.mjs, docs/deploy.md): a clinic and the back office go through nginx,
// their requests served by each node in turn, a session made on one node used on the other; one
// node killed with SIGKILL in the middle of an issuance and in the middle of sending mail; and
// PostgreSQL restarted under both. Nothing is lost or done twice: each mail reaches the SMTP sink
// once (by Message-ID), each certificate is stored once, and the audit chain verifies. nginx's
// stream module passes the nodes' TLS listeners through untouched, so a client certificate reaches
// onshi's own handshake on either node (test 7).
//
// Depends on branch readyz (not yet on main when this was written): /readyz, and the 503 page
// with Retry-After while the database is out of reach (test 5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  Client, csrfToken, formContaining, hiddenInputs, locationPath, pageText, freshEmail, freshInstitutionCode,
  strongPassword, finalizeUsageApplication, restartServer, runOnshi, sleep, SUBJECT_VERIFY, loadMessages,
} from '../support/harness.mjs';
import { toolOk } from '../support/est.mjs';
import { applyForCertificates, createOperator, totp } from '../support/back_office.mjs';
import { startNodes } from '../support/two_nodes.mjs';

const PASSPHRASE = 'Kusunoki-two-nodes-CA-passphrase';
const OPERATOR_PASSWORD = 'operator passphrase for two nodes';
const SUBJECT_ISSUED = '【医療機関等向けポータルサイト】電子証明書を発行しました';
const UNAVAILABLE_TITLE = 'ただいまサービスを一時的にご利用いただけません'; // [database_unavailable]
// The largest application: signing its certificates (RSA 3072, about 2 ms each here) and storing
// them takes long enough for the test to see the reservation and kill the node before the
// certificates are stored.
const LARGE_APPLICATION = 99;

let cluster;
let a; // the nodes
let b;
const S = {}; // shared by the tests below, which run in order

const nginxClient = () => new Client(cluster.nginx.url);

/** A client for `node` holding the cookies (the session) of `c`. */
function sameSessionOn(node, c) {
  const other = node.client();
  other.jar = new Map(c.jar);
  return other;
}

async function adminLogin(c, op) {
  const page = await c.get('/admin/login');
  assert.equal(page.status, 200);
  const r = await c.post('/admin/login', {
    csrf_token: csrfToken(page.text), login: op.login, password: OPERATOR_PASSWORD, totp_code: totp(op.totp_secret),
  });
  assert.equal(r.status, 303, `admin login ${op.login}: ${pageText(r.text).slice(0, 300)}`);
}

/** The hidden fields of the 承認 or 発行 confirmation's form of an application. */
async function confirmation(c, number, action, label) {
  const page = await c.get(`/admin/applications/${number}/${action}`);
  assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
  const form = formContaining(page.text, label);
  assert.ok(form, `${label} on the ${action} confirmation of ${number}`);
  return hiddenInputs(form.html);
}

async function approve(c, number) {
  const r = await c.post(`/admin/applications/${number}`, await confirmation(c, number, 'approve', '承認を確定する'));
  assert.equal(r.status, 303, `approve ${number}: ${pageText(r.text).slice(0, 300)}`);
}

/** A clinic logged in through nginx with a finalized usage application: { acct, c, usage }. */
async function newClinic(tag, { cli = false } = {}) {
  const acct = { email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(),
    institutionName: `医療法人テスト会 ${tag}クリニック` };
  const c = nginxClient();
  if (cli) {
    await b.createAccount(acct);
  } else {
    const r = await a.register(c, acct);
    assert.equal(r.status, 200, pageText(r.text).slice(0, 300));
    const token = new URL(await a.verificationLink(acct.email)).searchParams.get('token');
    assert.equal((await c.submit(`/verify?token=${encodeURIComponent(token)}`, { token }, '/verify')).status, 200);
  }
  const login = await c.login(acct.email, acct.password);
  assert.equal(login.status, 303, pageText(login.text).slice(0, 300));
  return { acct, c, usage: await finalizeUsageApplication(c, { terminals: '2' }) };
}

const certificatesOf = async (number) => cluster.rows(
  `SELECT c.issuance_number, c.serial_hex FROM certificates c JOIN certificate_applications a ON a.id = c.application_id
   WHERE a.number = '${number}' ORDER BY c.issuance_number`);
const reservationsOf = async (number, state) => cluster.rows(
  `SELECT r.serial_hex FROM issuance_reservations r JOIN certificate_applications a ON a.id = r.application_id
   WHERE a.number = '${number}' AND r.state = '${state}'`);
const pendingMail = async () => cluster.rows('SELECT id, recipient, next_attempt_at FROM outbox WHERE sent_at IS NULL');
const nowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

async function waitFor(what, check, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  cluster = await startNodes({ name: 'two_nodes', passphrase: PASSPHRASE, env: { ONSHI_ISSUING_KEY_ALGORITHM: 'rsa-3072' } });
  [a, b] = cluster.nodes;
  S.admin = await createOperator(a, { login: 'sato', name: '佐藤', role: 'admin', password: OPERATOR_PASSWORD });
  S.issuer = await createOperator(b, { login: 'suzuki', name: '鈴木', role: 'issuer', password: OPERATOR_PASSWORD });
});
after(async () => { if (cluster) await cluster.stop(); });

test('1. a clinic through nginx: each node serves every other request, and a session works on both', async () => {
  const logged = (await cluster.nginx.accessLog()).length;
  S.web = await newClinic('web');
  S.cli = await newClinic('cli', { cli: true });
  S.small = await applyForCertificates(S.web, 2);

  const served = (await cluster.nginx.accessLog()).slice(logged);
  const byNode = cluster.nodes.map((n) => served.filter((l) => l.upstream === cluster.upstreamOf(n)).length);
  assert.ok(served.length >= 12, `the flow's requests in nginx's log: ${served.length}`);
  assert.equal(byNode[0] + byNode[1], served.length, `each request to one of the nodes: ${JSON.stringify(served)}`);
  // Round robin, one request at a time: in turn, so every step's two requests (form, post) went
  // to different nodes.
  for (let i = 1; i < served.length; i++) assert.notEqual(served[i].upstream, served[i - 1].upstream, `request ${i}`);
  assert.ok(served.every((l) => Number(l.status) < 400), JSON.stringify(served.filter((l) => Number(l.status) >= 400)));

  // A login on node a, used on node b; a logout on node b ends it on node a.
  const onA = a.client();
  assert.equal((await onA.login(S.cli.acct.email, S.cli.acct.password)).status, 303);
  const onB = sameSessionOn(b, onA);
  const my = await onB.get('/mypage');
  assert.equal(my.status, 200);
  assert.ok(pageText(my.text).includes(S.cli.acct.institutionName), pageText(my.text).slice(0, 300));
  assert.equal((await onB.logout()).status, 303);
  assert.equal(locationPath((await onA.get('/mypage')).location), '/login', 'logged out on both nodes');
});

test('2. the back office through nginx: TOTP logins, 承認 on one node and 発行 on the other', async () => {
  S.adminC = nginxClient();
  await adminLogin(S.adminC, S.admin);
  S.issuerC = nginxClient();
  await adminLogin(S.issuerC, S.issuer);
  for (const node of cluster.nodes) {
    assert.equal((await sameSessionOn(node, S.adminC).get('/admin')).status, 200, `the operator's session on ${node.name}`);
  }
  await approve(S.adminC, S.small);
  const issued = await S.issuerC.post(`/admin/applications/${S.small}`,
    await confirmation(S.issuerC, S.small, 'issue', '発行を確定する（2枚）'));
  assert.equal(issued.status, 303, pageText(issued.text).slice(0, 300));
  assert.deepEqual((await certificatesOf(S.small)).map((c) => c.issuance_number), [`${S.small}-01`, `${S.small}-02`]);
  await a.waitForMail({ to: S.web.acct.email, subjectIncludes: SUBJECT_ISSUED });

  // The notice letter printed by the node that did not issue: it opens the pickup codes the other
  // node sealed (pki.dir/pickup-codes.secret, the same in both copies of the CA folder).
  const issuedBy = cluster.nodeAt(issued.headers.get('x-upstream'));
  assert.ok(issuedBy, `the issuing node: ${issued.headers.get('x-upstream')}`);
  const printer = sameSessionOn(cluster.nodes.find((n) => n !== issuedBy), S.issuerC);
  const letters = await printer.get('/admin/letters');
  const box = formContaining(letters.text, '選んだ通知書を印刷用PDFでダウンロード')?.html
    .match(new RegExp(`name="(n\\d+)" value="${S.small}"`));
  assert.ok(box, `a checkbox for ${S.small}: ${pageText(letters.text).slice(0, 300)}`);
  const confirm = await printer.get(`/admin/letters/print?${box[1]}=${S.small}`);
  const print = formContaining(confirm.text, '1件をダウンロードする');
  assert.ok(print, pageText(confirm.text).slice(0, 300));
  const pdf = await printer.post('/admin/letters/print', hiddenInputs(print.html));
  assert.equal(pdf.status, 200, pageText(pdf.text).slice(0, 300));
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
});

test('3. SIGKILL in the middle of 発行: the other node refuses until the lease ends, then issues each certificate once', async () => {
  const number = await applyForCertificates(S.web, LARGE_APPLICATION);
  await approve(S.adminC, number);
  const fields = await confirmation(S.issuerC, number, 'issue', `発行を確定する（${LARGE_APPLICATION}枚）`);

  // Sent to node a itself, so that the node killed is the one issuing.
  const posted = sameSessionOn(a, S.issuerC).post(`/admin/applications/${number}`, fields)
    .then((r) => ({ status: r.status }), (e) => ({ error: e.message }));
  const reserved = await waitFor('the reservations', async () => (await reservationsOf(number, 'reserved')).length, 30000);
  a.child.kill('SIGKILL');
  const answer = await posted;
  assert.ok(answer.error || answer.status >= 500, `no answer from the killed node: ${JSON.stringify(answer)}`);
  assert.equal(reserved, LARGE_APPLICATION, 'every serial was reserved in one transaction');
  assert.equal((await certificatesOf(number)).length, 0,
    'the kill came after the certificates were stored: the issuance was not interrupted');
  const abandoned = (await reservationsOf(number, 'reserved')).map((r) => r.serial_hex);
  const [{ status }] = await cluster.rows(`SELECT status FROM certificate_applications WHERE number = '${number}'`);
  assert.equal(status, 'approved', 'still 承認');

  // Node b (nginx skips the dead one) must not issue while the reservation may still be signing.
  const early = await S.issuerC.post(`/admin/applications/${number}`, fields);
  assert.notEqual(early.status, 303, 'refused while the first issuance holds its reservation');
  assert.equal((await certificatesOf(number)).length, 0);

  // The 10-minute lease (app/ca/issuance.cpp), moved into the past rather than waited for; node a
  // abandons what it left when it starts again.
  await cluster.sql(`UPDATE issuance_reservations SET reserved_at = reserved_at - 11 * 60000 WHERE state = 'reserved'`);
  await restartServer(a);
  await waitFor('the abandoned reservations', async () => (await reservationsOf(number, 'abandoned')).length === LARGE_APPLICATION);

  const again = await S.issuerC.post(`/admin/applications/${number}`,
    await confirmation(S.issuerC, number, 'issue', `発行を確定する（${LARGE_APPLICATION}枚）`));
  assert.equal(again.status, 303, pageText(again.text).slice(0, 300));
  const certs = await certificatesOf(number);
  const expected = Array.from({ length: LARGE_APPLICATION }, (_, i) => `${number}-${String(i + 1).padStart(2, '0')}`);
  assert.deepEqual(certs.map((c) => c.issuance_number), expected, 'each certificate once');
  assert.ok(certs.every((c) => !abandoned.includes(c.serial_hex)), 'no abandoned serial used');
  await a.waitForMail({ to: S.web.acct.email, subjectIncludes: `${SUBJECT_ISSUED}`, nth: 2 });
  S.large = number;
});

test('4. SIGKILL in the middle of sending mail: what the dead node had claimed is sent once by the other', async () => {
  await waitFor('an empty outbox', async () => (await pendingMail()).length === 0);
  // Node a's SMTP server stopped: its worker claims what is due and waits for the greeting, while
  // node b's sends at once. Registrations until node a holds one (a mail still pending though
  // claimed, leased two minutes ahead), then two more for node b.
  const [sinkA] = cluster.sinks;
  sinkA.child.kill('SIGSTOP');
  const emails = [];
  const register = async (i) => {
    const acct = { email: freshEmail(`mail${i}`), password: strongPassword(), institutionCode: freshInstitutionCode(),
      institutionName: '医療法人テスト会 メールクリニック' };
    assert.equal((await a.register(nginxClient(), acct)).status, 200);
    emails.push(acct.email);
  };
  const heldByA = async () => (await pendingMail()).filter((m) => Number(m.next_attempt_at) > Date.now() + 60000);
  let held = [];
  try {
    for (let i = 0; held.length === 0; i++) {
      assert.ok(i < 20, 'node a claimed none of 20 mails');
      await register(i);
      await sleep(300); // both workers poll, node b sends
      held = await heldByA();
    }
    await register('b1');
    await register('b2');
    await sleep(300);
    held = await heldByA();
    a.child.kill('SIGKILL');
  } finally {
    sinkA.child.kill('SIGCONT');
  }
  assert.ok(held.length >= 1 && held.length < emails.length, `node a held ${held.length} of ${emails.length}`);
  // Node a's stay leased to it: node b does not send them meanwhile.
  await sleep(2000);
  for (const m of held) assert.equal(await cluster.sink.countMails({ to: m.recipient }), 0, `${m.recipient} not sent yet`);
  assert.equal((await pendingMail()).length, held.length, 'only what node a held is left');

  // The two-minute lease (app/core/outbox_worker.cpp), moved into the past rather than waited for.
  await cluster.sql(`UPDATE outbox SET next_attempt_at = ${nowMs} WHERE sent_at IS NULL`);
  for (const to of emails) await cluster.sink.waitForMail({ to, subjectIncludes: SUBJECT_VERIFY });
  await restartServer(a);
});

test('5. PostgreSQL restarts: meanwhile a 503 page in Japanese from both nodes, afterwards everything works', async () => {
  const pids = cluster.nodes.map((n) => n.child.pid);
  const clinic = S.web.c;
  assert.equal((await clinic.get('/mypage')).status, 200);
  await cluster.pg.pause();
  try {
    const logged = (await cluster.nginx.accessLog()).length;
    for (let i = 0; i < 4; i++) {
      const r = await clinic.get('/mypage');
      assert.equal(r.status, 503, `/mypage while the database is down: ${pageText(r.text).slice(0, 200)}`);
      assert.equal(r.headers.get('retry-after'), '5');
      assert.match(r.headers.get('content-type'), /^text\/html/);
      assert.ok(pageText(r.text).includes(UNAVAILABLE_TITLE), pageText(r.text).slice(0, 300));
    }
    const served = (await cluster.nginx.accessLog()).slice(logged);
    assert.deepEqual(new Set(served.map((l) => l.upstream)), new Set(cluster.nodes.map((n) => cluster.upstreamOf(n))),
      'both nodes answered 503');
    const login = await nginxClient().login(S.cli.acct.email, S.cli.acct.password);
    assert.equal(login.status, 503, pageText(login.text).slice(0, 200));
    for (const node of cluster.nodes) {
      assert.equal((await fetch(`${node.baseUrl}/readyz`)).status, 503, `${node.name} not ready`);
    }
  } finally {
    await cluster.pg.resume();
  }
  for (const node of cluster.nodes) {
    await waitFor(`${node.name} ready`, async () => (await fetch(`${node.baseUrl}/readyz`)).status === 200, 15000);
  }
  assert.deepEqual(cluster.nodes.map((n) => n.child.pid), pids, 'the same onshi processes');
  assert.equal((await clinic.get('/mypage')).status, 200, 'the session from before the restart');
  const fresh = nginxClient();
  assert.equal((await fresh.login(S.cli.acct.email, S.cli.acct.password)).status, 303);
  const number = await applyForCertificates({ acct: S.cli.acct, c: fresh }, 1);
  await approve(S.adminC, number);
  const issued = await S.issuerC.post(`/admin/applications/${number}`,
    await confirmation(S.issuerC, number, 'issue', '発行を確定する（1枚）'));
  assert.equal(issued.status, 303, pageText(issued.text).slice(0, 300));
  await a.waitForMail({ to: S.cli.acct.email, subjectIncludes: SUBJECT_ISSUED });
});

test('6. nothing lost, nothing doubled: each mail once, each certificate once, the audit chain verifies', async () => {
  await waitFor('an empty outbox', async () => (await pendingMail()).length === 0);
  const outbox = (await cluster.rows('SELECT message_id FROM outbox')).map((m) => m.message_id);
  const received = new Map();
  for (const m of await cluster.sink.mails()) {
    const id = m.headers['message-id'];
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  const twice = [...received].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no Message-ID received twice');
  assert.deepEqual([...received.keys()].sort(), [...outbox].sort(), 'every mail of the outbox received, and no other');

  const perApplication = await cluster.rows(`SELECT a.number, a.certificates, count(c.id)::int AS stored
    FROM certificate_applications a LEFT JOIN certificates c ON c.application_id = a.id
    WHERE a.status <> 'applied' GROUP BY a.number, a.certificates ORDER BY a.number`);
  assert.ok(perApplication.length >= 2, JSON.stringify(perApplication));
  for (const r of perApplication) assert.equal(r.stored, Number(r.certificates), `${r.number}: ${JSON.stringify(r)}`);
  const [audit] = await cluster.rows(`SELECT
      (SELECT count(*)::int FROM audit_log WHERE action = 'certificate.issue') AS issued,
      (SELECT count(*)::int FROM certificates) AS stored,
      (SELECT count(*)::int FROM audit_log WHERE action = 'application.issue' AND subject = '${S.large}') AS large`);
  assert.equal(audit.issued, audit.stored, 'one certificate.issue entry per certificate');
  assert.equal(audit.large, 1, 'the interrupted application issued once');

  const verify = await runOnshi(b, ['audit', 'verify']);
  assert.equal(verify.code, 0, `${verify.stdout}${verify.stderr}`);
  assert.match(verify.stdout, /audit log OK/);
});

test('7. the TLS listeners through nginx\'s stream pass-through: the client\'s certificate reaches each node\'s own handshake', async () => {
  const MSG = loadMessages();
  const work = path.join(cluster.root, 'tls-client');
  await fsp.mkdir(work, { recursive: true });
  const key = path.join(work, 'other.key');
  const crt = path.join(work, 'other.crt');
  await toolOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', crt, '-days', '2', '-subj', '/O=another CA/CN=not a terminal']);
  const url = `https://127.0.0.1:${cluster.nginx.tlsPort}/terminal-check`;
  // The server's certificate is onshi's (verified against the CA's root): nginx terminated nothing.
  const curl = (extra) => toolOk('curl', ['-sS', '--fail-with-body', '--cacert', path.join(cluster.ceremony, 'root.crt'),
    '-H', 'X-Forwarded-For: 203.0.113.77', ...extra, url]);
  const none = await curl([]);
  assert.ok(pageText(none).includes(MSG['terminal_check_page.verdict.no_certificate']), pageText(none).slice(0, 400));
  for (let i = 0; i < 2; i += 1) {
    const other = await curl(['--cert', crt, '--key', key]);
    assert.ok(pageText(other).includes(MSG['terminal_check_page.verdict.not_ours']), pageText(other).slice(0, 400));
    assert.ok(pageText(other).includes('not a terminal'), 'the page names the certificate the client sent');
  }
  await sleep(100); // nginx logs a session when it ends
  const sessions = (await fsp.readFile(path.join(cluster.root, 'nginx', 'stream.log'), 'utf8'))
    .split('\n').filter(Boolean).map((l) => l.split('\t'))
    .filter(([, , , received]) => Number(received) > 0); // not the start's probe of the port
  assert.equal(sessions.length, 3, sessions.join('\n'));
  const served = new Set(sessions.map(([, upstream]) => upstream));
  assert.deepEqual([...served].sort(), cluster.nodes.map((n) => `127.0.0.1:${n.tlsPort}`).sort(),
    'both nodes\' TLS listeners answered through nginx');
  // The stream adds no header: what X-Forwarded-For says on the TLS listener is the client's own,
  // believed by no node even though the connection comes from its trusted proxy.
  for (const node of cluster.nodes) {
    const log = await fsp.readFile(node.stderrFile, 'utf8');
    assert.match(log, /path=\/terminal-check .*remote=127\.0\.0\.1\b/, `${node.name}: nginx's address`);
    assert.doesNotMatch(log, /remote=203\.0\.113\.77\b/, `${node.name}: never the header's`);
  }
});
