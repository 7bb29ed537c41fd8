// permessage-deflate on and off, measured on one machine (docs/benchmarks.md, "permessage-deflate"):
//   node bench/deflate/measure.mjs [--idle 2000] [--subscribers 500] [--rate 20] [--seconds 20] [--payload 600]
//                                  [--histogram PREFIX]   (class histogram at full idle: PREFIX-off.txt, PREFIX-on.txt)
// For each mode (off, then on) it starts a fresh node from server/target/switchboard.jar with the
// bench's flags (abuse limits off) and the launcher's JVM options, then:
//   idle:   opens --idle connections that offer permessage-deflate (ws perMessageDeflate) in mode on and
//           not in mode off, each subscribed to one of 100 channels; RSS of the node before and after
//           (after a full GC), per connection;
//   fanout: --subscribers connections on one channel, one publisher sending --rate messages a second
//           for --seconds with a JSON payload of about --payload bytes (mixed text and numbers, not
//           padding); the node's CPU time (utime + stime) per delivery, and the bytes the subscribers'
//           sockets read per delivery (frame headers included).
// Uses the ws package installed in bench/peers (npm ci there). Prints one JSON line per mode.
import WebSocket from '../peers/node_modules/ws/index.js';
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const IDLE = arg('idle', 2000), SUBS = arg('subscribers', 500), RATE = arg('rate', 20), SECONDS = arg('seconds', 20),
  PAYLOAD = arg('payload', 600);
const SECRET = 'bench-deflate-secret-bench-deflate-secret';
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = (sub) => {
  const head = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });
  return head + '.' + createHmac('sha256', SECRET).update(head).digest('base64url');
};

function payload(seq) {
  const items = [];
  let s = `{"seq":${seq},"sent":${Date.now()},"room":"orders-eu-west","items":[`;
  for (let i = 0; s.length < PAYLOAD - 40; i++) {
    const item = `{"sku":"SKU-${(seq * 7919 + i * 104729) % 100000}","qty":${(seq + i) % 9 + 1},`
      + `"price":${((seq * 31 + i * 17) % 10000) / 100},"name":"${['blue mug', 'desk lamp', 'usb cable', 'notebook', 'headphones'][i % 5]}"}`;
    s += (i ? ',' : '') + item;
  }
  return s + '],"status":"updated"}';
}

const procStat = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (100 a second)
};
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const gc = (pid) => execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'ignore' });

function connect(port, user, deflate, channel, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?access_token=${token(user)}`, 'switchboard.v1.json',
      { perMessageDeflate: deflate });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"type":"ping"')) ws.send('{"v":1,"type":"pong"}');
      if (text.includes('"type":"welcome"')) {
        if (channel) ws.send(JSON.stringify({ v: 1, type: 'subscribe', id: 's', channel }));
        else resolve(ws);
      }
      if (text.includes('"id":"s"')) resolve(ws);
      if (onMessage) onMessage(text);
    });
    ws.on('error', reject);
  });
}

async function inBatches(n, make) {
  const out = [];
  for (let i = 0; i < n; i += 200) {
    out.push(...await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => make(i + k))));
  }
  return out;
}

async function mode(compression, port) {
  const node = spawn('java', ['-XX:+UseParallelGC', '-Xmn16m', '-XX:MetaspaceSize=64m', '-jar',
    join(root, 'server/target/switchboard.jar'), 'serve', '--port', String(port), '--jwt-secret', SECRET,
    '--commands-per-second', '0', '--new-connections-per-second-per-ip', '0', '--max-connections-per-ip', '0',
    '--max-connections-per-user', '0', '--drain-window', '200ms', '--compression', compression], { stdio: 'ignore' });
  const deflate = compression === 'on';
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break; } catch { /* not yet */ }
      if (i > 100) throw new Error('node did not start');
      await sleep(200);
    }
    // idle
    await sleep(2000); gc(node.pid); await sleep(1000);
    const rss0 = rssKiB(node.pid);
    const idle = await inBatches(IDLE, (i) => connect(port, 'idle' + i, deflate, 'idle-' + (i % 100)));
    await sleep(3000); gc(node.pid); await sleep(1000);
    const rss1 = rssKiB(node.pid);
    const histogram = process.argv.indexOf('--histogram');
    if (histogram > 0) { // the node's live objects at this point, for comparing the two modes class by class
      writeFileSync(`${process.argv[histogram + 1]}-${compression}.txt`, execFileSync('jcmd', [String(node.pid), 'GC.class_histogram']));
    }
    const negotiated = idle.filter((w) => w.extensions === 'permessage-deflate').length;
    idle.forEach((w) => w.terminate());
    await sleep(2000);
    // fan-out
    let deliveries = 0;
    const subs = await inBatches(SUBS, (i) => connect(port, 'sub' + i, deflate, 'fan', (t) => {
      deliveries += (t.match(/"type":"message"/g) || []).length;
    }));
    const pub = await connect(port, 'publisher', false, null);
    await sleep(1000);
    const read0 = subs.reduce((a, w) => a + w._socket.bytesRead, 0);
    const d0 = deliveries, cpu0 = procStat(node.pid), t0 = Date.now();
    let seq = 0;
    const sample = payload(0);
    while (Date.now() - t0 < SECONDS * 1000) {
      pub.send(JSON.stringify({ v: 1, type: 'publish', id: String(++seq), channel: 'fan' }).slice(0, -1)
        + ',"payload":' + payload(seq) + '}');
      await sleep(1000 / RATE);
    }
    const want = d0 + seq * SUBS;
    for (let i = 0; i < 100 && deliveries < want; i++) await sleep(100);
    const cpu1 = procStat(node.pid);
    const read1 = subs.reduce((a, w) => a + w._socket.bytesRead, 0);
    const n = deliveries - d0;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const metric = (name) => metrics.split('\n').filter((l) => l.startsWith(name)).map((l) => Number(l.split(' ').pop()))
      .reduce((a, b) => a + b, 0);
    console.log(JSON.stringify({
      compression, idleConnections: IDLE, negotiated, rssPerIdleConnectionBytes: Math.round((rss1 - rss0) * 1024 / IDLE),
      subscribers: SUBS, publications: seq, deliveries: n, lost: want - deliveries,
      payloadBytes: sample.length, wireBytesPerDelivery: +((read1 - read0) / n).toFixed(1),
      cpuMicrosPerDelivery: +((cpu1 - cpu0) * 10000 / n).toFixed(2),
      fanoutCompressions: metric('switchboard_deflate_compressions_total{scope="fanout"'),
      compressedFramesOut: metric('switchboard_deflate_frames_out_total'),
    }));
    subs.forEach((w) => w.terminate());
    pub.terminate();
  } finally {
    node.kill('SIGTERM');
    await new Promise((r) => node.once('exit', r));
  }
}

const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
await mode('off', 18000 + Math.floor(Math.random() * 1000));
await mode('on', 19000 + Math.floor(Math.random() * 1000));
console.log(JSON.stringify({ loadavgBefore: loadBefore, loadavgAfter: readFileSync('/proc/loadavg', 'utf8').trim() }));
process.exit(0);
