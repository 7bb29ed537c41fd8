// End-to-end check of the demo chat in headless Chromium pages, against a running node:
//   ./switchboard --port 8080 &   then   cd server/src/test/e2e && npm ci && node demo-chat.mjs [base-url]
// Needs Debian's chromium (apt-get install chromium); Playwright's own browser download is not used.
// Exits 0 when every check passed, 1 on the first failure (or when a page logged an error).
//
// What it checks, in a new room of the chat namespace (history and presence):
//   1. alice and bob join in two browser contexts; each page's online list shows both names;
//   2. they chat both ways, and markup in a message shows as text;
//   3. a second tab of alice's joins: bob still lists alice once; closing it leaves alice listed;
//   4. carol joins later and sees the earlier messages (history), oldest first, above "You joined";
//   5. bob goes offline while alice sends two messages; back online, bob gets them exactly once and in
//      order, with no "messages may be missing" line (the client's resubscribe with `since` recovered
//      them). With E2E_EXPECT_UNRECOVERED=1 (for a node run with --max-recover 1) the line must be
//      there instead, and the page must have reloaded the messages from history.
//   6. `/who`: with E2E_WHO_BACKEND=1 (a node run with examples/chat-backend.yaml and the ChatBackend
//      example answering its rpc hook) the page shows the backend's list of the room's users; without,
//      it says that /who needs a backend. Either way nothing is published.
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8080';
const shots = process.env.SCREENSHOT_DIR ?? '.';
const ROOM = process.env.E2E_ROOM ?? `lobby-${Date.now().toString(36)}`; // a fresh room, so a rerun starts empty
const T = 10000; // default wait for something to show up
const expectUnrecovered = process.env.E2E_EXPECT_UNRECOVERED === '1';

// Every page gets this before its own scripts. It lets the test cut a page's WebSockets the way a lost
// network does: setOffline() alone stalls an open socket without closing it, so the page would only
// notice after the heartbeat deadline (35 s by default). Here the page sees an abnormal close (1006) at
// once, as when the OS reports the link down, and the socket is closed underneath.
function installDropHook() {
  const Native = window.WebSocket;
  const open = new Set();
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      open.add(this);
      this.addEventListener('close', () => open.delete(this));
    }
  };
  window.__e2eDropSockets = () => {
    const n = open.size;
    for (const ws of [...open]) {
      open.delete(ws);
      const onclose = ws.onclose;
      ws.onclose = null;
      ws.close();
      onclose?.call(ws, new CloseEvent('close', { code: 1006, reason: 'network lost (e2e)', wasClean: false }));
    }
    return n;
  };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });

const problems = [];
const offlinePages = new Set(); // pages whose network errors are expected right now

async function newContext() {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  await ctx.addInitScript(installDropHook);
  return ctx;
}

async function newPage(ctx, who) {
  const p = await ctx.newPage();
  p.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (offlinePages.has(p) && /ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed/.test(m.text())) return;
    problems.push(`${who}: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`${who}: ${e.message}`));
  return p;
}

function check(ok, what) {
  if (!ok) throw new Error(what);
}

async function join(p, name) {
  await p.goto(base + '/');
  await p.fill('#name', name);
  await p.fill('#room', ROOM);
  await p.click('#join button[type=submit]');
  await p.waitForSelector('#chat:not([hidden])', { timeout: T });
  await p.waitForFunction(() => /connected as/i.test(document.getElementById('status').textContent), null, { timeout: T });
  // Joined = history loaded: the "You joined" line comes right after it.
  await p.waitForFunction(() => [...document.querySelectorAll('#messages li.system')].some((li) => /You joined/.test(li.textContent)),
    null, { timeout: T });
}

/** Chat lines of a page, as "from: text"; system lines as "* text". */
const lines = (p) => p.$$eval('#messages li', (lis) => lis.map((li) => (li.classList.contains('system')
  ? `* ${li.querySelector('span').textContent}`
  : `${li.querySelector('strong').textContent}: ${li.querySelector('span').textContent}`)));

/** The names in a page's online list (without the "(you)" mark). */
const online = (p) => p.$$eval('#people li', (lis) => lis.map((li) => li.firstChild.textContent));

async function waitForOnline(p, names, who) {
  const want = [...names].sort().join(',');
  try {
    await p.waitForFunction((w) => [...document.querySelectorAll('#people li')].map((li) => li.firstChild.textContent)
      .sort().join(',') === w, want, { timeout: T });
  } catch {
    throw new Error(`${who}'s online list is [${await online(p)}], expected [${want}]`);
  }
  const count = await p.textContent('#online-count');
  check(count === String(names.length), `${who}'s online count is ${count}, expected ${names.length}`);
}

async function waitForLine(p, line, who, timeout = T) {
  try {
    await p.waitForFunction((l) => [...document.querySelectorAll('#messages li:not(.system)')]
      .some((li) => `${li.querySelector('strong').textContent}: ${li.querySelector('span').textContent}` === l), line, { timeout });
  } catch {
    throw new Error(`${who} never showed "${line}"; the page has:\n  ${(await lines(p)).join('\n  ')}`);
  }
}

async function send(p, text) {
  await p.fill('#text', text);
  await p.press('#text', 'Enter');
}

let failure = null;
try {
  const ctxA = await newContext();
  const ctxB = await newContext();
  const ctxC = await newContext();
  const a = await newPage(ctxA, 'alice');
  const b = await newPage(ctxB, 'bob');

  // 1. Two people, and each sees both online.
  await join(a, 'alice');
  await join(b, 'bob');
  await waitForOnline(a, ['alice', 'bob'], 'alice');
  await waitForOnline(b, ['alice', 'bob'], 'bob');
  console.log('ok - alice and bob joined; both online lists show alice and bob');

  // 2. They talk.
  await send(a, 'hello from alice');
  await waitForLine(b, 'alice: hello from alice', 'bob');
  await send(b, 'hi alice, bob here');
  await waitForLine(a, 'bob: hi alice, bob here', 'alice');
  await send(a, '<b>not bold</b>');
  await waitForLine(b, 'alice: <b>not bold</b>', 'bob');
  check(await b.$('#messages b') === null, 'markup in a message was rendered as HTML on bob\'s page');
  console.log('ok - alice and bob chatted both ways; markup stays text');
  await a.screenshot({ path: `${shots}/two-online.png` });

  // 3. Two tabs of one user are one person online.
  const a2 = await newPage(ctxA, 'alice (2nd tab)');
  await join(a2, 'alice');
  await waitForOnline(a2, ['alice', 'bob'], 'alice\'s 2nd tab');
  await waitForOnline(b, ['alice', 'bob'], 'bob');
  await a2.close();
  await b.waitForTimeout(1000); // an (unwanted) "alice offline" push would arrive by now
  await waitForOnline(b, ['alice', 'bob'], 'bob, after alice closed her 2nd tab');
  console.log('ok - a second tab of alice\'s is listed once, and closing it leaves alice online');

  // 4. A latecomer sees the history.
  const c = await newPage(ctxC, 'carol');
  await join(c, 'carol');
  const carolSees = await lines(c);
  const earlier = ['alice: hello from alice', 'bob: hi alice, bob here', 'alice: <b>not bold</b>'];
  const at = earlier.map((l) => carolSees.indexOf(l));
  const joinedAt = carolSees.findIndex((l) => /^\* You joined/.test(l));
  check(at.every((i) => i >= 0) && at.every((i, k) => k === 0 || i > at[k - 1]) && at[at.length - 1] < joinedAt,
    `carol should see the earlier messages oldest first, above "You joined"; she sees:\n  ${carolSees.join('\n  ')}`);
  await waitForOnline(c, ['alice', 'bob', 'carol'], 'carol');
  await waitForOnline(a, ['alice', 'bob', 'carol'], 'alice');
  console.log('ok - carol joined later and sees the earlier messages from history');

  // 5. bob loses the network while alice talks, and catches up when it is back.
  offlinePages.add(b);
  await ctxB.setOffline(true);
  check(await b.evaluate(() => window.__e2eDropSockets()) === 1, 'bob\'s page had no open WebSocket to drop');
  await b.waitForFunction(() => /reconnecting/i.test(document.getElementById('status').textContent), null, { timeout: T });
  const missed = ['alice: sent while bob was offline', 'alice: and one more'];
  for (const l of missed) await send(a, l.slice('alice: '.length));
  for (const l of missed) await waitForLine(a, l, 'alice');
  for (const l of missed) await waitForLine(c, l, 'carol');
  await b.waitForTimeout(1500);
  check(!(await lines(b)).includes(missed[0]), 'bob got a message although he was offline');
  await ctxB.setOffline(false);
  // The backoff after a few failed attempts is at most a few seconds (full jitter), well under 30.
  for (const l of missed) await waitForLine(b, l, 'bob', 30000);
  await b.waitForFunction(() => /connected as/i.test(document.getElementById('status').textContent), null, { timeout: T });
  offlinePages.delete(b);
  const bobSees = await lines(b);
  const show = `he sees:\n  ${bobSees.join('\n  ')}`;
  for (const l of [...earlier, ...missed]) check(bobSees.filter((x) => x === l).length === 1, `bob shows "${l}" other than once; ${show}`);
  check(bobSees.indexOf(missed[0]) < bobSees.indexOf(missed[1]), `bob shows the missed messages out of order; ${show}`);
  const warned = bobSees.some((l) => /may be missing/.test(l));
  if (expectUnrecovered) check(warned, `bob's page should say that messages may be missing; ${show}`);
  else check(!warned, `bob's recovery failed; ${show}`);
  await waitForOnline(b, ['alice', 'bob', 'carol'], 'bob, after reconnecting');
  await send(b, 'back online');
  await waitForLine(a, 'bob: back online', 'alice');
  await waitForLine(c, 'bob: back online', 'carol');
  console.log(`ok - bob went offline, came back, and got the messages he missed exactly once${expectUnrecovered ? ' (reloaded from history)' : ''}`);

  // 6. /who goes to the backend over rpc, not to the room.
  await send(a, '/who');
  const whoLine = process.env.E2E_WHO_BACKEND === '1' ? /says the backend: alice, bob, carol$/ : /\/who needs a backend/;
  try {
    await a.waitForFunction((src) => [...document.querySelectorAll('#messages li.system')]
      .some((li) => new RegExp(src).test(li.textContent)), whoLine.source, { timeout: T });
  } catch {
    throw new Error(`alice's /who did not show ${whoLine}; the page has:\n  ${(await lines(a)).join('\n  ')}`);
  }
  check(!(await lines(b)).some((l) => l.includes('/who')), 'the /who command was published to the room');
  console.log(`ok - /who was answered ${process.env.E2E_WHO_BACKEND === '1' ? 'by the backend' : 'with the note that it needs a backend'}`);

  await a.screenshot({ path: `${shots}/alice.png` });
  await b.screenshot({ path: `${shots}/bob.png` });
  await c.screenshot({ path: `${shots}/carol.png` });
} catch (e) {
  failure = e;
} finally {
  await browser.close();
}

if (failure) {
  console.error('FAIL:', failure.message);
  if (problems.length) console.error('the pages also reported errors:', problems);
  process.exit(1);
}
if (problems.length) {
  console.error('FAIL: the pages reported errors:', problems);
  process.exit(1);
}
console.log('OK: demo chat passed: presence, chat, history, and recovery after going offline');
