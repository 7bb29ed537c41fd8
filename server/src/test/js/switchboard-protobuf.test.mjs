// Unit tests for the browser client's binary subprotocol (switchboard-protobuf.js). Run: node --test server/src/test/js/
// The hex fixtures are bytes the server's own codec writes (ProtobufCodecTest checks them on the Java side).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient, json } from '../../main/resources/web/switchboard.js';
import { protobuf, encodeEnvelope, decodeFrame, payloadValue } from '../../main/resources/web/switchboard-protobuf.js';

const hex = (s) => Uint8Array.from(s.match(/../g), (h) => parseInt(h, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// A batch of three: a message with a binary payload and a position, a message with a JSON payload, an ack.
const BATCH = '20100c2a06636861743a61320200ff40074a02453150fbd0eab6b7335a03626f621a100c2a06636861743a6132077b2261223a317d'
  + '50fcd0eab6b73312100a2003320c7b226f6666736574223a377d';

test('encodes commands exactly as the server codec does', () => {
  assert.equal(toHex(encodeEnvelope({ v: 1, type: 'ping', id: '1' })), '0510071a0131'); // protocol.md 14.1
  assert.equal(toHex(encodeEnvelope({ v: 1, type: 'subscribe', id: 2, channel: 'chat:a', since: { epoch: 'E1', offset: 5 } })),
    '14100120022a06636861743a613a060a0245311005');
});

test('decodes a batch: positions, binary and JSON payloads, numeric ids, JSON documents', () => {
  const [m1, m2, ack] = decodeFrame(hex(BATCH));
  assert.equal(m1.type, 'message');
  assert.equal(m1.channel, 'chat:a');
  assert.equal(m1.offset, 7);
  assert.equal(m1.epoch, 'E1');
  assert.equal(m1.ts, 1767225600123);
  assert.equal(m1.from, 'bob');
  assert.deepEqual(m1.payload, Uint8Array.from([0, 255]));
  assert.deepEqual(m2.payload, { a: 1 });
  assert.equal(m2.offset, undefined);
  assert.equal(ack.type, 'ack');
  assert.equal(ack.id, 3);
  assert.deepEqual(ack.payload, { offset: 7 });
});

test('a payload is JSON only when its bytes are exactly one JSON value', () => {
  const u = (s) => new TextEncoder().encode(s);
  assert.deepEqual(payloadValue(u('[1,"x"]')), [1, 'x']);
  assert.ok(payloadValue(u(' 1')) instanceof Uint8Array);
  assert.ok(payloadValue(Uint8Array.from([0x22, 0xc3, 0x28, 0x22])) instanceof Uint8Array); // not UTF-8
  assert.ok(payloadValue(new Uint8Array(0)) instanceof Uint8Array);
});

test('malformed frames throw, and the client reports them without dropping the connection', () => {
  assert.throws(() => decodeFrame(Uint8Array.from([0x80])));
  assert.throws(() => decodeFrame(Uint8Array.from([5, 0x10])));
  assert.throws(() => decodeFrame(Uint8Array.from([2, 0x0b, 0x00]))); // a group: not in the schema
  const { client, sockets } = fakeClient();
  const errors = [];
  client.on('error', (e) => errors.push(e));
  client.connect();
  sockets[0].push(Uint8Array.from([0x80]));
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'bad_request');
  sockets[0].push('{"v":1,"type":"welcome"}'); // a text frame: the wrong kind
  assert.equal(errors.length, 2);
  assert.equal(client.state, 'connecting');
});

test('unknown fields are skipped, and a batch goes on after them', () => {
  // type=ping, then field 127 (varint 42) and field 30 (fixed32): neither is in the schema.
  const [e] = decodeFrame(Uint8Array.from([11, 0x10, 7, 0xf8, 0x07, 0x2a, 0xf5, 0x01, 1, 2, 3, 4]));
  assert.equal(e.type, 'ping');
  assert.deepEqual(Object.keys(e).sort(), ['type', 'v']);
  assert.equal(decodeFrame(Uint8Array.from([11, 0x10, 7, 0xf8, 0x07, 0x2a, 0xf5, 0x01, 1, 2, 3, 4, 2, 0x10, 8]))[1].type, 'pong');
});

function fakeClient() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url, protocols) { this.protocols = protocols; this.sent = []; sockets.push(this); }
    send(data) { this.sent.push(data); }
    close() {}
    push(data) { this.onmessage?.({ data: data instanceof Uint8Array ? data.buffer.slice(data.byteOffset, data.byteOffset + data.length) : data }); }
  }
  const client = new SwitchboardClient('ws://example.test/ws', {
    token: 't', WebSocket: FakeWebSocket, protocol: protobuf, setTimeout: () => 0, clearTimeout: () => {},
  });
  return { client, sockets };
}

const WELCOME = encodeEnvelope({ type: 'welcome', payload: { sessionId: 's', userId: 'u', heartbeat: { intervalMs: 1000, timeoutMs: 500 }, limits: { maxFrameBytes: 65536 } } });

test('a client with protocol: protobuf offers the binary subprotocol and speaks binary frames both ways', async () => {
  const { client, sockets } = fakeClient();
  const got = [];
  client.connect();
  const ws = sockets[0];
  assert.deepEqual(ws.protocols, ['switchboard.v1.protobuf']);
  assert.equal(ws.binaryType, 'arraybuffer');
  client.subscribe('chat:a', { onMessage: (m) => got.push(m.payload) });
  ws.push(WELCOME);
  const [sub] = decodeFrame(ws.sent[0]);
  assert.equal(sub.type, 'subscribe');
  assert.equal(sub.channel, 'chat:a');
  ws.push(encodeEnvelope({ type: 'ack', id: sub.id, payload: { epoch: 'E1', offset: 6, recovered: false } }));
  ws.push(hex(BATCH)); // offsets 7 then none: both delivered
  assert.deepEqual(got, [Uint8Array.from([0, 255]), { a: 1 }]);

  const published = client.publish('chat:a', Uint8Array.from([1, 2, 3]));
  const [pub] = decodeFrame(ws.sent[ws.sent.length - 1]);
  assert.equal(pub.type, 'publish');
  assert.deepEqual(pub.payload, Uint8Array.from([1, 2, 3]));
  ws.push(encodeEnvelope({ type: 'ack', id: pub.id, payload: { offset: 8, epoch: 'E1' } }));
  assert.deepEqual(await published, { offset: 8, epoch: 'E1' });

  client.publish('chat:a', { text: 'hi' });
  const [pub2] = decodeFrame(ws.sent[ws.sent.length - 1]);
  assert.equal(new TextDecoder().decode(pub2.payload), '{"text":"hi"}');

  // The server's heartbeat ping is answered with a binary pong.
  ws.push(encodeEnvelope({ type: 'ping' }));
  const [pong] = decodeFrame(ws.sent[ws.sent.length - 1]);
  assert.equal(pong.type, 'pong');
  assert.equal(pong.id, undefined);
});

test('the JSON protocol carries binary payloads in payloadBase64 both ways', () => {
  const frame = json.encode({ v: 1, type: 'publish', id: 1, channel: 'c', payload: Uint8Array.from([0, 255, 97]) });
  assert.equal(frame, '{"v":1,"type":"publish","id":1,"channel":"c","payloadBase64":"AP9h"}');
  const [m] = json.decode('{"v":1,"type":"message","channel":"c","ts":1,"payloadBase64":"AP9h"}');
  assert.deepEqual(m.payload, Uint8Array.from([0, 255, 97]));
  assert.equal(m.payloadBase64, undefined);
  assert.deepEqual(json.decode('[{"v":1,"type":"message","payload":{"a":1}}]')[0].payload, { a: 1 });
});
