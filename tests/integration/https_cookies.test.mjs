// With an https public base URL (TLS ends at a proxy in front of onshi) the cookies are Secure and
// the mail links use that URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, linkFromBody, pageText,
  locationPath, SUBJECT_VERIFY,
} from '../support/harness.mjs';

const PUBLIC = 'https://portal.example.jp';
let srv;
before(async () => { srv = await startServer({ name: 'https_cookies', publicBaseUrl: PUBLIC }); });
after(async () => { await stopServer(srv); });

function assertSecure(c, name) {
  const attrs = c.cookieAttributes(name);
  assert.ok(attrs, `${name} set`);
  assert.equal(attrs.secure, true, `${name} must be Secure with an https base URL: ${c.jar.get(name).raw}`);
  assert.equal(attrs.httponly, true, `${name} HttpOnly`);
  assert.equal(String(attrs.samesite).toLowerCase(), 'lax', `${name} SameSite=Lax`);
}

test('cookies are Secure and mail links use the https base URL', async () => {
  const email = freshEmail('tls');
  const password = strongPassword('t');
  const c = srv.client();
  const r = await srv.register(c, { email, password, institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会' });
  assert.equal(r.status, 200, pageText(r.text));
  assertSecure(c, 'onshi_csrf');
  const mail = await srv.waitForMail({ to: email, subjectIncludes: SUBJECT_VERIFY });
  const link = linkFromBody(mail.body, `${PUBLIC}/verify?token=`);
  assert.ok(link, `a ${PUBLIC}/verify?token= line in:\n${mail.body}`);
  const token = new URL(link).searchParams.get('token');
  const v = await c.submit(`/verify?token=${encodeURIComponent(token)}`, { token }, '/verify');
  assert.equal(v.status, 200, pageText(v.text));
  const lc = srv.client();
  const ok = await lc.login(email, password);
  assert.equal(ok.status, 303, pageText(ok.text));
  assert.equal(locationPath(ok.location), '/mypage');
  assertSecure(lc, 'onshi_session');
  assert.equal((await lc.get('/mypage')).status, 200);
});
