// Throttling against the real server as the probe attacked it: 30 wrong logins sent at once (the
// clinic's and the back office's), the current password of パスワード変更 guessed from a logged-in
// session, and logging in again while logged in. The lock base is 60 s here, so that no lock can
// pass while the 30 requests are still being answered on a busy machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, pageText, csrfToken, fieldError,
  loadMessages, runOnshi, MSG_LOCKED,
} from '../support/harness.mjs';
import { createOperator } from '../support/back_office.mjs';

const MSG = loadMessages();
let srv;

// 30 logins at once all reach the throttle: a password queue of 64 holds them (the default, 16,
// answers the 19th and later 503 before anything is counted, password_pool.test.mjs's subject).
before(async () => {
  srv = await startServer({
    name: 'throttling', env: { ONSHI_LOGIN_LOCK_BASE_SECONDS: '60', ONSHI_PASSWORD_QUEUE: '64' },
  });
});
after(async () => { await stopServer(srv); });

async function account(tag) {
  return srv.createAccount({ email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode() });
}

/** Sends all the requests at once, each from a client that already holds its form's token. */
async function inParallel(n, prepare) {
  const sends = await Promise.all(Array.from({ length: n }, (_, i) => prepare(i)));
  const answers = await Promise.all(sends.map((send) => send()));
  const count = (status) => answers.filter((r) => r.status === status).length;
  return { answers, count };
}

async function auditCount(action) {
  const r = await runOnshi(srv, ['audit', 'list', '--action', action, '--limit', '1000']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((line) => line.includes(action)).length;
}

test('30 wrong clinic logins at once: 5 are checked (401), 25 refused (429)', async () => {
  const a = await account('race');
  const { count } = await inParallel(30, async (i) => {
    const c = srv.client();
    const token = await c.csrf('/login');
    return () => c.post('/login', { email: a.email, password: `wrong-password-${i}-xxxx`, csrf_token: token });
  });
  assert.equal(count(401), 5, 'five passwords checked');
  assert.equal(count(429), 25, 'the rest refused by the lock');
  assert.equal(await auditCount('login.failed'), 5, 'the audit log holds the five checked');
  const right = await srv.client().login(a.email, a.password);
  assert.equal(right.status, 429, 'the account stays locked, even for the right password');
  assert.ok(pageText(right.text).includes(MSG_LOCKED));
});

test('30 wrong operator logins at once: 5 are checked (401), 25 refused (429)', async () => {
  await createOperator(srv, { login: 'race-op', name: '競合 太郎', role: 'reviewer', password: 'operator passphrase race 2026' });
  for (const login of ['race-op', 'no-such-operator']) {
    const { count } = await inParallel(30, async () => {
      const c = srv.client();
      const page = await c.get('/admin/login');
      const token = csrfToken(page.text);
      return () => c.post('/admin/login', { login, password: 'not the password at all', totp_code: '123456', csrf_token: token });
    });
    assert.equal(count(401), 5, `${login}: five checked`);
    assert.equal(count(429), 25, `${login}: the rest refused`);
  }
  assert.equal(await auditCount('operator.login_failed'), 5, 'five failures of the known operator in the audit log');
});

test('the current password of パスワード変更 is throttled with the login: 5 wrong, then 429 beside the field', async () => {
  const a = await account('chg-race');
  const c = srv.client();
  assert.equal((await c.login(a.email, a.password)).status, 303);
  const next = strongPassword('next');
  const attempt = async (current) => c.post('/password/change', {
    current_password: current, new_password: next, new_password_confirm: next, csrf_token: await c.csrf('/password/change'),
  });
  for (let i = 1; i <= 5; i++) {
    const r = await attempt(`wrong-current-${i}-xxxx`);
    assert.equal(r.status, 422, `try ${i}`);
    assert.equal(fieldError(r.text, 'current_password'), MSG['password.current_wrong']);
  }
  for (const current of ['wrong-current-6-xxxx', a.password]) {
    const r = await attempt(current);
    assert.equal(r.status, 429, `after five wrong tries, even the right one waits: ${pageText(r.text).slice(0, 200)}`);
    assert.equal(fieldError(r.text, 'current_password'), MSG['password.change_throttled']);
  }
  assert.equal((await srv.client().login(a.email, a.password)).status, 429, 'the login waits too');
});

test('logging in again while logged in ends the old session', async () => {
  const a = await account('again');
  const c = srv.client();
  // A second tab's login form, opened before logging in and sent afterwards.
  const secondTab = await c.csrf('/login');
  assert.equal((await c.login(a.email, a.password)).status, 303);
  const old = c.cookie('onshi_session');
  const again = await c.post('/login', { email: a.email, password: a.password, csrf_token: secondTab });
  assert.equal(again.status, 303, pageText(again.text).slice(0, 200));
  assert.notEqual(c.cookie('onshi_session'), old, 'a new session id');
  const stale = srv.client();
  stale.setCookie('onshi_session', old);
  const r = await stale.get('/mypage');
  assert.equal(r.status, 303, 'the old session no longer opens マイページ');
  assert.equal((await c.get('/mypage')).status, 200, 'the new one does');
});
