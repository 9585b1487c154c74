// The page a clinic sees while the database is out of reach (503, Retry-After), at desktop and at
// phone size, checked with axe-core like every other page. A SQLite database cannot be taken away
// from a running `onshi serve`, so the page's bytes come from the same Site code over a handler
// that meets store::DatabaseUnavailable (tests/support/render_unavailable_main.cpp), and the
// browser gets them in place of the real server's /mypage: same origin, the server's stylesheet,
// the page's own headers (its Content-Security-Policy included).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, screenshotter, watchPage } from '../support/browser.mjs';
import { pageText, startServer, stopServer } from '../support/harness.mjs';

const RENDER_BIN = process.env.ONSHI_RENDER_UNAVAILABLE_BIN;

let srv;
let browser;
let rendered;
before(async () => {
  assert.ok(RENDER_BIN, 'ONSHI_RENDER_UNAVAILABLE_BIN names tests/support/render_unavailable_main.cpp');
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  rendered = JSON.parse((await promisify(execFile)(RENDER_BIN, { env: process.env })).stdout);
  srv = await startServer({ name: 'e2e_unavailable_page' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

test('what Site answers: 503, Retry-After: 5, the Japanese page', () => {
  assert.equal(rendered.status, 503);
  const headers = Object.fromEntries(rendered.headers);
  assert.equal(headers['Retry-After'], '5');
  assert.equal(headers['Content-Type'], 'text/html; charset=utf-8');
  assert.ok(headers['Content-Security-Policy'], 'the security headers of every page');
  assert.ok(pageText(rendered.body).includes('ただいまサービスを一時的にご利用いただけません'), rendered.body);
});

for (const [screen, options] of [
  ['desktop', { locale: 'ja-JP', viewport: { width: 1280, height: 800 } }],
  ['phone', { ...PHONE_CONTEXT, viewport: { width: 375, height: 812 } }],
]) {
  test(`${screen}: the page passes axe-core and fits the screen`, async () => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await page.route(`${srv.baseUrl}/mypage`, (route) => route.fulfill({
        status: rendered.status, headers: Object.fromEntries(rendered.headers), body: rendered.body,
      }));
      const r = await page.goto(`${srv.baseUrl}/mypage`);
      assert.equal(r.status(), 503);
      await page.getByRole('heading', { level: 1, name: 'ただいまサービスを一時的にご利用いただけません' }).waitFor();
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= options.viewport.width, `scrollWidth ${scroll} > ${options.viewport.width}`);
      await screenshotter(`unavailable-${screen}-`)(page, 'database-unavailable');
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    } finally {
      await context.close();
    }
  });
}
