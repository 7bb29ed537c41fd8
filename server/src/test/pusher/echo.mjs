// Laravel Echo (broadcaster 'pusher', over pusher-js) against a Switchboard node, as a Laravel front end
// uses it: public, private and presence channels, with the channel authorization served by this script's own
// HTTP endpoint (as Laravel's /broadcasting/auth would, signing with the `pusher` SDK), presence
// here/joining/leaving, and whispers (client events). Run by PusherJsIT:
//   node echo.mjs <portA> <portB>
// Prints "check: <name>" per passed check and "echo: ok" at the end; exits 1 at the first failure.
import Echo from 'laravel-echo';
import Pusher from 'pusher-js';
import PusherServer from 'pusher';
import http from 'node:http';
import assert from 'node:assert/strict';

const [portA, portB] = process.argv.slice(2).map(Number);
const APP = { appId: '1001', key: 'key-a', secret: 'secret-a-0123456789' };
const backend = new PusherServer({ ...APP, host: '127.0.0.1', port: String(portA), useTLS: false });
const USERS = { ann: { id: 1, name: 'Ann' }, bob: { id: 2, name: 'Bob' }, eve: { id: 3, name: 'Eve' } };
const echoes = [];
const check = (name) => console.log('check: ' + name);

// The backend's channel authorization endpoint: the bearer token names the user; eve may not join private ones.
const auth = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (process.env.ECHO_DEBUG) console.log('auth request', JSON.stringify(req.headers), Buffer.concat(chunks).toString());
    const user = USERS[(req.headers.authorization || '').replace('Bearer ', '')];
    const channel = form.get('channel_name');
    if (!user || (channel === 'private-orders.1' && user.id !== 1)) {
      res.writeHead(403).end();
      return;
    }
    const presence = channel.startsWith('presence-') ? { user_id: String(user.id), user_info: user } : undefined;
    res.writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(backend.authorizeChannel(form.get('socket_id'), channel, presence)));
  });
});
await new Promise((ok) => auth.listen(0, '127.0.0.1', ok));
const authEndpoint = `http://127.0.0.1:${auth.address().port}/broadcasting/auth`;

function echo(user, port) {
  const e = new Echo({
    broadcaster: 'pusher', key: APP.key, cluster: 'mt1', wsHost: '127.0.0.1', wsPort: port, forceTLS: false,
    enabledTransports: ['ws'], disableStats: true, Pusher, authEndpoint, bearerToken: user,
    // Echo's default auth headers object is shared by every Echo of a process: give each its own.
    auth: { headers: {} }, userAuthentication: { endpoint: '/broadcasting/user-auth', headers: {} },
  });
  echoes.push(e);
  return e;
}
function within(ms, what, start) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out: ' + what)), ms);
    start((v) => { clearTimeout(t); resolve(v); }, (x) => { clearTimeout(t); reject(x); });
  });
}
const ready = (ch, what) => within(5000, what, (ok, fail) => ch.subscribed(ok).error((x) => fail(new Error(what + ': ' + JSON.stringify(x)))));

try {
  const ann = echo('ann', portA);
  const bob = echo('bob', portB);
  const eve = echo('eve', portA);

  // Public channel: a Laravel broadcast (here: the pusher SDK's trigger, as Laravel's pusher driver does).
  const pub = ann.channel('orders');
  await ready(pub, 'orders');
  const shipped = within(5000, 'OrderShipped', (ok) => pub.listen('.OrderShipped', ok));
  await backend.trigger('orders', 'OrderShipped', { order: { id: 7 } });
  assert.deepEqual(await shipped, { order: { id: 7 } });
  check('echo: public channel listen');

  // Private channel through the auth endpoint; a user the backend refuses gets the error callback.
  const mine = ann.private('orders.1');
  await ready(mine, 'private-orders.1');
  const updated = within(5000, 'App\\Events\\OrderUpdated', (ok) => mine.listen('OrderUpdated', ok));
  await backend.trigger('private-orders.1', 'App\\Events\\OrderUpdated', { status: 'paid' });
  assert.deepEqual(await updated, { status: 'paid' });
  const refused = await within(5000, 'refused private channel', (ok) => eve.private('orders.1').error(ok));
  assert.equal(refused.status, 403);
  check('echo: private channel with the auth endpoint');

  // Presence: here, joining, leaving.
  const annRoom = ann.join('room');
  const annHere = await within(5000, 'ann here', (ok) => annRoom.here(ok));
  assert.deepEqual(annHere, [USERS.ann]);
  const joined = within(5000, 'bob joining', (ok) => annRoom.joining(ok));
  const bobRoom = bob.join('room');
  const bobHere = await within(5000, 'bob here', (ok) => bobRoom.here(ok));
  assert.deepEqual(bobHere.map((u) => u.id).sort(), [1, 2]);
  assert.deepEqual(await joined, USERS.bob);

  // Whisper (a client event): bob's typing reaches ann, not bob.
  const typing = within(5000, 'whisper', (ok) => annRoom.listenForWhisper('typing', ok));
  bobRoom.whisper('typing', { name: 'Bob' });
  assert.deepEqual(await typing, { name: 'Bob' });
  check('echo: presence here and joining, whisper');

  const left = within(5000, 'bob leaving', (ok) => annRoom.leaving(ok));
  bob.leave('room');
  assert.deepEqual(await left, USERS.bob);
  check('echo: presence leaving');

  console.log('echo: ok');
  echoes.forEach((e) => e.disconnect());
  auth.close();
  process.exit(0);
} catch (x) {
  console.log('echo: FAILED: ' + (x.stack || x));
  echoes.forEach((e) => e.disconnect());
  process.exit(1);
}
