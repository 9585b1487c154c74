// Login: generic failure message (no enumeration) and throttling after 5 failures
// (ONSHI_LOGIN_LOCK_BASE_SECONDS=2: the wait after the 5th failure is 2 s and doubles).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, pageText, locationPath,
  sleep, MSG_BAD_LOGIN, MSG_LOCKED,
} from '../support/harness.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'login' }); });
after(async () => { await stopServer(srv); });

async function cliAccount(tag) {
  return srv.createAccount({
    email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(),
    institutionName: '医療法人テスト会',
  });
}

/** The page text with the typed e-mail taken out (the form may keep it). */
function normalized(text, email) {
  return pageText(text).split(email).join('EMAIL');
}

test('an account made with `onshi account create` can log in', async () => {
  const a = await cliAccount('cli');
  const c = srv.client();
  const r = await c.login(a.email, a.password);
  assert.equal(r.status, 303, pageText(r.text));
  assert.equal(locationPath(r.location), '/mypage');
  const my = await c.get('/mypage');
  assert.equal(my.status, 200);
  assert.ok(pageText(my.text).includes('医療法人テスト会'));
  // E-mail addresses compare case-insensitively.
  const r2 = await srv.client().login(a.email.toUpperCase(), a.password);
  assert.equal(r2.status, 303, 'login with the e-mail in upper case');
});

test('wrong password and unknown e-mail: 401 with the same words', async () => {
  const a = await cliAccount('wrong');
  const unknown = freshEmail('nobody');
  const wrong = await srv.client().login(a.email, `${a.password}x`);
  assert.equal(wrong.status, 401);
  assert.ok(pageText(wrong.text).includes(MSG_BAD_LOGIN), pageText(wrong.text));
  assert.equal(wrong.setCookies.find((x) => x.name === 'onshi_session'), undefined);
  const none = await srv.client().login(unknown, a.password);
  assert.equal(none.status, 401);
  assert.ok(pageText(none.text).includes(MSG_BAD_LOGIN), pageText(none.text));
  assert.equal(normalized(wrong.text, a.email), normalized(none.text, unknown),
    'the answer must not tell whether the e-mail is registered');
  // The typed password is never echoed back.
  assert.ok(!wrong.text.includes(`${a.password}x`));
});

test('5 failures lock the e-mail: the 6th attempt, even with the right password, gets 429; after the wait it works', async () => {
  const a = await cliAccount('lock');
  const other = await cliAccount('other');
  for (let i = 1; i <= 5; i++) {
    const r = await srv.client().login(a.email, `wrong-password-${i}-xxxx`);
    assert.equal(r.status, 401, `failure ${i} -> ${r.status}`);
  }
  const t5 = Date.now();
  const locked = await srv.client().login(a.email, a.password);
  assert.equal(locked.status, 429, `6th attempt with the right password -> ${locked.status}: ${pageText(locked.text)}`);
  assert.ok(pageText(locked.text).includes(MSG_LOCKED), pageText(locked.text));
  assert.equal(locked.setCookies.find((x) => x.name === 'onshi_session'), undefined);

  // Another account is not affected.
  const o = await srv.client().login(other.email, other.password);
  assert.equal(o.status, 303, 'the lock is per e-mail');

  // After the 2 s wait (counted from the 5th failure), the right password works.
  await sleep(Math.max(0, t5 + 2700 - Date.now()));
  const ok = await srv.client().login(a.email, a.password);
  assert.equal(ok.status, 303, `after the wait -> ${ok.status}: ${pageText(ok.text)}`);
});

test('an unregistered e-mail is throttled the same way (no enumeration)', async () => {
  const email = freshEmail('ghost');
  for (let i = 1; i <= 5; i++) {
    const r = await srv.client().login(email, `some-password-${i}-xxxx`);
    assert.equal(r.status, 401, `failure ${i} -> ${r.status}`);
    assert.ok(pageText(r.text).includes(MSG_BAD_LOGIN));
  }
  const r = await srv.client().login(email, 'some-password-6-xxxx');
  assert.equal(r.status, 429, pageText(r.text));
  assert.ok(pageText(r.text).includes(MSG_LOCKED), pageText(r.text));
});

test('the wait doubles with a further failure after the lock', async () => {
  const a = await cliAccount('double');
  for (let i = 1; i <= 5; i++) {
    const r = await srv.client().login(a.email, `wrong-password-${i}-xxxx`);
    assert.equal(r.status, 401, `failure ${i}`);
  }
  const t5 = Date.now();
  await sleep(Math.max(0, t5 + 2500 - Date.now()));
  // The 6th failure (the 2 s lock is over): answered 401 (or 429), and the next wait is 4 s.
  const f6 = await srv.client().login(a.email, 'wrong-password-6-xxxx');
  assert.ok(f6.status === 401 || f6.status === 429, `6th failure -> ${f6.status}`);
  const t6 = Date.now();
  const soon = await srv.client().login(a.email, a.password);
  assert.equal(soon.status, 429, 'locked again right after the 6th failure');
  // 2.2 s: past the first lock's 2 s, yet 1.8 s short of the new 4 s, a margin for a busy machine.
  await sleep(Math.max(0, t6 + 2200 - Date.now()));
  const mid = await srv.client().login(a.email, a.password);
  assert.equal(mid.status, 429, 'still locked 2.2 s after the 6th failure (the wait is now 4 s)');
  await sleep(Math.max(0, t6 + 4700 - Date.now()));
  const ok = await srv.client().login(a.email, a.password);
  assert.equal(ok.status, 303, `after 4 s -> ${ok.status}: ${pageText(ok.text)}`);
});
