// Drives the admin page's webhook dead letters in headless Chromium against a running node:
//   node dead-letters.mjs <base-url> <api-key> <endpoint> <expected-count>
// Run by AdminDeadLettersIT, which makes the dead letters. Lists them, replays the first one with its row's
// button, then the rest with "Replay all", checking the page's answers. Prints "e2e: replayed <id>" for the
// one it replayed alone, and "e2e: ok" at the end; exits 1 on the first failure or a page error.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, apiKey, endpoint, expectedText] = process.argv.slice(2);
if (!base || !apiKey || !endpoint || !expectedText) {
  console.error('usage: node dead-letters.mjs <base-url> <api-key> <endpoint> <expected-count>');
  process.exit(2);
}
const expected = Number(expectedText);
const T = 15000;
const deadline = setTimeout(() => { console.error('e2e: FAILED: took longer than 45 s'); process.exit(1); }, 45000);
const check = (ok, what) => { if (!ok) throw new Error(what); };

const profile = mkdtempSync(join(tmpdir(), 'switchboard-dead-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
const page = context.pages()[0] ?? await context.newPage();
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });

let failed = null;
try {
  await page.goto(base + '/admin');
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('#dash').waitFor({ state: 'visible', timeout: T });

  await page.getByLabel('Endpoint').fill(endpoint);
  await page.getByRole('button', { name: 'Show dead letters' }).click();
  const rows = page.locator('#dead-rows tr');
  await page.locator('#dead-result').getByText(`${expected} dead letter`).waitFor({ timeout: T });
  check(await rows.count() === expected, `the table has ${await rows.count()} rows, expected ${expected}`);
  const firstId = await rows.first().getAttribute('data-id');
  check(firstId && firstId.length > 0, 'a row has no event id');
  const types = await page.locator('#dead-rows tr td:nth-child(2)').allTextContents();
  check(types.every((t) => t === 'connect'), `unexpected types ${types}`);
  console.log(`e2e: listed ${expected}`);

  await rows.first().getByRole('button', { name: 'Replay' }).click();
  await page.locator('#dead-result').getByText('Replayed 1 event').waitFor({ timeout: T });
  check(await rows.count() === expected - 1, `after one replay the table has ${await rows.count()} rows`);
  check(await page.locator(`#dead-rows tr[data-id="${firstId}"]`).count() === 0, 'the replayed row is still listed');
  console.log(`e2e: replayed ${firstId}`);

  await page.getByRole('button', { name: 'Replay all' }).click();
  await page.locator('#dead-result').getByText(`Replayed ${expected - 1} event`).waitFor({ timeout: T });
  await page.locator('#dead-result').getByText('No dead letters').waitFor({ timeout: T });
  check(await rows.count() === 0, 'rows are left after replaying all');
  check(await page.getByRole('button', { name: 'Replay all' }).isDisabled(), 'Replay all is enabled with nothing to replay');
  console.log('e2e: replayed all');
  check(problems.length === 0, `the page had problems: ${problems.join('; ')}`);
  console.log('e2e: ok');
} catch (e) {
  failed = e;
}
await context.close();
rmSync(profile, { recursive: true, force: true });
clearTimeout(deadline);
if (failed) {
  console.error(`e2e: FAILED: ${failed.message}`);
  process.exit(1);
}
