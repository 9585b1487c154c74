// A person in a real browser (Debian's chromium driven by playwright-core): TOP -> アカウント登録 ->
// mail link -> メールアドレスを確認する -> ログイン -> マイページ -> ログアウト, and マイページ on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_LAUNCH, E2E_SHOTS, PHONE_CONTEXT, screenshotter, watchPage,
} from '../support/browser.mjs';
import {
  ARTIFACTS, startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, linkFromBody,
  SUBJECT_VERIFY,
} from '../support/harness.mjs';


let srv;
let browser;
before(async () => {
  await fsp.mkdir(E2E_SHOTS, { recursive: true });
  srv = await startServer({ name: 'e2e_accounts' });
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});
after(async () => {
  await browser?.close();
  await stopServer(srv);
});

const shot = screenshotter('');

const person = {
  email: freshEmail('e2e'),
  password: strongPassword('e2e'),
  code: freshInstitutionCode(),
  name: '医療法人テスト会 みどり診療所',
};

test('register, confirm by mail, log in, マイページ, log out', async () => {
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(`${srv.baseUrl}/`);
    await shot(page, 'top');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');

    await page.getByRole('link', { name: 'アカウント登録', exact: true }).click();
    await page.waitForURL('**/register');
    await shot(page, 'register');

    await page.getByLabel('メールアドレス', { exact: true }).fill(person.email);
    await page.getByLabel('パスワード', { exact: true }).fill(person.password);
    await page.getByLabel('パスワード（確認）', { exact: true }).fill(person.password);
    await page.getByLabel('医療機関コード', { exact: true }).fill(person.code);
    await page.getByLabel('医療機関名称', { exact: true }).fill(person.name);
    await shot(page, 'register-filled');
    await page.getByRole('button', { name: '登録する', exact: true }).click();
    await page.getByText('確認メールを送信しました').first().waitFor();
    await shot(page, 'register-done');

    const mail = await srv.waitForMail({ to: person.email, subjectIncludes: SUBJECT_VERIFY });
    const link = linkFromBody(mail.body, `${srv.baseUrl}/verify?token=`);
    assert.ok(link, mail.body);
    await page.goto(link);
    await shot(page, 'verify');
    await page.getByRole('button', { name: 'メールアドレスを確認する', exact: true }).click();
    await page.getByText('メールアドレスの確認が完了しました').first().waitFor();
    await shot(page, 'verify-done');

    await page.getByRole('link', { name: 'ログイン', exact: true }).click();
    await page.waitForURL('**/login');
    await shot(page, 'login-from-verify');

    // As the guide says: from TOP, 「すでにアカウントをお持ちの方はログイン」.
    await page.goto(`${srv.baseUrl}/`);
    await page.getByText('すでにアカウントをお持ちの方はログイン', { exact: true }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('メールアドレス', { exact: true }).fill(person.email);
    await page.getByLabel('パスワード', { exact: true }).fill(person.password);
    await shot(page, 'login-filled');
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL('**/mypage');
    await page.getByText('マイページ').first().waitFor();
    const body = await page.locator('body').innerText();
    assert.ok(body.includes(person.name), `institution name on マイページ: ${body}`);
    assert.ok(body.includes(person.email), 'e-mail on マイページ');
    assert.ok(body.replace(/[^0-9]/g, '').includes(person.code), 'institution code on マイページ');
    await shot(page, 'mypage');

    await page.getByRole('button', { name: 'ログアウト', exact: true }).click();
    await page.waitForURL((u) => new URL(u).pathname === '/');
    await shot(page, 'logged-out');
    await page.goto(`${srv.baseUrl}/mypage`);
    await page.waitForURL('**/login');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('マイページ on a phone (390x844): no horizontal scroll', async () => {
  const context = await browser.newContext(PHONE_CONTEXT);
  const page = await context.newPage();
  const acct = await srv.registerVerified({ email: freshEmail('phone'), institutionName: person.name });
  try {
    await page.goto(`${srv.baseUrl}/`);
    await shot(page, 'phone-top');
    let width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `TOP scrollWidth ${width} > 390`);
    await page.getByText('すでにアカウントをお持ちの方はログイン', { exact: true }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('メールアドレス', { exact: true }).fill(acct.email);
    await page.getByLabel('パスワード', { exact: true }).fill(acct.password);
    await shot(page, 'phone-login');
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL('**/mypage');
    await shot(page, 'phone-mypage');
    width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `マイページ scrollWidth ${width} > 390`);
    await page.goto(`${srv.baseUrl}/register`);
    width = await page.evaluate(() => document.documentElement.scrollWidth);
    // Logged in, /register may redirect; either way the page must fit.
    assert.ok(width <= 390, `${page.url()} scrollWidth ${width} > 390`);
  } finally {
    await context.close();
  }
});
