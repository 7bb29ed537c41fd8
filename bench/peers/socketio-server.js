'use strict';
// The most used real-time server, as its documentation sets it up: rooms, an auth middleware that
// checks the token from the handshake's auth object, acknowledgements for subscribe, broadcast to a room.
// WebSocket transport only (the load generator speaks Engine.IO v4 / Socket.IO v5 over it directly).
const http = require('http');
const { Server } = require('socket.io');
const { verifyHs256, args } = require('./jwt');

const opts = args(process.argv);
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/readyz' ? 200 : 404);
  res.end();
});
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, maxHttpBufferSize: 65536 });

io.use((socket, next) => {
  const claims = verifyHs256(socket.handshake.auth && socket.handshake.auth.token, opts.secret);
  if (!claims) return next(new Error('unauthorized'));
  socket.data.user = claims.sub;
  next();
});

io.on('connection', (socket) => {
  socket.on('subscribe', (channel, ack) => {
    if (typeof channel !== 'string') return;
    socket.join(channel);
    if (typeof ack === 'function') ack('ok');
  });
  socket.on('publish', (channel, payload) => {
    if (typeof channel !== 'string') return;
    io.to(channel).emit('message', channel, payload);
  });
});

server.listen(opts.port, '127.0.0.1', () => {
  console.log('listening on ' + server.address().port);
});
process.on('SIGTERM', () => process.exit(0));
