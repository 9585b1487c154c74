// Registration form validation: 422, the message beside its field, typed values kept (never a
// password), no mail and no account. Full-width input is accepted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, badCheckDigitCode, strongPassword, pageText,
  inputValue, csrfToken, toFullWidthCode, linkFromBody, showsCode, sleep, SUBJECT_VERIFY, MSG_BAD_LOGIN,
} from '../support/harness.mjs';

let srv;
before(async () => { srv = await startServer({ name: 'registration_validation' }); });
after(async () => { await stopServer(srv); });

function valid(tag) {
  const password = strongPassword(tag);
  return {
    email: freshEmail(tag),
    password,
    password_confirm: password,
    institution_code: freshInstitutionCode(),
    institution_name: `医療法人テスト会 ${tag}クリニック`,
  };
}

const cases = [
  ['empty e-mail', 'email', (f) => ({ ...f, email: '' })],
  ['bad e-mail', 'email', (f) => ({ ...f, email: 'not-an-email.example.jp' })],
  ['e-mail with two @', 'email', (f) => ({ ...f, email: 'a@b@clinic.example.jp' })],
  ['short password', 'password', (f) => ({ ...f, password: 'Ab3$efgh9xY', password_confirm: 'Ab3$efgh9xY' })],
  ['common password', 'password', (f) => ({ ...f, password: 'password1234', password_confirm: 'password1234' })],
  ['confirm mismatch', 'password_confirm', (f) => ({ ...f, password_confirm: `${f.password}-typo` })],
  ['bad check digit', 'institution_code', (f) => ({ ...f, institution_code: badCheckDigitCode(f.institution_code.slice(3, 9)) })],
  ['9-digit code', 'institution_code', (f) => ({ ...f, institution_code: f.institution_code.slice(0, 9) })],
  ['letters in the code', 'institution_code', (f) => ({ ...f, institution_code: '13101234AB' })],
  ['empty code', 'institution_code', (f) => ({ ...f, institution_code: '' })],
  ['empty name', 'institution_name', (f) => ({ ...f, institution_name: '' })],
  ['blank name', 'institution_name', (f) => ({ ...f, institution_name: '　 ' })],
];

const rejected = [];

for (const [what, field, make] of cases) {
  test(`register with ${what}: 422 with ${field}-error, values kept`, async () => {
    const fields = make(valid(field.replace(/_/g, '')));
    const c = srv.client();
    const form = await c.get('/register');
    const r = await c.post('/register', { ...fields, csrf_token: csrfToken(form.text) });
    assert.equal(r.status, 422, `${what}: ${r.status} ${pageText(r.text).slice(0, 300)}`);
    assert.match(r.text, /class="field-error"/);
    assert.match(r.text, new RegExp(`<p\\b[^>]*id="${field}-error"`), `no <p id="${field}-error">`);
    const msg = /<p\b[^>]*id="[a-z_]+-error"[^>]*>([\s\S]*?)<\/p>/.exec(r.text);
    assert.ok(msg && pageText(msg[1]).length > 0, 'the field error has words');
    // Typed values kept, passwords not.
    if (fields.email) assert.equal(inputValue(r.text, 'email'), fields.email, 'email kept');
    if (fields.institution_code) assert.equal(inputValue(r.text, 'institution_code'), fields.institution_code, 'code kept');
    if (fields.institution_name.trim()) assert.equal(inputValue(r.text, 'institution_name'), fields.institution_name, 'name kept');
    assert.equal(inputValue(r.text, 'password') ?? '', '', 'password not pre-filled');
    assert.equal(inputValue(r.text, 'password_confirm') ?? '', '', 'password_confirm not pre-filled');
    assert.ok(!r.text.includes(fields.password), 'the typed password is not in the page');
    assert.ok(!r.text.includes(fields.password_confirm), 'the typed confirmation is not in the page');
    // A new form token is there so the person can resubmit.
    assert.ok(csrfToken(r.text));
    rejected.push(fields);
  });
}

test('rejected registrations sent no mail and made no account', async () => {
  assert.ok(rejected.length > 0);
  await sleep(800);
  for (const f of rejected) {
    if (!f.email || !f.email.includes('@')) continue;
    assert.equal(await srv.countMails({ to: f.email }), 0, `mail to ${f.email}`);
    const r = await srv.client().login(f.email, f.password);
    assert.equal(r.status, 401, `login as ${f.email}`);
    assert.ok(pageText(r.text).includes(MSG_BAD_LOGIN));
  }
});

test('typed values are HTML-escaped when the form is shown again', async () => {
  const f = valid('xss');
  const name = '"><script>alert(1)</script><img src=x onerror=alert(2)>診療所';
  const email = 'x"><script>alert(3)</script>@';
  const c = srv.client();
  const r = await c.submit('/register', { ...f, email, institution_name: name });
  assert.equal(r.status, 422);
  assert.ok(!r.text.includes('<script>alert'), 'raw <script> in the page');
  assert.ok(!r.text.includes('<img src=x'), 'raw <img> in the page');
  assert.equal(inputValue(r.text, 'institution_name'), name);
  assert.equal(inputValue(r.text, 'email'), email);
});

test('an institution name with markup is shown escaped on マイページ and as typed in mail', async () => {
  const f = valid('markup');
  const name = '<b>太字</b>&クリニック';
  const c = srv.client();
  const r = await c.submit('/register', { ...f, institution_name: name });
  if (r.status === 422) {
    // Refusing markup in a name is fine too; then it must be escaped in the form.
    assert.ok(!r.text.includes('<b>太字</b>'));
    return;
  }
  assert.equal(r.status, 200, pageText(r.text));
  const mail = await srv.waitForMail({ to: f.email, subjectIncludes: SUBJECT_VERIFY });
  // Plain text is not HTML: the mail reads the name as typed (the probe saw "&amp;" and "&lt;").
  assert.ok(mail.body.startsWith(`${name} ご担当者様`), mail.body.slice(0, 200));
  assert.ok(!mail.body.includes('&amp;') && !mail.body.includes('&lt;'), mail.body.slice(0, 200));
  const token = new URL(linkFromBody(mail.body, `${srv.baseUrl}/verify?token=`)).searchParams.get('token');
  assert.equal((await c.submit(`/verify?token=${encodeURIComponent(token)}`, { token }, '/verify')).status, 200);
  const lc = srv.client();
  assert.equal((await lc.login(f.email, f.password)).status, 303);
  const my = await lc.get('/mypage');
  assert.ok(!my.text.includes('<b>太字</b>'), 'markup must be escaped');
  assert.ok(pageText(my.text).includes(name), pageText(my.text));
});

test('full-width digits and hyphens in the institution code are accepted', async () => {
  const f = valid('zenkaku');
  const code = f.institution_code;
  const typed = toFullWidthCode(code); // e.g. １３－１－０１２３４５５
  const c = srv.client();
  const r = await c.submit('/register', { ...f, institution_code: typed });
  assert.equal(r.status, 200, `${typed}: ${r.status} ${pageText(r.text).slice(0, 300)}`);
  assert.ok(pageText(r.text).includes('確認メールを送信しました'));
  const mail = await srv.waitForMail({ to: f.email, subjectIncludes: SUBJECT_VERIFY });
  const link = linkFromBody(mail.body, `${srv.baseUrl}/verify?token=`);
  const token = new URL(link).searchParams.get('token');
  const v = await c.submit(`/verify?token=${encodeURIComponent(token)}`, { token }, '/verify');
  assert.equal(v.status, 200, pageText(v.text));
  const lc = srv.client();
  assert.equal((await lc.login(f.email, f.password)).status, 303);
  const my = await lc.get('/mypage');
  assert.ok(showsCode(my.text, code), `マイページ shows ${code} (half-width): ${pageText(my.text)}`);
});

test('a half-width code with ASCII hyphens is accepted too', async () => {
  const f = valid('hyphen');
  const code = f.institution_code;
  const r = await srv.client().submit('/register', { ...f, institution_code: `${code.slice(0, 2)}-${code.slice(2, 3)}-${code.slice(3)}` });
  assert.equal(r.status, 200, pageText(r.text).slice(0, 300));
  await srv.waitForMail({ to: f.email, subjectIncludes: SUBJECT_VERIFY });
});
