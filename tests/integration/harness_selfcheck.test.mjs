// Checks the harness pieces that do not need onshi: port picking, institution codes, the SMTP sink
// (python3-aiosmtpd) and Maildir/RFC 2047 parsing of mails sent by Python's smtplib.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ARTIFACTS, PYTHON, SmtpSink, checkDigit, decodeEncodedWords, freePort, institutionCode,
  badCheckDigitCode, linkFromBody, parseMail, portAccepts, toFullWidthCode, parseSetCookie,
  csrfToken, inputValue, pageText, freshInstitutionCode,
} from '../support/harness.mjs';

test('institution code check digit', () => {
  assert.equal(institutionCode('012345'), '1310123455');
  assert.equal(checkDigit('012345'), 5);
  assert.notEqual(badCheckDigitCode('012345'), '1310123455');
  assert.equal(toFullWidthCode('1310123455'), '１３－１－０１２３４５５');
  const a = freshInstitutionCode();
  const b = freshInstitutionCode();
  assert.match(a, /^131\d{7}$/);
  assert.notEqual(a, b);
});

test('free ports are free', async () => {
  const p = await freePort();
  assert.ok(p > 0 && p < 65536);
  assert.equal(await portAccepts(p), false);
});

test('RFC 2047 and HTML helpers', () => {
  // A 3-byte character split across two encoded words must still decode.
  const bytes = Buffer.from('【医療】', 'utf8');
  const w1 = bytes.subarray(0, 4).toString('base64');
  const w2 = bytes.subarray(4).toString('base64');
  assert.equal(decodeEncodedWords(`=?UTF-8?B?${w1}?=\r\n =?UTF-8?B?${w2}?=`.replace(/\r\n /, ' ')), '【医療】');
  assert.equal(decodeEncodedWords('=?utf-8?Q?a_b=E3=81=82?= x'), 'a bあ x');
  const c = parseSetCookie('onshi_session=abc; Path=/; HttpOnly; SameSite=Lax');
  assert.equal(c.value, 'abc');
  assert.equal(c.attributes.httponly, true);
  assert.equal(c.attributes.samesite, 'Lax');
  const html = '<form><input type="hidden" name="csrf_token" value="t&amp;1">'
    + '<input value="a@b" name="email" type="email"><input name="password" type="password"></form><p>x &lt; y</p>';
  assert.equal(csrfToken(html), 't&1');
  assert.equal(inputValue(html, 'email'), 'a@b');
  assert.equal(inputValue(html, 'password'), '');
  assert.equal(inputValue(html, 'nope'), undefined);
  assert.equal(pageText(html), 'x < y');
});

test('SMTP sink receives and the Maildir parser decodes (base64 body, folded encoded-word subject)', async () => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'onshi-selfcheck-'));
  after(() => fsp.rm(root, { recursive: true, force: true }));
  const port = await freePort();
  const sink = new SmtpSink({ port, maildir: path.join(root, 'maildir'), logDir: path.join(ARTIFACTS, 'harness_selfcheck') });
  after(() => sink.stop());
  await sink.start();
  assert.equal(await portAccepts(port), true);

  const subject = '【医療機関等向けポータルサイト】メールアドレスの確認';
  const body = '医療法人テスト会 様\r\n\r\n以下のリンクを開いてください。\r\nhttp://127.0.0.1:1/verify?token=AbC_-123\r\n';
  // 1: Python's email package (its own encoded-word folding, base64 body).
  const py1 = `
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m['From'] = 'portal@fask.or.jp'
m['To'] = 'a@clinic.example.jp'
m['Subject'] = sys.argv[2]
m.set_content(sys.argv[3], charset='utf-8', cte='base64')
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.send_message(m)
`;
  // 2: a hand-made message like a C++ sender would write: subject as several folded B-words.
  const enc = Buffer.from(subject, 'utf8');
  const words = [];
  for (let i = 0; i < enc.length; i += 30) words.push(`=?UTF-8?B?${enc.subarray(i, i + 30).toString('base64')}?=`);
  const raw = [
    'From: =?UTF-8?B?' + Buffer.from('ポータル').toString('base64') + '?= <portal@fask.or.jp>',
    'To: <b@clinic.example.jp>',
    `Subject: ${words.join('\r\n ')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(body, 'utf8').toString('base64').replace(/(.{76})/g, '$1\r\n'),
    '',
  ].join('\r\n');
  const py2 = `
import smtplib, sys
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.sendmail('portal@fask.or.jp', ['b@clinic.example.jp'], sys.stdin.buffer.read())
`;
  const r1 = spawnSync(PYTHON, ['-c', py1, String(port), subject, body], { encoding: 'utf8' });
  assert.equal(r1.status, 0, r1.stderr);
  const r2 = spawnSync(PYTHON, ['-c', py2, String(port)], { input: raw, encoding: 'utf8' });
  assert.equal(r2.status, 0, r2.stderr);

  for (const to of ['a@clinic.example.jp', 'b@clinic.example.jp']) {
    const m = await sink.waitForMail({ to, subjectIncludes: 'メールアドレスの確認', timeoutMs: 5000 });
    assert.equal(m.subject, subject);
    assert.equal(m.from, 'portal@fask.or.jp');
    assert.ok(m.body.includes('医療法人テスト会 様'), m.body);
    assert.equal(linkFromBody(m.body, 'http://127.0.0.1:1/verify?token='), 'http://127.0.0.1:1/verify?token=AbC_-123');
    assert.equal(await sink.countMails({ to }), 1);
  }
  assert.equal(await sink.countMails({ to: 'nobody@clinic.example.jp' }), 0);
  await sink.stop();
  assert.equal(await portAccepts(port), false);
  // Restart on the same port (the SMTP-outage test does this).
  await sink.start();
  assert.equal(await portAccepts(port), true);
  await sink.stop();
});

// Direct parse of a message with a quoted-printable multipart body.
test('multipart quoted-printable parse', () => {
  const raw = [
    'To: x@y.jp', 'Subject: =?utf-8?q?=E3=83=86=E3=82=B9=E3=83=88?=',
    'Content-Type: multipart/alternative; boundary="BB"', '', '--BB',
    'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '',
    '=E3=81=82=\r\nb', '--BB', 'Content-Type: text/html; charset=utf-8', '', '<p>x</p>', '--BB--', '',
  ].join('\r\n');
  const m = parseMail(raw);
  assert.equal(m.subject, 'テスト');
  assert.equal(m.body.trim(), 'あb');
  assert.deepEqual(m.to, ['x@y.jp']);
});
