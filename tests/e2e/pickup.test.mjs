// 取得用ページ in a real browser (Debian's chromium driven by playwright-core), as a system vendor
// at the clinic uses it. Set up over HTTP and the shell: a CA, a clinic's application for two
// certificates with generated keys, approved and issued from the CLI, and its notice letter
// printed (`onshi admin letters render`) and read back: the pickup codes by pdftotext, the URL of
// each certificate's QR code (decoded by zbarimg, Debian's zbar-tools). Then:
//   1. T01: the letter's URL (the number filled in), a mistyped code (the error, the code not kept),
//      the code typed in full width, the certificate's page, 端末で作成した CSR を使う opened (a CSR
//      file read into the box by the page's script), a short password refused, then a password
//      and 標準: the .p12 download, read by openssl without -legacy, its key the certificate's;
//   2. T02 with JavaScript off: the CSR pasted into the box, the new certificate's page, its
//      PKCS#7 (.p7b) download read by openssl and verified against the CA;
//   3. five wrong codes for T01: the lock's page with the desk to call.
// Screenshots (axe-core checks each page, WCAG 2.1 AA) go to build/test-artifacts/e2e/pickup-*.png
// for docs/vendor-guide.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH, E2E_SHOTS, screenshotter, watchPage } from '../support/browser.mjs';
import { stopServer, strongPassword, loadMessages } from '../support/harness.mjs';
import { startServerWithCa, createOperator, newClinic, applyForCertificates } from '../support/back_office.mjs';
import {
  exec, approveAndIssue, printLetters, pickupUrlsOf, publicKeyOfCert, publicKeyOfKey, verifyChain,
} from '../support/pickup.mjs';

const MSG = loadMessages();
let srv;
let browser;
let work;
const S = {};
const shot = screenshotter('pickup-');

/** Full-width letters and digits with full-width hyphens: the code typed with the IME on. */
function fullWidth(code) {
  return [...code].map((ch) => (ch === '-' ? '－' : String.fromCodePoint(ch.codePointAt(0) + 0xfee0))).join('');
}

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'e2e-pickup', passphrase: 'Kusunoki-e2e-pickup-CA-passphrase' }));
  work = path.join(srv.logDir, 'files');
  await fsp.mkdir(work, { recursive: true });
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
    await createOperator(srv, { login, name: `${login} 担当`, role, password: strongPassword() });
  }
  S.clinic = await newClinic(srv, 'e2ePk', { institutionName: '医療法人テスト会 さくら診療所', terminals: 2 });
  S.app = await applyForCertificates(S.clinic, 2);
  await approveAndIssue(srv, S.app);
  const letters = path.join(work, 'letters.pdf');
  const { codes } = await printLetters(srv, letters);
  S.codes = codes;
  S.urls = await pickupUrlsOf(letters);
  assert.equal(Object.keys(S.urls).length, 2, `a QR code per certificate: ${JSON.stringify(S.urls)}`);
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

async function typeTheCode(page, code) {
  await page.getByLabel('取得コード', { exact: true }).fill(code);
  await page.getByRole('button', { name: '次へ', exact: true }).click();
  await page.waitForLoadState('load');
}

test('T01: from the QR code\'s URL to the .p12 file, 標準, read by openssl', async (t) => {
  const number = `${S.app}-01`;
  const context = await browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(S.urls[number]);
    assert.equal(await page.getByLabel('発行番号', { exact: true }).inputValue(), number, 'the number filled in');
    await shot(page, 'letter-url');

    await typeTheCode(page, 'AAAA-BBBB-CCCC-DDDD');
    assert.ok((await page.locator('.error-summary').innerText()).includes(MSG['pickup.wrong_pair']));
    assert.equal(await page.getByLabel('取得コード', { exact: true }).inputValue(), '', 'the code is not kept');
    assert.equal(await page.getByLabel('発行番号', { exact: true }).inputValue(), number, 'the number is');
    await shot(page, 'wrong-pair');

    await typeTheCode(page, fullWidth(S.codes[number]));
    await page.getByRole('heading', { name: '取得する電子証明書' }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    for (const s of [number, 'T01', '医療法人テスト会 さくら診療所']) assert.ok(facts.includes(s), `${s} in ${facts}`);
    await shot(page, 'certificate');

    // 端末で作成した CSR を使う: with the script, a chosen CSR file lands in the box.
    await page.getByText('端末で作成した CSR を使う', { exact: true }).click();
    const csrFile = path.join(work, 'unused.csr');
    await exec('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', path.join(work, 'unused.key'), '-out', csrFile, '-subj', '/CN=unused']);
    await page.getByLabel('CSR ファイルを選んで読み込む').setInputFiles(csrFile);
    await page.waitForFunction(() => document.getElementById('csr').value.includes('BEGIN CERTIFICATE REQUEST'));
    await shot(page, 'csr-section');
    await page.getByText('端末で作成した CSR を使う', { exact: true }).click(); // closed again: the key it is

    const password = 'Terminal pass #1';
    await page.getByLabel('ファイルのパスワード', { exact: true }).fill('short');
    await page.getByLabel('ファイルのパスワード（確認）').fill('short');
    await page.getByRole('radio', { name: /標準（推奨）/ }).check();
    await page.getByRole('button', { name: 'PKCS#12 ファイルをダウンロード' }).click();
    await page.locator('#password-error').waitFor();
    assert.ok(await page.getByRole('radio', { name: /標準（推奨）/ }).isChecked(), 'the format kept');
    assert.equal(await page.getByLabel('ファイルのパスワード', { exact: true }).inputValue(), '', 'no password kept');
    await shot(page, 'password-error');

    await page.getByLabel('ファイルのパスワード', { exact: true }).fill(password);
    await page.getByLabel('ファイルのパスワード（確認）').fill(password);
    await shot(page, 'pkcs12-form');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'PKCS#12 ファイルをダウンロード' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${number}.p12`);
    const p12 = path.join(work, download.suggestedFilename());
    await download.saveAs(p12);
    assert.equal(await download.failure(), null, 'the download completed');
    const info = await exec('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-info', '-nodes']);
    assert.match(info.stdout + info.stderr, /PBES2, PBKDF2, AES-256-CBC/);
    await exec('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nocerts', '-nodes', '-out', path.join(work, 't01.key')]);
    await exec('openssl', ['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-clcerts', '-nokeys', '-out', path.join(work, 't01.crt')]);
    assert.equal(await publicKeyOfKey(path.join(work, 't01.key')), await publicKeyOfCert(path.join(work, 't01.crt')));
    assert.match(await verifyChain(path.join(work, 't01.crt'), path.join(srv.dataDir, 'ca')), /: OK$/);
    // On a phone-sized screen nothing needs sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'fits 390 px');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('T02 without JavaScript: a CSR pasted in place of the generated key, then the .p7b', async () => {
  const number = `${S.app}-02`;
  const context = await browser.newContext({ locale: 'ja-JP', acceptDownloads: true, javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.goto(S.urls[number]);
    await typeTheCode(page, S.codes[number].toLowerCase());
    await page.getByText('端末で作成した CSR を使う', { exact: true }).click();
    assert.equal(await page.getByLabel('CSR ファイルを選んで読み込む').isVisible(), false,
      'without the script no file chooser that would send nothing');
    const key = path.join(work, 't02.key');
    const csr = path.join(work, 't02.csr');
    await exec('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-out', csr, '-subj', '/CN=terminal-t02']);
    await page.getByLabel('CSR（PEM 形式）').fill(await fsp.readFile(csr, 'utf8'));
    await page.getByRole('button', { name: 'この CSR で電子証明書を発行する' }).click();
    await page.getByRole('heading', { name: '証明書ファイルのダウンロード' }).waitFor();
    assert.ok((await page.getByRole('status').innerText()).includes('秘密鍵は消去'));
    await shot(page, 'csr-certificate');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'PKCS#7 形式（.p7b）をダウンロード' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${number}.p7b`);
    const p7b = path.join(work, download.suggestedFilename());
    await download.saveAs(p7b);
    const certs = (await exec('openssl', ['pkcs7', '-inform', 'DER', '-in', p7b, '-print_certs'])).stdout;
    assert.equal(certs.match(/BEGIN CERTIFICATE/g)?.length, 3, certs);
    const leaf = path.join(work, 't02.pem');
    await fsp.writeFile(leaf, certs);
    assert.match(await verifyChain(leaf, path.join(srv.dataDir, 'ca')), /: OK$/);
    assert.equal(await publicKeyOfCert(leaf), await publicKeyOfKey(key), 'the CSR\'s key');
  } finally {
    await context.close();
  }
});

test('five wrong codes: the lock, and whom to call', async () => {
  const number = `${S.app}-01`;
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  try {
    await page.goto(S.urls[number]);
    for (let i = 0; i < 5; i += 1) {
      await typeTheCode(page, `ZZZZ-ZZZZ-ZZZZ-ZZZ${i + 2}`);
      await page.locator('.error-summary').waitFor();
    }
    await typeTheCode(page, S.codes[number]);
    const alert = await page.getByRole('alert').innerText();
    assert.ok(alert.includes(MSG['pickup.locked'].split('{desk}')[0]), alert);
    assert.ok(await page.locator('main address.contact').isVisible(), 'the desk on the page');
    await shot(page, 'locked');
    await page.getByRole('link', { name: '発行番号と取得コードの入力に戻る' }).click();
    assert.equal(await page.getByLabel('発行番号', { exact: true }).inputValue(), number);
  } finally {
    await context.close();
  }
});
