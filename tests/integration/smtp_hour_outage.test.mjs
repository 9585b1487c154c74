// SMTP down for an hour of the server's clock (ONSHI_TEST_CLOCK_FILE moved a minute at a time),
// with the production retry schedule (mail.retry_base_ms 30 s, doubling, mail.retry_max_ms 1 h):
// the outbox keeps every mail and tries again on that schedule, and once SMTP is back each mail
// arrives once, under the Message-ID it was committed with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, stopServer, freePort, freshEmail, freshInstitutionCode, strongPassword, sleep, sqlRows, SUBJECT_VERIFY,
} from '../support/harness.mjs';
import { setClockOffset } from '../support/test_clock.mjs';

let srv;
let clockDir;
let clockFile;
const emails = [];

before(async () => {
  clockDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-smtp-hour-'));
  clockFile = path.join(clockDir, 'clock');
  await setClockOffset(clockFile, 0);
  srv = await startServer({
    name: 'smtp_hour_outage', startSmtp: false, smtpPort: await freePort(),
    env: {
      ONSHI_DEVELOPMENT_TEST_CLOCK: 'true', ONSHI_TEST_CLOCK_FILE: clockFile,
      ONSHI_MAIL_RETRY_BASE_MS: '30000', ONSHI_MAIL_RETRY_MAX_MS: '3600000',
    },
  });
});
after(async () => {
  await stopServer(srv);
  await fsp.rm(clockDir, { recursive: true, force: true });
});

async function outbox() {
  return sqlRows(srv, 'SELECT id, attempts, next_attempt_at, sent_at, message_id FROM outbox ORDER BY id');
}

test('an hour without SMTP: every mail kept and retried on its schedule, then each delivered once', async () => {
  for (let i = 0; i < 3; i += 1) {
    const email = freshEmail(`hour${i}`);
    const r = await srv.register(srv.client(), {
      email, password: strongPassword(`h${i}`), institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会',
    });
    assert.equal(r.status, 200);
    emails.push(email);
  }
  for (let minute = 1; minute <= 60; minute += 1) {
    await setClockOffset(clockFile, minute * 60);
    await sleep(250); // the worker looks every 100 ms (ONSHI_MAIL_POLL_MS)
  }
  assert.ok(srv.alive, 'onshi serve survives an hour of failed deliveries');
  const waiting = await outbox();
  assert.equal(waiting.length, 3, 'every mail kept');
  assert.ok(waiting.every((m) => m.sent_at === null), 'none marked sent');
  // Tries at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 minutes: 7 in the hour, the next one at 63.5.
  const first = waiting[0];
  assert.ok(first.attempts >= 6 && first.attempts <= 8, `the first mail tried ${first.attempts} times in the hour`);
  const now = Date.now() + 3600 * 1000;
  assert.ok(Number(first.next_attempt_at) <= now + 3600 * 1000, 'the next try within retry_max_ms');
  assert.equal(await srv.metric('onshi_outbox_pending'), 3);

  await srv.smtp.start();
  await setClockOffset(clockFile, 2 * 3600);
  for (const email of emails) await srv.waitForMail({ to: email, subjectIncludes: SUBJECT_VERIFY, timeoutMs: 20000 });
  await sleep(1500);
  for (const email of emails) assert.equal(await srv.countMails({ to: email }), 1, `one mail to ${email}`);
  const bare = (id) => id.trim().replace(/^<|>$/g, '');
  const ids = (await srv.smtp.mails()).map((m) => bare(m.headers['message-id']));
  assert.deepEqual(ids.sort(), (await outbox()).map((m) => bare(m.message_id)).sort(), 'each under its committed Message-ID');
  assert.ok((await outbox()).every((m) => m.sent_at !== null), 'all marked sent');
});
