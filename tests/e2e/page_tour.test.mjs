// Every page a clinic sees, at desktop and at phone size: each is screenshotted, and the
// screenshotter checks it with axe-core (WCAG 2.1 AA), so a page that no journey test happens to
// pass through is checked as well. The journeys themselves are tested in the other files; here a
// page only has to render, be accessible and fit the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, logInFromTop, screenshotter, watchPage,
} from '../support/browser.mjs';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, linkFromBody,
  certificateFields, SUBJECT_RESET,
} from '../support/harness.mjs';
import { applyForCertificates, newClinic } from '../support/back_office.mjs';

let srv;
let browser;
before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  srv = await startServer({ name: 'e2e_page_tour' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

const SCREENS = [
  ['desktop', { locale: 'ja-JP', viewport: { width: 1280, height: 800 } }],
  ['phone', { ...PHONE_CONTEXT, viewport: { width: 375, height: 812 } }],
];

/** Opens `path`, checks the status and that nothing is wider than the screen, and screenshots it. */
async function visit(page, shot, width, name, path, status = 200) {
  const r = await page.goto(`${srv.baseUrl}${path}`);
  assert.equal(r.status(), status, `${path}: ${r.status()}`);
  await check(page, shot, width, name);
}

async function check(page, shot, width, name) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${name}: scrollWidth ${scroll} > ${width}`);
  await shot(page, name);
}

for (const [screen, options] of SCREENS) {
  const width = options.viewport.width;

  test(`${screen}: the pages before login`, async () => {
    const shot = screenshotter(`tour-${screen}-visitor-`);
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await visit(page, shot, width, 'top', '/');
      await visit(page, shot, width, 'login', '/login');
      await visit(page, shot, width, 'register', '/register');
      await visit(page, shot, width, 'password-forgot', '/password/forgot');
      // The mailed link opens a page with one button; a link that is no longer valid says so
      // after the button.
      await visit(page, shot, width, 'verify', '/verify?token=not-a-token');
      await page.getByRole('button', { name: 'メールアドレスを確認する', exact: true }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await check(page, shot, width, 'verify-invalid');
      await visit(page, shot, width, 'not-found', '/no-such-page', 404);
      await visit(page, shot, width, 'cpipcs', '/cpipcs');
      await visit(page, shot, width, 'cpipcs-full', '/cpipcs/full');
      await visit(page, shot, width, 'help', '/help');

      // A page left open until its form expired: the CSRF refusal page.
      await page.goto(`${srv.baseUrl}/login`);
      await context.clearCookies();
      await page.getByLabel('メールアドレス', { exact: true }).fill('someone@clinic.example.jp');
      await page.getByLabel('パスワード', { exact: true }).fill('whatever-it-is');
      await page.getByRole('button', { name: 'ログイン', exact: true }).click();
      await page.getByText('画面の有効期限が切れました').first().waitFor();
      await check(page, shot, width, 'expired-form');

      // パスワードの再設定, through the mailed link.
      const acct = await srv.createAccount({
        email: freshEmail(`tour${screen}reset`), password: strongPassword('r'),
        institutionCode: freshInstitutionCode(), institutionName: '医療法人テスト会 ききょう医院',
      });
      await page.goto(`${srv.baseUrl}/password/forgot`);
      await page.getByLabel('メールアドレス', { exact: true }).fill(acct.email);
      await page.getByRole('button', { name: '再設定用のメールを送信する', exact: true }).click();
      await page.waitForURL('**/password/forgot**');
      await check(page, shot, width, 'password-reset-sent');
      const mail = await srv.waitForMail({ to: acct.email, subjectIncludes: SUBJECT_RESET });
      const link = linkFromBody(mail.body, `${srv.baseUrl}/password/reset?token=`);
      assert.ok(link, mail.body);
      await page.goto(link);
      await check(page, shot, width, 'password-reset');
      const fresh = strongPassword('new');
      await page.getByLabel('新しいパスワード', { exact: true }).fill(fresh);
      await page.getByLabel('新しいパスワード（確認）', { exact: true }).fill(fresh);
      await page.getByRole('button', { name: 'パスワードを再設定する', exact: true }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await check(page, shot, width, 'password-reset-done');
      // The notice letter's QR code (the pickup itself is tests/e2e/pickup.test.mjs).
      await visit(page, shot, width, 'pickup', '/pickup?n=C-00000001-01');
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    } finally {
      await context.close();
    }
  });

  test(`${screen}: the pages of a clinic with applications`, async () => {
    const shot = screenshotter(`tour-${screen}-clinic-`);
    const clinic = await newClinic(srv, `tour${screen}`, { institutionName: '医療法人テスト会 さくら診療所', terminals: 2 });
    const number = await applyForCertificates(clinic, 2);
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await logInFromTop(page, srv.baseUrl, clinic.acct);
      await check(page, shot, width, 'mypage');
      await visit(page, shot, width, 'usage-intro', '/usage-application');
      await visit(page, shot, width, 'usage-form', '/usage-application/form');
      await visit(page, shot, width, 'usage-detail', `/usage-applications/${clinic.usage}`);
      await visit(page, shot, width, 'certificate-flow', '/certificate-application');
      await visit(page, shot, width, 'certificate-detail', `/certificate-applications/${number}`);
      await visit(page, shot, width, 'certificate-cancel', `/certificate-applications/${number}/cancel`);
      await visit(page, shot, width, 'password-change', '/password/change');
      await visit(page, shot, width, 'billing', '/mypage/billing');

      // The certificate form, filled as a person would, to its confirmation and completion.
      await visit(page, shot, width, 'certificate-form', '/certificate-application/form');
      const fields = certificateFields(clinic.acct, { certificates: '1' });
      for (const [name, value] of Object.entries(fields)) {
        const field = page.locator(`[name="${name}"]`);
        if (await field.evaluate((el) => el.tagName) === 'SELECT') await field.selectOption(value);
        else await field.fill(value);
      }
      await page.getByRole('button', { name: '次へ', exact: true }).click();
      await page.waitForURL('**/certificate-application/confirm');
      await check(page, shot, width, 'certificate-confirm');
      await page.getByRole('button', { name: '閉じる', exact: true }).click();
      await page.waitForURL('**/certificate-application/complete**');
      await check(page, shot, width, 'certificate-complete');
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    } finally {
      await context.close();
    }
  });
}
