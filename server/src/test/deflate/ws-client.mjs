// A Node `ws` client with perMessageDeflate (compressing everything it sends, threshold 0):
//   node ws-client.mjs <ws-url-with-token> <channel> <count>
// Subscribes, prints "ready", then waits for <count> `message` pushes whose payload has "seq" 1..count
// and prints "ext=<extensions> params=<accepted parameters>" and "ok <count>". Exits 1 on a failure.
import WebSocket from 'ws';

const [url, channel, count] = process.argv.slice(2);
const want = Number(count);
const fail = (why) => { console.log(`FAILED: ${why}`); process.exit(1); };
setTimeout(() => fail('took longer than 30 s'), 30000).unref();

const ws = new WebSocket(url, 'switchboard.v1.json', { perMessageDeflate: { threshold: 0 } });
const seen = [];
ws.on('message', (data, isBinary) => {
  if (isBinary) fail('a binary frame');
  const text = data.toString('utf8');
  for (const e of text.startsWith('[') ? JSON.parse(text) : [JSON.parse(text)]) {
    if (e.type === 'welcome') {
      ws.send(JSON.stringify({ v: 1, type: 'subscribe', id: 's1', channel }));
    } else if (e.type === 'ping') {
      ws.send('{"v":1,"type":"pong"}');
    } else if (e.type === 'ack' && e.id === 's1') {
      console.log('ready');
    } else if (e.type === 'message') {
      seen.push(e.payload.seq);
      if (!Array.isArray(e.payload.rows) || e.payload.rows.length !== 60) fail('a payload without its 60 rows');
      if (seen.length === want) {
        const expected = Array.from({ length: want }, (_, i) => i + 1);
        if (JSON.stringify(seen) !== JSON.stringify(expected)) fail(`seq ${seen}`);
        const deflate = ws._extensions['permessage-deflate'];
        console.log(`ext=${ws.extensions} params=${JSON.stringify(deflate ? deflate.params : null)}`);
        console.log(`ok ${seen.length}`);
        ws.close(1000);
      }
    } else if (e.type === 'error') {
      fail(`error ${e.code}: ${e.message}`);
    }
  }
});
ws.on('close', (code) => process.exit(seen.length === want ? 0 : 1));
ws.on('error', (e) => fail(String(e)));
