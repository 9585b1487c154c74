// 取得用ページ end to end, over HTTP to the real `onshi serve`: two clinics' certificates issued
// and their notice letters printed from the CLI, the codes read off the letter PDF, then the
// pickup as a vendor does it: PKCS#12 in both formats imported by OpenSSL, NSS (pk12util) and
// Java (keytool), a CSR in place of the generated key and its chain as PEM, DER and PKCS#7,
// downloads again inside the window, wrong pairs, the lock and its unlock, the throttle per client
// address, a reprinted letter voiding its codes, and a mail for each download.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  stopServer, strongPassword, pageText, loadMessages, csrfToken, inputValue, checkedRadio, sqlRows,
} from '../support/harness.mjs';
import { startServerWithCa, createOperator, newClinic, applyForCertificates } from '../support/back_office.mjs';
import {
  exec, onshiOk, approveAndIssue, printLetters, letterText, codesOf, pickupUrlsOf, typedLoosely, serialAsPrinted,
  AddressedClient, openPickup, publicKeyOfCert, publicKeyOfKey, verifyChain, SUBJECT_DOWNLOADED,
} from '../support/pickup.mjs';

const MSG = loadMessages();
const before_ = (s) => s.split('{desk}')[0]; // a catalogue text up to the desk's name
let srv;
let work;
let caDir;
const S = {};

/** A client of its own loopback address: each test's wrong pairs count against its address only. */
function clientFrom(n) {
  return new AddressedClient(srv.baseUrl, `127.0.0.${n}`);
}

/** The hidden grant and number of the certificate's page. */
function grantOf(page) {
  const grant = inputValue(page.text, 'grant');
  assert.ok(grant, `a grant on the certificate's page: ${pageText(page.text).slice(0, 600)}`);
  return grant;
}

/** The serial the certificate's page states among its facts (as the letter prints it, grouped),
 * as openssl prints it: 32 hex digits in lower case. */
function serialOn(page) {
  const shown = /<dt>シリアル番号<\/dt><dd[^>]*>([0-9A-F ]{39})<\/dd>/.exec(page.text)?.[1];
  return shown?.replace(/ /g, '').toLowerCase();
}

async function postWithGrant(client, page, action, fields) {
  return client.post(action, {
    csrf_token: csrfToken(page.text), grant: grantOf(page), number: inputValue(page.text, 'number'), ...fields,
  });
}

function expectAttachment(r, filename, type) {
  assert.equal(r.status, 200, `download ${filename}: ${r.status} ${pageText(r.text).slice(0, 400)}`);
  assert.equal(r.headers.get('content-type'), type, filename);
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="${filename}"`);
  assert.equal(r.headers.get('cache-control'), 'no-store', `${filename}: never cached`);
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer', filename);
}

async function save(name, bytes) {
  const file = path.join(work, name);
  await fsp.writeFile(file, bytes);
  return file;
}

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'pickup', passphrase: 'Kusunoki-pickup-CA-passphrase-2026' }));
  work = path.join(srv.logDir, 'files');
  await fsp.mkdir(work, { recursive: true });
  caDir = path.join(srv.dataDir, 'ca');
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
  }
  // Clinic A: T01 generated (PKCS#12), T02 generated then replaced by a CSR, T03 for the lock.
  S.a = await newClinic(srv, 'pkA', { institutionName: '医療法人テスト会 さくら診療所', terminals: 3 });
  S.appA = await applyForCertificates(S.a, 3);
  await approveAndIssue(srv, S.appA);
  // Clinic B: one certificate, for another institution's number and the reprint.
  S.b = await newClinic(srv, 'pkB', { institutionName: '医療法人べつの会 ひまわり医院', terminals: 1 });
  S.appB = await applyForCertificates(S.b, 1);
  await approveAndIssue(srv, S.appB);
  S.letters = path.join(work, 'letters.pdf');
  const printed = await printLetters(srv, S.letters);
  S.codes = printed.codes;
  S.letterText = printed.text;
  S.n = (app, i) => `${app}-${String(i).padStart(2, '0')}`;
  assert.equal(Object.keys(S.codes).length, 4, `a code per certificate in the letters:\n${printed.text}`);
  S.urls = await pickupUrlsOf(S.letters);
  assert.equal(Object.keys(S.urls).length, 4, `a QR code per certificate: ${JSON.stringify(S.urls)}`);
});
after(async () => { await stopServer(srv); });

test('the letter\'s URL opens the pickup page with its number filled in', async (t) => {
  const number = S.n(S.appA, 1);
  const url = S.urls[number];
  assert.ok(url?.startsWith(`${srv.publicBaseUrl}/pickup?n=`), `the QR code's URL: ${url}`);
  const r = await clientFrom(2).get(url);
  assert.equal(r.status, 200);
  assert.equal(inputValue(r.text, 'issuance_number'), number);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.match(r.text, /<input id="pickup_code" name="pickup_code"[^>]*autocomplete="off"/);
});

test('PKCS#12 標準: openssl without -legacy, NSS pk12util and keytool import the key and its chain', async () => {
  const c = clientFrom(3);
  const number = S.n(S.appA, 1);
  const page = await openPickup(c, S.urls[number], S.codes[number]);
  assert.equal(page.status, 200, pageText(page.text).slice(0, 500));
  const text = pageText(page.text);
  for (const shown of ['医療法人テスト会 さくら診療所', 'T01', number, 'PKCS#12 ファイルをダウンロード']) {
    assert.ok(text.includes(shown), `the certificate's page shows ${shown}: ${text}`);
  }
  assert.ok(!page.text.includes(S.codes[number]), 'the code is not on the page');
  const serial = serialOn(page);
  assert.ok(serial, `a serial on the page: ${text}`);
  const grouped = serial.toUpperCase().match(/.{4}/g).join(' ');
  assert.ok(S.letterText.includes(grouped), `the page writes the serial as the letter does: ${grouped}`);
  S.t01 = { serial, number };

  // The form refuses a short password, keeps the format chosen, and sends no password back.
  const short = await postWithGrant(c, page, '/pickup/pkcs12', { password: 'short12', password_again: 'short12', format: 'standard' });
  assert.equal(short.status, 422);
  assert.equal(checkedRadio(short.text, 'format'), 'standard');
  assert.ok(!short.text.includes('short12'), 'no password in the page');
  assert.ok(pageText(short.text).includes(MSG['pickup.password_short'].replace('{0}', '8')));

  // Java cannot read a file whose password is not ASCII: the page says so beside the field.
  const kana = await postWithGrant(c, page, '/pickup/pkcs12', { password: 'たんまつのパスワード', password_again: 'たんまつのパスワード', format: 'standard' });
  assert.equal(kana.status, 422);
  assert.ok(pageText(kana.text).includes(MSG['pickup.password_ascii']));

  const password = 'Terminal pass #1';
  const r = await postWithGrant(c, page, '/pickup/pkcs12', { password, password_again: password, format: 'standard' });
  expectAttachment(r, `${number}.p12`, 'application/x-pkcs12');
  const p12 = await save('t01-standard.p12', r.bytes);

  const info = await exec('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-info', '-nodes']);
  const all = info.stdout + info.stderr;
  assert.match(all, /MAC: sha256/, all);
  assert.match(all, /PBES2, PBKDF2, AES-256-CBC/, all);
  assert.match(all, /friendlyName: \d{10}-T01/, all);
  await exec('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nocerts', '-nodes', '-out', path.join(work, 't01.key')]);
  await exec('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-clcerts', '-nokeys', '-out', path.join(work, 't01.crt')]);
  await exec('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-cacerts', '-nokeys', '-out', path.join(work, 't01-ca.crt')]);
  assert.equal(await publicKeyOfKey(path.join(work, 't01.key')), await publicKeyOfCert(path.join(work, 't01.crt')),
    'the key in the file is the certificate\'s');
  const x = (await exec('openssl', ['x509', '-in', path.join(work, 't01.crt'), '-serial', '-noout'])).stdout;
  assert.equal(x.trim().toLowerCase(), `serial=${serial}`);
  assert.match(await verifyChain(path.join(work, 't01.crt'), caDir), /: OK$/);
  const cas = (await fsp.readFile(path.join(work, 't01-ca.crt'), 'utf8')).match(/BEGIN CERTIFICATE/g);
  assert.equal(cas?.length, 2, 'the issuing and the root CA ride along');

  await importIntoNss(p12, password, 'standard', serial);
  await importIntoJava(p12, password, 'standard', serial);
});

async function importIntoNss(p12, password, tag, serial) {
  const db = path.join(work, `nss-${tag}`);
  await fsp.mkdir(db, { recursive: true });
  await exec('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  const imported = await exec('pk12util', ['-i', p12, '-d', `sql:${db}`, '-W', password]);
  assert.match(imported.stdout + imported.stderr, /PKCS12 IMPORT SUCCESSFUL/, `pk12util (${tag})`);
  const keys = (await exec('certutil', ['-K', '-d', `sql:${db}`])).stdout;
  assert.match(keys, /\d{10}-T01/, `certutil -K lists the key under the certificate's name (${tag}):\n${keys}`);
  const certs = (await exec('certutil', ['-L', '-d', `sql:${db}`])).stdout;
  assert.match(certs, /\d{10}-T01\s+u,u,u/, `the certificate with its key (u,u,u) (${tag}):\n${certs}`);
  const shown = (await exec('certutil', ['-L', '-d', `sql:${db}`, '-n', /(\d{10}-T01)/.exec(certs)[1]])).stdout;
  assert.ok(shown.replace(/[:\s]/g, '').toLowerCase().includes(serial.replace(/^0+/, '')), `the serial in NSS (${tag})`);
}

async function importIntoJava(p12, password, tag, serial) {
  const jks = path.join(work, `${tag}.jks`);
  await fsp.rm(jks, { force: true });
  await exec('keytool', ['-importkeystore', '-srckeystore', p12, '-srcstoretype', 'PKCS12', '-srcstorepass', password,
    '-destkeystore', jks, '-deststoretype', 'JKS', '-deststorepass', 'java-store-pass', '-destkeypass', 'java-store-pass',
    '-noprompt']);
  const listed = (await exec('keytool', ['-list', '-v', '-keystore', jks, '-storepass', 'java-store-pass'])).stdout;
  assert.match(listed, /Entry type: PrivateKeyEntry/, `keytool (${tag}):\n${listed}`);
  assert.match(listed, /Certificate chain length: 3/, `keytool (${tag}):\n${listed}`);
  assert.match(listed, new RegExp(`Serial number: ${serial.replace(/^0+/, '')}`, 'i'), `keytool serial (${tag})`);
}

test('PKCS#12 互換, downloaded again inside the window: 3DES and SHA-1, read with -legacy, NSS and keytool', async () => {
  assert.ok(S.t01, 'needs the 標準 download');
  const c = clientFrom(4);
  const { number, serial } = S.t01;
  const page = await openPickup(c, S.urls[number], S.codes[number]);
  assert.equal(page.status, 200);
  const text = pageText(page.text);
  assert.ok(text.includes('これまでの取得') && text.includes(MSG['pickup.what.pkcs12-standard']) && text.includes('127.0.0.3'),
    `the earlier download, when and from where: ${text}`);
  assert.ok(!text.includes('端末で作成した CSR を使う'), 'no CSR once the key was downloaded');
  const password = 'compatible-pass-2';
  const r = await postWithGrant(c, page, '/pickup/pkcs12', { password, password_again: password, format: 'compatible' });
  expectAttachment(r, `${number}.p12`, 'application/x-pkcs12');
  const p12 = await save('t01-compatible.p12', r.bytes);
  const info = await exec('openssl', ['pkcs12', '-legacy', '-in', p12, '-passin', `pass:${password}`, '-info', '-nodes']);
  const all = info.stdout + info.stderr;
  assert.match(all, /MAC: sha1/, all);
  assert.match(all, /pbeWithSHA1And3-KeyTripleDES-CBC/, all);
  assert.ok(!/AES-256/.test(all), 'nothing of the standard format');
  await exec('openssl', ['pkcs12', '-legacy', '-in', p12, '-passin', `pass:${password}`, '-nocerts', '-nodes', '-out', path.join(work, 't01c.key')]);
  assert.equal(await publicKeyOfKey(path.join(work, 't01c.key')), await publicKeyOfCert(path.join(work, 't01.crt')),
    'the same key as the first download');
  await importIntoNss(p12, password, 'compatible', serial);
  await importIntoJava(p12, password, 'compatible', serial);
});

test('a CSR in place of the generated key, the code typed full width and lower case; PEM, DER and P7B', async () => {
  const c = clientFrom(5);
  const number = S.n(S.appA, 2);
  const page = await openPickup(c, S.urls[number], typedLoosely(S.codes[number]));
  assert.equal(page.status, 200, `the code typed ${typedLoosely(S.codes[number])}: ${pageText(page.text).slice(0, 400)}`);
  const oldSerial = serialOn(page);
  const key = path.join(work, 't02.key');
  const csr = path.join(work, 't02.csr');
  await exec('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key,
    '-out', csr, '-subj', '/CN=terminal-t02']);
  const replaced = await postWithGrant(c, page, '/pickup/csr', { csr: await fsp.readFile(csr, 'utf8') });
  assert.equal(replaced.status, 200, pageText(replaced.text).slice(0, 600));
  const text = pageText(replaced.text);
  const groupedOld = oldSerial.toUpperCase().match(/.{4}/g).join(' ');
  assert.ok(text.includes('秘密鍵は消去') && text.includes(groupedOld), `says the generated key is gone: ${text}`);
  const newSerial = serialOn(replaced);
  assert.ok(newSerial && newSerial !== oldSerial, `a new serial: ${newSerial}`);
  assert.ok(!text.includes('PKCS#12 ファイルをダウンロード'), 'no PKCS#12 for a CSR\'s certificate');

  const pem = await postWithGrant(c, replaced, '/pickup/chain', { format: 'pem' });
  expectAttachment(pem, `${number}.pem`, 'application/x-pem-file');
  const pemFile = await save('t02.pem', pem.bytes);
  assert.equal(pem.text.match(/BEGIN CERTIFICATE/g)?.length, 3, 'certificate, issuing CA, root CA');
  assert.match(await verifyChain(pemFile, caDir), /: OK$/);
  assert.equal(await publicKeyOfCert(pemFile), await publicKeyOfKey(key), 'certifies the CSR\'s key');
  assert.equal((await exec('openssl', ['x509', '-in', pemFile, '-serial', '-noout'])).stdout.trim().toLowerCase(), `serial=${newSerial}`);

  const der = await postWithGrant(c, replaced, '/pickup/chain', { format: 'der' });
  expectAttachment(der, `${number}.cer`, 'application/pkix-cert');
  const derFile = await save('t02.cer', der.bytes);
  const derPem = path.join(work, 't02-der.pem');
  await exec('openssl', ['x509', '-inform', 'DER', '-in', derFile, '-out', derPem]);
  assert.match(await verifyChain(derPem, caDir), /: OK$/);
  assert.equal(await publicKeyOfCert(derFile, 'DER'), await publicKeyOfKey(key));

  const p7b = await postWithGrant(c, replaced, '/pickup/chain', { format: 'p7b' });
  expectAttachment(p7b, `${number}.p7b`, 'application/x-pkcs7-certificates');
  const p7bFile = await save('t02.p7b', p7b.bytes);
  const printed = (await exec('openssl', ['pkcs7', '-inform', 'DER', '-in', p7bFile, '-print_certs'])).stdout;
  assert.equal(printed.match(/BEGIN CERTIFICATE/g)?.length, 3, printed);
  assert.match(printed, new RegExp(`subject=.*serialNumber\\s*=\\s*${number}`), printed);
  const p7bLeaf = path.join(work, 't02-p7b.pem');
  await fsp.writeFile(p7bLeaf, printed);
  assert.match(await verifyChain(p7bLeaf, caDir), /: OK$/);
  S.t02 = { number, newSerial };
});

test('wrong pairs: the same answer for a wrong code, an unknown number and another institution\'s number', async () => {
  const c = clientFrom(6);
  const mine = S.n(S.appA, 3);
  const theirs = S.n(S.appB, 1);
  const answers = [
    await openPickup(c, S.urls[mine], 'AAAA-BBBB-CCCC-DDDD'),
    await openPickup(c, '/pickup', S.codes[mine], { number: 'C-99999999-01' }),
    await openPickup(c, S.urls[theirs], S.codes[mine]), // B's number with A's code
  ];
  for (const r of answers) {
    assert.equal(r.status, 401);
    const text = pageText(r.text);
    assert.ok(text.includes(MSG['pickup.wrong_pair']), text);
    assert.ok(!r.text.includes(S.codes[mine]) && !r.text.includes('AAAA-BBBB'), 'the code is not sent back');
  }
  const strip = (r) => r.text.replace(/name="csrf_token" value="[^"]*"/g, '').replace(/name="issuance_number" value="[^"]*"/, '');
  assert.equal(strip(answers[0]), strip(answers[1]), 'a wrong code and an unknown number read alike');
  assert.equal(strip(answers[0]), strip(answers[2]), 'another institution\'s number reads alike');
  assert.equal(inputValue(answers[1].text, 'issuance_number'), 'C-99999999-01', 'the number typed is kept');
});

test('five wrong codes lock the number; the desk unlocks it', async (t) => {
  const c = clientFrom(7);
  const number = S.n(S.appA, 3);
  // One wrong try was made in the test before; the lock counts per number, not per address.
  const [{ n: tried }] = await sqlRows(srv, `SELECT pickup_failures AS n FROM certificates WHERE issuance_number = '${number}'`);
  for (let i = tried; i < 5; i += 1) {
    assert.equal((await openPickup(c, S.urls[number], `ZZZZ-ZZZZ-ZZZZ-ZZZ${i + 2}`)).status, 401);
  }
  const locked = await openPickup(c, S.urls[number], S.codes[number]);
  assert.equal(locked.status, 403);
  const text = pageText(locked.text);
  assert.ok(text.includes(before_(MSG['pickup.locked'])), text);
  assert.match(locked.text, /<address class="contact">[\s\S]*tel:/, 'the desk\'s phone on the page');
  const audit = await onshiOk(srv, ['audit', 'list', '--action', 'certificate.pickup_locked', '--limit', '10']);
  assert.ok(audit.stdout.includes(number), audit.stdout);

  await onshiOk(srv, ['admin', 'certificates', 'unlock', number, '--operator', 'iss1']);
  assert.equal((await openPickup(c, S.urls[number], S.codes[number])).status, 200, 'unlocked');
});

test('one address cannot walk through numbers; another address is not held back', async () => {
  const walker = clientFrom(8);
  const number = S.n(S.appB, 1);
  let wrong = 0;
  for (let i = 0; i < 10; i += 1) {
    const r = await openPickup(walker, '/pickup', 'AAAA-AAAA-AAAA-AAAA', { number: `C-9999${1000 + i}-01` });
    if (r.status === 401) wrong += 1;
  }
  assert.equal(wrong, 10, 'ten wrong pairs are answered as such');
  const held = await openPickup(walker, S.urls[number], S.codes[number]);
  assert.equal(held.status, 429, 'even the right pair waits');
  assert.ok(pageText(held.text).includes(MSG['pickup.throttled']));
  const other = await openPickup(clientFrom(9), S.urls[number], S.codes[number]);
  assert.equal(other.status, 200, 'another address');
});

test('a reprinted letter voids the old code; the new one opens the pickup', async () => {
  const c = clientFrom(10);
  const number = S.n(S.appB, 1);
  const file = path.join(work, 'reprint.pdf');
  await fsp.rm(file, { force: true });
  await onshiOk(srv, ['admin', 'letters', 'reprint', S.appB, '--operator', 'iss1', '--out', file]);
  const fresh = codesOf(await letterText(file))[number];
  assert.ok(fresh && fresh !== S.codes[number], `a new code: ${fresh}`);
  const old = await openPickup(c, S.urls[number], S.codes[number]);
  assert.equal(old.status, 401, 'the old code is void');
  assert.ok(pageText(old.text).includes(MSG['pickup.wrong_pair']));
  assert.equal((await openPickup(c, S.urls[number], fresh)).status, 200);
});

test('every download is mailed to the institution: which certificate, when, what, from where', async () => {
  assert.ok(S.t01 && S.t02, 'needs the downloads above');
  const to = S.a.acct.email;
  const t01 = `${SUBJECT_DOWNLOADED}（${S.t01.number}）`;
  const first = await srv.waitForMail({ to, subjectIncludes: t01, nth: 1 });
  const second = await srv.waitForMail({ to, subjectIncludes: t01, nth: 2 });
  assert.equal(await srv.countMails({ to, subjectIncludes: t01 }), 2, 'two downloads, two mails');
  for (const [m, what, address] of [[first, 'pickup.what.pkcs12-standard', '127.0.0.3'],
    [second, 'pickup.what.pkcs12-compatible', '127.0.0.4']]) {
    assert.ok(m.body.includes(MSG[what]), `${what} in:\n${m.body}`);
    assert.ok(m.body.includes(address), `the address ${address} in:\n${m.body}`);
    assert.ok(m.body.includes(serialAsPrinted(S.t01.serial)), 'the serial, as the letter prints it');
    assert.ok(!m.body.includes(S.codes[S.t01.number]), 'no code in the mail');
  }
  // The CSR's certificate: issued from the CSR, then three chain files.
  const t02 = `${SUBJECT_DOWNLOADED}（${S.t02.number}）`;
  await srv.waitForMail({ to, subjectIncludes: t02, nth: 4 });
  const bodies = (await srv.smtp.find({ to, subjectIncludes: t02 })).map((m) => m.body).join('\n');
  for (const what of ['csr', 'pem', 'der', 'p7b']) {
    assert.ok(bodies.includes(MSG[`pickup.what.${what}`]), `${what} mailed`);
  }
  assert.equal(await srv.countMails({ to: S.b.acct.email, subjectIncludes: SUBJECT_DOWNLOADED }), 0,
    'opening a pickup without downloading mails nothing');
});
