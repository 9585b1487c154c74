// Account life cycle through the web: register -> verification mail -> verify -> login -> マイページ
// -> logout (docs/pages.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, linkFromBody, csrfToken,
  findTag, inputValue, pageText, locationPath, showsCode,
  MAIL_FROM, SUBJECT_VERIFY, MSG_BAD_LOGIN, MSG_BAD_TOKEN, MSG_CSRF,
} from '../support/harness.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'accounts' }); });
after(async () => { await stopServer(srv); });

function assertCookieAttrs(c, name) {
  const attrs = c.cookieAttributes(name);
  assert.ok(attrs, `cookie ${name} was not set`);
  assert.equal(attrs.httponly, true, `${name} must be HttpOnly: ${c.jar.get(name).raw}`);
  assert.equal(String(attrs.samesite).toLowerCase(), 'lax', `${name} must be SameSite=Lax: ${c.jar.get(name).raw}`);
  assert.equal(attrs.path, '/', `${name} must have Path=/: ${c.jar.get(name).raw}`);
  assert.equal(attrs.secure, undefined, `${name} must not be Secure on an http base URL`);
}

test('TOP links to login and registration', async () => {
  const c = srv.client();
  const r = await c.get('/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/i);
  assert.match(r.headers.get('content-type') ?? '', /utf-8/i);
  const text = pageText(r.text);
  assert.ok(text.includes('すでにアカウントをお持ちの方はログイン'), text);
  assert.ok(text.includes('アカウント登録'), text);
  assert.match(r.text, /<a\b[^>]*href="\/login"/);
  assert.match(r.text, /<a\b[^>]*href="\/register"/);
  assert.equal(await c.get('/static/style.css').then((x) => x.status), 200);
  const css = await c.get('/static/style.css');
  assert.match(css.headers.get('content-type') ?? '', /text\/css/);
});

test('not logged in: /mypage redirects to /login', async () => {
  const r = await srv.client().get('/mypage');
  assert.equal(r.status, 303);
  assert.equal(locationPath(r.location), '/login');
});

test('register, verify by mail, login, マイページ, logout', async () => {
  const email = freshEmail('acct');
  const password = strongPassword('a');
  const code = freshInstitutionCode();
  const name = '医療法人テスト会 さくらクリニック';
  const c = srv.client();

  // The registration form.
  const form = await c.get('/register');
  assert.equal(form.status, 200);
  for (const f of ['email', 'password', 'password_confirm', 'institution_code', 'institution_name', 'csrf_token']) {
    assert.notEqual(inputValue(form.text, f), undefined, `register form has no input ${f}`);
  }
  assert.ok(pageText(form.text).includes('登録する') || form.text.includes('登録する'), 'button 登録する');
  assertCookieAttrs(c, 'onshi_csrf');

  const r = await c.post('/register', {
    email, password, password_confirm: password, institution_code: code, institution_name: name,
    csrf_token: csrfToken(form.text),
  });
  assert.equal(r.status, 200, pageText(r.text).slice(0, 500));
  assert.ok(pageText(r.text).includes('確認メールを送信しました'), pageText(r.text));

  // The verification mail.
  const mail = await srv.waitForMail({ to: email, subjectIncludes: SUBJECT_VERIFY });
  assert.equal(mail.subject, SUBJECT_VERIFY);
  assert.equal(mail.from, MAIL_FROM);
  const link = linkFromBody(mail.body, `${srv.baseUrl}/verify?token=`);
  assert.ok(link, `no ${srv.baseUrl}/verify?token= line in:\n${mail.body}`);
  const token = new URL(link).searchParams.get('token');
  assert.ok(token && token.length >= 16, `token too short: ${token}`);

  // Not yet verified: login fails with the generic message.
  const early = await srv.client().login(email, password);
  assert.equal(early.status, 401);
  assert.ok(pageText(early.text).includes(MSG_BAD_LOGIN), pageText(early.text));
  assert.equal(early.setCookies.find((x) => x.name === 'onshi_session'), undefined);
  const stranger = freshEmail('stranger');
  const unknown = await srv.client().login(stranger, password);
  assert.equal(pageText(early.text).split(email).join('E'), pageText(unknown.text).split(stranger).join('E'),
    'not yet verified answers exactly like an unknown e-mail');

  // GET the link: a button, and GET does not consume the token (mail scanners pre-fetch links).
  const v = srv.client();
  for (let i = 0; i < 2; i++) {
    const page = await v.get(new URL(link).pathname + new URL(link).search);
    assert.equal(page.status, 200, pageText(page.text));
    assert.ok(page.text.includes('メールアドレスを確認する'), pageText(page.text));
    assert.equal(inputValue(page.text, 'token'), token, 'the verify form carries the token');
    const formTag = findTag(page.text, 'form');
    assert.equal(formTag?.method?.toLowerCase(), 'post');
  }
  const page = await v.get(`/verify?token=${encodeURIComponent(token)}`);
  const done = await v.post('/verify', { token, csrf_token: csrfToken(page.text) });
  assert.equal(done.status, 200, pageText(done.text));
  assert.ok(pageText(done.text).includes('メールアドレスの確認が完了しました'), pageText(done.text));
  assert.match(done.text, /<a\b[^>]*href="\/login"[^>]*>\s*ログイン\s*<\/a>/);

  // Single use.
  const again = await v.post('/verify', { token, csrf_token: csrfToken(page.text) });
  assert.equal(again.status, 400);
  assert.ok(pageText(again.text).includes(MSG_BAD_TOKEN), pageText(again.text));

  // Login succeeds now.
  const lc = srv.client();
  const before = lc.cookie('onshi_session');
  const ok = await lc.login(email, password);
  assert.equal(ok.status, 303, pageText(ok.text));
  assert.equal(locationPath(ok.location), '/mypage');
  assert.ok(lc.cookie('onshi_session'), 'onshi_session set at login');
  assert.notEqual(lc.cookie('onshi_session'), before);
  assertCookieAttrs(lc, 'onshi_session');

  // マイページ
  const my = await lc.get('/mypage');
  assert.equal(my.status, 200);
  const text = pageText(my.text);
  assert.ok(text.includes('マイページ'), text);
  assert.ok(text.includes(name), `institution name in ${text}`);
  assert.ok(showsCode(my.text, code), `institution code ${code} in ${text}`);
  assert.ok(text.includes(email), `e-mail in ${text}`);
  assert.ok(text.includes('申請はまだありません'), text);
  assert.ok(text.includes('ログアウト'), text);

  // Logout: 303 to /, session ended server-side too.
  const sessionId = lc.cookie('onshi_session');
  const out = await lc.logout();
  assert.equal(out.status, 303, pageText(out.text));
  assert.equal(locationPath(out.location), '/');
  const after1 = await lc.get('/mypage');
  assert.equal(after1.status, 303);
  assert.equal(locationPath(after1.location), '/login');
  const replay = srv.client();
  replay.setCookie('onshi_session', sessionId);
  const after2 = await replay.get('/mypage');
  assert.equal(after2.status, 303, 'an old session id must not work after logout');
  assert.equal(locationPath(after2.location), '/login');
});

test('unknown verify token gets 400', async () => {
  const c = srv.client();
  const page = await c.get('/verify?token=doesnotexist0123456789');
  // The GET may show the button (it cannot tell without consuming) or already say invalid.
  assert.ok(page.status === 200 || page.status === 400, `GET /verify unknown -> ${page.status}`);
  const token = csrfToken(page.status === 200 ? page.text : (await c.get('/register')).text);
  const r = await c.post('/verify', { token: 'doesnotexist0123456789', csrf_token: token });
  assert.equal(r.status, 400);
  assert.ok(pageText(r.text).includes(MSG_BAD_TOKEN), pageText(r.text));
  const r2 = await c.post('/verify', { token: 'x', csrf_token: 'wrong' });
  assert.equal(r2.status, 403);
  assert.ok(pageText(r2.text).includes(MSG_CSRF));
});

test('session id is new at every login (no fixation)', async () => {
  const acct = await srv.registerVerified({ email: freshEmail('fix') });
  const c = srv.client();
  await c.get('/login');
  // An attacker-planted id is replaced.
  const planted = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  c.setCookie('onshi_session', planted);
  const first = await c.login(acct.email, acct.password);
  assert.equal(first.status, 303, pageText(first.text));
  const id1 = c.cookie('onshi_session');
  assert.ok(id1 && id1 !== planted, 'a fresh session id replaces the planted one');
  const planted2 = srv.client();
  planted2.setCookie('onshi_session', planted);
  assert.equal((await planted2.get('/mypage')).status, 303, 'the planted id must not become a session');

  const out = await c.logout();
  assert.equal(out.status, 303);
  const second = await c.login(acct.email, acct.password);
  assert.equal(second.status, 303);
  const id2 = c.cookie('onshi_session');
  assert.ok(id2 && id2 !== id1, 'a new id at the second login');
  assert.ok(id2.length >= 22, `session id looks too short to be random: ${id2}`);
  assert.equal((await c.get('/mypage')).status, 200);
});

test('registering an already registered e-mail again does not replace its password', async () => {
  const acct = await srv.registerVerified({ email: freshEmail('again') });
  const c = srv.client();
  const other = strongPassword('takeover');
  const r = await srv.register(c, {
    email: acct.email, password: other, institutionCode: freshInstitutionCode(), institutionName: '医療法人なりすまし会',
  });
  // docs/pages.md does not say how this answers; it must not be a 5xx, and nothing may change.
  assert.ok(r.status === 200 || r.status === 422, `second registration -> ${r.status}`);
  await new Promise((res) => setTimeout(res, 700));
  for (const m of await srv.smtp.find({ to: acct.email, subjectIncludes: SUBJECT_VERIFY })) {
    const link = linkFromBody(m.body, `${srv.baseUrl}/verify?token=`);
    const token = new URL(link).searchParams.get('token');
    const v = srv.client();
    await v.submit(`/verify?token=${encodeURIComponent(token)}`, { token }, '/verify');
  }
  assert.equal((await srv.client().login(acct.email, other)).status, 401, 'the second password must not work');
  const ok = srv.client();
  assert.equal((await ok.login(acct.email, acct.password)).status, 303, 'the first password still works');
  const my = await ok.get('/mypage');
  assert.ok(pageText(my.text).includes(acct.institutionName));
  assert.ok(!pageText(my.text).includes('なりすまし'));
});

// The probe: a code with an account answered 422 「この医療機関コードはすでに登録されています」 to a
// new e-mail but 200 to its own, so the form told which codes and e-mails were registered.
test('a new account, a registered e-mail and a registered code get the same page; the mail tells the truth', async () => {
  const existing = await srv.registerVerified({ email: freshEmail('known') });
  const pages = {};
  const cases = {
    fresh: { email: freshEmail('fresh'), institutionCode: freshInstitutionCode() },
    knownEmail: { email: existing.email, institutionCode: freshInstitutionCode() },
    knownCode: { email: freshEmail('code'), institutionCode: existing.institutionCode },
  };
  for (const [name, typed] of Object.entries(cases)) {
    const r = await srv.register(srv.client(), { ...typed, password: strongPassword(name), institutionName: '医療法人テスト会' });
    assert.equal(r.status, 200, `${name}: ${pageText(r.text).slice(0, 300)}`);
    pages[name] = pageText(r.text).split(typed.email).join('EMAIL');
  }
  assert.equal(pages.knownEmail, pages.fresh, 'a registered e-mail answers like a new account');
  assert.equal(pages.knownCode, pages.fresh, 'a registered code answers like a new account');

  const verify = await srv.waitForMail({ to: cases.fresh.email, subjectIncludes: SUBJECT_VERIFY });
  assert.ok(verify, 'the new account gets its verification link');
  const taken = await srv.waitForMail({ to: cases.knownCode.email, subjectIncludes: 'アカウント登録について' });
  assert.ok(taken.body.includes('この医療機関コードのアカウントはすでに登録されています'), taken.body);
  assert.ok(!taken.body.includes('/verify?token='), 'no account was made, so no link to verify');
  assert.equal((await srv.client().login(cases.knownCode.email, strongPassword('knownCode'))).status, 401,
    'no account for the address that tried the registered code');
});
