// End-to-end check of the demo chat: two people in two headless Chromium pages join one room and talk.
// Run against a running node:  ./switchboard &  then  cd server/src/test/e2e && npm ci && node demo-chat.mjs [base-url]
// Needs Debian's chromium (apt-get install chromium); Playwright's own browser download is not used.
import { chromium } from 'playwright-core';
const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const shots = process.env.SCREENSHOT_DIR ?? '.';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const ctxA = await browser.newContext(); const ctxB = await browser.newContext();
const a = await ctxA.newPage(); const b = await ctxB.newPage();
const problems = [];
for (const p of [a, b]) {
  p.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  p.on('pageerror', (e) => problems.push(e.message));
}
async function join(p, name) {
  await p.goto(base + '/');
  await p.fill('#name', name); await p.fill('#room', 'lobby');
  await p.click('#join button[type=submit]');
  await p.waitForSelector('#chat:not([hidden])', { timeout: 10000 });
  await p.waitForFunction(() => /connected/i.test(document.getElementById('status').textContent), null, { timeout: 10000 });
}
await join(a, 'alice'); await join(b, 'bob');
await a.fill('#text', 'hello from alice'); await a.press('#text', 'Enter');
await b.waitForFunction(() => document.getElementById('messages').textContent.includes('hello from alice'), null, { timeout: 10000 });
await b.fill('#text', 'hi alice, bob here'); await b.press('#text', 'Enter');
await a.waitForFunction(() => document.getElementById('messages').textContent.includes('bob here'), null, { timeout: 10000 });
await a.screenshot({ path: `${shots}/alice.png` }); await b.screenshot({ path: `${shots}/bob.png` });
const status = await a.textContent('#status');
await browser.close();
if (problems.length) {
  console.error('FAIL: the pages reported errors:', problems);
  process.exit(1);
}
console.log('OK: alice and bob chatted in two pages; status:', status);
