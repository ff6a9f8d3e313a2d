// What the browser suites share: headless Chromium on a fresh profile with an
// English UI, and a page that collects every console error, page error,
// Content-Security-Policy violation and request to another origin in
// `problems` (a suite asserts it stays empty).
import { chromium } from 'playwright-core';

const BASE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// extraArgs: more Chromium flags; permissions: granted to the server's
// origin; ignoreConsoleError(text): true for an error a test causes on purpose.
export async function openPage(serverUrl, { extraArgs = [], permissions = [], viewport, timeoutMs = 60_000,
  ignoreConsoleError = () => false } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.ASKIO_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...BASE_ARGS, ...extraArgs],
  });
  // launch() uses a temporary user-data dir: a fresh profile every time.
  const context = await browser.newContext({ locale: 'en-US', ...(viewport ? { viewport } : {}) });
  if (permissions.length) await context.grantPermissions(permissions, { origin: serverUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !ignoreConsoleError(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  // The UI must never reach beyond its own server (no CDN, fonts, or images from answers).
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(`${serverUrl}/`) && !u.startsWith('data:') && !u.startsWith('blob:')) {
      problems.push(`request to another origin: ${u}`);
    }
  });
  // CSP violations also reach the console, but say so explicitly (and for
  // ones Chromium reports only as events). Init scripts run outside the CSP.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  return { browser, page, problems };
}
