// What every browser test shares: how Debian's chromium is launched, where screenshots go, and a
// watcher for script errors and CSP violations (a page must work without either).
import path from 'node:path';
import { ARTIFACTS } from './harness.mjs';

// Without the background-networking flags chromium keeps trying hosts this machine cannot reach.
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
};

export const E2E_SHOTS = path.join(ARTIFACTS, 'e2e');

/** A screenshot function numbering its files PREFIX01-name.png, PREFIX02-… under E2E_SHOTS. */
export function screenshotter(prefix) {
  let n = 0;
  return async (page, name, fullPage = true) => {
    n += 1;
    await page.screenshot({ path: path.join(E2E_SHOTS, `${prefix}${String(n).padStart(2, '0')}-${name}.png`), fullPage });
  };
}

/** Collects page errors and CSP violations seen on `page`. */
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

// A phone-sized screen, as clinic staff may use.
export const PHONE_CONTEXT = {
  locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
};

/** Logs in as a person does: TOP → 「すでにアカウントをお持ちの方はログイン」 → the form → マイページ. */
export async function logInFromTop(page, baseUrl, acct) {
  await page.goto(`${baseUrl}/`);
  await page.getByText('すでにアカウントをお持ちの方はログイン', { exact: true }).click();
  await page.waitForURL('**/login');
  await page.getByLabel('メールアドレス', { exact: true }).fill(acct.email);
  await page.getByLabel('パスワード', { exact: true }).fill(acct.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.waitForURL('**/mypage');
}
