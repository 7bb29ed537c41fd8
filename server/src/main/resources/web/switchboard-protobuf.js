// switchboard.v1.protobuf for switchboard.js: a hand-written codec of the schema in docs/protocol.md 14
// (varint-delimited Envelopes in binary frames). Use: new SwitchboardClient(url, { protocol: protobuf }).
const TYPES = ['', 'subscribe', 'unsubscribe', 'publish', 'presence', 'history', 'refresh', 'ping', 'pong',
  'welcome', 'ack', 'error', 'message', 'presenceUpdate', 'presenceDiff', 'presenceCount', 'unsubscribed', 'rpc',
  'subscribed'];
// field number -> [name, kind]: v varint, s string, b bytes, t bool, p Position, y type, n id number
const FIELDS = [, ['v', 'v'], ['type', 'y'], ['id', 's'], ['id', 'n'], ['channel', 's'], ['payload', 'b'],
  ['since', 'p'], ['offset', 'v'], ['epoch', 's'], ['ts', 'v'], ['from', 's'], ['token', 's'],
  ['idempotencyKey', 's'], ['limit', 'v'], ['reverse', 't'], ['cursor', 's'], ['code', 's'], ['message', 's'],
  ['retryable', 't'], ['method', 's']];
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
// Types whose payload is a JSON document the server wrote; a message's is the publisher's bytes.
const DOCS = new Set(['welcome', 'ack', 'presenceUpdate', 'presenceDiff', 'presenceCount', 'subscribed']);

/** JSON when the bytes are exactly one JSON value in UTF-8 (protocol.md 3.6), else the bytes themselves. */
export function payloadValue(bytes) {
  const n = bytes.length;
  const ws = (c) => c === 32 || c === 9 || c === 10 || c === 13;
  if (n && !ws(bytes[0]) && !ws(bytes[n - 1])) {
    try { return JSON.parse(dec.decode(bytes)); } catch { /* binary */ }
  }
  return bytes;
}

function varint(out, v) {
  while (v > 127) { out.push((v % 128) | 128); v = Math.floor(v / 128); }
  out.push(v);
}

function field(out, num, kind, val) {
  if (kind === 's' || kind === 'b' || kind === 'p') {
    const body = kind === 's' ? enc.encode(val) : kind === 'b' ? val : position(val);
    varint(out, num * 8 + 2); varint(out, body.length);
    for (const x of body) out.push(x);
  } else {
    varint(out, num * 8);
    varint(out, kind === 't' ? (val ? 1 : 0) : kind === 'y' ? TYPES.indexOf(val) : val);
  }
}

function position(p) {
  const out = [];
  field(out, 1, 's', p.epoch);
  field(out, 2, 'v', p.offset);
  return out;
}

function message(obj) {
  const out = [];
  for (let f = 1; f < FIELDS.length; f++) {
    const [name, kind] = FIELDS[f];
    const val = obj[name];
    // A numeric id goes in id_number (field 4), any other in id (field 3).
    if (val == null || (name === 'id' && (kind === 'n') !== (typeof val === 'number'))) continue;
    field(out, f, kind, val);
  }
  return Uint8Array.from(out);
}

/** One envelope object (as switchboard.js builds them) as a delimited Protobuf envelope. */
export function encodeEnvelope(env) {
  const e = { ...env, v: undefined };
  if (env.payload !== undefined && env.payload !== null) {
    e.payload = env.payload instanceof Uint8Array ? env.payload : enc.encode(JSON.stringify(env.payload));
  }
  const body = message(e);
  const out = [];
  varint(out, body.length);
  const frame = new Uint8Array(out.length + body.length);
  frame.set(out);
  frame.set(body, out.length);
  return frame;
}

class Reader {
  constructor(buf, pos, end) { this.b = buf; this.pos = pos; this.end = end; }
  varint() {
    let v = 0;
    for (let shift = 1; ; shift *= 128) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const c = this.b[this.pos++];
      v += (c & 127) * shift;
      if (c < 128) return v;
      if (shift > 2 ** 63) throw new Error('varint too long');
    }
  }
  bytes() {
    const n = this.varint();
    if (n > this.end - this.pos) throw new Error('length past the end');
    return this.b.subarray(this.pos, (this.pos += n));
  }
  skip(wire) {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1 || wire === 5) this.pos += wire === 1 ? 8 : 4;
    else throw new Error(`wire type ${wire}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
}

function decodeEnvelope(r) {
  const env = { v: 1 };
  while (r.pos < r.end) {
    const tag = r.varint();
    const num = Math.floor(tag / 8);
    const wire = tag % 8;
    const f = FIELDS[num];
    if (!f || wire !== (f[1] === 's' || f[1] === 'b' || f[1] === 'p' ? 2 : 0)) { r.skip(wire); continue; }
    const [name, kind] = f;
    if (kind === 's') env[name] = dec.decode(r.bytes());
    else if (kind === 'b') env[name] = r.bytes().slice();
    else if (kind === 'p') env.since = positionOf(r.bytes());
    else {
      const v = r.varint();
      env[name] = kind === 't' ? v !== 0 : kind === 'y' ? (TYPES[v] ?? `#${v}`) : v;
    }
  }
  if (env.payload && env.type !== 'publish') {
    env.payload = DOCS.has(env.type) ? JSON.parse(dec.decode(env.payload)) : payloadValue(env.payload);
  }
  return env;
}

function positionOf(body) {
  const r = new Reader(body, 0, body.length);
  const p = {};
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 10) p.epoch = dec.decode(r.bytes());
    else if (tag === 16) p.offset = r.varint();
    else r.skip(tag % 8);
  }
  return p;
}

/** The envelopes of one binary message (an ArrayBuffer or a Uint8Array); throws when it is malformed. */
export function decodeFrame(data) {
  if (typeof data === 'string') throw new Error('a text frame on switchboard.v1.protobuf');
  const b = data instanceof Uint8Array ? data : new Uint8Array(data);
  const r = new Reader(b, 0, b.length);
  const out = [];
  while (r.pos < r.end) {
    const n = r.varint();
    if (n > r.end - r.pos) throw new Error('length past the end');
    out.push(decodeEnvelope(new Reader(b, r.pos, (r.pos += n))));
  }
  return out;
}

/** The protocol option of SwitchboardClient. */
export const protobuf = {
  subprotocol: 'switchboard.v1.protobuf',
  binary: true,
  encode: encodeEnvelope,
  decode: decodeFrame,
};
