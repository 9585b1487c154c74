// Password change (logged in) and forgot/reset by mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, pageText, locationPath,
  csrfToken, inputValue, linkFromBody, sleep, SUBJECT_RESET, sqlRows,
} from '../support/harness.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'password' }); });
after(async () => { await stopServer(srv); });

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

function assertFieldError(r, field, typedSecrets) {
  assert.equal(r.status, 422, `expected 422 for ${field}, got ${r.status}: ${pageText(r.text).slice(0, 300)}`);
  assert.match(r.text, /class="field-error"/);
  assert.match(r.text, new RegExp(`<p\\b[^>]*id="${field}-error"`), `no <p id="${field}-error"> in the page`);
  for (const s of typedSecrets) assert.ok(!r.text.includes(s), 'a typed password is echoed back in the page');
  for (const f of ['current_password', 'new_password', 'new_password_confirm']) {
    assert.equal(inputValue(r.text, f) ?? '', '', `${f} must not be pre-filled`);
  }
}

test('password change: wrong current, weak, short, mismatch -> 422; success ends other sessions', async () => {
  const a = await account('chg');
  const c = await loggedIn(a);
  const other = await loggedIn(a);
  const page = await c.get('/password/change');
  assert.equal(page.status, 200);
  for (const f of ['current_password', 'new_password', 'new_password_confirm']) {
    assert.notEqual(inputValue(page.text, f), undefined, `input ${f}`);
  }
  assert.ok(page.text.includes('パスワードを変更する'));
  assert.ok(pageText(page.text).includes('ログアウト'), 'logout button on every logged-in page');

  const next = strongPassword('next');
  const post = async (fields) => c.post('/password/change', { ...fields, csrf_token: await c.csrf('/password/change') });

  const wrongCurrent = `${a.password}-not`;
  assertFieldError(await post({ current_password: wrongCurrent, new_password: next, new_password_confirm: next }),
    'current_password', [wrongCurrent, next]);
  assertFieldError(await post({ current_password: a.password, new_password: 'password1234', new_password_confirm: 'password1234' }),
    'new_password', [a.password]);
  assertFieldError(await post({ current_password: a.password, new_password: 'Ab3$efgh9xY', new_password_confirm: 'Ab3$efgh9xY' }),
    'new_password', [a.password, 'Ab3$efgh9xY']);
  assertFieldError(await post({ current_password: a.password, new_password: next, new_password_confirm: `${next}z` }),
    'new_password_confirm', [a.password, next]);
  assert.equal((await srv.client().login(a.email, a.password)).status, 303, 'nothing changed yet');

  const ok = await post({ current_password: a.password, new_password: next, new_password_confirm: next });
  assert.equal(ok.status, 200, pageText(ok.text).slice(0, 300));
  assert.ok(pageText(ok.text).includes('パスワードを変更しました'), pageText(ok.text));

  assert.equal((await c.get('/mypage')).status, 200, 'the session that changed the password stays logged in');
  const o = await other.get('/mypage');
  assert.equal(o.status, 303, 'other sessions of the account are ended');
  assert.equal(locationPath(o.location), '/login');

  const old = await srv.client().login(a.email, a.password);
  assert.equal(old.status, 401, 'the old password no longer works');
  assert.equal((await srv.client().login(a.email, next)).status, 303, 'the new password works');
});

test('/password/change needs a login', async () => {
  const r = await srv.client().get('/password/change');
  assert.equal(r.status, 303);
  assert.equal(locationPath(r.location), '/login');
});

test('forgot: same answer for registered and unregistered e-mail, a mail only for the registered', async () => {
  const a = await account('forgot');
  const unknown = freshEmail('unknown');
  const c = srv.client();
  const form = await c.get('/password/forgot');
  assert.equal(form.status, 200);
  assert.notEqual(inputValue(form.text, 'email'), undefined);
  assert.ok(form.text.includes('再設定用のメールを送信する'));

  // The unregistered one first: by the time the registered one's mail arrives, any mail for the
  // first would have been sent too.
  const r1 = await srv.client().submit('/password/forgot', { email: unknown });
  const r2 = await srv.client().submit('/password/forgot', { email: a.email });
  for (const r of [r1, r2]) {
    assert.equal(r.status, 200, pageText(r.text));
    assert.ok(pageText(r.text).includes('パスワード再設定のご案内をお送りしました'), pageText(r.text));
  }
  assert.equal(pageText(r1.text).split(unknown).join('E'), pageText(r2.text).split(a.email).join('E'),
    'the same page whether or not the e-mail is registered');

  const mail = await srv.waitForMail({ to: a.email, subjectIncludes: SUBJECT_RESET });
  assert.equal(mail.subject, SUBJECT_RESET);
  assert.ok(linkFromBody(mail.body, `${srv.baseUrl}/password/reset?token=`), mail.body);
  await sleep(700);
  assert.equal(await srv.countMails({ to: unknown }), 0, 'no mail for an unregistered e-mail');
});

test('reset link sets a new password; the token is single-use', async () => {
  const a = await account('reset');
  await srv.client().submit('/password/forgot', { email: a.email });
  const mail = await srv.waitForMail({ to: a.email, subjectIncludes: SUBJECT_RESET });
  const link = linkFromBody(mail.body, `${srv.baseUrl}/password/reset?token=`);
  assert.ok(link, mail.body);
  const token = new URL(link).searchParams.get('token');
  const rel = new URL(link).pathname + new URL(link).search;

  const c = srv.client();
  const page = await c.get(rel);
  assert.equal(page.status, 200, pageText(page.text));
  assert.equal(inputValue(page.text, 'token'), token);
  assert.notEqual(inputValue(page.text, 'new_password'), undefined);
  assert.notEqual(inputValue(page.text, 'new_password_confirm'), undefined);
  assert.ok(page.text.includes('パスワードを再設定する'));

  // A weak password is refused and does not use up the token.
  const weak = await c.post('/password/reset', {
    token, new_password: 'password1234', new_password_confirm: 'password1234', csrf_token: csrfToken(page.text),
  });
  assert.equal(weak.status, 422, pageText(weak.text));
  assert.match(weak.text, /<p\b[^>]*id="new_password-error"/);

  const fresh = strongPassword('reset');
  const ok = await c.post('/password/reset', {
    token, new_password: fresh, new_password_confirm: fresh, csrf_token: await c.csrf(rel),
  });
  assert.equal(ok.status, 200, pageText(ok.text));
  assert.ok(pageText(ok.text).includes('パスワードを再設定しました'), pageText(ok.text));
  assert.equal((await srv.client().login(a.email, a.password)).status, 401, 'old password no longer works');
  assert.equal((await srv.client().login(a.email, fresh)).status, 303, 'the new password works');

  // Single use: a second POST with the same token fails and changes nothing.
  const third = strongPassword('third');
  const c2 = srv.client();
  const page2 = await c2.get(rel);
  const tok2 = page2.status === 200 ? csrfToken(page2.text) : await c2.csrf('/password/forgot');
  const again = await c2.post('/password/reset', { token, new_password: third, new_password_confirm: third, csrf_token: tok2 });
  assert.ok(again.status >= 400 && again.status < 500, `reused reset token -> ${again.status}`);
  assert.equal((await srv.client().login(a.email, third)).status, 401, 'a reused token must not set a password');
  assert.equal((await srv.client().login(a.email, fresh)).status, 303);
});

// The probe: `select body from outbox where body like '%reset?token=%'` on a copy of the database
// gave working reset links, and a password was reset with one. A sent mail keeps its record
// (recipient, subject, Message-ID) but not a body that carries a link.
test('once sent, verification and reset mails keep no working link in the database', async () => {
  const email = freshEmail('redact');
  const password = strongPassword('redact');
  const c = srv.client();
  const reg = await srv.register(c, { email, password, institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会' });
  assert.equal(reg.status, 200);
  await srv.waitForMail({ to: email, subjectIncludes: '【医療機関等向けポータルサイト】メールアドレスの確認' });
  await srv.client().submit('/password/forgot', { email });
  const reset = await srv.waitForMail({ to: email, subjectIncludes: SUBJECT_RESET });
  assert.ok(linkFromBody(reset.body, `${srv.baseUrl}/password/reset?token=`), 'the mail itself carries the link');

  const count = async (where) => (await sqlRows(srv, `SELECT count(*) AS n FROM outbox WHERE ${where}`))[0].n;
  const mine = `recipient = '${email}'`;
  // The sink may see the mail a moment before the worker records it as sent.
  for (let i = 0; i < 50 && await count(`${mine} AND sent_at IS NULL`) !== 0; i++) {
    await sleep(100);
  }
  assert.equal(await count(`${mine} AND sent_at IS NOT NULL`), 2);
  assert.equal(await count("body LIKE '%token=%' AND sent_at IS NOT NULL"), 0,
    'no sent body in the whole outbox holds a link');
  assert.equal(await count(`${mine} AND message_id LIKE '<%>' AND subject LIKE '【%'`), 2,
    'the record of each mail stays');
});
