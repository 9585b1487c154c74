// What every browser test shares: how Debian's chromium is launched, where screenshots go, and a
// watcher for script errors and CSP violations (a page must work without either).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ARTIFACTS } from './harness.mjs';

// Without the background-networking flags chromium keeps trying hosts this machine cannot reach.
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
};

export const E2E_SHOTS = path.join(ARTIFACTS, 'e2e');

/**
 * A screenshot function numbering its files PREFIX01-name.png, PREFIX02-… under E2E_SHOTS. Every
 * page worth a screenshot is a page people read, so each is also checked with axe-core (WCAG 2.1
 * AA) and the test fails on a violation.
 */
export function screenshotter(prefix) {
  let n = 0;
  return async (page, name, fullPage = true) => {
    n += 1;
    await assertAccessible(page, `${prefix}${name}`);
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

// axe-core (Deque's engine, the one Lighthouse and most audits run), read once from the e2e
// package. It is evaluated through the DevTools protocol, which the page's CSP does not govern, so
// the pages keep their policy during the check.
const requireFromE2e = createRequire(path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'e2e', 'package.json'));
const AXE_SOURCE = readFileSync(requireFromE2e.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core's WCAG 2.1 A and AA rules on the page as it is now and returns the violations as
 * readable lines (rule, impact, the first few offending elements); empty means none found.
 */
export async function accessibilityViolations(page) {
  if (!(await scriptsRun(page))) return accessibilityViolationsOfCopy(page);
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  }, WCAG_21_AA);
  return violations.map((v) => `${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.join('\n    ')}`);
}

// A page opened with JavaScript off (the no-script path) cannot run axe itself: evaluate works
// there, but timers never fire, and axe.run waits on them. Probe a timer with a short timeout.
async function scriptsRun(page) {
  const probe = page.evaluate(() => new Promise((resolve) => { setTimeout(() => resolve(true), 0); })).catch(() => false);
  const timeout = new Promise((resolve) => { setTimeout(() => resolve(false), 1500); });
  return Promise.race([probe, timeout]);
}

// The same document, as rendered without scripts, copied into a page of its own with scripts on
// (and the stylesheet from the same origin, for the contrast rules), where axe can run.
async function accessibilityViolationsOfCopy(page) {
  const html = await page.content();
  const base = `<base href="${new URL(page.url()).origin}/">`;
  const context = await page.context().browser().newContext({ viewport: page.viewportSize(), javaScriptEnabled: true });
  try {
    const copy = await context.newPage();
    await copy.setContent(html.replace(/<head>/i, `<head>${base}`), { waitUntil: 'load' });
    return await accessibilityViolations(copy);
  } finally {
    await context.close();
  }
}

/** Fails the test, naming the page, when axe-core finds any WCAG 2.1 AA violation on it. */
export async function assertAccessible(page, name) {
  const found = await accessibilityViolations(page);
  if (found.length > 0) throw new Error(`axe-core: WCAG 2.1 AA violations on ${name} (${page.url()}):\n  ${found.join('\n  ')}`);
}
