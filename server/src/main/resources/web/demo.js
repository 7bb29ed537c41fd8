// The demo chat page: pick a name, join chat:<room>, talk. Uses only switchboard.js.
// The chat namespace keeps history and presence: on joining, the page shows the recent messages and
// who is online; after a dropped connection the client resubscribes with `since`, so missed messages
// arrive by themselves (and when they cannot, the page reloads the recent ones and says so).
import { SwitchboardClient } from '/switchboard.js';

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const HISTORY_LIMIT = 50;
const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'), notice: $('notice'), noticeText: $('notice-text'), noticeActions: $('notice-actions'),
  join: $('join'), name: $('name'), room: $('room'), chat: $('chat'), roomTitle: $('room-title'),
  leave: $('leave'), messages: $('messages'), send: $('send'), text: $('text'),
  online: $('online'), onlineCount: $('online-count'), people: $('people'), peopleNote: $('people-note'),
};

let client = null;
let channel = null;
let me = null; // user id the server confirmed in its welcome (null when anonymous)
let countdown = null;
let refreshTimer = null;

// Message state of the joined room, reset by start().
let lastShown = null; // {epoch, offset} of the newest message on screen, to drop ones shown already
let historyLoad = 0; // increases with every history request; a reply to an older one is ignored
let loading = false; // while recent history is being read, live messages wait in `held`
let held = [];
let greeted = false; // the "You joined" line goes below the first history load

// Who is online in the joined room, as a set of user ids. A presence() snapshot replaces it; diffs that
// arrive while a snapshot is on its way are applied again on top of it, since it may predate them.
let people = new Set();
let presenceLoad = 0;
let pushesDuringLoad = null;

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

// ---- messages and history ----

/** Shows a message (a live push or a stored publication) unless it is on screen already. */
function showMessage(m) {
  if (typeof m.offset === 'number' && m.epoch != null) {
    if (lastShown && lastShown.epoch === m.epoch && m.offset <= lastShown.offset) return;
    lastShown = { epoch: m.epoch, offset: m.offset };
  }
  addLine({ from: m.from, name: m.payload?.name, text: String(m.payload?.text ?? ''), ts: m.ts });
}

function onMessage(m) {
  if (loading) held.push(m);
  else showMessage(m);
}

/** Reads the newest messages of the room and shows them oldest first, then what arrived meanwhile. */
function loadHistory(c) {
  const seq = ++historyLoad;
  loading = true;
  const done = () => {
    if (!greeted) say(`You joined ${channel}.`);
    greeted = true;
    loading = false;
    const waiting = held;
    held = [];
    waiting.forEach(showMessage);
  };
  c.history(channel, { limit: HISTORY_LIMIT, reverse: true }).then((h) => {
    if (c !== client || seq !== historyLoad) return;
    for (const p of [...h.publications].reverse()) showMessage({ ...p, epoch: h.epoch });
    done();
  }, (e) => {
    if (c !== client || seq !== historyLoad) return;
    if (e.code === 'disconnected') return; // asked again after the resubscribe
    say(`Could not load recent messages: ${e.message} (${e.code}).`);
    done();
  });
}

// ---- who is online ----

// A list is shown up to this many connections; a larger room shows its count, kept by presenceCount pushes.
const LIST_AT_MOST = 200;
let crowd = null; // the user count of a room too large to list, or null while the list is shown

function applyPresence(set, { joins = [], leaves = [] }) {
  for (const u of joins) set.add(u);
  for (const u of leaves) set.delete(u);
}

function loadPresence(c) {
  const seq = ++presenceLoad;
  pushesDuringLoad = [];
  c.presence(channel, { limit: LIST_AT_MOST }).then((p) => {
    if (c !== client || seq !== presenceLoad) return;
    const during = pushesDuringLoad ?? [];
    pushesDuringLoad = null;
    if (p.cursor) { // more than fits a list: show the count
      crowd = p.users;
      people = new Set();
      renderPeople();
      return;
    }
    const snapshot = new Set((p.clients ?? []).map((x) => x.userId)); // one entry per connection
    for (const d of during) applyPresence(snapshot, d);
    crowd = null;
    people = snapshot;
    renderPeople();
  }, (e) => {
    if (c !== client || seq !== presenceLoad) return;
    pushesDuringLoad = null;
    if (e.code !== 'disconnected') say(`Could not load who is online: ${e.message} (${e.code}).`);
  });
}

// One window's joins and leaves (users, not connections).
function onPresenceDiff(d) {
  if (crowd != null) { // the room was too large to list and is small again: read the list
    loadPresence(client);
    return;
  }
  pushesDuringLoad?.push(d);
  const before = new Set(people);
  applyPresence(people, d);
  renderPeople();
  const came = (d.joins ?? []).filter((u) => u !== me && !before.has(u));
  const went = (d.leaves ?? []).filter((u) => u !== me && before.has(u));
  if (came.length + went.length > 5) say(`${came.length} joined, ${went.length} left.`);
  else {
    for (const u of came) say(`${u} joined.`);
    for (const u of went) say(`${u} left.`);
  }
}

// A large room: only its count is pushed.
function onPresenceCount({ users }) {
  crowd = users;
  people = new Set();
  renderPeople();
}

function renderPeople() {
  const names = [...people].sort((a, b) => a.localeCompare(b));
  ui.onlineCount.textContent = String(crowd ?? names.length);
  ui.people.replaceChildren(...names.map((name) => {
    const li = document.createElement('li');
    li.textContent = name;
    if (name === me) {
      li.className = 'me';
      const you = document.createElement('span');
      you.className = 'you';
      you.textContent = ' (you)';
      li.append(you);
    }
    return li;
  }));
  ui.peopleNote.hidden = crowd == null && !(client?.state === 'connected' && !me);
  ui.peopleNote.textContent = crowd != null ? 'Too many people here to list them all.'
    : 'You joined anonymously, so you are not listed.';
}

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
  lastShown = null;
  loading = false;
  held = [];
  greeted = false;
  people = new Set();
  pushesDuringLoad = null;
  renderPeople();

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
  // The server's own subscriptions (the personal channel user:#<you> when the node has one, docs/backend.md):
  // what a backend sends there shows as a note only this user sees.
  options.onServerSubscription = (ch) => ({
    onMessage: (m) => { if (c === client) say(`Note for you (${ch}): ${String(m.payload?.text ?? JSON.stringify(m.payload))}`); },
  });
  const c = new SwitchboardClient('/ws', options);
  client = c;
  c.on('state', (s) => {
    if (c !== client) return;
    clearInterval(countdown);
    if (s === 'connecting') setStatus('connecting', 'Connecting…');
    ui.online.classList.toggle('stale', s !== 'connected'); // no presence pushes while offline
  });
  c.on('connected', (welcome) => {
    me = welcome.userId ?? null;
    renderPeople();
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
  c.on('error', (e) => {
    if (c !== client) return;
    if (e.code === 'token_unavailable') showNotice(`Could not get a token (${e.message}); trying again.`, 'warn');
    else showNotice(`Server says: ${e.message} (${e.code})`);
  });

  c.subscribe(channel, {
    onMessage,
    onSubscribed: (info) => {
      if (c !== client) return;
      loadPresence(c); // pushes were missed while we were away
      if (info.resubscribed && info.recovered === false) {
        // The server could not replay the gap (reason says why): fill it from the recent history.
        say(`Reconnected, but some messages may be missing (${info.reason ?? 'not recovered'}); reloading the recent ones.`);
        loadHistory(c);
      } else if (!info.resubscribed || loading) {
        loadHistory(c); // on joining, or again when the drop cut the last load off
      }
      // Otherwise recovered === true: the missed messages follow this ack through onMessage.
    },
    onPresenceDiff,
    onPresenceCount,
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
  if (text === '/who') {
    // Answered by the application's backend through the node's rpc hook (docs/backend.md; the tiny one is
    // examples/.../ChatBackend.java); a node without one says not_available.
    try {
      const r = await client.rpc('chat.who', channel.slice('chat:'.length));
      say(`Online in ${channel}, says the backend: ${(r?.users ?? []).join(', ') || 'nobody'}`);
    } catch (e) {
      say(e.code === 'not_available'
        ? '/who needs a backend: run the node with examples/chat-backend.yaml and the ChatBackend example (docs/backend.md).'
        : `/who failed: ${e.message} (${e.code})`);
    }
    return;
  }
  try {
    await client.publish(channel, { text, name: ui.name.value.trim() });
  } catch (e) {
    showNotice(`Message not sent: ${e.message} (${e.code})`);
    if (!ui.text.value) ui.text.value = text; // give the text back so it can be retried
  }
});
