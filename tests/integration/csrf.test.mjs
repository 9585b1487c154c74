// Every POST form needs a valid csrf_token: without one, or with a wrong one, 403 「画面の有効期限が切れました」
// and nothing changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, pageText, locationPath,
  csrfToken, sleep, MSG_CSRF, SUBJECT_VERIFY,
} from '../support/harness.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'csrf' }); });
after(async () => { await stopServer(srv); });

function assertForbidden(r, what) {
  assert.equal(r.status, 403, `${what} -> ${r.status}: ${pageText(r.text).slice(0, 300)}`);
  assert.ok(pageText(r.text).includes(MSG_CSRF), `${what}: ${pageText(r.text)}`);
  assert.match(r.text, /<a\b[^>]*href=/, `${what}: the 403 page has a link back`);
}

async function account(tag) {
  return srv.createAccount({
    email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(),
  });
}

async function loggedIn(a) {
  const c = srv.client();
  const r = await c.login(a.email, a.password);
  assert.equal(r.status, 303, pageText(r.text));
  return c;
}

test('POST /login without, with a wrong, or with another visitor\'s token: 403, no session', async () => {
  const a = await account('login');
  const other = srv.client();
  const othersToken = await other.csrf('/login');

  const cases = [
    ['no token', undefined],
    ['empty token', ''],
    ['wrong token', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['another visitor\'s token', othersToken],
  ];
  for (const [what, token] of cases) {
    const c = srv.client();
    await c.get('/login'); // gets its own onshi_csrf cookie
    const r = await c.post('/login', { email: a.email, password: a.password, csrf_token: token });
    assertForbidden(r, `POST /login (${what})`);
    assert.equal(c.cookie('onshi_session'), undefined, `${what}: no session cookie`);
    const my = await c.get('/mypage');
    assert.equal(my.status, 303, `${what}: not logged in`);
    assert.equal(locationPath(my.location), '/login');
  }
  // A visitor with no cookie at all.
  const bare = srv.client();
  assertForbidden(await bare.post('/login', { email: a.email, password: a.password, csrf_token: othersToken }),
    'POST /login without the onshi_csrf cookie');
  // The 403s did not count as login failures that lock the account, and the account still works.
  const ok = await srv.client().login(a.email, a.password);
  assert.equal(ok.status, 303);
});

test('POST /register without or with a wrong token: 403, no mail, no account', async () => {
  const email = freshEmail('reg');
  const code = freshInstitutionCode();
  const password = strongPassword('r');
  const fields = {
    email, password, password_confirm: password, institution_code: code, institution_name: '医療法人テスト会',
  };
  for (const [what, token] of [['no token', undefined], ['wrong token', 'bogus-token-value']]) {
    const c = srv.client();
    await c.get('/register');
    assertForbidden(await c.post('/register', { ...fields, csrf_token: token }), `POST /register (${what})`);
  }
  await sleep(800);
  assert.equal(await srv.countMails({ to: email }), 0, 'no mail after a forbidden registration');
  // The same e-mail and institution code can still be registered properly.
  const c = srv.client();
  const r = await srv.register(c, { email, password, institutionCode: code, institutionName: '医療法人テスト会' });
  assert.equal(r.status, 200, pageText(r.text));
  await srv.waitForMail({ to: email, subjectIncludes: SUBJECT_VERIFY });
});

test('POST /logout without or with a wrong token: 403 and the session stays valid', async () => {
  const a = await account('logout');
  const c = await loggedIn(a);
  const b = await loggedIn(await account('logout2'));
  const bToken = await b.csrf('/mypage');
  for (const [what, token] of [['no token', undefined], ['wrong token', 'bogus'], ['another session\'s token', bToken]]) {
    assertForbidden(await c.post('/logout', { csrf_token: token }), `POST /logout (${what})`);
    const my = await c.get('/mypage');
    assert.equal(my.status, 200, `${what}: still logged in`);
  }
  // The right token works.
  const out = await c.post('/logout', { csrf_token: await c.csrf('/mypage') });
  assert.equal(out.status, 303);
  assert.equal((await c.get('/mypage')).status, 303);
});

test('POST /password/change without or with a wrong token: 403 and the password is unchanged', async () => {
  const a = await account('pw');
  const c = await loggedIn(a);
  const newPassword = strongPassword('new');
  const page = await c.get('/password/change');
  assert.equal(page.status, 200);
  const good = csrfToken(page.text);
  for (const [what, token] of [['no token', undefined], ['wrong token', `${good.slice(0, -2)}xx`]]) {
    const r = await c.post('/password/change', {
      current_password: a.password, new_password: newPassword, new_password_confirm: newPassword, csrf_token: token,
    });
    assertForbidden(r, `POST /password/change (${what})`);
  }
  assert.equal((await c.get('/mypage')).status, 200, 'still logged in');
  assert.equal((await srv.client().login(a.email, a.password)).status, 303, 'old password still works');
  assert.equal((await srv.client().login(a.email, newPassword)).status, 401, 'new password was not set');
});

test('POST /verify, /password/forgot and /password/reset need the token too', async () => {
  const c = srv.client();
  await c.get('/login');
  assertForbidden(await c.post('/verify', { token: 'whatever' }), 'POST /verify');
  assertForbidden(await c.post('/password/forgot', { email: freshEmail('f') }), 'POST /password/forgot');
  assertForbidden(await c.post('/password/reset', { token: 'x', new_password: 'Abcdefgh-12345', new_password_confirm: 'Abcdefgh-12345' }),
    'POST /password/reset');
});
