// Drives a Switchboard node's Pusher front door with the real libraries: pusher-js (the client) and the
// `pusher` server SDK (HTTP API and channel authorization). Run by PusherJsIT:
//   node suite.mjs <portA> <portB>
// portA and portB may be the same node, or two nodes sharing Redis. Apps (as PusherJsIT configures them):
//   1001:key-a:secret-a-0123456789   and   1002:key-b:secret-b-0123456789
// Prints "check: <name>" per passed check and "suite: ok" at the end; exits 1 at the first failure.
import Pusher from 'pusher-js';
import PusherServer from 'pusher';
import crypto from 'node:crypto';
import assert from 'node:assert/strict';

const [portA, portB] = process.argv.slice(2).map(Number);
const APP_A = { appId: '1001', key: 'key-a', secret: 'secret-a-0123456789' };
const APP_B = { appId: '1002', key: 'key-b', secret: 'secret-b-0123456789' };
const server = (app, port, secret = app.secret) =>
  new PusherServer({ appId: app.appId, key: app.key, secret, host: '127.0.0.1', port: String(port), useTLS: false });
const serverA = server(APP_A, portA);
const serverA2 = server(APP_A, portB);
const serverB = server(APP_B, portA);
const clients = [];

/** A pusher-js client of `app` on `port`; `user` signs presence subscriptions as that member. */
function client(app, port, user, { secret = app.secret } = {}) {
  const signer = server(app, port, secret);
  const c = new Pusher(app.key, {
    wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1', disableStats: true,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, cb) => {
        try {
          cb(null, signer.authorizeChannel(socketId, channelName, channelName.startsWith('presence-') ? user : undefined));
        } catch (e) { cb(e, null); }
      },
    },
  });
  clients.push(c);
  return c;
}

function within(ms, what, start) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out: ' + what)), ms);
    start((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
const connected = (c) => within(5000, 'connected', (ok) => c.connection.state === 'connected' ? ok() : c.connection.bind('connected', ok));
const subscribed = (c, name) => within(5000, 'subscribed ' + name, (ok, fail) => {
  const ch = c.subscribe(name);
  ch.bind('pusher:subscription_succeeded', (m) => ok(m));
  ch.bind('pusher:subscription_error', (e) => fail(new Error('subscription_error on ' + name + ': ' + JSON.stringify(e))));
});
const next = (ch, event, what = event) => within(5000, what, (ok) => { const f = (d, meta) => { ch.unbind(event, f); ok(d); }; ch.bind(event, f); });
function record(ch) { const seen = []; ch.bind_global((event, data) => seen.push({ event, data })); return seen; }
const check = (name) => console.log('check: ' + name);

try {
  // Connection: pusher:connection_established with a socket id the server SDKs accept.
  const a1 = client(APP_A, portA, { user_id: '1', user_info: { name: 'Ann' } });
  const a2 = client(APP_A, portB, { user_id: '2', user_info: { name: 'Bob' } });
  const b1 = client(APP_B, portA, { user_id: '1' });
  await Promise.all([connected(a1), connected(a2), connected(b1)]);
  assert.match(a1.connection.socket_id, /^\d+\.\d+$/);
  check('connection_established');

  // Public channel, trigger through the HTTP API; data arrives as the object that was sent.
  await Promise.all([subscribed(a1, 'news'), subscribed(a2, 'news'), subscribed(b1, 'news')]);
  const bSeen = record(b1.channel('news'));
  const got1 = next(a1.channel('news'), 'update');
  const got2 = next(a2.channel('news'), 'update');
  assert.equal((await serverA.trigger('news', 'update', { n: 1, text: 'héllo' })).status, 200);
  assert.deepEqual(await got1, { n: 1, text: 'héllo' });
  assert.deepEqual(await got2, { n: 1, text: 'héllo' });
  check('public trigger reaches every subscriber');

  // Apps are tenants: app B's "news" never sees app A's events (a sentinel on B comes after A's event would have).
  const bSentinel = next(b1.channel('news'), 'sentinel');
  await serverB.trigger('news', 'sentinel', {});
  await bSentinel;
  assert.deepEqual(bSeen.map((e) => e.event), ['sentinel']);
  check('apps do not share channels');

  // Private channels: a good signature subscribes, a bad one is refused with status 401.
  await Promise.all([subscribed(a1, 'private-chat'), subscribed(a2, 'private-chat')]);
  const bad = client(APP_A, portA, undefined, { secret: 'not-the-secret-000000' });
  await connected(bad);
  const refused = await within(5000, 'subscription_error', (ok) => bad.subscribe('private-chat').bind('pusher:subscription_error', ok));
  assert.equal(refused.status, 401);
  check('private channel: good auth subscribes, bad auth gets 401');

  // Client events: delivered to the others, not echoed to the sender.
  const a1Seen = record(a1.channel('private-chat'));
  const typing = next(a2.channel('private-chat'), 'client-typing');
  assert.ok(a1.channel('private-chat').trigger('client-typing', { who: 'ann' }));
  assert.deepEqual(await typing, { who: 'ann' });
  const sentinel = next(a1.channel('private-chat'), 'sentinel');
  await serverA.trigger('private-chat', 'sentinel', {});
  await sentinel;
  assert.deepEqual(a1Seen.map((e) => e.event), ['sentinel']);
  check('client event reaches the others, not the sender');

  // A client event on a public channel is refused with pusher:error; the connection stays.
  const err = within(5000, 'pusher:error', (ok) => a1.connection.bind('error', ok));
  a1.send_event('client-nope', { x: 1 }, 'news');
  const e = await err;
  assert.match(JSON.stringify(e), /private and presence/);
  assert.equal(a1.connection.state, 'connected');
  check('client event on a public channel refused');

  // socket_id excludes one connection from a trigger.
  const a2Seen = record(a2.channel('news'));
  const a1Got = next(a1.channel('news'), 'excluded');
  await serverA.trigger('news', 'excluded', { x: 1 }, { socket_id: a2.connection.socket_id });
  await a1Got;
  const a2Sentinel = next(a2.channel('news'), 'sentinel');
  await serverA.trigger('news', 'sentinel', {});
  await a2Sentinel;
  assert.deepEqual(a2Seen.map((e) => e.event), ['sentinel']);
  check('socket_id excludes a connection');

  // Presence: the member list, member_added with user_info, per user not per connection.
  const room = 'presence-room';
  const m1 = await subscribed(a1, room);
  assert.equal(m1.count, 1);
  assert.equal(m1.me.id, '1');
  assert.deepEqual(m1.me.info, { name: 'Ann' });
  const added = next(a1.channel(room), 'pusher:member_added');
  const m2 = await subscribed(a2, room);
  assert.equal(m2.count, 2);
  assert.deepEqual(m2.get('1').info, { name: 'Ann' });
  const bob = await added;
  assert.equal(bob.id, '2');
  assert.deepEqual(bob.info, { name: 'Bob' });
  check('presence: member list and member_added with user_info');

  const roomSeen = record(a1.channel(room));
  const a2b = client(APP_A, portA, { user_id: '2', user_info: { name: 'Bob' } });
  await connected(a2b);
  await subscribed(a2b, room);
  a2b.disconnect(); // pusher-js is 'disconnected' at once; the users poll below waits for the node to notice
  const users = async () => JSON.parse(await (await serverA.get({ path: `/channels/${room}/users` })).text()).users.map((u) => u.id).sort();
  await within(5000, 'users 1 and 2 (user 2 still has a connection)', (ok, fail) => { const poll = async () => { try { const u = await users(); (u.join() === '1,2') ? ok() : setTimeout(poll, 50); } catch (x) { fail(x); } }; poll(); });
  const roomSentinel = next(a1.channel(room), 'sentinel');
  await serverA.trigger(room, 'sentinel', {});
  await roomSentinel;
  assert.deepEqual(roomSeen.map((e) => e.event), ['sentinel'], 'a second connection of user 2 came and went unannounced');
  const removed = next(a1.channel(room), 'pusher:member_removed');
  a2.unsubscribe(room);
  assert.equal((await removed).id, '2');
  check('presence: member_added/member_removed per user, not per connection');

  // The HTTP API: channels, channel info, users, info on trigger, batches.
  const list = JSON.parse(await (await serverA.get({ path: '/channels' })).text());
  assert.ok('news' in list.channels && 'private-chat' in list.channels, JSON.stringify(list));
  const info = JSON.parse(await (await serverA.get({ path: `/channels/${room}`, params: { info: 'user_count' } })).text());
  assert.deepEqual(info, { occupied: true, user_count: 1 });
  assert.deepEqual(await users(), ['1']);
  const withInfo = await (await serverA.trigger([room], 'ping', {}, { info: 'user_count' })).json();
  assert.deepEqual(withInfo, { channels: { [room]: { user_count: 1 } } });
  const b1a = next(a1.channel('news'), 'b1');
  const b2a = next(a1.channel('private-chat'), 'b2');
  assert.equal((await serverA.triggerBatch([{ channel: 'news', name: 'b1', data: { i: 1 } }, { channel: 'private-chat', name: 'b2', data: 'plain' }])).status, 200);
  assert.deepEqual(await b1a, { i: 1 });
  assert.equal(await b2a, 'plain');
  check('HTTP API: channels, channel info, users, trigger info, batch');

  // Cache channels: pusher:cache_miss on a channel with no event yet, then the last event on subscribe, on
  // either node; the same for a private cache channel.
  for (const name of ['cache-prices', 'private-cache-orders']) {
    const first = a1.subscribe(name);
    const miss = within(5000, 'cache_miss on ' + name, (ok) => first.bind('pusher:cache_miss', ok));
    const firstOk = within(5000, 'subscribed ' + name, (ok) => first.bind('pusher:subscription_succeeded', ok));
    await Promise.all([miss, firstOk]);
    const live = next(first, 'price', 'live event on ' + name);
    await serverA.trigger(name, 'price', { v: 1 });
    assert.deepEqual(await live, { v: 1 });
    const live2 = next(first, 'price', 'second live event on ' + name);
    await serverA2.trigger(name, 'price', { v: 2 });
    assert.deepEqual(await live2, { v: 2 });
    const late = a2.subscribe(name);
    const lateSeen = record(late);
    const cached = within(5000, 'the cached event on ' + name, (ok) => late.bind('price', ok));
    assert.deepEqual(await cached, { v: 2 });
    const lateSentinel = next(late, 'sentinel', 'sentinel on ' + name);
    await serverA.trigger(name, 'sentinel', {});
    await lateSentinel;
    assert.deepEqual(lateSeen.map((e) => e.event), ['pusher:subscription_succeeded', 'price', 'sentinel'],
      'the last event once, after subscription_succeeded, and no cache_miss');
  }
  const cacheList = JSON.parse(await (await serverA.get({ path: '/channels', params: { filter_by_prefix: 'cache-' } })).text());
  assert.deepEqual(Object.keys(cacheList.channels), ['cache-prices']);
  check('cache channels: cache_miss, then the last event on subscribe');

  // User sign-in: pusher-js signin() with the SDK's authenticateUser, #server-to-user- events through
  // sendToUser on either node to every connection of the user, a refused sign-in that keeps its connection,
  // and terminateUserConnections closing the user's connections on both nodes (4009) and no one else's.
  const userClient = (port, id, secret = APP_A.secret) => {
    const signer = server(APP_A, port, secret);
    const c = new Pusher(APP_A.key, {
      wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1', disableStats: true,
      userAuthentication: {
        customHandler: ({ socketId }, cb) => {
          try { cb(null, signer.authenticateUser(socketId, { id, user_info: { name: id } })); } catch (x) { cb(x, null); }
        },
      },
    });
    clients.push(c);
    return c;
  };
  const signedIn = (c) => within(5000, 'signed in', (ok) => { c.signin(); const poll = () => (c.user.serverToUserChannel?.subscribed ? ok() : setTimeout(poll, 20)); poll(); });
  const u1 = userClient(portA, 'u-42');
  const u2 = userClient(portB, 'u-42');
  const other = userClient(portA, 'u-7');
  await Promise.all([connected(u1), connected(u2), connected(other)]);
  await Promise.all([signedIn(u1), signedIn(u2), signedIn(other)]);
  assert.equal(u1.user.user_data.id, 'u-42');
  const toU1 = within(5000, 'user event on node A', (ok) => u1.user.bind('notice', ok));
  const toU2 = within(5000, 'user event on node B', (ok) => u2.user.bind('notice', ok));
  const otherSeen = [];
  other.user.bind('notice', (d) => otherSeen.push(d));
  assert.equal((await serverA2.sendToUser('u-42', 'notice', { text: 'hi' })).status, 200);
  assert.deepEqual(await toU1, { text: 'hi' });
  assert.deepEqual(await toU2, { text: 'hi' });
  const otherGot = within(5000, 'user event for u-7', (ok) => other.user.bind('notice', ok));
  await serverA.sendToUser('u-7', 'notice', { text: 'you' });
  await otherGot;
  assert.deepEqual(otherSeen, [{ text: 'you' }], 'u-7 got only its own event');
  const listed = Object.keys(JSON.parse(await (await serverA.get({ path: '/channels' })).text()).channels);
  assert.ok(!listed.some((n) => n.startsWith('#')), 'GET channels lists no user channel: ' + listed);
  const forged = userClient(portA, 'u-42', 'not-the-secret-000000');
  await connected(forged);
  const errorData = (x) => x?.data ?? x?.error?.data; // pusher:error while connected, or the close's error
  const forgedErr = within(5000, 'signin refused', (ok) => forged.connection.bind('error', (x) => errorData(x)?.code === 4009 && ok(errorData(x))));
  forged.signin();
  assert.match((await forgedErr).message, /signin refused/);
  assert.equal(forged.connection.state, 'connected');
  const closed = (c) => within(5000, 'closed with 4009', (ok) => c.connection.bind('error', (x) => errorData(x)?.code === 4009 && ok()));
  const gone = [closed(u1), closed(u2)];
  assert.equal((await serverA.terminateUserConnections('u-42')).status, 200);
  await Promise.all(gone);
  const down = (c) => within(5000, 'disconnected, no retry', (ok) => c.connection.state === 'disconnected' ? ok() : c.connection.bind('disconnected', ok));
  await Promise.all([down(u1), down(u2)]);
  const stillThere = within(5000, 'u-7 still gets events', (ok) => other.user.bind('after', ok));
  await serverA.sendToUser('u-7', 'after', {});
  await stillThere;
  assert.equal(other.connection.state, 'connected');
  check('user sign-in: signin, sendToUser on both nodes, terminateUserConnections');

  // Request signing: a wrong secret, a stale timestamp and a wrong body_md5 are refused with 401.
  await assert.rejects(server(APP_A, portA, 'wrong-secret-0123456789').trigger('news', 'x', {}), (x) => x.status === 401);
  const signed = (method, path, body, ts) => {
    const md5 = crypto.createHash('md5').update(body).digest('hex');
    const q = `auth_key=${APP_A.key}&auth_timestamp=${ts}&auth_version=1.0&body_md5=${md5}`;
    const sig = crypto.createHmac('sha256', APP_A.secret).update(`${method}\n${path}\n${q}`).digest('hex');
    return `http://127.0.0.1:${portA}${path}?${q}&auth_signature=${sig}`;
  };
  const body = JSON.stringify({ name: 'x', channel: 'news', data: '{}' });
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await fetch(signed('POST', '/apps/1001/events', body, now), { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status, 200);
  assert.equal((await fetch(signed('POST', '/apps/1001/events', body, now - 601), { method: 'POST', body })).status, 401);
  assert.equal((await fetch(signed('POST', '/apps/1001/events', body, now), { method: 'POST', body: body + ' ' })).status, 401);
  check('HTTP API: bad signature, stale timestamp and wrong body_md5 refused');

  // An unknown app key is refused with 4001 and pusher-js does not retry.
  const stranger = new Pusher('no-such-key', { wsHost: '127.0.0.1', wsPort: portA, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1' });
  clients.push(stranger);
  const code = await within(5000, 'error 4001', (ok) => stranger.connection.bind('error', (x) => x?.error?.data?.code && ok(x.error.data.code)));
  assert.equal(code, 4001);
  await within(5000, 'refused: no retry', (ok) => stranger.connection.state === 'disconnected' ? ok() : stranger.connection.bind('disconnected', ok));
  check('unknown app key: 4001');

  console.log('suite: ok');
  clients.forEach((c) => c.disconnect());
  process.exit(0);
} catch (e) {
  console.log('suite: FAILED: ' + (e.stack || e));
  clients.forEach((c) => c.disconnect());
  process.exit(1);
}
