// ChatApplicationIT's browser: the example's page in headless Chromium (Debian's /usr/bin/chromium),
// signed in with HTTP Basic as alice. The page gets a node token from the application and talks to the
// embedded node; this script checks what the page shows, and sends and expects messages that the IT
// exchanges with it through the Java SDK. Progress lines start with "e2e:"; exit code 0 when all held.
//   node chat-page.mjs <app-base-url> <marker>
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, marker] = process.argv.slice(2);
if (!base || !marker) {
  console.error('usage: node chat-page.mjs <app-base-url> <marker>');
  process.exit(2);
}
const T = 15000;
const deadline = setTimeout(() => { console.error('e2e: FAILED: took longer than 45 s'); process.exit(1); }, 45000);

const profile = mkdtempSync(join(tmpdir(), 'switchboard-example-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  httpCredentials: { username: 'alice', password: 'alice-password' },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
let failed = null;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
  await page.goto(base + '/');
  const log = page.locator('#log');
  await page.locator('#status', { hasText: 'alice: connected' }).waitFor({ timeout: T });
  // The subscribe hook asks Spring Security's user store: alice is no admin.
  await log.locator('li', { hasText: 'admin:ops: forbidden' }).waitFor({ timeout: T });
  console.log('e2e: connected as alice; admin:ops refused');

  await page.locator('#text').fill(`from-browser-${marker}`);
  await page.locator('#say button').click();
  // The IT publishes from the Java SDK once it has the browser's message; it shows up in the page's log.
  await log.locator('li', { hasText: `from-sdk-${marker}` }).waitFor({ timeout: T });
  console.log('e2e: the SDK\'s message is on the page');
  if (problems.length) throw new Error('the page logged problems:\n  ' + problems.join('\n  '));
  console.log('e2e: ok');
} catch (e) {
  failed = e;
  console.error(`e2e: FAILED: ${e.message}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  clearTimeout(deadline);
}
process.exit(failed ? 1 : 0);
