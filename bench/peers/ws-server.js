'use strict';
// The baseline most teams write themselves: pub/sub on the `ws` package, a Set of sockets per channel,
// each message serialised once and sent to every member. Token in ?access_token=, checked at upgrade.
//   client: {"type":"subscribe","id":"s","channel":"c"}        server: {"type":"ack","id":"s"}
//   client: {"type":"publish","channel":"c","payload":{...}}   members: {"type":"message","channel":"c","payload":{...}}
const http = require('http');
const { WebSocketServer } = require('ws');
const { verifyHs256, args } = require('./jwt');

const opts = args(process.argv);
const channels = new Map(); // channel -> Set of sockets
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 65536 });

const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/readyz' ? 200 : 404);
  res.end();
});

server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://localhost');
  const claims = verifyHs256(url.searchParams.get('access_token'), opts.secret);
  if (!claims) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.user = claims.sub;
    ws.subs = new Set();
    ws.on('message', (data) => onMessage(ws, data));
    ws.on('close', () => {
      for (const c of ws.subs) {
        const members = channels.get(c);
        if (members) {
          members.delete(ws);
          if (members.size === 0) channels.delete(c);
        }
      }
    });
  });
});

function onMessage(ws, data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch (e) {
    ws.close(1007);
    return;
  }
  if (m.type === 'subscribe' && typeof m.channel === 'string') {
    let members = channels.get(m.channel);
    if (!members) channels.set(m.channel, (members = new Set()));
    members.add(ws);
    ws.subs.add(m.channel);
    ws.send(JSON.stringify({ type: 'ack', id: m.id }));
  } else if (m.type === 'publish' && typeof m.channel === 'string') {
    const members = channels.get(m.channel);
    if (!members) return;
    const out = JSON.stringify({ type: 'message', channel: m.channel, from: ws.user, payload: m.payload });
    for (const member of members) member.send(out);
  }
}

server.listen(opts.port, '127.0.0.1', () => {
  console.log('listening on ' + server.address().port);
});
process.on('SIGTERM', () => process.exit(0));
