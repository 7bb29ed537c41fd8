// The browser side of the example: a token from the application (Spring Security asks who you are),
// then the embedded node's WebSocket, on its own port.
import { SwitchboardClient } from '/sb/switchboard.js';

const status = document.getElementById('status');
const log = document.getElementById('log');
const show = (line) => { const li = document.createElement('li'); li.textContent = line; log.append(li); };

const first = await (await fetch('/api/token', { cache: 'no-store' })).json();
const client = new SwitchboardClient(first.url, {
  getToken: async () => (await (await fetch('/api/token', { cache: 'no-store' })).json()).token,
});
client.on('state', (s) => { status.textContent = `${first.user}: ${s}`; });
for (const channel of ['chat:lobby', 'chat:announcements', 'admin:ops']) {
  client.subscribe(channel, {
    onMessage: (m) => show(`${channel} ${m.from ?? 'server'}: ${m.payload.text}`),
    onError: (e) => show(`${channel}: ${e.code} ${e.message}`),
  });
}
client.connect();
document.getElementById('say').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('text');
  await client.publish('chat:lobby', { text: input.value });
  input.value = '';
});
