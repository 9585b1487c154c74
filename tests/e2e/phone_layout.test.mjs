// What a phone shows (issue 14 §6): マイページ's tables become one card per application below
// 480 px, so numbers and statuses keep their width, and a refused form starts with a summary whose
// links take the person to each field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import { startServer, stopServer } from '../support/harness.mjs';
import { applyForCertificates, newClinic } from '../support/back_office.mjs';

let srv;
let browser;
before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  srv = await startServer({ name: 'e2e_phone_layout' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

const shot = screenshotter('phone-');

// The rendered height of one line of body text, to compare cells with.
const lineHeight = (page) => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main p, main td')).lineHeight));

test('マイページ at 375 px: each application is a card and its number and status stay whole', async () => {
  const clinic = await newClinic(srv, 'phonecards', { institutionName: '医療法人テスト会 すみれ薬局', terminals: 3 });
  const number = await applyForCertificates(clinic, 3);
  const context = await browser.newContext({ ...PHONE_CONTEXT, viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await logInFromTop(page, srv.baseUrl, clinic.acct);
    const link = page.getByRole('link', { name: number, exact: true });
    await link.waitFor();
    const row = page.locator('tr', { has: link });
    const cells = row.locator('td');
    assert.equal(await row.evaluate((el) => getComputedStyle(el).display), 'block', 'rows are cards');
    // Each cell is named by its column, as the header row is out of sight.
    const labels = await cells.evaluateAll((tds) => tds.map((td) => getComputedStyle(td, '::before').content));
    assert.deepEqual(labels, ['"申請番号"', '"枚数"', '"状況"', '"申請日時"', '"通知書の到着予定日"']);
    const line = await lineHeight(page);
    for (const [name, cell] of [['number', cells.nth(0)], ['status', cells.nth(2)]]) {
      const box = await cell.boundingBox();
      assert.ok(box.height < line * 1.9, `${name} cell is one line (${box.height}px, line ${line}px)`);
    }
    assert.ok((await cells.nth(2).innerText()).includes('申請済'));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 375, 'no horizontal scroll');
    await link.scrollIntoViewIfNeeded();
    await shot(page, 'mypage-cards');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('a refused form lists its errors as links that move to each field', async () => {
  const clinic = await newClinic(srv, 'phonesummary', { institutionName: '医療法人テスト会 ゆり医院' });
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await logInFromTop(page, srv.baseUrl, clinic.acct);
    await page.goto(`${srv.baseUrl}/certificate-application/form`);
    await page.getByLabel('担当部署', { exact: true }).fill('');
    await page.getByLabel('担当者名', { exact: true }).fill('');
    await page.getByRole('button', { name: '次へ', exact: true }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    const links = summary.getByRole('link');
    assert.ok(await links.count() >= 2, 'both refused fields are listed');
    // Each link says what is wrong with its field, in the words shown beside that field.
    const department = summary.getByRole('link', { name: await page.locator('#department-error').innerText() });
    await shot(page, 'form-error-summary');
    await department.click();
    await page.waitForFunction(() => location.hash === '#department');
    // The field and its label above it are on screen.
    const label = await page.locator('label[for="department"]').boundingBox();
    const target = await page.locator('#department').boundingBox();
    assert.ok(label.y >= 0 && target.y + target.height < 844, `label at ${label.y}, field at ${target.y}`);
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});
