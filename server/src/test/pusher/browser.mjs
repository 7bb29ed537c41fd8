// pusher-js (its browser build, dist/web/pusher.min.js) in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) against a Switchboard node: connect, subscribe to a public and a private
// channel (signed by this script with the `pusher` SDK through pusher-js's customHandler), and receive
// triggers sent with the SDK. Run by PusherBrowserIT:
//   node browser.mjs <port>
// Prints "check: <name>" per passed check and "browser: ok" at the end; exits 1 at the first failure.
import { chromium } from 'playwright-core';
import PusherServer from 'pusher';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [port] = process.argv.slice(2).map(Number);
const APP = { appId: '1001', key: 'key-a', secret: 'secret-a-0123456789' };
const backend = new PusherServer({ ...APP, host: '127.0.0.1', port: String(port), useTLS: false });
const here = dirname(fileURLToPath(import.meta.url));
const check = (name) => console.log('check: ' + name);
const deadline = setTimeout(() => { console.log('browser: FAILED: took longer than 60 s'); process.exit(1); }, 60000);

const profile = mkdtempSync(join(tmpdir(), 'switchboard-pusher-browser-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
let exitCode = 1;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  // The page signs private channels by asking this script (as a page would ask its backend).
  await page.exposeFunction('authorize', (socketId, channel) => backend.authorizeChannel(socketId, channel));
  await page.setContent('<!doctype html><title>pusher-js</title><body></body>');
  await page.addScriptTag({ path: join(here, 'node_modules/pusher-js/dist/web/pusher.min.js') });
  const socketId = await page.evaluate(([key, port]) => new Promise((resolve, reject) => {
    window.received = [];
    const pusher = new window.Pusher(key, {
      wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1', disableStats: true,
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, cb) => window.authorize(socketId, channelName).then((a) => cb(null, a), (e) => cb(e, null)),
      },
    });
    window.pusher = pusher;
    setTimeout(() => reject(new Error('not connected within 10 s: ' + pusher.connection.state)), 10000);
    pusher.connection.bind('connected', () => resolve(pusher.connection.socket_id));
  }), [APP.key, port]);
  assert.match(socketId, /^\d+\.\d+$/);
  check('connected from Chromium');

  await page.evaluate(() => Promise.all(['browser-news', 'private-browser'].map((name) => new Promise((resolve, reject) => {
    const ch = window.pusher.subscribe(name);
    ch.bind('pusher:subscription_succeeded', resolve);
    ch.bind('pusher:subscription_error', (e) => reject(new Error(name + ': ' + JSON.stringify(e))));
    ch.bind('headline', (data) => window.received.push({ channel: name, data }));
  }))));
  check('subscribed to a public and a private channel');

  await backend.trigger(['browser-news', 'private-browser'], 'headline', { text: 'from the SDK', n: 1 });
  await page.waitForFunction(() => window.received.length >= 2, null, { timeout: 10000 });
  const received = await page.evaluate(() => window.received);
  assert.deepEqual(received.map((r) => r.channel).sort(), ['browser-news', 'private-browser']);
  for (const r of received) assert.deepEqual(r.data, { text: 'from the SDK', n: 1 });
  check('received a trigger on both');

  assert.deepEqual(problems, []);
  console.log('browser: ok');
  exitCode = 0;
} catch (e) {
  console.log('browser: FAILED: ' + (e.stack || e) + (problems.length ? '\n' + problems.join('\n') : ''));
} finally {
  clearTimeout(deadline);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(exitCode);
