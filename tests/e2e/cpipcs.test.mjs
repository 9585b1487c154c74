// The CPIPCS for clinics and for vendors (issue 14 §8): /cpipcs is short enough to read on a phone
// and leads by its 目次 to each section and from each section to the full text's, and
// /cpipcs/full carries the technical document. Both are checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, screenshotter, watchPage } from '../support/browser.mjs';
import { startServer, stopServer } from '../support/harness.mjs';

let srv;
let browser;
before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  srv = await startServer({ name: 'e2e_cpipcs' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

const shot = screenshotter('cpipcs-');

// The old single page was about 52,000 px on a phone; the summary's nine short sections come to
// about 6,500 px. 8,000 px (under ten screens of 844 px) leaves room for a sentence or two per
// section and stops the page from growing back into a document nobody at a clinic reads through.
const PHONE_HEIGHT_BOUND = 8_000;

const height = (page) => page.evaluate(() => document.documentElement.scrollHeight);

test('/cpipcs on a phone: short, no sideways scroll, 目次 links move to their sections', async () => {
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`${srv.baseUrl}/cpipcs`);
    const h = await height(page);
    assert.ok(h < PHONE_HEIGHT_BOUND, `the clinic page is ${h}px tall at 390px (bound ${PHONE_HEIGHT_BOUND}px)`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no horizontal scroll');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await shot(page, 'summary-phone');

    const toc = page.getByRole('navigation', { name: '目次' });
    await toc.getByRole('link', { name: '失効（証明書を使えなくする手続）', exact: true }).click();
    await page.waitForURL('**/cpipcs#revocation');
    const heading = page.getByRole('heading', { name: '7. 失効（証明書を使えなくする手続）', level: 2 });
    assert.ok(await heading.isVisible(), 'the section heading is on screen after the jump');

    // Its citation opens the full text at the section it summarises.
    await page.locator('#revocation').getByRole('link', { name: '全文の 4.9「失効」' }).click();
    await page.waitForURL('**/cpipcs/full#sec-4-9');
    assert.ok(await page.getByRole('heading', { name: '4.9 失効', level: 3 }).isVisible());
    const full = await height(page);
    assert.ok(full > h * 3, `the full text (${full}px) is the long one, the summary ${h}px`);
    // The full text is tens of thousands of pixels: one screen is saved, axe-core checks it all.
    await shot(page, 'full-phone', false);
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('/cpipcs and /cpipcs/full at desktop size', async () => {
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`${srv.baseUrl}/cpipcs`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(),
      'オンライン請求ネットワーク関連システム共通認証局運用規程（CPIPCS）');
    const text = await page.locator('main').innerText();
    for (const s of ['1,500円（税別）', '3年3か月', '約5営業日', '取得コード', '個人情報の取扱い']) {
      assert.ok(text.includes(s), `「${s}」 on the clinic page`);
    }
    await shot(page, 'summary-desktop');

    await page.getByRole('link', { name: '規程の全文（システムベンダ・検証者向け）' }).first().click();
    await page.waitForURL('**/cpipcs/full');
    const full = await page.locator('main').innerText();
    assert.ok(!/BASE_URL|pki\.[a-z_]+|src\//.test(full), 'no placeholder, key or source path in the full text');
    assert.ok(full.includes(`${srv.baseUrl}/pki/ocsp`), `the server's own OCSP URL (${srv.baseUrl}/pki/ocsp)`);
    assert.ok(full.includes('openssl x509 -text'), 'the OpenSSL example stays for vendors');
    await shot(page, 'full-desktop', false);
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});
