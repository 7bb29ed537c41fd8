// Unit tests for the browser client. Run: node --test server/src/test/js/
// Node 20 has no WebSocket, so a fake socket class and a fake clock are injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SwitchboardClient, SwitchboardError, backoffDelay, shouldReconnect, SUBPROTOCOL,
} from '../../main/resources/web/switchboard.js';

/** Deterministic timers: advance(ms) runs due callbacks in time order. */
class FakeClock {
  constructor() { this.time = 0; this.seq = 0; this.timers = new Map(); }
  now = () => this.time;
  setTimeout = (fn, ms) => { const id = ++this.seq; this.timers.set(id, { at: this.time + ms, fn }); return id; };
  clearTimeout = (id) => { this.timers.delete(id); };
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let due = null;
      for (const [id, t] of this.timers) if (t.at <= end && (!due || t.at < due.t.at)) due = { id, t };
      if (!due) break;
      this.timers.delete(due.id);
      this.time = due.t.at;
      due.t.fn();
    }
    this.time = end;
  }
}

/** A fake WebSocket class plus the list of sockets the client opened; the test plays the server. */
function fakeWebSocket() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.sent = [];
      this.closedWith = null;
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code, reason) { this.closedWith = { code, reason }; }
    // server side
    push(frame) { this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) }); }
    drop(code, reason = '') { this.onclose?.({ code, reason }); }
    lastSent() { return this.sent[this.sent.length - 1]; }
  }
  return { FakeWebSocket, sockets };
}

const WELCOME = {
  v: 1, type: 'welcome',
  payload: {
    sessionId: 's1', userId: 'alice', server: 'switchboard/0.1.0', protocol: 1,
    heartbeat: { intervalMs: 1000, timeoutMs: 500 }, limits: { maxFrameBytes: 65536, maxChannels: 128 },
  },
};

function setup(options = {}) {
  const clock = new FakeClock();
  const { FakeWebSocket, sockets } = fakeWebSocket();
  const events = [];
  const client = new SwitchboardClient('ws://example.test/ws', {
    token: 'tok', WebSocket: FakeWebSocket, random: () => 0.5,
    now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout,
    ...options,
  });
  for (const e of ['state', 'connected', 'disconnected', 'closed', 'error']) {
    client.on(e, (arg) => events.push([e, arg]));
  }
  const last = () => sockets[sockets.length - 1];
  return { client, clock, sockets, events, last };
}

function connected(options) {
  const h = setup(options);
  h.client.connect();
  h.last().push(WELCOME);
  return h;
}

const tick = () => new Promise((r) => setImmediate(r));

test('backoff delays stay within [0, min(max, min*2^n)] and are spread', () => {
  for (let n = 0; n < 12; n++) {
    const cap = Math.min(20000, 500 * 2 ** n);
    const seen = new Set();
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(n, 500, 20000);
      assert.ok(d >= 0 && d <= cap, `attempt ${n}: ${d} outside [0, ${cap}]`);
      seen.add(d);
    }
    assert.ok(seen.size > 100, `attempt ${n}: delays not spread (${seen.size} distinct)`);
  }
  assert.equal(backoffDelay(3, 500, 20000, () => 1), 4000);
  assert.equal(backoffDelay(10, 500, 20000, () => 1), 20000);
  assert.equal(backoffDelay(10, 500, 20000, () => 0), 0);
});

test('client uses growing full-jitter delays for consecutive failures', () => {
  const { client, clock, last, events } = setup({ random: () => 1 });
  client.connect();
  const delays = [];
  for (let i = 0; i < 7; i++) {
    last().drop(1006);
    const d = events.filter(([e]) => e === 'disconnected').at(-1)[1];
    delays.push(d.retryInMs);
    clock.advance(d.retryInMs);
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 20000]);
});

test('reconnect rule matches the server contract', () => {
  for (const c of [1001, 1006, 1011, 1012, 1013, 1014, 4000, 4004, 4005, 4499]) assert.equal(shouldReconnect(c), true, `${c}`);
  for (const c of [1000, 1002, 1007, 1009, 4500, 4501, 4502, 4999]) assert.equal(shouldReconnect(c), false, `${c}`);
});

test('opens with the subprotocol and the token in the URL', () => {
  const { client, last } = setup();
  client.connect();
  assert.deepEqual(last().protocols, [SUBPROTOCOL]);
  assert.equal(new URL(last().url).searchParams.get('access_token'), 'tok');
  assert.equal(client.state, 'connecting');
  last().push(WELCOME);
  assert.equal(client.state, 'connected');
  assert.equal(client.session.userId, 'alice');
});

for (const code of [1006, 4000, 1001, 1011]) {
  test(`reconnects after close ${code}`, () => {
    const { client, clock, sockets, last, events } = connected();
    last().drop(code, 'bye');
    assert.equal(client.state, 'disconnected');
    const d = events.find(([e]) => e === 'disconnected')[1];
    assert.equal(d.code, code);
    assert.equal(d.willRetry, true);
    assert.equal(sockets.length, 1, 'must wait for the backoff delay');
    clock.advance(d.retryInMs);
    assert.equal(sockets.length, 2);
    assert.equal(client.state, 'connecting');
  });
}

for (const code of [4500, 4501, 1000, 1009, 1002, 1007]) {
  test(`does not reconnect after close ${code}`, () => {
    const { client, clock, sockets, last, events } = connected();
    last().drop(code, 'nope');
    assert.equal(client.state, 'closed');
    assert.deepEqual(events.find(([e]) => e === 'closed')[1], { code, reason: 'nope' });
    assert.equal(events.find(([e]) => e === 'disconnected')[1].willRetry, false);
    clock.advance(10 * 60 * 1000);
    assert.equal(sockets.length, 1);
  });
}

test('terminal close reports the preceding connection-level error as reason', () => {
  const { client, last, events } = connected();
  last().push({ v: 1, type: 'error', code: 'forbidden', message: 'user banned', retryable: false });
  last().drop(4501, '');
  assert.equal(client.state, 'closed');
  const err = events.find(([e]) => e === 'error')[1];
  assert.ok(err instanceof SwitchboardError);
  assert.equal(err.code, 'forbidden');
  assert.equal(events.find(([e]) => e === 'closed')[1].reason, 'user banned');
});

test('close 4004 fetches a fresh token before reconnecting', async () => {
  let n = 0;
  const { client, clock, sockets, last } = setup({ token: undefined, getToken: async () => `t${++n}` });
  client.connect();
  await tick();
  assert.equal(new URL(last().url).searchParams.get('access_token'), 't1');
  last().push(WELCOME);
  last().drop(4004, 'token_expired');
  clock.advance(20000);
  await tick();
  assert.equal(sockets.length, 2);
  assert.equal(new URL(last().url).searchParams.get('access_token'), 't2');
});

test('close 4004 without getToken is terminal', () => {
  const { client, clock, sockets, last } = connected();
  last().drop(4004, 'token_expired');
  assert.equal(client.state, 'closed');
  clock.advance(60000);
  assert.equal(sockets.length, 1);
});

test('resubscribes after reconnect with since and delivers each message once, in order', () => {
  const { client, clock, last, events } = connected();
  const got = [];
  const infos = [];
  client.subscribe('chat:lobby', { onMessage: (m) => got.push(m.payload.n), onSubscribed: (i) => infos.push(i) });
  const sub1 = last().lastSent();
  assert.equal(sub1.type, 'subscribe');
  assert.equal(sub1.channel, 'chat:lobby');
  assert.equal(sub1.since, undefined);
  last().push({ v: 1, type: 'ack', id: sub1.id, payload: { epoch: 'E', offset: 40, recovered: false } });
  last().push({ v: 1, type: 'message', channel: 'chat:lobby', ts: 1, epoch: 'E', offset: 41, payload: { n: 41 } });

  last().drop(1006);
  clock.advance(events.find(([e]) => e === 'disconnected')[1].retryInMs);
  last().push(WELCOME);
  const sub2 = last().sent.find((f) => f.type === 'subscribe');
  assert.deepEqual(sub2.since, { epoch: 'E', offset: 41 });
  last().push([
    { v: 1, type: 'ack', id: sub2.id, payload: { epoch: 'E', offset: 43, recovered: true } },
    { v: 1, type: 'message', channel: 'chat:lobby', ts: 2, epoch: 'E', offset: 41, payload: { n: 41 } },
    { v: 1, type: 'message', channel: 'chat:lobby', ts: 3, epoch: 'E', offset: 42, payload: { n: 42 } },
    { v: 1, type: 'message', channel: 'chat:lobby', ts: 4, epoch: 'E', offset: 43, payload: { n: 43 } },
    { v: 1, type: 'message', channel: 'chat:lobby', ts: 4, epoch: 'E', offset: 42, payload: { n: 42 } },
  ]);
  assert.deepEqual(got, [41, 42, 43]);
  assert.deepEqual(infos.map((i) => i.resubscribed), [false, true]);
  assert.equal(infos[1].recovered, true);
});

test('a new epoch is accepted even with a lower offset', () => {
  const { client, last } = connected();
  const got = [];
  client.subscribe('chat:x', { onMessage: (m) => got.push(`${m.epoch}/${m.offset}`) });
  last().push({ v: 1, type: 'message', channel: 'chat:x', epoch: 'A', offset: 9, payload: 1 });
  last().push({ v: 1, type: 'message', channel: 'chat:x', epoch: 'B', offset: 1, payload: 2 });
  assert.deepEqual(got, ['A/9', 'B/1']);
});

test('handles batched frames: welcome, ack and messages in one array', async () => {
  const { client, last } = setup();
  const got = [];
  client.subscribe('chat:lobby', { onMessage: (m) => got.push(m) });
  client.connect();
  const p = client.publish('chat:lobby', { text: 'queued' });
  last().push(WELCOME);
  const [subCmd, pubCmd] = last().sent;
  assert.equal(subCmd.type, 'subscribe');
  assert.equal(pubCmd.type, 'publish');
  last().push([
    { v: 1, type: 'ack', id: subCmd.id },
    { v: 1, type: 'message', channel: 'chat:lobby', ts: 5, from: 'bob', payload: { text: 'hi' } },
    { v: 1, type: 'ack', id: pubCmd.id, payload: { offset: 7 } },
    { v: 1, type: 'message', channel: 'chat:lobby', ts: 6, payload: { text: 'anon' } },
  ]);
  assert.deepEqual(await p, { offset: 7 });
  assert.deepEqual(got.map((m) => m.payload.text), ['hi', 'anon']);
  assert.equal(got[0].from, 'bob');
});

test('answers a server ping with a pong without id', () => {
  const { last } = connected();
  last().push({ v: 1, type: 'ping' });
  assert.deepEqual(last().lastSent(), { v: 1, type: 'pong' });
});

test('detects a dead connection after intervalMs + timeoutMs of silence', () => {
  const { client, clock, sockets, last, events } = connected(); // heartbeat 1000 + 500
  clock.advance(1000);
  last().push({ v: 1, type: 'ping' }); // any frame resets the timer
  clock.advance(1499);
  assert.equal(client.state, 'connected');
  assert.equal(last().closedWith, null);
  clock.advance(1);
  assert.equal(sockets[0].closedWith?.code, 4000);
  const d = events.find(([e]) => e === 'disconnected')[1];
  assert.equal(d.code, 4000);
  assert.equal(d.willRetry, true);
  assert.equal(client.state, 'disconnected');
  clock.advance(d.retryInMs);
  assert.equal(sockets.length, 2);
});

test('a socket that never sends welcome times out after commandTimeoutMs', () => {
  const { client, clock, sockets } = setup({ commandTimeoutMs: 3000 });
  client.connect();
  clock.advance(2999);
  assert.equal(client.state, 'connecting');
  clock.advance(1);
  assert.equal(sockets[0].closedWith?.code, 4000);
  assert.equal(client.state, 'disconnected');
});

test('publish resolves with the ack payload', async () => {
  const { client, last } = connected();
  const p = client.publish('chat:lobby', { text: 'hi' }, { idempotencyKey: 'k1' });
  const cmd = last().lastSent();
  assert.deepEqual({ ...cmd, id: 0 }, { v: 1, type: 'publish', id: 0, channel: 'chat:lobby', payload: { text: 'hi' }, idempotencyKey: 'k1' });
  last().push({ v: 1, type: 'ack', id: cmd.id, payload: { offset: 3 } });
  assert.deepEqual(await p, { offset: 3 });
});

test('publish rejects with code, message and retryable on error', async () => {
  const { client, last } = connected();
  const p = client.publish('chat:secret', 1);
  last().push({ v: 1, type: 'error', id: last().lastSent().id, code: 'forbidden', message: 'no', retryable: false });
  await assert.rejects(p, (e) => e instanceof SwitchboardError && e.code === 'forbidden' && e.message === 'no' && e.retryable === false);
});

test('commands time out after commandTimeoutMs', async () => {
  const { client, clock } = connected({ commandTimeoutMs: 1200 }); // below the 1500 ms heartbeat deadline
  const p = client.publish('chat:lobby', 1);
  clock.advance(1199);
  let settled = false;
  p.then(() => { settled = true; }, () => { settled = true; });
  await tick();
  assert.equal(settled, false);
  clock.advance(1);
  await assert.rejects(p, (e) => e.code === 'timeout' && e.retryable === true);
});

test('in-flight commands reject as disconnected when the socket drops', async () => {
  const { client, last } = connected();
  const p = client.publish('chat:lobby', 1);
  last().drop(1006);
  await assert.rejects(p, (e) => e.code === 'disconnected' && e.retryable === true);
});

test('close() rejects sent and queued commands and closes with 1000', async () => {
  const { client, clock, sockets, last, events } = connected();
  const inFlight = client.publish('chat:lobby', 1);
  last().drop(1006);
  await assert.rejects(inFlight);
  const queued = client.publish('chat:lobby', 2); // offline: queued
  clock.advance(events.find(([e]) => e === 'disconnected')[1].retryInMs);
  last().push(WELCOME);
  const sent = client.publish('chat:lobby', 3);
  client.close();
  for (const p of [queued, sent]) await assert.rejects(p, (e) => e.code === 'closed' && /closed/.test(e.message));
  assert.equal(last().closedWith.code, 1000);
  assert.equal(client.state, 'closed');
  clock.advance(60000);
  assert.equal(sockets.length, 2);
  await assert.rejects(client.publish('chat:lobby', 4), (e) => e.code === 'closed');
});

test('offline queue is bounded and flushed in order on welcome', async () => {
  const { client, last } = setup({ maxQueuedCommands: 3 });
  const ps = [1, 2, 3].map((n) => client.publish('chat:q', n));
  await assert.rejects(client.publish('chat:q', 4), (e) => e.code === 'queue_full');
  client.connect();
  assert.equal(last().sent.length, 0, 'nothing is sent before welcome');
  last().push(WELCOME);
  assert.deepEqual(last().sent.map((f) => f.payload), [1, 2, 3]);
  for (const f of last().sent) last().push({ v: 1, type: 'ack', id: f.id });
  await Promise.all(ps);
});

test('ping resolves with the round-trip time', async () => {
  const { client, clock, last } = connected();
  const p = client.ping();
  const cmd = last().lastSent();
  assert.equal(cmd.type, 'ping');
  clock.advance(42);
  last().push({ v: 1, type: 'pong', id: cmd.id });
  assert.equal(await p, 42);
});

test('unsubscribe is idempotent and the server can end a subscription', () => {
  const { client, last } = connected();
  const sub = client.subscribe('chat:a');
  sub.unsubscribe();
  sub.unsubscribe();
  assert.equal(last().sent.filter((f) => f.type === 'unsubscribe').length, 1);
  assert.equal(sub.active, false);

  const ended = [];
  const b = client.subscribe('chat:b', { onUnsubscribed: (i) => ended.push(i) });
  last().push({ v: 1, type: 'unsubscribed', channel: 'chat:b', code: 'forbidden', message: 'kicked' });
  assert.deepEqual(ended, [{ code: 'forbidden', message: 'kicked' }]);
  assert.equal(b.active, false);
  client.subscribe('chat:b'); // may subscribe again
});

test('unsubscribed with code unavailable resubscribes from the last position instead of ending', () => {
  const { client, last } = connected();
  const infos = [];
  const ended = [];
  const sub = client.subscribe('chat:gap', { onSubscribed: (i) => infos.push(i), onUnsubscribed: (i) => ended.push(i) });
  last().push({ v: 1, type: 'ack', id: last().lastSent().id, payload: { epoch: 'E', offset: 7, recovered: false } });
  last().push({ v: 1, type: 'message', channel: 'chat:gap', ts: 1, epoch: 'E', offset: 8, payload: {} });
  last().push({ v: 1, type: 'unsubscribed', channel: 'chat:gap', code: 'unavailable', message: 'link lost' });
  const again = last().lastSent();
  assert.equal(again.type, 'subscribe');
  assert.deepEqual(again.since, { epoch: 'E', offset: 8 });
  assert.deepEqual(ended, []);
  assert.equal(sub.active, true);
  last().push({ v: 1, type: 'ack', id: again.id, payload: { epoch: 'E', offset: 9, recovered: true } });
  assert.equal(infos.length, 2);
});

test('a subscribe answered not_subscribed (overtaken by unsubscribed/unavailable) is sent again', () => {
  const { client, last } = connected();
  const ended = [];
  const sub = client.subscribe('chat:race', { onUnsubscribed: (i) => ended.push(i) });
  const first = last().lastSent();
  last().push({ v: 1, type: 'error', id: first.id, code: 'not_subscribed', message: 'unsubscribed before the subscribe completed', retryable: false });
  const again = last().lastSent();
  assert.equal(again.type, 'subscribe');
  assert.notEqual(again.id, first.id);
  assert.deepEqual(ended, []);
  assert.equal(sub.active, true);
});

test('a non-retryable subscribe error ends the subscription', () => {
  const { client, last } = connected();
  const errors = [];
  const ended = [];
  const sub = client.subscribe('chat:nope', { onError: (e) => errors.push(e.code), onUnsubscribed: (i) => ended.push(i.code) });
  last().push({ v: 1, type: 'error', id: last().lastSent().id, code: 'forbidden', message: 'no', retryable: false });
  assert.deepEqual(errors, ['forbidden']);
  assert.deepEqual(ended, ['forbidden']);
  assert.equal(sub.active, false);
});

test('a retryable subscribe error is retried after a delay', () => {
  const { client, clock, last } = connected();
  client.subscribe('chat:busy');
  const first = last().lastSent();
  last().push({ v: 1, type: 'error', id: first.id, code: 'unavailable', message: 'draining', retryable: true });
  clock.advance(500);
  const again = last().lastSent();
  assert.equal(again.type, 'subscribe');
  assert.notEqual(again.id, first.id);
});

test('rejects invalid and duplicate channel names synchronously', () => {
  const { client } = setup();
  assert.throws(() => client.subscribe('bad channel'), TypeError);
  assert.throws(() => client.subscribe(':x'), TypeError);
  client.subscribe('chat:ok');
  assert.throws(() => client.subscribe('chat:ok'), /already subscribed/);
});

test('the backoff counter resets only after a stable connection', () => {
  const { client, clock, last, events } = connected({ random: () => 1, stableAfterMs: 5000 });
  const delays = () => events.filter(([e]) => e === 'disconnected').map(([, d]) => d.retryInMs);
  last().drop(1006); // up for 0 ms: counts as a failed attempt
  clock.advance(delays().at(-1));
  last().push(WELCOME);
  last().drop(1006);
  assert.deepEqual(delays(), [500, 1000]);
  clock.advance(delays().at(-1));
  last().push(WELCOME);
  for (let i = 0; i < 6; i++) { clock.advance(1000); last().push({ v: 1, type: 'ping' }); }
  last().drop(1006);
  assert.equal(delays().at(-1), 500);
  assert.equal(client.state, 'disconnected');
});

// ---- history, presence and recovery ----

test('history sends limit, reverse and since and resolves with the ack payload', async () => {
  const { client, last } = connected();
  const p = client.history('chat:lobby', { limit: 50, reverse: true });
  const cmd = last().lastSent();
  assert.deepEqual({ ...cmd, id: 0 }, { v: 1, type: 'history', id: 0, channel: 'chat:lobby', limit: 50, reverse: true });
  const payload = { epoch: 'E', offset: 2, publications: [{ offset: 2, ts: 9, from: 'bob', payload: { text: 'b' } }, { offset: 1, ts: 8, payload: { text: 'a' } }] };
  last().push({ v: 1, type: 'ack', id: cmd.id, payload });
  assert.deepEqual(await p, payload);

  const q = client.history('chat:lobby', { since: { epoch: 'E', offset: 1, extra: 'dropped' } });
  const cmd2 = last().lastSent();
  assert.deepEqual(cmd2.since, { epoch: 'E', offset: 1 });
  assert.equal('limit' in cmd2, false);
  assert.equal('reverse' in cmd2, false);
  last().push({ v: 1, type: 'error', id: cmd2.id, code: 'unrecoverable', message: 'the stream\'s epoch is now F', retryable: false });
  await assert.rejects(q, (e) => e.code === 'unrecoverable');
});

test('history and presence check their arguments synchronously', () => {
  const { client } = connected();
  assert.throws(() => client.history('bad channel'), TypeError);
  assert.throws(() => client.history('chat:x', { limit: -1 }), TypeError);
  assert.throws(() => client.history('chat:x', { limit: 1.5 }), TypeError);
  assert.throws(() => client.history('chat:x', { since: { epoch: 'E' } }), TypeError);
  assert.throws(() => client.history('chat:x', { since: { epoch: 1, offset: 1 } }), TypeError);
  assert.throws(() => client.presence(''), TypeError);
});

test('presence resolves with the ack payload; queued while offline like any command', async () => {
  const { client, last } = setup();
  const p = client.presence('chat:lobby');
  client.connect();
  last().push(WELCOME);
  const cmd = last().lastSent();
  assert.deepEqual({ ...cmd, id: 0 }, { v: 1, type: 'presence', id: 0, channel: 'chat:lobby' });
  const payload = { clients: [{ clientId: 'c1', userId: 'alice' }, { clientId: 'c2', userId: 'alice', info: { tab: 2 } }], users: 1 };
  last().push({ v: 1, type: 'ack', id: cmd.id, payload });
  assert.deepEqual(await p, payload);
});

test('presence errors reject, e.g. not_available on a channel without presence', async () => {
  const { client, last } = connected();
  const p = client.presence('news');
  last().push({ v: 1, type: 'error', id: last().lastSent().id, code: 'not_available', message: 'no presence', retryable: false });
  await assert.rejects(p, (e) => e instanceof SwitchboardError && e.code === 'not_available');
});

test('presenceUpdate pushes go to the subscription\'s onPresence, and only to it', () => {
  const { client, last } = connected();
  const a = [];
  const b = [];
  client.subscribe('chat:a', { onPresence: (p, env) => a.push([p.userId, p.status, env.channel]) });
  client.subscribe('chat:b', { onPresence: (p) => b.push(p.userId) });
  last().push([
    { v: 1, type: 'presenceUpdate', channel: 'chat:a', payload: { userId: 'bob', status: 'online', timestamp: 1 } },
    { v: 1, type: 'presenceUpdate', channel: 'chat:zzz', payload: { userId: 'eve', status: 'online', timestamp: 2 } },
    { v: 1, type: 'presenceUpdate', channel: 'chat:a', payload: { userId: 'bob', status: 'offline', timestamp: 3 } },
  ]);
  assert.deepEqual(a, [['bob', 'online', 'chat:a'], ['bob', 'offline', 'chat:a']]);
  assert.deepEqual(b, []);
});

test('presenceDiff goes to onPresenceDiff, or as one onPresence per user; presenceCount to onPresenceCount', () => {
  const { client, last } = connected();
  const diffs = [];
  const legacy = [];
  const counts = [];
  client.subscribe('chat:new', { onPresenceDiff: (p, env) => diffs.push([p, env.channel]), onPresenceCount: (p) => counts.push(p.users) });
  client.subscribe('chat:old', { onPresence: (p) => legacy.push([p.userId, p.status]) });
  last().push([
    { v: 1, type: 'presenceDiff', channel: 'chat:new', payload: { joins: ['ann', 'bo'], leaves: ['cy'], users: 2 } },
    { v: 1, type: 'presenceDiff', channel: 'chat:old', payload: { joins: ['ann'], leaves: ['cy'], users: 1 } },
    { v: 1, type: 'presenceCount', channel: 'chat:new', payload: { users: 5001 } },
    { v: 1, type: 'presenceCount', channel: 'chat:zzz', payload: { users: 1 } },
  ]);
  assert.deepEqual(diffs, [[{ joins: ['ann', 'bo'], leaves: ['cy'], users: 2 }, 'chat:new']]);
  assert.deepEqual(legacy, [['ann', 'online'], ['cy', 'offline']]);
  assert.deepEqual(counts, [5001]);
});

test('presence pages with limit and cursor, checked before sending; presenceAll follows the cursors', async () => {
  const { client, last } = connected();
  assert.throws(() => client.presence('chat:a', { limit: -1 }), TypeError);
  assert.throws(() => client.presence('chat:a', { cursor: 5 }), TypeError);
  const all = client.presenceAll('chat:a', { pageSize: 2 });
  const first = last().lastSent();
  assert.deepEqual({ ...first, id: 0 }, { v: 1, type: 'presence', id: 0, channel: 'chat:a', limit: 2 });
  last().push({ v: 1, type: 'ack', id: first.id, payload: { clients: [{ clientId: 'a', userId: 'ann' }, { clientId: 'b', userId: 'bo' }], users: 3, connections: 3, more: true, cursor: 'Yg.1' } });
  await new Promise((r) => setTimeout(r, 0));
  const second = last().lastSent();
  assert.equal(second.cursor, 'Yg.1');
  last().push({ v: 1, type: 'ack', id: second.id, payload: { clients: [{ clientId: 'c', userId: 'cy' }], users: 3, connections: 3 } });
  const p = await all;
  assert.deepEqual(p.clients.map((c) => c.userId), ['ann', 'bo', 'cy']);
  assert.equal(p.users, 3);
});

/** Drops the socket and answers the next connection's welcome; returns that connection's subscribe. */
function reconnect({ clock, last, events }) {
  last().drop(1006);
  clock.advance(events.filter(([e]) => e === 'disconnected').at(-1)[1].retryInMs);
  last().push(WELCOME);
  return last().sent.find((f) => f.type === 'subscribe');
}

test('resubscribes from the ack position when no message arrived before the drop', () => {
  const h = connected();
  const got = [];
  h.client.subscribe('chat:quiet', { onMessage: (m) => got.push(m.offset) });
  h.last().push({ v: 1, type: 'ack', id: h.last().lastSent().id, payload: { epoch: 'E', offset: 7, recovered: false } });
  const again = reconnect(h);
  assert.deepEqual(again.since, { epoch: 'E', offset: 7 });
  h.last().push([
    { v: 1, type: 'ack', id: again.id, payload: { epoch: 'E', offset: 8, recovered: true } },
    { v: 1, type: 'message', channel: 'chat:quiet', epoch: 'E', offset: 8, payload: 'missed' },
    { v: 1, type: 'message', channel: 'chat:quiet', epoch: 'E', offset: 9, payload: 'live' },
  ]);
  assert.deepEqual(got, [8, 9]);
  assert.deepEqual(reconnect(h).since, { epoch: 'E', offset: 9 });
});

test('a recovered ack keeps the position; the replayed messages move it and duplicates are dropped', () => {
  const h = connected();
  const got = [];
  h.client.subscribe('chat:r', { onMessage: (m) => got.push(m.offset) });
  h.last().push([
    { v: 1, type: 'ack', id: h.last().lastSent().id, payload: { epoch: 'E', offset: 3, recovered: false } },
    { v: 1, type: 'message', channel: 'chat:r', epoch: 'E', offset: 4, payload: 4 },
  ]);
  const again = reconnect(h);
  assert.deepEqual(again.since, { epoch: 'E', offset: 4 });
  // The ack names the stream's top (6), but 5 and 6 are still to come: they must not be dropped.
  h.last().push([
    { v: 1, type: 'ack', id: again.id, payload: { epoch: 'E', offset: 6, recovered: true } },
    { v: 1, type: 'message', channel: 'chat:r', epoch: 'E', offset: 4, payload: 4 },
    { v: 1, type: 'message', channel: 'chat:r', epoch: 'E', offset: 5, payload: 5 },
    { v: 1, type: 'message', channel: 'chat:r', epoch: 'E', offset: 6, payload: 6 },
    { v: 1, type: 'message', channel: 'chat:r', epoch: 'E', offset: 5, payload: 5 },
  ]);
  assert.deepEqual(got, [4, 5, 6]);
});

for (const reason of ['epoch_changed', 'out_of_retention', 'too_many', 'bad_position']) {
  test(`failed recovery (${reason}) reaches onSubscribed and restarts from the new position`, () => {
    const h = connected();
    const got = [];
    const infos = [];
    h.client.subscribe('chat:f', { onMessage: (m) => got.push(`${m.epoch}/${m.offset}`), onSubscribed: (i) => infos.push(i) });
    h.last().push([
      { v: 1, type: 'ack', id: h.last().lastSent().id, payload: { epoch: 'E', offset: 10, recovered: false } },
      { v: 1, type: 'message', channel: 'chat:f', epoch: 'E', offset: 11, payload: 1 },
    ]);
    const again = reconnect(h);
    assert.deepEqual(again.since, { epoch: 'E', offset: 11 });
    const epoch = reason === 'epoch_changed' ? 'F' : 'E';
    h.last().push([
      { v: 1, type: 'ack', id: again.id, payload: { epoch, offset: 500, recovered: false, reason } },
      { v: 1, type: 'message', channel: 'chat:f', epoch, offset: 501, payload: 2 },
    ]);
    assert.deepEqual(infos.at(-1), { epoch, offset: 500, recovered: false, reason, resubscribed: true });
    assert.deepEqual(got, ['E/11', `${epoch}/501`]);
    assert.deepEqual(reconnect(h).since, { epoch, offset: 501 });
  });
}

test('a subscribe ack without a position (channel without history) leaves since out', () => {
  const h = connected();
  h.client.subscribe('news');
  h.last().push({ v: 1, type: 'ack', id: h.last().lastSent().id });
  assert.equal(reconnect(h).since, undefined);
});

for (const code of ['unrecoverable', 'forbidden']) {
  test(`a resubscribe refused with ${code} because of since is retried from now`, () => {
    const h = connected();
    const infos = [];
    const ended = [];
    h.client.subscribe('chat:g', { onSubscribed: (i) => infos.push(i), onUnsubscribed: (i) => ended.push(i) });
    h.last().push({ v: 1, type: 'ack', id: h.last().lastSent().id, payload: { epoch: 'E', offset: 3, recovered: false } });
    const again = reconnect(h);
    assert.deepEqual(again.since, { epoch: 'E', offset: 3 });
    h.last().push({ v: 1, type: 'error', id: again.id, code, message: 'no', retryable: false });
    const plain = h.last().lastSent();
    assert.equal(plain.type, 'subscribe');
    assert.equal(plain.since, undefined);
    h.last().push({ v: 1, type: 'ack', id: plain.id, payload: { epoch: 'E', offset: 9, recovered: false } });
    assert.deepEqual(infos.at(-1), { epoch: 'E', offset: 9, recovered: false, resubscribed: true });
    assert.deepEqual(ended, []);
    // Refused again without since: that is final.
    const third = reconnect(h);
    h.last().push({ v: 1, type: 'error', id: third.id, code: 'forbidden', message: 'no', retryable: false });
    const fourth = h.last().lastSent();
    assert.equal(fourth.since, undefined);
    h.last().push({ v: 1, type: 'error', id: fourth.id, code: 'forbidden', message: 'still no', retryable: false });
    assert.deepEqual(ended, [{ code: 'forbidden', message: 'still no' }]);
  });
}

test('rpc sends method and payload and resolves with the result; errors reject; bad methods throw', async () => {
  const { client, last } = connected();
  const p = client.rpc('chat.who', { room: 'lobby' });
  const cmd = last().lastSent();
  assert.deepEqual({ ...cmd, id: 0 }, { v: 1, type: 'rpc', id: 0, method: 'chat.who', payload: { room: 'lobby' } });
  last().push({ v: 1, type: 'ack', id: cmd.id, payload: { users: ['alice'] } });
  assert.deepEqual(await p, { users: ['alice'] });

  const none = client.rpc('noop');
  const cmd2 = last().lastSent();
  assert.equal('payload' in cmd2, false);
  last().push({ v: 1, type: 'ack', id: cmd2.id });
  assert.equal(await none, null);

  const refused = client.rpc('chat.ban', { user: 'bob' });
  last().push({ v: 1, type: 'error', id: last().lastSent().id, code: 'forbidden', message: 'moderators only', retryable: false });
  await assert.rejects(refused, (e) => e.code === 'forbidden' && e.message === 'moderators only');
  assert.throws(() => client.rpc('no spaces'), TypeError);
  assert.throws(() => client.rpc('m'.repeat(65)), TypeError);
});

test('a subscribed push makes a server subscription with the handlers onServerSubscription gives', () => {
  const got = [];
  const infos = [];
  const { client, last } = connected({
    onServerSubscription: (channel) => ({ onMessage: (m) => got.push(`${channel}/${m.payload.n}`), onSubscribed: (i) => infos.push(i) }),
  });
  last().push({ v: 1, type: 'subscribed', channel: 'user:#alice', payload: { epoch: 'E', offset: 5 } });
  last().push({ v: 1, type: 'message', channel: 'user:#alice', epoch: 'E', offset: 6, payload: { n: 6 } });
  assert.deepEqual(got, ['user:#alice/6']);
  assert.equal(infos[0].server, true);
  assert.equal(infos[0].recovered, false);
  const sub = client._subs.get('user:#alice');
  assert.equal(sub.server, true);
  assert.equal(sub.offset, 6);
});

test('after a reconnect a server subscription recovers its gap from history before the live messages', async () => {
  const got = [];
  const infos = [];
  const { client, clock, last, events } = connected({
    onServerSubscription: () => ({ onMessage: (m) => got.push(m.offset), onSubscribed: (i) => infos.push(i) }),
  });
  last().push({ v: 1, type: 'subscribed', channel: 'user:#alice', payload: { epoch: 'E', offset: 5 } });
  last().push({ v: 1, type: 'message', channel: 'user:#alice', epoch: 'E', offset: 6, payload: {} });
  last().drop(1006);
  clock.advance(events.find(([e]) => e === 'disconnected')[1].retryInMs);
  last().push(WELCOME);
  // Like its own, it is subscribed again from its position; the server made it already.
  const resub = last().sent.find((f) => f.type === 'subscribe');
  assert.deepEqual(resub.since, { epoch: 'E', offset: 6 });
  last().push({ v: 1, type: 'error', id: resub.id, code: 'already_subscribed', message: 'already', retryable: false });
  last().push({ v: 1, type: 'subscribed', channel: 'user:#alice', payload: { epoch: 'E', offset: 9 } });
  last().push({ v: 1, type: 'message', channel: 'user:#alice', epoch: 'E', offset: 10, payload: {} }); // held back
  const read = last().lastSent();
  assert.deepEqual({ type: read.type, since: read.since, limit: read.limit }, { type: 'history', since: { epoch: 'E', offset: 6 }, limit: 3 });
  assert.deepEqual(got, [6]);
  last().push({ v: 1, type: 'ack', id: read.id, payload: { epoch: 'E', offset: 10, publications: [
    { offset: 7, ts: 1, payload: {} }, { offset: 8, ts: 1, payload: {} }, { offset: 9, ts: 1, payload: {} }] } });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [6, 7, 8, 9, 10]);
  assert.equal(infos[infos.length - 1].recovered, true);
  assert.equal(client._subs.get('user:#alice').server, true);
});
