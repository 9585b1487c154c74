// 接続確認 (/terminal-check) in chromium, as staff check a terminal by opening a page: the browser
// offers its client certificate (playwright-core's clientCertificates, the PKCS#12 file the
// vendor picked up) to the TLS listener, and the page says which certificate it is and whether
// it can be used. Every page is checked with axe-core (WCAG 2.1 AA).
//   1. the picked-up certificate: its 発行番号, terminal, serial as printed, 有効 and
//      この端末の電子証明書は利用できます;
//   2. no certificate offered: what to do (import the .p12, restart the browser, choose it);
//   3. a certificate of another CA made here by `openssl req -x509`: not ours;
//   4. over plain http: the check needs https, with the TLS listener's address to open;
//   5. after `onshi admin certificates revoke`: 失効, with the date and reason.
//
// Set up from the shell and over HTTP: a CA with its TLS listener, one clinic's application for
// one certificate with a generated key, approved and issued from the CLI, its letter printed and
// the PKCS#12 picked up with the letter's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH, E2E_SHOTS, screenshotter, watchPage } from '../support/browser.mjs';
import { stopServer, strongPassword, loadMessages, csrfToken, inputValue } from '../support/harness.mjs';
import {
  startServerWithCa, withTlsListener, createOperator, newClinic, applyForCertificates,
} from '../support/back_office.mjs';
import {
  exec, approveAndIssue, printLetters, AddressedClient, openPickup, onshiOk, serialAsPrinted,
} from '../support/pickup.mjs';

const MSG = loadMessages();
const PFX_PASSWORD = 'Terminal check #1';
const USABLE = MSG['terminal_check_page.verdict.usable'];
let srv;
let browser;
let work;
const S = {};
const shot = screenshotter('terminal-check-');

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'e2e-terminal-check', passphrase: 'e2e-terminal-check-CA' }));
  await withTlsListener(srv);
  work = path.join(srv.logDir, 'files');
  await fsp.mkdir(work, { recursive: true });
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
  }
  S.clinic = await newClinic(srv, 'e2eTc', { institutionName: '医療法人テスト会 かえで診療所', terminals: 1 });
  S.app = await applyForCertificates(S.clinic, 1);
  await approveAndIssue(srv, S.app);
  S.number = `${S.app}-01`;
  const { codes } = await printLetters(srv, path.join(work, 'letters.pdf'));

  // The vendor's pickup of the PKCS#12 file, as the pickup page's forms post it.
  const c = new AddressedClient(srv.baseUrl, '127.0.0.1');
  const page = await openPickup(c, `/pickup?n=${S.number}`, codes[S.number]);
  assert.equal(page.status, 200, page.text.slice(0, 400));
  const r = await c.post('/pickup/pkcs12', {
    csrf_token: csrfToken(page.text), grant: inputValue(page.text, 'grant'), number: S.number,
    password: PFX_PASSWORD, password_again: PFX_PASSWORD, format: 'standard',
  });
  assert.equal(r.status, 200, `PKCS#12 download: ${r.status}`);
  S.pfx = path.join(work, `${S.number}.p12`);
  await fsp.writeFile(S.pfx, r.bytes);
  const crt = path.join(work, 't01.crt');
  await exec('openssl', ['pkcs12', '-in', S.pfx, '-passin', `pass:${PFX_PASSWORD}`, '-clcerts', '-nokeys', '-out', crt]);
  // openssl prints the serial's value in upper-case hex, whole octets, as the CA stores it.
  S.serial = (await exec('openssl', ['x509', '-in', crt, '-noout', '-serial'])).stdout.trim()
    .replace(/^serial=/, '').toLowerCase();

  // Another CA's certificate, as a terminal may hold for some other service.
  S.foreignKey = path.join(work, 'foreign.key');
  S.foreignCert = path.join(work, 'foreign.crt');
  await exec('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', S.foreignKey, '-out', S.foreignCert, '-days', '30', '-subj', '/O=Another Vendor/CN=some-other-client',
    '-addext', 'extendedKeyUsage=clientAuth']);
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

/** A browser context whose browser offers `certificate` ({ pfxPath, passphrase } or { certPath, keyPath }). */
async function terminal(certificate) {
  return browser.newContext({
    locale: 'ja-JP',
    ignoreHTTPSErrors: true,
    clientCertificates: certificate ? [{ origin: srv.tlsUrl, ...certificate }] : [],
  });
}

async function checkPage(context) {
  const page = await context.newPage();
  const problems = watchPage(page);
  const response = await page.goto(`${srv.tlsUrl}/terminal-check`);
  assert.equal(response.status(), 200);
  assert.equal(await page.title(), `${MSG['terminal_check_page.title']} | 医療機関等向けポータルサイト`);
  return { page, problems };
}

async function facts(page) {
  const names = await page.locator('dl.facts dt').allInnerTexts();
  const values = await page.locator('dl.facts dd').allInnerTexts();
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

test('the picked-up certificate: which one, 有効, and usable', async () => {
  const context = await terminal({ pfxPath: S.pfx, passphrase: PFX_PASSWORD });
  try {
    const { page, problems } = await checkPage(context);
    const f = await facts(page);
    assert.equal(f['発行番号'], S.number);
    assert.equal(f['端末'], 'T01');
    assert.equal(f['医療機関等コード'], S.clinic.acct.institutionCode);
    assert.equal(f['医療機関名'], '医療法人テスト会 かえで診療所');
    assert.equal(f['シリアル番号'], serialAsPrinted(S.serial));
    assert.equal(f['状況'], '有効');
    assert.match(f['有効期限'], /^\d{4}年\d{1,2}月\d{1,2}日（.） \d{1,2}:\d{2}（あと\d+日）$/);
    assert.equal((await page.locator('#conclusion').innerText()).trim(), USABLE);
    assert.equal(await page.getByRole('heading', { name: '次にすること' }).count(), 0, 'nothing to do');
    await shot(page, 'usable');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
  const log = await fsp.readFile(srv.stderrFile, 'utf8');
  assert.match(log, new RegExp(`terminal check verdict=usable serial=${S.serial} chain=`));
});

test('no certificate offered: how to import it and choose it', async () => {
  const context = await terminal(null);
  try {
    const { page } = await checkPage(context);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(MSG['terminal_check_page.verdict.no_certificate']), text);
    for (const part of ['PKCS#12', '証明書のインポート ウィザード', '起動し直します', '証明書の選択', 'onshi Issuing CA G1']) {
      assert.ok(text.includes(part), `${part} in the guidance`);
    }
    assert.ok(!text.includes(USABLE));
    assert.equal(await page.locator('dl.facts').count(), 0, 'no certificate to describe');
    await shot(page, 'no-certificate');
  } finally {
    await context.close();
  }
});

test('a certificate of another CA: not ours, and which one was chosen', async () => {
  const context = await terminal({ certPath: S.foreignCert, keyPath: S.foreignKey });
  try {
    const { page } = await checkPage(context);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(MSG['terminal_check_page.verdict.not_ours']), text);
    assert.ok(text.includes(MSG['terminal_check_page.problem.other_ca']), text);
    const f = await facts(page);
    assert.equal(f['名前'], 'some-other-client');
    assert.equal(f['組織'], 'Another Vendor');
    assert.equal(f['医療機関名'], undefined, 'not called an institution');
    assert.equal(f['発行者'], 'some-other-client', 'self-signed: its own issuer');
    assert.equal(f['状況'], MSG['terminal_check_page.status_unknown']);
    assert.equal(f['発行番号'], undefined);
    assert.ok(!text.includes(USABLE));
    await shot(page, 'not-ours');
  } finally {
    await context.close();
  }
});

test('over plain http: the check needs https, and the page links there', async () => {
  const context = await terminal(null);
  try {
    const page = await context.newPage();
    await page.goto(`${srv.baseUrl}/terminal-check`);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(MSG['terminal_check_page.verdict.not_tls']), text);
    const link = page.getByRole('link', { name: 'https で開き直す' });
    assert.equal(await link.getAttribute('href'), `${srv.tlsUrl}/terminal-check`);
    await shot(page, 'plain-http');
    await link.click();
    await page.waitForURL(`${srv.tlsUrl}/terminal-check`);
    assert.ok((await page.locator('main').innerText()).includes(MSG['terminal_check_page.verdict.no_certificate']));
  } finally {
    await context.close();
  }
});

test('after 失効: the page says 失効 with the date and reason, and not usable', async () => {
  await onshiOk(srv, ['admin', 'certificates', 'revoke', S.number, '--reason', 'superseded', '--operator', 'iss1']);
  const context = await terminal({ pfxPath: S.pfx, passphrase: PFX_PASSWORD });
  try {
    const { page } = await checkPage(context);
    const f = await facts(page);
    assert.equal(f['発行番号'], S.number);
    assert.match(f['状況'], /^失効（\d{4}年\d{1,2}月\d{1,2}日（.）、端末の入替え・廃棄）$/);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(MSG['terminal_check_page.verdict.revoked']), text);
    assert.ok(text.includes('新しい電子証明書の発行を申請'), text);
    assert.ok(!text.includes(USABLE));
    await shot(page, 'revoked');
  } finally {
    await context.close();
  }
});
