// A Pusher webhook receiver that checks every request with the `pusher` server SDK's webhook() (the
// X-Pusher-Key and X-Pusher-Signature of the raw body). Run by PusherWebhooksIT:
//   node webhook-receiver.mjs <port> <failFirst>
// Answers the first <failFirst> valid requests with 500 (on purpose, to make the node retry), then 200.
// Prints "listening" once it listens, "invalid" per request whose signature does not hold (answered 401),
// "failed-on-purpose" per refused request, and "event <json>" per event of each accepted request.
import http from 'node:http';
import PusherServer from 'pusher';

const [port, failFirst] = process.argv.slice(2).map(Number);
const pusher = new PusherServer({ appId: '1001', key: 'key-a', secret: 'secret-a-0123456789' });
let refused = 0;

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const webhook = pusher.webhook({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
    if (!webhook.isValid()) {
      console.log('invalid ' + JSON.stringify(req.headers));
      res.writeHead(401).end();
      return;
    }
    if (refused < failFirst) {
      refused++;
      console.log('failed-on-purpose');
      res.writeHead(500).end();
      return;
    }
    if (!(webhook.getTime() instanceof Date) || Number.isNaN(webhook.getTime().getTime())) {
      console.log('invalid time_ms');
    }
    for (const e of webhook.getEvents()) {
      console.log('event ' + JSON.stringify(e));
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
}).listen(port, '127.0.0.1', () => console.log('listening'));
