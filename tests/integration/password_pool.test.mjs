// Requests that hash or verify a password run on a pool of their own (server.password_threads)
// with a bounded queue (server.password_queue): here one thread and no queue, so that of logins
// sent together all but the one being hashed find it full. Those get 503 with Retry-After and the
// catalogue's page, nothing done (no session, no failed attempt counted), and a login afterwards
// works as usual.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, pageText, locationPath,
} from '../support/harness.mjs';

const BUSY_TITLE = 'ただいま混み合っています';
const BUSY_SENT = 'この操作は行われていません';

// The pool's one thread sends its answer before it counts itself idle again, and at nice 10 on a
// busy machine it may wait a while in between: a login sent straight after the last answer can
// still find the thread taken. A browser's user would try again, as this does; what is asserted
// is the answer once the pool is free (a locked e-mail would answer 401 or 429, never 503).
async function loginWhenFree(client, email, password) {
  for (let i = 0; ; ++i) {
    const r = await client.login(email, password);
    if (r.status !== 503 || i === 50) return r;
    await new Promise((done) => { setTimeout(done, 100); });
  }
}

let srv;
before(async () => {
  srv = await startServer({
    name: 'password_pool', env: { ONSHI_PASSWORD_THREADS: '1', ONSHI_PASSWORD_QUEUE: '0' },
  });
});
after(async () => { await stopServer(srv); });

test('logins beyond the password pool get 503 with Retry-After; the others and later ones log in', async () => {
  const a = await srv.createAccount({
    email: freshEmail('pool'), password: strongPassword('pool'), institutionCode: freshInstitutionCode(),
    institutionName: '医療法人テスト会',
  });
  // Each client first reads its form (a GET, answered on the server's own threads), so that the
  // POSTs alone go out together. An Argon2id verification takes tens of milliseconds: 20 logins
  // sent at once cannot all find the one thread free.
  const clients = Array.from({ length: 20 }, () => srv.client());
  const tokens = await Promise.all(clients.map((c) => c.csrf('/login')));
  const answers = await Promise.all(clients.map((c, i) =>
    c.post('/login', { email: a.email, password: a.password, csrf_token: tokens[i] })));

  const busy = answers.filter((r) => r.status === 503);
  const done = answers.filter((r) => r.status !== 503);
  assert.ok(busy.length > 0, `no 503 among ${answers.map((r) => r.status).join(' ')}`);
  assert.ok(done.length > 0, 'the login the thread took is answered');
  for (const r of done) {
    assert.equal(r.status, 303, pageText(r.text));
    assert.equal(locationPath(r.location), '/mypage');
  }
  for (const r of busy) {
    assert.equal(r.headers.get('retry-after'), '2');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const text = pageText(r.text);
    assert.ok(text.includes(BUSY_TITLE), text);
    assert.ok(text.includes(BUSY_SENT), text);
    assert.equal(r.setCookies.find((x) => x.name === 'onshi_session'), undefined, 'no session for a refused login');
  }

  // While logins were refused, pages went on (a GET never waits for the password pool).
  const page = await srv.client().get('/login');
  assert.equal(page.status, 200);

  // Refused logins counted no failure (the e-mail is not locked) and the pool is free again.
  const later = srv.client();
  const r = await loginWhenFree(later, a.email, a.password);
  assert.equal(r.status, 303, pageText(r.text));
  const my = await later.get('/mypage');
  assert.equal(my.status, 200);
  assert.ok(pageText(my.text).includes('医療法人テスト会'));
});

test('a wrong password on the pool is still 401, not 503, when the pool is free', async () => {
  const a = await srv.createAccount({
    email: freshEmail('pool-wrong'), password: strongPassword('pool-wrong'),
    institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会',
  });
  const r = await loginWhenFree(srv.client(), a.email, `${a.password}x`);
  assert.equal(r.status, 401, pageText(r.text));
});
