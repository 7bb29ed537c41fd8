// Drives the admin page (/admin) in headless Chromium against a running node:
//   node admin-page.mjs <base-url> <api-key> <screenshot.png>
// Run by AdminPageIT, which starts the node, the WebSocket clients and the load. Talks back to it on
// stdout with lines starting "e2e:" (`e2e:load-start` asks for traffic, `e2e:load-seen` says it may
// stop). Exits 0 when every check passed, 1 on the first failure or when the page logged an error.
//
// Environment (set by the IT):
//   E2E_CHANNEL    a chat-namespace channel with the IT's subscriber (history and presence)
//   E2E_LIVE       a default-namespace channel with a subscriber (no history, no presence)
//   E2E_SUBSCRIBER the subscriber's user id, expected in the channel's presence
//   E2E_VICTIM     a user the page unsubscribes from E2E_CHANNEL and then disconnects with 4005
//   E2E_MARKER     a string the page publishes in a payload, for the IT's subscriber to receive
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, apiKey, screenshot] = process.argv.slice(2);
if (!base || !apiKey || !screenshot) {
  console.error('usage: node admin-page.mjs <base-url> <api-key> <screenshot.png>');
  process.exit(2);
}
const env = (name) => {
  const v = process.env[name];
  if (!v) { console.error(`${name} is not set`); process.exit(2); }
  return v;
};
const CHANNEL = env('E2E_CHANNEL');
const LIVE = env('E2E_LIVE');
const SUBSCRIBER = env('E2E_SUBSCRIBER');
const VICTIM = env('E2E_VICTIM');
const MARKER = env('E2E_MARKER');
const T = 15000; // longest wait for one thing to show up

// The whole run must end well inside the IT's own limit.
const deadline = setTimeout(() => { console.error('e2e: FAILED: took longer than 45 s'); process.exit(1); }, 45000);

function check(ok, what) {
  if (!ok) throw new Error(what);
}

function step(text) {
  console.log(`e2e: ${text}`);
}

const profile = mkdtempSync(join(tmpdir(), 'switchboard-admin-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const problems = [];
const origin = new URL(base).origin;
// HTTP error statuses the current step provokes on purpose (401 for a wrong key, 404 for not_available
// and unknown_channel); any other error answer to the page is a problem.
let expected = new Set();

const page = context.pages()[0] ?? await context.newPage();
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  // Chromium logs every HTTP error answer; those are judged by the response listener below.
  if (/^Failed to load resource: the server responded with a status of \d+/.test(m.text())) return;
  problems.push(`console: ${m.text()}`);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('response', (r) => {
  if (r.status() >= 400 && !expected.has(r.status())) problems.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
});
page.on('request', (r) => {
  const u = r.url();
  if (!u.startsWith(origin + '/') && !u.startsWith('data:')) problems.push(`request outside the node: ${u}`);
});

const num = async (sel, attr = 'value') => Number(await page.locator(sel).getAttribute(`data-${attr}`));

async function waitFor(what, fn, timeout = T) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await page.waitForTimeout(200);
  }
}

let failed = null;
try {
  // 1. The key prompt comes first; a wrong key is refused and the prompt stays.
  await page.goto(base + '/admin');
  await page.locator('#login').waitFor({ state: 'visible', timeout: T });
  check(await page.locator('#dash').isHidden(), 'the dashboard shows before a key was entered');
  expected = new Set([401]);
  await page.getByLabel('API key').fill('not-the-right-key-at-all');
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('#notice').getByText('refused the API key').waitFor({ timeout: T });
  check(await page.locator('#dash').isHidden(), 'the dashboard opened with a wrong key');
  expected = new Set();
  step('a wrong key is refused');

  // 2. The right key opens the dashboard with this node's facts.
  const info = await (await fetch(base + '/api/info', { headers: { 'X-API-Key': apiKey } })).json();
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('#dash').waitFor({ state: 'visible', timeout: T });
  check(await page.locator('#notice').isHidden(), 'the error notice stayed after a good key');
  await waitFor('the node id in the header', async () => (await page.locator('#node-id').textContent()) === info.node.id);
  check((await page.locator('#node-engine').textContent()) === info.engine, 'engine not shown');
  check((await page.locator('#node-version').textContent()) === info.node.version, 'version not shown');
  check(await page.locator('#nodes tr').count() >= 1, 'the cluster list is empty');
  await waitFor('the status to say Live', async () => (await page.locator('#status').textContent()) === 'Live');
  // The IT's node has an outbox consumer whose PostgreSQL does not answer: the Sources table says so.
  const source = await waitFor('the outbox row in the Sources table', async () => {
    if (await page.locator('#sources').isHidden()) return null;
    const text = await page.locator('#source-rows tr').first().textContent();
    return /outbox/.test(text) && /unreachable/.test(text) ? text : null;
  });
  check(await page.locator('#source-rows tr').count() === 1, 'the Sources table has other rows than the outbox');
  step(`dashboard open for node ${info.node.id}; source row: ${source}`);

  // 3. Idle, the message rates read 0; under the IT's load they rise, and the charts with them.
  await waitFor('an idle second (0 messages in and out)', async () => {
    const points = await num('#chart-messages', 'points');
    return points >= 1 && await num('#now-in') === 0 && await num('#now-out') === 0;
  });
  const idleMax = await num('#chart-messages', 'max');
  const connections = await num('#now-connections');
  check(connections >= 3, `the connections figure is ${connections}, expected the IT's 3 or more`);
  step(`load-start (idle rates 0, chart max ${idleMax}, ${connections} connections)`);
  const loaded = await waitFor('message rates above 0 under load', async () => {
    const v = { in: await num('#now-in'), out: await num('#now-out'), p99: await num('#now-p99'),
      max: await num('#chart-messages', 'max'), latencyMax: await num('#chart-latency', 'max') };
    return v.in > 0 && v.out > 0 && v.p99 > 0 && v.max > 0 && v.latencyMax > 0 ? v : null;
  });
  check(/\/s$/.test(await page.locator('#now-in').textContent()), 'the rate is not shown as text per second');
  step(`load-seen in=${loaded.in}/s out=${loaded.out}/s p99=${loaded.p99}ms chartMax=${loaded.max}`);

  // 4. The channel browser lists the IT's channels; a chat channel shows presence and history, where
  //    markup in a payload stays text.
  const prefix = CHANNEL.slice(0, CHANNEL.indexOf(':') + 1);
  await page.getByLabel('Name starts with').fill(prefix);
  await page.getByRole('button', { name: 'List' }).click();
  await page.locator('#channels-result', { hasText: `1 channel starting with “${prefix}”` }).waitFor({ timeout: T });
  const row = page.locator('#channel-rows button', { hasText: CHANNEL });
  await row.waitFor({ timeout: T });
  check(await page.locator('#channel-rows button', { hasText: LIVE }).count() === 0, 'the prefix filter let another namespace through');
  await row.click();
  await page.locator('#presence-list li', { hasText: SUBSCRIBER }).first().waitFor({ timeout: T });
  check(/user/.test(await page.locator('#presence-count').textContent()), 'no presence count');
  await page.locator('#history-list li').first().waitFor({ timeout: T });
  const historyText = await page.locator('#history-list').textContent();
  check(historyText.includes('<img'), 'the markup in a payload is not shown as text');
  check(await page.locator('#history-list img').count() === 0, 'markup from a payload became an element');
  check(await page.evaluate(() => window.__pwned === undefined), 'a payload ran script');
  step('channel browser shows presence and history');

  await page.getByLabel('Name starts with').fill('');
  await page.getByRole('button', { name: 'List' }).click();
  await page.locator('#channels-result', { hasText: '2 channels with subscribers' }).waitFor({ timeout: T });
  expected = new Set([404]); // not_available: no history, no presence
  await page.locator('#channel-rows button', { hasText: LIVE }).click();
  await page.locator('#history-note', { hasText: 'keeps no history' }).waitFor({ timeout: T });
  await page.locator('#presence-note', { hasText: 'does not track presence' }).waitFor({ timeout: T });
  expected = new Set();
  step('a live-only channel says it has no history and no presence');

  // 5. Publish: bad JSON is caught before sending; good JSON is published and its offset shown.
  await page.locator('#publish').getByLabel('Channel').fill(CHANNEL);
  await page.getByLabel('Payload (JSON)').fill('{"from": "admin-page",');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.locator('#pub-result.result-error', { hasText: 'not valid JSON' }).waitFor({ timeout: T });
  check(await page.locator('#pub-payload').getAttribute('aria-invalid') === 'true', 'the bad payload is not marked invalid');
  await page.getByLabel('Payload (JSON)').fill(JSON.stringify({ from: 'admin-page', marker: MARKER }));
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.locator('#pub-result.result-ok', { hasText: 'offset' }).waitFor({ timeout: T });
  step(`published: ${await page.locator('#pub-result').textContent()}`);

  expected = new Set([404]); // unknown_channel
  await page.locator('#publish').getByLabel('Channel').fill('nosuchns:x');
  await page.getByLabel('Payload (JSON)').fill('{}');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.locator('#pub-result.result-error', { hasText: 'unknown_channel' }).waitFor({ timeout: T });
  expected = new Set();
  step('a publish to an unknown namespace shows the error');

  // 6. Unsubscribe, then disconnect, the victim (the IT checks that both reached its connection).
  await page.locator('#unsubscribe').getByLabel('User id').fill(VICTIM);
  await page.locator('#unsubscribe').getByLabel('Channel').fill(CHANNEL);
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await page.locator('#un-result.result-ok', { hasText: 'Sent' }).waitFor({ timeout: T });
  await page.locator('#disconnect').getByLabel('User id').fill(VICTIM);
  await page.locator('#disconnect').getByLabel(/Close code/).fill('12');
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.locator('#dc-result.result-error', { hasText: 'four-digit' }).waitFor({ timeout: T });
  await page.locator('#disconnect').getByLabel(/Close code/).fill('4005');
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.locator('#dc-result.result-ok', { hasText: '4005' }).waitFor({ timeout: T });
  step('unsubscribe and disconnect sent');

  await page.screenshot({ path: screenshot, fullPage: true });
  step(`screenshot ${screenshot}`);

  // 7. A key that stops working (here: replaced in storage) sends the page back to the prompt.
  expected = new Set([401]);
  await page.evaluate(() => sessionStorage.setItem('switchboard.admin.apiKey', 'a-key-that-was-revoked'));
  await page.reload();
  await page.locator('#login').waitFor({ state: 'visible', timeout: T });
  await page.locator('#notice').getByText('refused the API key').waitFor({ timeout: T });
  check(await page.locator('#dash').isHidden(), 'the dashboard stayed with a refused key');
  check(await page.evaluate(() => sessionStorage.getItem('switchboard.admin.apiKey')) === null, 'the refused key was kept');
  step('a refused key leads back to the prompt');

  check(problems.length === 0, 'the page logged problems:\n  ' + problems.join('\n  '));
} catch (e) {
  failed = e;
  await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
}

await context.close();
rmSync(profile, { recursive: true, force: true });
clearTimeout(deadline);
if (failed) {
  console.error(`e2e: FAILED: ${failed.message}`);
  if (problems.length) console.error('  ' + problems.join('\n  '));
  process.exit(1);
}
step('ok');
