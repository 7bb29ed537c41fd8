// The admin page: asks for a server-API key, then shows this node's live figures from
// /api/stats/stream, the cluster from /api/info, a channel browser, and forms for the API's
// publish, disconnect and unsubscribe. Everything it shows that came from the node or the user is
// set as text (textContent), never parsed as HTML. No request leaves the node's own origin.

const KEY_STORE = 'switchboard.admin.apiKey';
const WINDOW_SECONDS = 300; // the charts show the last five minutes
const INFO_EVERY_MS = 10000;
const HISTORY_SHOWN = 20;
const $ = (id) => document.getElementById(id);

const ui = {
  status: $('status'), forget: $('forget'), notice: $('notice'), noticeText: $('notice-text'),
  login: $('login'), key: $('key'), dash: $('dash'),
  nodeId: $('node-id'), nodeVersion: $('node-version'), nodeEngine: $('node-engine'), nodeUptime: $('node-uptime'),
  nodeConnections: $('node-connections'), nodeSubscriptions: $('node-subscriptions'), nodeChannels: $('node-channels'),
  nodeHeap: $('node-heap'), nodes: $('nodes'), clusterCount: $('cluster-count'),
  nodePusherFact: $('node-pusher-fact'), nodePusher: $('node-pusher'),
  sources: $('sources'), sourceRows: $('source-rows'),
  nowConnections: $('now-connections'), nowIn: $('now-in'), nowOut: $('now-out'),
  nowP50: $('now-p50'), nowP99: $('now-p99'), nowErrors: $('now-errors'),
  channelFilter: $('channel-filter'), prefix: $('prefix'), channelsResult: $('channels-result'), channelRows: $('channel-rows'),
  detail: $('channel-detail'), detailTitle: $('detail-title'), detailRefresh: $('detail-refresh'),
  presenceCount: $('presence-count'), presenceNote: $('presence-note'), presenceList: $('presence-list'),
  historyNote: $('history-note'), historyList: $('history-list'),
  publish: $('publish'), pubChannel: $('pub-channel'), pubPayload: $('pub-payload'), pubKey: $('pub-key'), pubResult: $('pub-result'),
  disconnect: $('disconnect'), dcUser: $('dc-user'), dcCode: $('dc-code'), dcResult: $('dc-result'),
  unsubscribe: $('unsubscribe'), unUser: $('un-user'), unChannel: $('un-channel'), unResult: $('un-result'),
};

// ---- the server API ----

/** A failed API call: HTTP status, the API's error code and message. */
class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

let apiKey = sessionStorage.getItem(KEY_STORE);
let session = 0; // increases on every sign-in and sign-out; work of an older one stops

async function api(path, { method = 'GET', body } = {}) {
  const headers = { 'X-API-Key': apiKey ?? '' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch('/api' + path, {
      method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'the node did not answer (' + e.message + ')');
  }
  const data = await res.json().catch(() => null);
  if (res.status === 401) {
    signOut('The node refused the API key: ' + (data?.message ?? 'unauthorized') + '. Enter a valid key.');
  }
  if (!res.ok) {
    throw new ApiError(res.status, data?.code ?? 'http_' + res.status, data?.message ?? 'HTTP ' + res.status);
  }
  return data;
}

function describe(e) {
  return e instanceof ApiError ? `${e.code}: ${e.message}` : String(e?.message ?? e);
}

// ---- page state ----

function showNotice(text) {
  ui.noticeText.textContent = text;
  ui.notice.hidden = false;
}

function hideNotice() { ui.notice.hidden = true; }

function setStatus(kind, text) {
  ui.status.className = `status status-${kind}`;
  ui.status.textContent = text;
}

function setResult(el, kind, text) {
  el.className = `result result-${kind}`;
  el.textContent = text;
}

function signOut(message) {
  session++;
  apiKey = null;
  sessionStorage.removeItem(KEY_STORE);
  stopStream();
  clearInterval(infoTimer);
  ui.dash.hidden = true;
  ui.forget.hidden = true;
  ui.login.hidden = false;
  setStatus('idle', 'Not connected');
  if (message) showNotice(message); else hideNotice();
  ui.key.value = '';
  ui.key.focus();
}

async function signIn(key) {
  apiKey = key;
  const mine = ++session;
  setStatus('connecting', 'Checking key…');
  let info;
  try {
    info = await api('/info');
  } catch (e) {
    if (mine !== session) return; // signOut() already showed why
    setStatus('closed', 'Not connected');
    showNotice('Could not open the admin page: ' + describe(e));
    return;
  }
  if (mine !== session) return;
  sessionStorage.setItem(KEY_STORE, key);
  hideNotice();
  ui.login.hidden = true;
  ui.dash.hidden = false;
  ui.forget.hidden = false;
  showInfo(info);
  startStream(mine);
  clearInterval(infoTimer);
  infoTimer = setInterval(() => refreshInfo(mine), INFO_EVERY_MS);
  listChannels();
  resizeCharts();
}

ui.login.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const key = ui.key.value.trim();
  if (key.length === 0) {
    showNotice('Enter an API key.');
    ui.key.focus();
    return;
  }
  signIn(key);
});

ui.forget.addEventListener('click', () => signOut(null));

// ---- node and cluster ----

let infoTimer = null;

function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60, r = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

function formatBytes(n) {
  if (!(n >= 0)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatNumber(n) {
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 100 || Number.isInteger(n)) return Math.round(n).toLocaleString('en');
  return n.toFixed(n >= 10 ? 1 : 2);
}

function formatMicros(us) {
  if (!(us > 0)) return '0 ms';
  if (us < 1000) return `${Math.round(us)} µs`;
  return `${(us / 1000).toFixed(us < 10000 ? 2 : 1)} ms`;
}

function showNode(s) {
  ui.nodeId.textContent = s.id ?? '–';
  ui.nodeVersion.textContent = s.version ?? '–';
  ui.nodeEngine.textContent = s.engine ?? '–';
  ui.nodeUptime.textContent = formatDuration(s.uptimeSeconds ?? 0);
  ui.nodeConnections.textContent = formatNumber(s.connections);
  ui.nodeSubscriptions.textContent = formatNumber(s.subscriptions);
  ui.nodeChannels.textContent = formatNumber(s.channels);
  ui.nodeHeap.textContent = formatBytes(s.heapUsedBytes);
  // With Pusher apps: their connections (part of "connections"), and per app.
  ui.nodePusherFact.hidden = !s.pusher;
  if (s.pusher) {
    const apps = Object.entries(s.pusher.apps ?? {}).map(([id, n]) => `app ${id}: ${formatNumber(n)}`).join(', ');
    ui.nodePusher.textContent = `${formatNumber(s.pusher.connections)} connections${apps ? ` (${apps})` : ''}`;
  }
}

/** The outbox and Kafka consumers of this node (docs/consumers.md), with their publication rate. */
function showSources(s, prev) {
  const list = Array.isArray(s.consumers) ? s.consumers : [];
  ui.sources.hidden = list.length === 0;
  const before = new Map((Array.isArray(prev?.consumers) ? prev.consumers : []).map((c) => [c.source, c]));
  const seconds = prev ? (s.ts - prev.ts) / 1000 : 0;
  ui.sourceRows.replaceChildren(...list.map((c) => {
    const tr = document.createElement('tr');
    if (!c.reachable) tr.className = 'bad';
    const p = before.get(c.source);
    const perSecond = p && seconds > 0 ? Math.max(0, (c.published - p.published) / seconds) : null;
    const cells = [c.source, c.reachable ? 'reachable' : `unreachable${c.problem ? ': ' + c.problem : ''}`,
      formatNumber(c.published), perSecond === null ? '–' : `${formatNumber(perSecond)}/s`, formatNumber(c.lag),
      formatNumber(c.deadLetters), formatNumber(c.errors)];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text ?? '–';
      tr.append(td);
    }
    return tr;
  }));
}

function showInfo(info) {
  showNode(info.node ?? {});
  const nodes = Array.isArray(info.nodes) ? info.nodes : [];
  ui.clusterCount.textContent = `${nodes.length} node${nodes.length === 1 ? '' : 's'}`;
  const now = Date.now();
  ui.nodes.replaceChildren(...nodes.map((n) => {
    const tr = document.createElement('tr');
    if (n.id === info.node?.id) tr.className = 'self';
    const cells = [n.id, n.version, formatDuration(n.uptimeSeconds ?? 0), formatNumber(n.connections),
      formatNumber(n.channels), n.ts ? `${formatDuration((now - n.ts) / 1000)} ago` : '–'];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c ?? '–';
      tr.append(td);
    }
    return tr;
  }));
}

async function refreshInfo(mine) {
  try {
    const info = await api('/info');
    if (mine === session) showInfo(info);
  } catch (e) {
    if (mine === session && e.status !== 401) showNotice('Could not read the cluster: ' + describe(e));
  }
}

// ---- the stats stream ----

let streamAbort = null;
let retryTimer = null;
const samples = []; // stats objects, oldest first, at most WINDOW_SECONDS + 1
const series = {
  connections: [], in: [], out: [], p50: [], p99: [], errors: [], // [timestamp ms, value]
};

function stopStream() {
  streamAbort?.abort();
  streamAbort = null;
  clearTimeout(retryTimer);
}

async function startStream(mine) {
  stopStream();
  const abort = new AbortController();
  streamAbort = abort;
  let failure = null;
  try {
    const res = await fetch('/api/stats/stream', {
      headers: { 'X-API-Key': apiKey ?? '', Accept: 'text/event-stream' }, cache: 'no-store', signal: abort.signal,
    });
    if (res.status === 401) {
      const data = await res.json().catch(() => null);
      signOut('The node refused the API key: ' + (data?.message ?? 'unauthorized') + '. Enter a valid key.');
      return;
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    setStatus('connected', 'Live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (data) {
          try {
            onSample(JSON.parse(data));
          } catch (e) {
            console.warn('skipped a malformed stats event', e);
          }
        }
      }
    }
  } catch (e) {
    if (abort.signal.aborted) return;
    failure = e;
  }
  if (abort.signal.aborted || mine !== session) return;
  // The stream ended (node restarted, network dropped): try again in a moment.
  setStatus('reconnecting', failure ? `Stream lost (${failure.message}); retrying…` : 'Stream ended; retrying…');
  retryTimer = setTimeout(() => { if (mine === session) startStream(mine); }, 2000);
}

function push(list, ts, v) {
  list.push([ts, v]);
  const oldest = ts - WINDOW_SECONDS * 1000;
  while (list.length > 0 && list[0][0] < oldest) list.shift();
}

/** A rate from two samples' counters; 0 when the counter went back (a restarted node). */
function rate(prev, cur, field) {
  const dt = (cur.ts - prev.ts) / 1000;
  const d = (cur[field] ?? 0) - (prev[field] ?? 0);
  return dt > 0 && d > 0 ? d / dt : 0;
}

function showNow(el, value, text) {
  el.dataset.value = String(value);
  el.textContent = text;
}

function onSample(s) {
  const prev = samples[samples.length - 1];
  if (prev && (prev.id !== s.id || prev.startedAt !== s.startedAt)) {
    // Another node or a restart behind the same address: its counters start over.
    samples.length = 0;
    for (const k of Object.keys(series)) series[k].length = 0;
  } else if (prev && s.ts <= prev.ts) {
    return;
  }
  samples.push(s);
  if (samples.length > WINDOW_SECONDS + 1) samples.shift();
  showNode(s);
  showSources(s, samples.length > 1 ? prev : null);
  const ts = s.ts;
  push(series.connections, ts, s.connections ?? 0);
  showNow(ui.nowConnections, s.connections ?? 0, formatNumber(s.connections ?? 0));
  const p50 = (s.latencyMicros?.p50 ?? 0) / 1000, p99 = (s.latencyMicros?.p99 ?? 0) / 1000;
  push(series.p50, ts, p50);
  push(series.p99, ts, p99);
  showNow(ui.nowP50, p50, formatMicros(s.latencyMicros?.p50 ?? 0));
  showNow(ui.nowP99, p99, formatMicros(s.latencyMicros?.p99 ?? 0));
  if (prev && samples.length > 1) {
    const rin = rate(prev, s, 'messagesIn'), rout = rate(prev, s, 'messagesOut'), rerr = rate(prev, s, 'errors');
    push(series.in, ts, rin);
    push(series.out, ts, rout);
    push(series.errors, ts, rerr);
    showNow(ui.nowIn, rin, `${formatNumber(rin)}/s`);
    showNow(ui.nowOut, rout, `${formatNumber(rout)}/s`);
    showNow(ui.nowErrors, rerr, `${formatNumber(rerr)}/s`);
  }
  drawCharts();
}

// ---- charts (canvas, drawn here) ----

const charts = [
  { canvas: $('chart-connections'), lines: [['connections', 'a']], unit: '' },
  { canvas: $('chart-messages'), lines: [['in', 'a'], ['out', 'b']], unit: '/s' },
  { canvas: $('chart-latency'), lines: [['p50', 'a'], ['p99', 'b']], unit: ' ms' },
  { canvas: $('chart-errors'), lines: [['errors', 'bad']], unit: '/s' },
];

/** The smallest "round" number (1, 2 or 5 times a power of ten) at or above v. */
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function resizeCharts() {
  const ratio = window.devicePixelRatio || 1;
  for (const c of charts) {
    const w = c.canvas.clientWidth, h = c.canvas.clientHeight;
    if (w === 0 || h === 0) continue;
    c.canvas.width = Math.round(w * ratio);
    c.canvas.height = Math.round(h * ratio);
  }
  drawCharts();
}

function drawCharts() {
  if (ui.dash.hidden) return;
  const style = getComputedStyle(document.documentElement);
  const colors = {
    a: style.getPropertyValue('--accent').trim() || '#2f6fde',
    b: style.getPropertyValue('--series-b').trim() || '#b66a00',
    bad: style.getPropertyValue('--bad').trim() || '#c0392b',
    line: style.getPropertyValue('--line').trim() || '#dde1e8',
    muted: style.getPropertyValue('--muted').trim() || '#687085',
  };
  const end = samples.length ? samples[samples.length - 1].ts : Date.now();
  for (const c of charts) drawChart(c, colors, end);
}

function drawChart(chart, colors, end) {
  const { canvas } = chart;
  const ctx = canvas.getContext('2d');
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.width / ratio, h = canvas.height / ratio;
  if (!(w > 0 && h > 0)) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const left = 48, right = 8, top = 8, bottom = 20;
  const pw = w - left - right, ph = h - top - bottom;
  const start = end - WINDOW_SECONDS * 1000;
  let max = 0, points = 0;
  for (const [name] of chart.lines) {
    for (const [, v] of series[name]) max = Math.max(max, v);
    points = Math.max(points, series[name].length);
  }
  const top_ = niceCeil(max);
  canvas.dataset.max = String(max);
  canvas.dataset.points = String(points);

  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.strokeStyle = colors.line;
  ctx.fillStyle = colors.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const y = top + ph - (ph * i) / 4;
    ctx.beginPath();
    ctx.moveTo(left, Math.round(y) + 0.5);
    ctx.lineTo(left + pw, Math.round(y) + 0.5);
    ctx.stroke();
    ctx.fillText(formatNumber((top_ * i) / 4) + (i === 4 ? chart.unit : ''), left - 6, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  for (let m = 0; m <= WINDOW_SECONDS / 60; m++) {
    const x = left + pw - (pw * m * 60) / WINDOW_SECONDS;
    ctx.fillText(m === 0 ? 'now' : `-${m}m`, Math.min(Math.max(x, left + 10), left + pw - 10), h - 5);
  }

  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  for (const [name, color] of chart.lines) {
    const data = series[name];
    if (data.length === 0) continue;
    ctx.strokeStyle = colors[color];
    ctx.beginPath();
    data.forEach(([ts, v], i) => {
      const x = left + ((ts - start) / (WINDOW_SECONDS * 1000)) * pw;
      const y = top + ph - (v / top_) * ph;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    if (data.length === 1) ctx.lineTo(left + pw, top + ph - (data[0][1] / top_) * ph);
    ctx.stroke();
  }
}

window.addEventListener('resize', () => resizeCharts());
window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => drawCharts());

// ---- channel browser ----

let selected = null; // the channel whose detail is shown
let detailLoad = 0;
let listLoad = 0; // only the answer to the newest listing is shown

async function listChannels() {
  const prefix = ui.prefix.value.trim();
  const mine = ++listLoad;
  setResult(ui.channelsResult, 'busy', 'Loading…');
  try {
    const r = await api('/channels' + (prefix ? '?prefix=' + encodeURIComponent(prefix) : ''));
    if (mine !== listLoad) return;
    const list = Array.isArray(r.channels) ? r.channels : [];
    ui.channelRows.replaceChildren(...list.map(({ channel, subscribers }) => {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.textContent = channel;
      b.title = `Show presence and history of ${channel}`;
      b.addEventListener('click', () => showChannel(channel));
      name.append(b);
      const subs = document.createElement('td');
      subs.textContent = formatNumber(subscribers);
      tr.append(name, subs);
      if (channel === selected) tr.className = 'selected';
      return tr;
    }));
    const matching = prefix ? ` starting with “${prefix}”` : '';
    setResult(ui.channelsResult, 'ok', list.length === 0
      ? `No channel${matching} has a subscriber on node ${r.node}.`
      : `${list.length} channel${list.length === 1 ? '' : 's'}${matching} with subscribers on node ${r.node}.`);
  } catch (e) {
    if (mine === listLoad && e.status !== 401) setResult(ui.channelsResult, 'error', 'Could not list channels: ' + describe(e));
  }
}

ui.channelFilter.addEventListener('submit', (ev) => {
  ev.preventDefault();
  listChannels();
});

async function showChannel(channel) {
  selected = channel;
  const mine = ++detailLoad;
  for (const tr of ui.channelRows.children) tr.classList.toggle('selected', tr.firstChild.textContent === channel);
  ui.detail.hidden = false;
  ui.detailTitle.textContent = channel;
  ui.presenceCount.textContent = '';
  ui.presenceNote.hidden = true;
  ui.historyNote.hidden = true;
  ui.presenceList.replaceChildren();
  ui.historyList.replaceChildren();
  const q = encodeURIComponent(channel);
  const [count, presence, history] = await Promise.allSettled([
    api(`/presence/count?channel=${q}`),
    api(`/presence?channel=${q}`),
    api(`/history?channel=${q}&limit=${HISTORY_SHOWN}&reverse=true`),
  ]);
  if (mine !== detailLoad) return;
  if (count.status === 'fulfilled') {
    const c = count.value;
    ui.presenceCount.textContent = `${c.users} user${c.users === 1 ? '' : 's'}, ${c.clients} connection${c.clients === 1 ? '' : 's'}`;
  }
  if (presence.status === 'fulfilled') {
    const clients = Array.isArray(presence.value.clients) ? presence.value.clients : [];
    ui.presenceList.replaceChildren(...clients.map((c) => {
      const li = document.createElement('li');
      const user = document.createElement('strong');
      user.textContent = c.userId;
      const id = document.createElement('span');
      id.className = 'muted';
      id.textContent = ` ${c.clientId}`;
      li.append(user, id);
      if (c.info !== undefined) {
        const info = document.createElement('code');
        info.textContent = ' ' + JSON.stringify(c.info);
        li.append(info);
      }
      return li;
    }));
    if (clients.length === 0) note(ui.presenceNote, 'Nobody is present.');
  } else {
    note(ui.presenceNote, notAvailable(presence.reason, 'This channel’s namespace does not track presence.'));
  }
  if (history.status === 'fulfilled') {
    const h = history.value;
    const pubs = Array.isArray(h.publications) ? h.publications : [];
    ui.historyList.replaceChildren(...pubs.map((p) => {
      const li = document.createElement('li');
      const head = document.createElement('span');
      head.className = 'muted';
      head.textContent = `#${p.offset} · ${new Date(p.ts).toLocaleTimeString()}${p.from ? ' · ' + p.from : ''}`;
      const body = document.createElement('code');
      body.textContent = JSON.stringify(p.payload);
      li.append(head, body);
      return li;
    }));
    note(ui.historyNote, pubs.length === 0
      ? `Nothing kept (epoch ${h.epoch}, offset ${h.offset}).`
      : `Newest first; epoch ${h.epoch}, offsets ${h.earliest}–${h.offset}.`);
  } else {
    note(ui.historyNote, notAvailable(history.reason, 'This channel’s namespace keeps no history.'));
  }
}

function note(el, text) {
  el.textContent = text;
  el.hidden = false;
}

function notAvailable(e, text) {
  return e instanceof ApiError && e.code === 'not_available' ? text : 'Could not read it: ' + describe(e);
}

ui.detailRefresh.addEventListener('click', () => { if (selected) showChannel(selected); });

// ---- publish, disconnect, unsubscribe ----

ui.publish.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const channel = ui.pubChannel.value.trim();
  if (!channel) {
    ui.pubChannel.setAttribute('aria-invalid', 'true');
    setResult(ui.pubResult, 'error', 'Enter a channel.');
    return;
  }
  ui.pubChannel.removeAttribute('aria-invalid');
  let payload;
  try {
    payload = JSON.parse(ui.pubPayload.value);
    ui.pubPayload.removeAttribute('aria-invalid');
  } catch (e) {
    ui.pubPayload.setAttribute('aria-invalid', 'true');
    setResult(ui.pubResult, 'error', 'The payload is not valid JSON: ' + e.message);
    return;
  }
  const body = { channel, payload };
  const key = ui.pubKey.value.trim();
  if (key) body.idempotencyKey = key;
  setResult(ui.pubResult, 'busy', 'Publishing…');
  try {
    const r = await api('/publish', { method: 'POST', body });
    setResult(ui.pubResult, 'ok', r.offset !== undefined
      ? `Published to ${r.channel}: offset ${r.offset}, epoch ${r.epoch}.`
      : `Published to ${r.channel} (its namespace keeps no history, so there is no offset).`);
    if (selected === channel) showChannel(channel);
  } catch (e) {
    if (e.status !== 401) setResult(ui.pubResult, 'error', 'Not published: ' + describe(e));
  }
});

ui.disconnect.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const userId = ui.dcUser.value.trim();
  const codeText = ui.dcCode.value.trim();
  if (!userId) {
    setResult(ui.dcResult, 'error', 'Enter a user id.');
    return;
  }
  const body = { userId };
  if (codeText) {
    if (!/^[0-9]{4}$/.test(codeText)) {
      ui.dcCode.setAttribute('aria-invalid', 'true');
      setResult(ui.dcResult, 'error', 'The close code is a four-digit number such as 4503 or 4005.');
      return;
    }
    body.code = Number(codeText);
  }
  ui.dcCode.removeAttribute('aria-invalid');
  setResult(ui.dcResult, 'busy', 'Sending…');
  try {
    const r = await api('/disconnect', { method: 'POST', body });
    setResult(ui.dcResult, 'ok', `Sent: every connection of ${r.userId} is being closed with ${r.code}.`);
  } catch (e) {
    if (e.status !== 401) setResult(ui.dcResult, 'error', 'Not sent: ' + describe(e));
  }
});

ui.unsubscribe.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const userId = ui.unUser.value.trim();
  const channel = ui.unChannel.value.trim();
  if (!userId || !channel) {
    setResult(ui.unResult, 'error', 'Enter a user id and a channel.');
    return;
  }
  setResult(ui.unResult, 'busy', 'Sending…');
  try {
    const r = await api('/unsubscribe', { method: 'POST', body: { userId, channel } });
    setResult(ui.unResult, 'ok', `Sent: ${r.userId} is being unsubscribed from ${r.channel}.`);
  } catch (e) {
    if (e.status !== 401) setResult(ui.unResult, 'error', 'Not sent: ' + describe(e));
  }
});

// ---- start ----

if (apiKey) signIn(apiKey); else ui.key.focus();

// ---- webhook dead letters ----

const dead = {
  form: $('dead-form'), endpoint: $('dead-endpoint'), result: $('dead-result'), rows: $('dead-rows'),
  replayAll: $('dead-replay-all'),
};
let deadShown = null; // the endpoint whose dead letters the table shows

async function listDeadLetters(endpoint) {
  const mine = session;
  setResult(dead.result, 'busy', `Reading the dead letters of ${endpoint}…`);
  let data;
  try {
    data = await api(`/webhooks/dead-letters?endpoint=${encodeURIComponent(endpoint)}&limit=100`);
  } catch (e) {
    if (mine !== session) return;
    deadShown = null;
    dead.rows.replaceChildren();
    dead.replayAll.disabled = true;
    setResult(dead.result, 'error', describe(e));
    return;
  }
  if (mine !== session) return;
  deadShown = endpoint;
  const events = Array.isArray(data.events) ? data.events : [];
  dead.replayAll.disabled = events.length === 0;
  setResult(dead.result, 'ok', events.length === 0 ? `No dead letters for ${endpoint}.`
    : `${events.length} dead letter${events.length === 1 ? '' : 's'} for ${endpoint}${data.count > events.length ? ` (showing the oldest ${events.length} of ${data.count})` : ''}.`);
  dead.rows.replaceChildren(...events.map((e) => {
    const tr = document.createElement('tr');
    tr.dataset.id = String(e.id ?? '');
    const cells = [e.ts ? new Date(e.ts).toLocaleString() : '–', e.type, e.channel ?? e.user ?? '–', e.seq, e.id];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c == null ? '–' : String(c);
      tr.append(td);
    }
    const td = document.createElement('td');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary';
    b.textContent = 'Replay';
    b.setAttribute('aria-label', `Replay event ${e.id}`);
    b.addEventListener('click', () => replayDeadLetters(endpoint, [String(e.id)]));
    td.append(b);
    tr.append(td);
    return tr;
  }));
}

async function replayDeadLetters(endpoint, ids) {
  const mine = session;
  try {
    const body = ids ? { endpoint, ids } : { endpoint };
    const r = await api('/webhooks/replay', { method: 'POST', body });
    if (mine !== session) return;
    await listDeadLetters(endpoint);
    setResult(dead.result, 'ok', `Replayed ${r.replayed} event${r.replayed === 1 ? '' : 's'} to ${endpoint}; `
      + dead.result.textContent);
  } catch (e) {
    if (mine === session) setResult(dead.result, 'error', 'Replay failed: ' + describe(e));
  }
}

dead.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const endpoint = dead.endpoint.value.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(endpoint)) {
    setResult(dead.result, 'error', 'An endpoint name is 1 to 64 of A-Z a-z 0-9 _ -.');
    return;
  }
  listDeadLetters(endpoint);
});

dead.replayAll.addEventListener('click', () => { if (deadShown) replayDeadLetters(deadShown, null); });

