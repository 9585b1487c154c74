// ご利用の手引き in a real browser, on a desktop and on a phone: reached from the footer of any
// page, its table of contents jumps to the sections, the glossary names every status, and the
// desk to contact is at the foot of every page, error pages included.
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
  srv = await startServer({ name: 'e2e_help' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

const shot = screenshotter('help-');
const DESK = '医療機関等向けポータルサイト 問合せ窓口';

for (const [size, options] of [['desktop', { locale: 'ja-JP', viewport: { width: 1280, height: 900 } }], ['phone', PHONE_CONTEXT]]) {
  test(`/help from the footer, its contents and glossary (${size})`, async () => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await page.goto(`${srv.baseUrl}/login`);
      const footer = page.locator('footer');
      assert.ok((await footer.innerText()).includes(DESK), 'the desk in the footer');
      assert.equal(await footer.getByRole('link', { name: '0120-000-000' }).getAttribute('href'), 'tel:0120000000');
      await footer.getByRole('link', { name: 'ご利用の手引き', exact: true }).click();
      await page.waitForURL('**/help');
      assert.equal(await page.locator('h1').innerText(), 'ご利用の手引き');
      await shot(page, `${size}`);

      // The table of contents jumps to its section.
      const toc = page.getByRole('navigation', { name: '目次' });
      await toc.getByRole('link', { name: '状況の説明', exact: true }).click();
      await page.waitForURL('**/help#status');
      const heading = page.locator('#status');
      assert.ok(await heading.isVisible());
      const box = await heading.boundingBox();
      assert.ok(box && box.y > -2 && box.y < (page.viewportSize()?.height ?? 800), `#status in view: ${JSON.stringify(box)}`);
      await shot(page, `${size}-status`, false);

      const glossary = await page.locator('#status').locator('xpath=..').innerText();
      for (const label of ['確定', '申請済', '審査中', '差戻し', '却下', '承認', '発行済', '通知書発送済', '取下げ', '有効', '失効', '期限切れ']) {
        assert.ok(glossary.includes(label), `glossary has ${label}`);
      }
      // Nothing wider than the screen on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test('an error page says whom to call (phone)', async () => {
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  try {
    const r = await page.goto(`${srv.baseUrl}/no-such-page`);
    assert.equal(r.status(), 404);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(`エラーコードを添えて${DESK}へお問い合わせください`), text);
    assert.ok(text.includes('0120-000-000'), text);
    await shot(page, 'error-phone');
  } finally {
    await context.close();
  }
});
