// 有効期限のお知らせ end to end, over the real `onshi serve` on the settable clock
// (ONSHI_TEST_CLOCK_FILE, docs/testing.md) with the real SMTP sink: two certificates of one clinic
// moved to 91, 90, 60, 30, 15 and 7 days before their notAfter and 1 and 2 days after it get
// exactly one mail per threshold, to the account and to the application's contact address, with
// the two certificates listed and the one renewal link; the same across a restart, from `onshi
// admin reminders run` beside the server, and (on PostgreSQL) with a second node on the database.
// マイページ's banner and 残り日数, the back office's 有効期限の見通し, and `onshi admin
// certificates expiring` on the same clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { writeTestClock } from '../support/test_clock.mjs';
import os from 'node:os';
import path from 'node:path';
import {
  OnshiServer, csrfToken, freePort, onPostgres, pageText, restartServer, runOnshi, sleep, sqlRows, stopServer, strongPassword,
  freshEmail,
} from '../support/harness.mjs';
import {
  startServerWithCa, createOperator, newClinic, applyForCertificates, totp,
} from '../support/back_office.mjs';
import { approveAndIssue, onshiOk } from '../support/pickup.mjs';

const DAY = 86400;
const SUBJECT_SOON = '電子証明書の有効期限が近づいています';
const SUBJECT_EXPIRED = '有効期限が過ぎた電子証明書があります';
let srv;
let second;
let clockFile;
let notAfter; // Unix seconds
const S = {};

/** Moves every onshi reading the file to `offsetDays` days (and an hour) from the notAfter. */
async function setClock(offsetDays) {
  const t = notAfter + offsetDays * DAY + 3600;
  await writeTestClock(clockFile, t);
  return t;
}

async function reminders(to) {
  return (await srv.smtp.find({ to })).filter((m) => m.subject.includes(SUBJECT_SOON) || m.subject.includes(SUBJECT_EXPIRED));
}

/** Waits for `count` reminders to `to`, then a few more sweeps (1 s apart) to see no more come. */
async function expectReminders(to, count, what) {
  const deadline = Date.now() + 15000;
  while ((await reminders(to)).length < count && Date.now() < deadline) await sleep(100);
  await sleep(3000);
  const got = await reminders(to);
  assert.equal(got.length, count, `${what}: ${JSON.stringify(got.map((m) => m.subject))}`);
  return got[count - 1];
}

before(async () => {
  clockFile = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-clock-')), 'now');
  ({ srv } = await startServerWithCa({
    name: 'expiry_reminders',
    passphrase: 'Kusunoki-reminders-CA-passphrase-2026',
    env: {
      ONSHI_DEVELOPMENT_TEST_CLOCK: 'true',
      ONSHI_TEST_CLOCK_FILE: clockFile,
      ONSHI_REMINDER_INTERVAL_SECONDS: '1',
      // Not picked up, and kept so: years pass here, and a certificate nobody picked up would be
      // revoked after its pickup deadline (CPIPCS 4.4.4), which the reminders leave alone.
      ONSHI_UNPICKED_REVOCATION_GRACE_DAYS: '5000',
    },
  }));
  S.ops = {};
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer'], ['adm1', 'admin']]) {
    S.ops[login] = await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
  }
  S.contact = freshEmail('jimu');
  S.a = await newClinic(srv, 'exA', { institutionName: '医療法人テスト会 かえで診療所', terminals: 2 });
  S.app = await applyForCertificates(S.a, 2, { email: S.contact });
  await approveAndIssue(srv, S.app);
  const rows = await sqlRows(srv, 'SELECT issuance_number AS n, not_after AS t FROM certificates ORDER BY id');
  assert.equal(rows.length, 2);
  S.numbers = rows.map((r) => r.n);
  notAfter = Math.floor(Number(rows[0].t) / 1000);
  assert.equal(Number(rows[1].t), Number(rows[0].t), 'issued together, expiring together');
});

after(async () => {
  if (second) await second.stop();
  await stopServer(srv);
  if (clockFile) await fsp.rm(path.dirname(clockFile), { recursive: true, force: true });
});

test('the test clock is said at start, and refused without development.test_clock', async () => {
  assert.match(await fsp.readFile(srv.stderrFile, 'utf8'), /TEST CLOCK: the time is read from/);
  const r = await runOnshi({ ...srv, env: { ...srv.env, ONSHI_DEVELOPMENT_TEST_CLOCK: 'false' } },
    ['admin', 'reminders', 'run']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /ONSHI_TEST_CLOCK_FILE is set but development\.test_clock is not true/);
});

test('one mail per threshold, before and after expiry, across a restart and beside the CLI', async () => {
  const me = S.a.acct.email;
  await setClock(-91);
  await expectReminders(me, 0, '91 days before');
  let n = 0;
  for (const days of [-90, -60, -30]) {
    await setClock(days);
    const mail = await expectReminders(me, ++n, `${-days} days before`);
    assert.ok(mail.subject.includes(`${SUBJECT_SOON}（2枚）`), mail.subject);
    for (const number of S.numbers) assert.ok(mail.body.includes(number), `${number} in\n${mail.body}`);
    assert.ok(mail.body.includes(`あと${-days}日`), mail.body);
    assert.ok(mail.body.includes(`${srv.publicBaseUrl}/renewal`), 'one link to renew them together');
  }
  // A restart sweeps at once: nothing is mailed twice.
  await restartServer(srv);
  await expectReminders(me, n, 'after a restart');
  // The CLI beside the running server: the same reminders, recorded once.
  const run = await onshiOk(srv, ['admin', 'reminders', 'run']);
  assert.match(run.stdout, /reminded 0 certificate\(s\) of 0 institution\(s\)/);
  await setClock(-15);
  await expectReminders(me, ++n, '15 days before');
  await setClock(-7);
  await expectReminders(me, ++n, '7 days before');
  await setClock(-1);
  await expectReminders(me, n, 'nothing between 7 days and expiry');
  await restartServer(srv);
  for (const days of [1, 2]) {
    await setClock(days);
    const mail = await expectReminders(me, ++n, `${days} day(s) after expiry`);
    assert.ok(mail.subject.includes(`${SUBJECT_EXPIRED}（2枚）`), mail.subject);
    assert.ok(mail.body.includes(`有効期限切れ・${days + 1}日目`), mail.body);
  }
  const contact = await reminders(S.contact);
  assert.equal(contact.length, n, 'the application\'s contact gets each reminder too');
  const sent = await sqlRows(srv, 'SELECT certificate_id AS c, threshold_days AS t FROM expiry_reminders ORDER BY sent_at, c');
  assert.deepEqual([...new Set(sent.map((r) => Number(r.t)))], [90, 60, 30, 15, 7, -2, -3]);
  assert.equal(sent.length, 14, 'one row per certificate and threshold');
});

test('sweeps at once mail nothing twice: CLI runs beside the server, and a second node', async () => {
  const me = S.a.acct.email;
  const before = (await reminders(me)).length;
  if (onPostgres) {
    // A second node on the database, with its own data folder and the CA's, mailing into the
    // same sink. Only one holds the sweep's lease at a time; the CLI runs below hold none.
    const dataDir = path.join(srv.root, 'node-b');
    await fsp.mkdir(dataDir, { recursive: true });
    await fsp.cp(path.join(srv.dataDir, 'ca'), path.join(dataDir, 'ca'), { recursive: true });
    await fsp.copyFile(path.join(srv.dataDir, 'onshi.toml'), path.join(dataDir, 'onshi.toml'));
    second = new OnshiServer({
      name: 'expiry_reminders/b', port: await freePort([srv.port, srv.smtpPort]), smtpPort: srv.smtpPort, dataDir,
      logDir: path.join(srv.logDir, 'node-b'), env: srv.env, publicBaseUrl: srv.publicBaseUrl,
    });
    second.smtp = srv.smtp;
    await second.start();
  }
  for (const [days, n] of [[3, 1], [4, 2]]) {
    await setClock(days);
    const runs = await Promise.all([1, 2, 3].map(() => onshiOk(srv, ['admin', 'reminders', 'run'])));
    const reminded = runs.map((r) => Number(/reminded (\d+) certificate/.exec(r.stdout)?.[1]));
    assert.ok(reminded.reduce((x, y) => x + y, 0) <= 2, `the CLI runs reminded ${reminded} between them`);
    await expectReminders(me, before + n, `day ${days + 1} after expiry, swept at once`);
  }
  const rows = await sqlRows(srv, 'SELECT count(*) AS n FROM expiry_reminders WHERE threshold_days IN (-4, -5)');
  assert.equal(Number(rows[0].n), 4, 'two certificates, two days, one row each');
  if (second) {
    await second.stop();
    second = undefined;
  }
});

test('マイページ shows the banner and each certificate\'s days left', async () => {
  // Back before expiry for the page: the clock only moves forward in production, but the page
  // reads whatever it says. A new login each time: sessions are days apart.
  const mypage = async () => {
    const c = srv.client();
    assert.equal((await c.login(S.a.acct.email, S.a.acct.password)).status, 303);
    return c.get('/mypage');
  };
  await setClock(-30);
  const page = await mypage();
  assert.equal(page.status, 200);
  const text = pageText(page.text);
  assert.ok(text.includes('電子証明書の有効期限が近づいています'), text.slice(0, 800));
  assert.ok(text.includes('有効期限まで90日以内の電子証明書：2枚'), text.slice(0, 800));
  assert.ok(page.text.includes('href="/renewal"'), 'the banner links to the renewal pages');
  assert.equal(text.match(/あと30日/g)?.length, 2, 'each certificate\'s days left');
  await setClock(5);
  const late = pageText((await mypage()).text);
  assert.ok(late.includes('有効期限が過ぎた電子証明書があります'), late.slice(0, 800));
  assert.equal(late.match(/有効期限切れ・6日目/g)?.length, 2);
});

test('the back office plans by month and prefecture, the CLI lists what expires soon', async () => {
  const t = await setClock(-40);
  const list = await onshiOk(srv, ['admin', 'certificates', 'expiring', '--within-days', '45']);
  const lines = list.stdout.trim().split('\n');
  assert.equal(lines.length, 2, list.stdout);
  for (const number of S.numbers) assert.ok(list.stdout.includes(number), list.stdout);
  assert.match(lines[0], /\s40d\s.*\s東京都\s/);
  assert.equal((await onshiOk(srv, ['admin', 'certificates', 'expiring', '--within-days', '30'])).stdout, '');
  const bad = await runOnshi(srv, ['admin', 'certificates', 'expiring', '--within-days', '0']);
  assert.equal(bad.code, 2);

  // A reviewer may read it: counts only. Its TOTP code is the test clock's.
  const admin = srv.client();
  const op = S.ops.rev1;
  const login = await admin.get('/admin/login');
  const r = await admin.post('/admin/login', {
    csrf_token: csrfToken(login.text), login: op.login, password: op.password,
    totp_code: totp(op.totp_secret, Math.floor((t + 5) / 30)),
  });
  assert.equal(r.status, 303, pageText(r.text).slice(0, 500));
  const page = await admin.get('/admin/expiries');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('href="/admin/expiries"'), 'in the menu');
  const text = pageText(page.text);
  const month = new Date((notAfter + 9 * 3600) * 1000);
  const label = `${month.getUTCFullYear()}年${month.getUTCMonth() + 1}月`;
  assert.ok(text.includes(label), `${label} in ${text.slice(0, 1500)}`);
  assert.ok(text.includes('13 東京都：2枚'), text.slice(0, 1500));
});
