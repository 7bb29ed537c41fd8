// switchboard.js with { protocol: protobuf } in headless Chromium against a running node:
//   node protobuf-client.mjs <base-url>
// Run by BrowserProtobufIT. The page imports /switchboard.js and /switchboard-protobuf.js from the node,
// connects over switchboard.v1.protobuf, subscribes, publishes a binary and a JSON payload, gets both
// back, reads them from history, and receives one the IT publishes over JSON once asked ("e2e: ready").
// Environment: E2E_TOKEN (the page's token), E2E_CHANNEL (a chat channel). Prints "e2e: ok" when done.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base] = process.argv.slice(2);
const TOKEN = process.env.E2E_TOKEN;
const CHANNEL = process.env.E2E_CHANNEL;
if (!base || !TOKEN || !CHANNEL) {
  console.error('usage: E2E_TOKEN=... E2E_CHANNEL=... node protobuf-client.mjs <base-url>');
  process.exit(2);
}
const deadline = setTimeout(() => { console.error('e2e: FAILED: took longer than 45 s'); process.exit(1); }, 45000);
const profile = mkdtempSync(join(tmpdir(), 'switchboard-protobuf-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let code = 1;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => console.log(`page: ${m.text()}`));
  await page.goto(`${base}/healthz`);
  const result = await page.evaluate(async ({ token, channel }) => {
    const { SwitchboardClient } = await import('/switchboard.js');
    const { protobuf } = await import('/switchboard-protobuf.js');
    const client = new SwitchboardClient('/ws', { token, protocol: protobuf });
    const got = [];
    const waitFor = (n) => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`only ${got.length} messages`)), 15000);
      const poll = () => (got.length >= n ? (clearTimeout(t), resolve()) : setTimeout(poll, 20));
      poll();
    });
    const show = (p) => (p instanceof Uint8Array ? { bytes: [...p] } : p);
    await new Promise((resolve) => {
      client.on('connected', resolve);
      client.subscribe(channel, { onMessage: (m) => got.push(show(m.payload)), onSubscribed: () => {} });
      client.connect();
    });
    const subprotocol = client._ws.protocol;
    await client.publish(channel, new Uint8Array([0, 255, 7, 0x22]));
    await client.publish(channel, { text: 'from chromium' });
    await waitFor(2);
    const history = await client.history(channel, { limit: 10 });
    window.__pbClient = client;
    window.__got = got;
    return { subprotocol, got: [...got], history: history.publications.map((p) => show(p.payload)) };
  }, { token: TOKEN, channel: CHANNEL });
  console.log(`e2e: result ${JSON.stringify(result)}`);
  console.log('e2e: ready');
  // The IT now publishes {"from":"java"} over JSON; it must reach the page as a parsed value.
  const third = await page.evaluate(async () => {
    const t0 = Date.now();
    while (window.__got.length < 3 && Date.now() - t0 < 15000) await new Promise((r) => setTimeout(r, 20));
    window.__pbClient.close();
    return window.__got[2] ?? null;
  });
  console.log(`e2e: third ${JSON.stringify(third)}`);
  console.log('e2e: ok');
  code = 0;
} catch (e) {
  console.error(`e2e: FAILED: ${e?.stack ?? e}`);
} finally {
  clearTimeout(deadline);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
