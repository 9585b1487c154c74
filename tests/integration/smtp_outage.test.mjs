// The mail outbox survives an SMTP outage: a verification mail queued while nothing listens on the
// SMTP port is delivered once the server comes up, and exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freePort, portAccepts, freshEmail, freshInstitutionCode, strongPassword, pageText,
  linkFromBody, sleep, SUBJECT_VERIFY,
} from '../support/harness.mjs';

let srv;
before(async () => {
  const smtpPort = await freePort();
  srv = await startServer({ name: 'smtp_outage', startSmtp: false, smtpPort });
});
after(async () => { await stopServer(srv); });

test('SMTP down at registration, then up: the mail arrives exactly once', async () => {
  assert.equal(await portAccepts(srv.smtpPort), false, 'nothing listens on the SMTP port yet');
  const email = freshEmail('outage');
  const password = strongPassword('o');
  const c = srv.client();
  const r = await srv.register(c, {
    email, password, institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会',
  });
  assert.equal(r.status, 200, 'registration answers even while SMTP is down');
  assert.ok(pageText(r.text).includes('確認メールを送信しました'));

  await sleep(1500);
  assert.ok(srv.alive, 'onshi survives failed SMTP deliveries');
  const pending = await srv.metric('onshi_outbox_pending');
  assert.ok(pending >= 1, `onshi_outbox_pending while SMTP is down: ${pending}`);
  assert.equal((await fetch(`${srv.baseUrl}/healthz`)).status, 200);

  await srv.smtp.start();
  const mail = await srv.waitForMail({ to: email, subjectIncludes: SUBJECT_VERIFY, timeoutMs: 20000 });
  assert.ok(linkFromBody(mail.body, `${srv.baseUrl}/verify?token=`), mail.body);

  await sleep(2000);
  assert.equal(await srv.countMails({ to: email }), 1, 'delivered exactly once');
  assert.equal(await srv.metric('onshi_outbox_pending'), 0, 'outbox empty after delivery');

  // The link works.
  const token = new URL(linkFromBody(mail.body, `${srv.baseUrl}/verify?token=`)).searchParams.get('token');
  const v = await c.submit(`/verify?token=${encodeURIComponent(token)}`, { token }, '/verify');
  assert.equal(v.status, 200, pageText(v.text));
  assert.equal((await srv.client().login(email, password)).status, 303);
});

test('SMTP goes down again and comes back: later mail is still delivered once', async () => {
  await srv.smtp.stop();
  const email = freshEmail('outage2');
  const r = await srv.register(srv.client(), {
    email, password: strongPassword('p'), institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会',
  });
  assert.equal(r.status, 200);
  await sleep(1000);
  await srv.smtp.start();
  await srv.waitForMail({ to: email, subjectIncludes: SUBJECT_VERIFY, timeoutMs: 20000 });
  await sleep(1500);
  assert.equal(await srv.countMails({ to: email }), 1);
});
