// Switchboard browser client, protocol v1 (JSON over WebSocket). No dependencies, no build step:
//   import { SwitchboardClient } from '/switchboard.js';
// The binary subprotocol is an option: import { protobuf } from '/switchboard-protobuf.js' and pass
// { protocol: protobuf }. See docs/client-js.md for the API and the reconnect rules.

export const SUBPROTOCOL = 'switchboard.v1.json';
const CHANNEL_RE = /^[A-Za-z0-9_\-=@.:#,/]{1,255}$/;
const UTF8 = new TextEncoder();

function toBase64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A payload that is not JSON arrives in `payloadBase64` (protocol.md 3.6): hand it on as bytes. */
function binaryPayload(obj) {
  if (obj && typeof obj.payloadBase64 === 'string') {
    obj.payload = fromBase64(obj.payloadBase64);
    delete obj.payloadBase64;
  }
  return obj;
}

/** switchboard.v1.json: envelopes as JSON text; a Uint8Array payload goes as `payloadBase64`. */
export const json = {
  subprotocol: SUBPROTOCOL,
  binary: false,
  encode(env) {
    if (!(env.payload instanceof Uint8Array)) return JSON.stringify(env);
    const { payload, ...rest } = env;
    return JSON.stringify({ ...rest, payloadBase64: toBase64(payload) });
  },
  decode(data) {
    if (typeof data !== 'string') throw new Error('a binary frame on switchboard.v1.json');
    const parsed = JSON.parse(data);
    return (Array.isArray(parsed) ? parsed : [parsed]).map(binaryPayload);
  },
};

/** The error every rejected command and every reported problem carries. */
export class SwitchboardError extends Error {
  constructor(code, message, retryable = false) {
    super(message || code);
    this.name = 'SwitchboardError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** The server's reconnect rule: 45xx and deliberate/protocol closes are final, the rest are transient. */
export function shouldReconnect(code) {
  if (code >= 4000 && code <= 4499) return true;
  return code === 1001 || code === 1006 || code === 1011 || code === 1012 || code === 1013 || code === 1014;
}

/** Exponential backoff with full jitter: spreads a crowd of reconnecting clients evenly over the window. */
export function backoffDelay(attempt, minMs, maxMs, random = Math.random) {
  return random() * Math.min(maxMs, minMs * 2 ** attempt);
}

function checkChannel(channel) {
  if (typeof channel !== 'string' || !CHANNEL_RE.test(channel) || channel.startsWith(':')) {
    throw new TypeError(`invalid channel name: ${channel}`);
  }
}

function checkPosition(p) {
  if (!p || typeof p.epoch !== 'string' || !Number.isInteger(p.offset) || p.offset < 0) {
    throw new TypeError('since must be {epoch: string, offset: integer >= 0}');
  }
  return { epoch: p.epoch, offset: p.offset };
}

/** Returned by subscribe(); the client keeps it alive across reconnects until unsubscribe(). */
export class Subscription {
  constructor(client, channel, handlers) {
    this.channel = channel;
    this.active = true;
    // Position in the channel's stream (history channels only): the last message delivered, or the
    // stream's top from the subscribe ack. Used for `since` on resubscribe and for de-duplication.
    this.epoch = null;
    this.offset = null;
    this._client = client;
    this._handlers = handlers;
    this._everSubscribed = false;
    this._tries = 0;
    this._timer = null;
    // True for a subscription the server made (a `subscribed` push), not subscribe().
    this.server = false;
    this._held = null; // live messages held back while a history read fills the gap before them
  }

  unsubscribe() {
    if (!this.active) return;
    this.active = false;
    this._client._dropSubscription(this);
  }
}

export class SwitchboardClient {
  constructor(url, options = {}) {
    this.url = url;
    this._token = options.token ?? null;
    this._getToken = options.getToken ?? null;
    this._minDelay = options.minReconnectDelayMs ?? 500;
    this._maxDelay = options.maxReconnectDelayMs ?? 20000;
    this._commandTimeout = options.commandTimeoutMs ?? 10000;
    this._maxQueued = options.maxQueuedCommands ?? 100;
    this._stableAfter = options.stableAfterMs ?? 5000;
    // Called with the channel when the server subscribes this client on its own (a `subscribed` push for a
    // channel it did not subscribe to): returns the handlers of the new Subscription, like subscribe()'s.
    this._onServerSubscription = options.onServerSubscription ?? null;
    // The wire format: `json` (the default) or `protobuf` from switchboard-protobuf.js.
    this._protocol = options.protocol ?? json;
    // Injection points, so tests can run without a network or a wall clock.
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this._random = options.random ?? Math.random;
    this._now = options.now ?? (() => Date.now());
    this._setTimeout = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this._clearTimeout = options.clearTimeout ?? ((t) => clearTimeout(t));

    this._state = 'disconnected';
    this._listeners = new Map();
    this._subs = new Map(); // channel -> Subscription
    this._pending = new Map(); // String(id) -> {frame, done, timer, sent, sentAt}
    this._nextId = 1;
    this._ws = null;
    this._welcome = null; // welcome payload while the current socket is usable
    this._welcomeAt = null;
    this._attempt = 0;
    this._generation = 0; // bumped by close() so a late getToken() result is ignored
    this._retryTimer = null;
    this._watchdog = null;
    this._lastError = null;
  }

  get state() { return this._state; }
  /** The welcome payload of the current connection, or null. */
  get session() { return this._welcome; }

  on(event, fn) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(fn);
    return () => this.off(event, fn);
  }

  off(event, fn) { this._listeners.get(event)?.delete(fn); }

  connect() {
    if (this._ws || this._retryTimer || this._state === 'connecting') return;
    this._attempt = 0;
    this._open();
  }

  close() {
    const ws = this._ws;
    this._generation++;
    this._abandonSocket(1000, 'client closed');
    this._clearTimer('_retryTimer');
    if (this._state === 'closed' && !ws) return;
    this._terminate(1000, 'closed by the client', false);
  }

  subscribe(channel, handlers = {}) {
    checkChannel(channel);
    // One subscription per channel: the server allows one per connection, so two here would fight.
    if (this._subs.has(channel)) throw new Error(`already subscribed to ${channel}`);
    const sub = new Subscription(this, channel, handlers);
    this._subs.set(channel, sub);
    if (this._welcome) this._sendSubscribe(sub);
    return sub;
  }

  publish(channel, payload, { idempotencyKey } = {}) {
    const fields = { channel, payload: payload === undefined ? null : payload };
    if (idempotencyKey != null) fields.idempotencyKey = String(idempotencyKey);
    return this._command('publish', fields);
  }

  /**
   * Reads a channel's stored messages. Resolves with the ack payload
   * `{epoch, offset, publications: [{offset, ts, from, payload}]}`; `reverse: true` gives the newest first.
   * `since: {epoch, offset}` returns only what came after that position (error `unrecoverable` when the
   * stream's epoch is no longer that one).
   */
  history(channel, { limit, reverse, since } = {}) {
    checkChannel(channel);
    const fields = { channel };
    if (limit != null) {
      if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`invalid history limit: ${limit}`);
      fields.limit = limit;
    }
    if (reverse != null) fields.reverse = Boolean(reverse);
    if (since != null) fields.since = checkPosition(since);
    return this._command('history', fields).then((page) => {
      for (const p of page?.publications ?? []) binaryPayload(p);
      return page;
    });
  }

  /**
   * One page of who is subscribed to a channel: resolves with `{clients: [{clientId, userId, info}], users,
   * connections, cursor?}`, the connections ordered by id. `limit` (0-1000, default 1000; 0 gives the
   * counts alone); pass the `cursor` of a page to get the next one (absent on the last page).
   */
  presence(channel, { limit, cursor } = {}) {
    checkChannel(channel);
    const fields = { channel };
    if (limit != null) {
      if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`invalid presence limit: ${limit}`);
      fields.limit = limit;
    }
    if (cursor != null) {
      if (typeof cursor !== 'string' || cursor === '') throw new TypeError('invalid presence cursor');
      fields.cursor = cursor;
    }
    return this._command('presence', fields);
  }

  /**
   * Every page of a channel's presence, read one after the other: resolves with `{clients, users,
   * connections}` (the counts of the last page read). Meant for channels under the namespace's count
   * threshold; a large channel is better shown by its count.
   */
  async presenceAll(channel, { pageSize = 1000 } = {}) {
    const clients = [];
    let page = await this.presence(channel, { limit: pageSize });
    clients.push(...(page.clients ?? []));
    while (page.cursor) {
      page = await this.presence(channel, { limit: pageSize, cursor: page.cursor });
      clients.push(...(page.clients ?? []));
    }
    return { clients, users: page.users, connections: page.connections };
  }

  /**
   * Calls the application's backend over this connection (the `rpc` command): resolves with the backend's
   * result (null when it returned none), rejects with a SwitchboardError (`forbidden`, `not_available`,
   * `rate_limited`, `unavailable`, ...). `method`: 1 to 64 of A-Z a-z 0-9 _ . : -
   */
  rpc(method, payload) {
    if (typeof method !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(method)) throw new TypeError(`invalid rpc method: ${method}`);
    const fields = { method };
    if (payload !== undefined) fields.payload = payload;
    return this._command('rpc', fields).then((v) => (v === undefined ? null : v));
  }

  /** Resolves with the round-trip time in milliseconds. */
  ping() { return this._command('ping', {}); }

  /** Hands the server a fresh token for the live connection; later reconnects use it too. */
  refresh(token) {
    this._token = token;
    return this._command('refresh', { token });
  }

  // ---- connection lifecycle ----

  _open() {
    this._setState('connecting');
    if (!this._getToken) return this._dial(this._token);
    const generation = this._generation;
    // Ask for a token before every attempt: the previous one may have expired (close 4004).
    Promise.resolve().then(() => this._getToken()).then(
      (token) => { if (generation === this._generation) this._dial(token); },
      (e) => {
        if (generation !== this._generation) return;
        this._emit('error', new SwitchboardError('token_unavailable', `getToken failed: ${e?.message ?? e}`, true));
        this._lost(0, 'could not get a token', true);
      });
  }

  _dial(token) {
    let ws;
    try {
      ws = new this._WebSocket(this._buildUrl(token), [this._protocol.subprotocol]);
      if (this._protocol.binary) ws.binaryType = 'arraybuffer';
    } catch (e) {
      // A malformed URL will not fix itself by retrying.
      this._emit('error', new SwitchboardError('bad_url', e?.message ?? String(e)));
      return this._terminate(0, `cannot open WebSocket: ${e?.message ?? e}`, true);
    }
    this._ws = ws;
    this._lastError = null;
    ws.onmessage = (ev) => { if (ws === this._ws) this._onFrame(ev.data); };
    ws.onclose = (ev) => {
      if (ws !== this._ws) return;
      this._ws = null;
      this._lost(ev.code, ev.reason || this._lastError?.message || '');
    };
    ws.onerror = () => {}; // carries no detail; the close event that follows has the code
    // Until the welcome tells us the heartbeat, bound the handshake by the command timeout.
    this._armWatchdog(this._commandTimeout, 'no welcome from the server');
  }

  _buildUrl(token) {
    const u = new URL(this.url, globalThis.location?.href);
    if (u.protocol === 'http:') u.protocol = 'ws:';
    if (u.protocol === 'https:') u.protocol = 'wss:';
    if (token) u.searchParams.set('access_token', token);
    return u.toString();
  }

  /** Stop listening to the current socket and close it without waiting for its close event. */
  _abandonSocket(code, reason) {
    const ws = this._ws;
    this._ws = null;
    this._clearTimer('_watchdog');
    if (!ws) return;
    ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(code, reason); } catch { /* already closing */ }
  }

  _armWatchdog(ms, what) {
    this._clearTimer('_watchdog');
    this._watchdog = this._setTimeout(() => {
      this._watchdog = null;
      // A dead TCP path may never deliver a close event, so do not wait for one.
      this._abandonSocket(4000, 'heartbeat_timeout');
      this._lost(4000, `${what} for ${ms} ms`);
    }, ms);
  }

  /** The socket is gone: fail in-flight commands, then reconnect or stop for good. */
  _lost(code, reason, forceRetry = false) {
    this._clearTimer('_watchdog');
    // Reset the backoff only after a connection that stayed up; a server that accepts and
    // immediately drops us must not be hammered at the minimum delay.
    if (this._welcomeAt != null && this._now() - this._welcomeAt >= this._stableAfter) this._attempt = 0;
    this._welcome = null;
    this._welcomeAt = null;
    for (const sub of this._subs.values()) this._clearTimer('_timer', sub);
    for (const [id, e] of this._pending) {
      // It may or may not have reached the server; only the caller knows whether a retry is safe.
      if (e.sent) this._settle(id, new SwitchboardError('disconnected', `connection lost (${code}) before a reply`, true));
    }
    let retry = forceRetry || shouldReconnect(code);
    if (code === 4004 && !this._getToken) {
      retry = false; // the same expired token would be refused again
      reason = 'token expired and no getToken option to fetch a new one';
    }
    if (!retry) return this._terminate(code, reason, true);
    const delay = backoffDelay(this._attempt++, this._minDelay, this._maxDelay, this._random);
    this._setState('disconnected');
    this._emit('disconnected', { code, reason, willRetry: true, retryInMs: delay });
    this._retryTimer = this._setTimeout(() => { this._retryTimer = null; this._open(); }, delay);
  }

  _terminate(code, reason, fromServer) {
    this._welcome = null;
    this._welcomeAt = null;
    for (const sub of this._subs.values()) this._clearTimer('_timer', sub);
    for (const id of [...this._pending.keys()]) {
      this._settle(id, new SwitchboardError('closed', `connection closed (${code}${reason ? ': ' + reason : ''})`));
    }
    if (fromServer) this._emit('disconnected', { code, reason, willRetry: false });
    this._setState('closed');
    this._emit('closed', { code, reason });
  }

  // ---- incoming frames ----

  _onFrame(data) {
    // Any frame proves the connection alive; before the welcome keep the handshake deadline.
    if (this._welcome) this._armHeartbeatWatchdog();
    let parsed;
    try {
      parsed = this._protocol.decode(data);
    } catch (e) {
      return this._emit('error', new SwitchboardError('bad_request',
        `server sent a frame that is not ${this._protocol.subprotocol}: ${e?.message ?? e}`));
    }
    for (const env of parsed) {
      if (env && typeof env === 'object' && this._ws) this._onEnvelope(env);
    }
  }

  _armHeartbeatWatchdog() {
    const hb = this._welcome.heartbeat ?? {};
    this._armWatchdog((hb.intervalMs ?? 25000) + (hb.timeoutMs ?? 10000), 'no frame from the server');
  }

  _onEnvelope(env) {
    const sub = env.channel != null ? this._subs.get(env.channel) : undefined;
    switch (env.type) {
      case 'welcome': return this._onWelcome(env.payload ?? {});
      case 'ping': return this._send(env.id != null ? { v: 1, type: 'pong', id: env.id } : { v: 1, type: 'pong' });
      case 'pong': {
        const e = this._pending.get(String(env.id));
        return e && this._settle(String(env.id), null, this._now() - e.sentAt);
      }
      case 'ack': return this._settle(String(env.id), null, env.payload);
      case 'error': {
        const err = new SwitchboardError(env.code ?? 'internal', env.message, env.retryable === true);
        if (env.id != null) return this._settle(String(env.id), err);
        this._lastError = err; // usually explains the close that follows
        return this._emit('error', err);
      }
      case 'message': return sub && (sub._held ? sub._held.push(env) : this._deliver(sub, env));
      case 'subscribed': return this._onServerSubscribed(sub, env);
      case 'presenceUpdate': return sub && this._call(sub._handlers.onPresence, env.payload, env);
      case 'presenceDiff': return sub && this._presenceDiff(sub, env);
      case 'presenceCount': return sub && this._call(sub._handlers.onPresenceCount, env.payload, env);
      case 'unsubscribed':
        if (!sub) return;
        // `unavailable`: the node may have missed messages while its link to the cluster was down.
        // Subscribing again from the last position recovers them (or onSubscribed says why not).
        if (env.code === 'unavailable') return this._sendSubscribe(sub);
        this._subs.delete(sub.channel);
        sub.active = false;
        return this._call(sub._handlers.onUnsubscribed, { code: env.code, message: env.message });
      default: return; // newer servers may add types; ignoring them keeps old clients working
    }
  }

  /**
   * A window's joins and leaves: to `onPresenceDiff` when the subscription has one, else one `onPresence`
   * call per user in the form of a `presenceUpdate`, so handlers written for those keep working.
   */
  _presenceDiff(sub, env) {
    const p = env.payload ?? {};
    if (sub._handlers.onPresenceDiff) return this._call(sub._handlers.onPresenceDiff, p, env);
    for (const userId of p.joins ?? []) this._call(sub._handlers.onPresence, { userId, status: 'online' }, env);
    for (const userId of p.leaves ?? []) this._call(sub._handlers.onPresence, { userId, status: 'offline' }, env);
  }

  _onWelcome(payload) {
    this._welcome = payload;
    this._welcomeAt = this._now();
    this._armHeartbeatWatchdog();
    this._setState('connected');
    for (const sub of this._subs.values()) this._sendSubscribe(sub);
    for (const [id, e] of this._pending) if (!e.sent) this._transmit(id, e); // queued while offline, in order
    this._emit('connected', payload);
  }

  /**
   * The server subscribed this client to a channel. A new channel becomes a Subscription with the handlers
   * `onServerSubscription` gives; one the client already follows (its own, or a server one after a reconnect)
   * recovers like its own: when the push's position is ahead of ours in the same epoch, the gap is read with
   * history and delivered before the live messages, which are held back meanwhile.
   */
  _onServerSubscribed(sub, env) {
    if (!sub) {
      const handlers = (this._onServerSubscription && this._onServerSubscription(env.channel)) || {};
      sub = new Subscription(this, env.channel, handlers);
      sub.server = true;
      this._subs.set(env.channel, sub);
    }
    const p = env.payload ?? {};
    const done = (recovered) => {
      const held = sub._held ?? [];
      sub._held = null;
      for (const m of held) this._deliver(sub, m);
      const info = { ...p, server: true, recovered, resubscribed: sub._everSubscribed };
      sub._everSubscribed = true;
      this._call(sub._handlers.onSubscribed, info);
    };
    const positioned = typeof p.epoch === 'string' && Number.isInteger(p.offset);
    if (!positioned) return done(false);
    if (sub.epoch === p.epoch && Number.isInteger(sub.offset) && p.offset > sub.offset) {
      const since = { epoch: sub.epoch, offset: sub.offset };
      const gap = p.offset - sub.offset;
      sub._held = [];
      this.history(sub.channel, { since, limit: Math.min(gap, 1000) }).then((page) => {
        for (const m of page.publications ?? []) {
          if (m.offset <= p.offset) this._deliver(sub, { ...m, channel: sub.channel, epoch: page.epoch ?? p.epoch });
        }
        done(gap <= 1000);
      }, (err) => {
        this._call(sub._handlers.onError, err);
        sub.epoch = p.epoch;
        sub.offset = p.offset;
        done(false);
      });
      return;
    }
    if (sub.epoch !== p.epoch || !Number.isInteger(sub.offset) || p.offset > sub.offset) {
      sub.epoch = p.epoch;
      sub.offset = p.offset;
    }
    done(false);
  }

  _deliver(sub, env) {
    if (typeof env.offset === 'number' && env.epoch != null) {
      // Recovery replays from `since`, which can overlap what we already delivered.
      if (env.epoch === sub.epoch && env.offset <= sub.offset) return;
      sub.epoch = env.epoch;
      sub.offset = env.offset;
    }
    this._call(sub._handlers.onMessage, env);
  }

  // ---- subscriptions ----

  _sendSubscribe(sub) {
    const fields = { channel: sub.channel };
    if (sub.epoch != null) fields.since = { epoch: sub.epoch, offset: sub.offset };
    // A callback, not a promise: onSubscribed must run before messages later in the same batch.
    this._request('subscribe', fields, (err, payload) => {
      if (!err) return this._subscribed(sub, payload ?? {});
      if (this._subs.get(sub.channel) !== sub) return;
      if (err.code === 'disconnected' || err.code === 'closed') return; // redone on the next welcome
      if (err.code === 'already_subscribed') return this._subscribed(sub, {}); // e.g. a retry after a timeout
      // The server ended the subscription while this subscribe was under way (`unsubscribed` with
      // `unavailable` from a cluster node); it is still wanted, so subscribe again.
      if (err.code === 'not_subscribed') return this._sendSubscribe(sub);
      // The gap cannot be filled (or, with `forbidden`, this user may subscribe but not read the
      // channel's history): start from now, and onSubscribed will say recovered: false.
      if ((err.code === 'unrecoverable' || err.code === 'forbidden') && fields.since) {
        sub.epoch = sub.offset = null;
        return this._sendSubscribe(sub);
      }
      this._call(sub._handlers.onError, err);
      if (err.retryable) {
        const delay = backoffDelay(sub._tries++, this._minDelay, this._maxDelay, this._random);
        sub._timer = this._setTimeout(() => { sub._timer = null; if (this._welcome) this._sendSubscribe(sub); }, delay);
        return;
      }
      this._subs.delete(sub.channel);
      sub.active = false;
      this._call(sub._handlers.onUnsubscribed, { code: err.code, message: err.message });
    });
  }

  _subscribed(sub, payload) {
    if (this._subs.get(sub.channel) !== sub) return;
    sub._tries = 0;
    // Without recovery the server starts us at the stream's current top: remember it, so the next
    // resubscribe can ask for what comes after it even if no message arrived in between. With
    // recovery the replayed messages follow the ack and move the position themselves.
    if (payload.recovered !== true && typeof payload.epoch === 'string' && Number.isInteger(payload.offset)) {
      sub.epoch = payload.epoch;
      sub.offset = payload.offset;
    }
    const info = { ...payload, resubscribed: sub._everSubscribed };
    sub._everSubscribed = true;
    this._call(sub._handlers.onSubscribed, info);
  }

  _dropSubscription(sub) {
    if (this._subs.get(sub.channel) !== sub) return;
    this._subs.delete(sub.channel);
    this._clearTimer('_timer', sub);
    // While offline there is nothing to undo: the server forgets subscriptions with the connection.
    if (this._welcome) this._request('unsubscribe', { channel: sub.channel }, () => {});
  }

  // ---- commands ----

  _command(type, fields) {
    return new Promise((resolve, reject) => this._request(type, fields, (err, v) => (err ? reject(err) : resolve(v))));
  }

  /** Send (or queue) one command; done(error, value) is called exactly once. */
  _request(type, fields, done) {
    if (this._state === 'closed') return done(new SwitchboardError('closed', 'the client is closed; call connect() first'));
    if (!this._welcome) {
      let queued = 0;
      for (const e of this._pending.values()) if (!e.sent) queued++;
      if (queued >= this._maxQueued) {
        return done(new SwitchboardError('queue_full', `${queued} commands already wait for a connection`, true));
      }
    }
    const id = this._nextId++;
    const key = String(id);
    const entry = { frame: { v: 1, type, id, ...fields }, done, sent: false, sentAt: 0 };
    // The deadline covers time spent queued too, so a caller always hears back within it.
    entry.timer = this._setTimeout(() => this._settle(key, new SwitchboardError(
      'timeout', `no reply to ${type} within ${this._commandTimeout} ms`, true)), this._commandTimeout);
    this._pending.set(key, entry);
    if (this._welcome) this._transmit(key, entry);
  }

  _transmit(key, entry) {
    const text = this._protocol.encode(entry.frame);
    const limit = this._welcome?.limits?.maxFrameBytes;
    const size = typeof text === 'string' ? UTF8.encode(text).length : text.byteLength;
    // The server would close the whole connection (1009) for an oversized frame; fail just this command.
    if (limit && size > limit) {
      return this._settle(key, new SwitchboardError('too_large', `command is larger than ${limit} bytes`));
    }
    entry.sent = true;
    entry.sentAt = this._now();
    this._ws.send(text);
  }

  _settle(key, error, value) {
    const e = this._pending.get(key);
    if (!e) return; // late reply to a command that already timed out
    this._pending.delete(key);
    this._clearTimeout(e.timer);
    e.done(error, value);
  }

  _send(obj) { this._ws?.send(this._protocol.encode(obj)); }

  // ---- helpers ----

  _setState(state) {
    if (state === this._state) return;
    this._state = state;
    this._emit('state', state);
  }

  _emit(event, arg) {
    for (const fn of [...(this._listeners.get(event) ?? [])]) this._call(fn, arg);
  }

  /** Run a user callback; its exception must not break frame handling, but should still surface. */
  _call(fn, ...args) {
    if (typeof fn !== 'function') return;
    try { fn(...args); } catch (e) { queueMicrotask(() => { throw e; }); }
  }

  _clearTimer(name, owner = this) {
    if (owner[name] != null) this._clearTimeout(owner[name]);
    owner[name] = null;
  }
}
