// The demo chat page: pick a name, join chat:<room>, talk. Uses only switchboard.js.
import { SwitchboardClient } from '/switchboard.js';

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'), notice: $('notice'), noticeText: $('notice-text'), noticeActions: $('notice-actions'),
  join: $('join'), name: $('name'), room: $('room'), chat: $('chat'), roomTitle: $('room-title'),
  leave: $('leave'), messages: $('messages'), send: $('send'), text: $('text'),
};

let client = null;
let channel = null;
let me = null; // user id the server confirmed in its welcome (null when anonymous)
let countdown = null;
let refreshTimer = null;

/** A token request failure that says whether asking again could help. */
class TokenError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function fetchToken(name) {
  const res = await fetch(`/demo/token?user=${encodeURIComponent(name)}`, { cache: 'no-store' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new TokenError(res.status, body.code ?? 'http_' + res.status, body.message ?? `HTTP ${res.status}`);
  return body; // {token, userId, expiresAt}
}

// ---- page state ----

function showNotice(text, kind = 'error', actions = []) {
  ui.noticeText.textContent = text;
  ui.notice.className = `notice notice-${kind}`;
  ui.noticeActions.replaceChildren(...actions.map(([label, fn]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', fn);
    return b;
  }));
  ui.notice.hidden = false;
}

function hideNotice() { ui.notice.hidden = true; }

function setStatus(kind, text) {
  ui.status.className = `status status-${kind}`;
  ui.status.textContent = text;
}

function addLine({ from, name, text, ts, system = false }) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  const when = new Date(ts ?? Date.now());
  time.dateTime = when.toISOString();
  time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  li.append(time);
  if (system) {
    li.className = 'system';
  } else {
    const who = document.createElement('strong');
    // `from` is the identity the server verified; `name` is just what the sender typed.
    who.textContent = from ?? `${name || '?'} (anonymous)`;
    li.className = from && from === me ? 'mine' : 'theirs';
    li.append(who);
  }
  const body = document.createElement('span');
  body.textContent = text; // textContent, never innerHTML: messages come from other people
  li.append(body);
  const atBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;
  ui.messages.append(li);
  if (atBottom) ui.messages.scrollTop = ui.messages.scrollHeight;
}

const say = (text) => addLine({ text, system: true });

// ---- joining and leaving ----

ui.name.value = localStorage.getItem('switchboard.demo.name') ?? '';
try {
  ui.room.value = decodeURIComponent(location.hash.slice(1)) || 'lobby'; // #room links let others join the same room
} catch { /* a malformed hash: keep the default */ }

ui.join.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = ui.name.value.trim();
  const room = ui.room.value.trim() || 'lobby';
  if (!NAME_RE.test(name)) return showNotice('Name: 1–64 letters, digits, _ - or . (no spaces).');
  if (!NAME_RE.test(room)) return showNotice('Room: 1–64 letters, digits, _ - or . (no spaces).');
  hideNotice();
  localStorage.setItem('switchboard.demo.name', name);
  location.hash = room;
  setStatus('connecting', 'Getting a token…');
  try {
    const first = await fetchToken(name);
    start(name, room, first);
  } catch (e) {
    setStatus('idle', 'Not connected');
    if (e instanceof TokenError && e.status === 403) {
      showNotice(`The server does not hand out demo tokens: ${e.message}`, 'error',
        [['Connect anonymously', () => { hideNotice(); start(name, room, null); }]]);
    } else if (e instanceof TokenError) {
      showNotice(`Could not get a token: ${e.message}`);
    } else {
      showNotice(`Could not reach the server: ${e.message}`);
    }
  }
});

ui.leave.addEventListener('click', () => {
  stop();
  setStatus('idle', 'Not connected');
  ui.chat.hidden = true;
  ui.join.hidden = false;
});

function stop() {
  clearInterval(countdown);
  clearTimeout(refreshTimer);
  client?.close();
  client = null;
}

function start(name, room, firstToken) {
  stop();
  channel = `chat:${room}`;
  me = null;
  ui.join.hidden = true;
  ui.chat.hidden = false;
  ui.roomTitle.textContent = `#${room}`;
  ui.messages.replaceChildren();

  let pending = firstToken; // use the token we already have for the first attempt
  const options = {};
  if (firstToken) {
    options.getToken = async () => {
      const t = pending ?? (await fetchToken(name));
      pending = null;
      scheduleRefresh(name, t.expiresAt);
      return t.token;
    };
  }
  const c = new SwitchboardClient('/ws', options);
  client = c;
  c.on('state', (s) => {
    if (c !== client) return;
    clearInterval(countdown);
    if (s === 'connecting') setStatus('connecting', 'Connecting…');
  });
  c.on('connected', (welcome) => {
    me = welcome.userId ?? null;
    setStatus('connected', me ? `Connected as ${me}` : 'Connected anonymously');
    hideNotice();
  });
  c.on('disconnected', ({ code, reason, willRetry, retryInMs }) => {
    if (!willRetry) return; // 'closed' follows and says why
    const until = Date.now() + retryInMs;
    const tick = () => setStatus('reconnecting',
      `Reconnecting in ${Math.ceil(Math.max(0, until - Date.now()) / 1000)} s (${reason || 'connection lost'}, ${code})`);
    tick();
    countdown = setInterval(tick, 250);
  });
  c.on('closed', ({ code, reason }) => {
    if (c !== client) return;
    setStatus('closed', `Closed: ${reason || 'no reason given'} (${code})`);
    if (code !== 1000) showNotice(`Disconnected for good: ${reason || 'no reason given'} (close code ${code}).`);
  });
  c.on('error', (e) => showNotice(`Server says: ${e.message} (${e.code})`));

  c.subscribe(channel, {
    onMessage: (m) => addLine({ from: m.from, name: m.payload?.name, text: String(m.payload?.text ?? ''), ts: m.ts }),
    onSubscribed: (info) => {
      if (!info.resubscribed) say(`You joined ${channel}.`);
      else if (info.recovered === false && info.reason) say(`Reconnected; some messages may be missing (${info.reason}).`);
    },
    onPresence: (p) => say(`${p.userId} is ${p.status}.`),
    onError: (e) => showNotice(`Could not join ${channel}: ${e.message} (${e.code})`),
    onUnsubscribed: ({ code, message }) => {
      say(`You left ${channel}: ${message || code}.`);
      showNotice(`The server ended the subscription to ${channel}: ${message || code}`);
    },
  });
  c.connect();
  ui.text.focus();
}

/** Hand the server a fresh token a little before the current one expires, so the socket stays up. */
function scheduleRefresh(name, expiresAt) {
  clearTimeout(refreshTimer);
  if (!expiresAt) return;
  const c = client;
  const wait = Math.max(5000, expiresAt - Date.now() - 30000);
  refreshTimer = setTimeout(async () => {
    if (c !== client || c.state !== 'connected') return; // a reconnect fetches its own token
    try {
      const t = await fetchToken(name);
      await c.refresh(t.token);
      scheduleRefresh(name, t.expiresAt);
    } catch (e) {
      showNotice(`Could not refresh the token: ${e.message}. The connection will be renewed when it expires.`, 'warn');
    }
  }, wait);
}

// ---- sending ----

ui.send.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = ui.text.value.trim();
  if (!text || !client) return;
  ui.text.value = '';
  try {
    await client.publish(channel, { text, name: ui.name.value.trim() });
  } catch (e) {
    showNotice(`Message not sent: ${e.message} (${e.code})`);
    if (!ui.text.value) ui.text.value = text; // give the text back so it can be retried
  }
});
