// Headless Chromium (Debian's /usr/bin/chromium, which always offers permessage-deflate) on the node's
// own page, opening a WebSocket from the page:
//   node browser.mjs <http-base> <token> <channel> <count>
// Prints "ready" once subscribed, then "ext=<WebSocket.extensions>" and "ok <count>" once <count>
// `message` pushes with "seq" 1..count arrived. Exits 1 on a failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, token, channel, count] = process.argv.slice(2);
const fail = (why) => { console.log(`FAILED: ${why}`); process.exit(1); };
setTimeout(() => fail('took longer than 45 s'), 45000).unref();

const profile = mkdtempSync(join(tmpdir(), 'switchboard-deflate-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.exposeFunction('report', (line) => console.log(line));
  await page.goto(base + '/');
  const result = await page.evaluate(([wsUrl, channel, want]) => new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, 'switchboard.v1.json');
    const seen = [];
    ws.onmessage = (m) => {
      const envs = m.data.startsWith('[') ? JSON.parse(m.data) : [JSON.parse(m.data)];
      for (const e of envs) {
        if (e.type === 'welcome') ws.send(JSON.stringify({ v: 1, type: 'subscribe', id: 's1', channel }));
        else if (e.type === 'ping') ws.send('{"v":1,"type":"pong"}');
        else if (e.type === 'ack' && e.id === 's1') window.report('ready');
        else if (e.type === 'message') {
          seen.push(e.payload.seq);
          if (seen.length === want) { const ext = ws.extensions; ws.close(1000); resolve({ ext, seen }); }
        } else if (e.type === 'error') resolve({ error: e.code + ': ' + e.message });
      }
    };
    ws.onclose = (c) => resolve({ closed: c.code, seen });
  }), [base.replace('http', 'ws') + '/ws?access_token=' + encodeURIComponent(token), channel, Number(count)]);
  if (result.error || result.closed) fail(JSON.stringify(result));
  const expected = Array.from({ length: Number(count) }, (_, i) => i + 1);
  if (JSON.stringify(result.seen) !== JSON.stringify(expected)) fail(`seq ${result.seen}`);
  console.log(`ext=${result.ext}`);
  console.log(`ok ${result.seen.length}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
