// The tape browser (proxy/http/ui/ui_endpoints.h). Recorded data is hostile input: every string from
// the API reaches the page through textContent or an attribute set with setAttribute on elements made
// with createElement; nothing is ever parsed as HTML. The server's Content-Security-Policy forbids
// inline script.
'use strict';

const API = '/__replay/api/tapes';
const SVG_NS = 'http://www.w3.org/2000/svg';

// el('td', {class: 'x'}, 'text', child...): an element with attributes and text or element children.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function showError(message) {
  const box = document.getElementById('error');
  box.textContent = message;
  box.hidden = !message;
}

async function getJson(url, options) {
  const response = await fetch(url, Object.assign({credentials: 'same-origin'}, options || {}));
  const body = await response.json().catch(() => ({message: 'not JSON (HTTP ' + response.status + ')'}));
  if (!response.ok) throw new Error((body.__type || 'HTTP ' + response.status) + ': ' + (body.message || ''));
  return body;
}

// The CSS class of an answer's outcome: success, running, missing (not yet known to AWS) or failed.
function statusClass(outcome) {
  if (outcome === 'Success') return 'st-success';
  if (['Pending', 'InProgress', 'Delayed', 'Cancelling'].includes(outcome)) return 'st-running';
  if (outcome === 'InvocationDoesNotExist') return 'st-missing';
  if (/^HTTP 2/.test(outcome)) return 'st-success';
  return 'st-failed';
}

function formatLatency(us) {
  return us >= 1000 ? (us / 1000).toFixed(us >= 100000 ? 0 : 1) + ' ms' : us + ' µs';
}

// ---- list view ----------------------------------------------------------------------------------

function listRoute(params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  return '#/?' + query.toString();
}

async function showList(params) {
  document.getElementById('prefix').value = params.prefix || '';
  document.getElementById('action').value = params.action || '';
  const query = new URLSearchParams({limit: '50'});
  for (const name of ['prefix', 'action', 'after']) if (params[name]) query.set(name, params[name]);
  const page = await getJson(API + '?' + query.toString());
  const body = document.querySelector('#tapes tbody');
  clear(body);
  for (const tape of page.tapes) body.append(tapeRow(tape));
  const next = document.getElementById('next-page');
  next.disabled = !page.next;
  next.dataset.after = page.next || '';
  document.getElementById('first-page').disabled = !params.after;
  document.getElementById('page-info').textContent =
      page.tapes.length + ' tape(s)' + (page.next ? ', more follow' : '') + (params.after ? ' (not the first page)' : '');
  showView('list-view');
}

function tapeRow(tape) {
  const link = el('a', {href: '#/tape/' + tape.id, class: 'tape-link'}, tape.commandId || tape.id.slice(0, 16) + '…');
  const status = el('span', {class: statusClass(tape.finalStatus)}, tape.finalStatus);
  return el('tr', {}, el('td', {}, link), el('td', {}, tape.instanceId), el('td', {}, tape.plugin === null ? '—' : tape.plugin),
            el('td', {}, tape.action), el('td', {}, tape.interactions), el('td', {}, status),
            el('td', {}, tape.firstRecorded));
}

// ---- tape view ----------------------------------------------------------------------------------

async function showTape(id) {
  const tape = await getJson(API + '/' + encodeURIComponent(id));
  document.getElementById('tape-title').textContent = tape.describe;
  const facts = document.getElementById('tape-facts');
  clear(facts);
  for (const [name, value] of [['Action', tape.action], ['CommandId', tape.commandId], ['InstanceId', tape.instanceId],
                               ['Plugin', tape.plugin === null ? '(none in the request)' : tape.plugin],
                               ['Interactions', tape.interactions], ['Final status', tape.finalStatus],
                               ['First recorded', tape.firstRecorded], ['Last recorded', tape.lastRecorded]]) {
    facts.append(el('dt', {}, name), el('dd', {}, value));
  }
  const next = tape.cursors.length ? tape.cursors[0].next : -1;
  renderCursors(tape);
  renderTimeline(tape.entries, next);
  renderInteractions(tape.entries, next);
  showView('tape-view');
}

function renderCursors(tape) {
  const list = document.getElementById('cursors');
  clear(list);
  if (!tape.cursors.length) list.append(el('li', {}, 'This server keeps no cursors (its mode replays nothing).'));
  for (const cursor of tape.cursors) {
    const text = 'session ' + cursor.session + ': ' + cursor.calls + ' call(s) since the last reset; the next call ' +
        'gets interaction #' + cursor.next + ' (in --order sequence)';
    const button = el('button', {type: 'button', class: 'reset'}, 'Reset cursor');
    button.addEventListener('click', () => resetCursor(tape.id, cursor.session));
    list.append(el('li', {class: 'cursor', 'data-session': cursor.session}, text, button));
  }
}

async function resetCursor(id, session) {
  const query = session === 'default' ? '' : '?Session=' + encodeURIComponent(session);
  try {
    await getJson(API + '/' + encodeURIComponent(id) + '/reset' + query, {method: 'POST'});
    await showTape(id);
  } catch (e) {
    showError(e.message);
  }
}

// One mark per interaction on a time axis (recorded time), coloured by outcome; a bar after each
// mark is the upstream latency on the same scale, and its label the latency in figures.
function renderTimeline(entries, next) {
  const box = document.getElementById('timeline');
  clear(box);
  const width = 900, height = 120, left = 40, right = 40, axisY = 70;
  const root = svg('svg', {width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img'});
  root.append(svg('title', {}, 'Timeline: one mark per interaction'));
  if (!entries.length) {
    box.append(root);
    return;
  }
  const start = entries[0].recordedAtMs;
  const end = Math.max(...entries.map(e => e.recordedAtMs + e.latencyUs / 1000), start + 1);
  const x = ms => left + (ms - start) / (end - start) * (width - left - right);
  root.append(svg('line', {class: 'axis', x1: left, y1: axisY, x2: width - right, y2: axisY}));
  root.append(svg('text', {class: 'axis-label', x: left, y: axisY + 30}, entries[0].recordedAt));
  root.append(svg('text', {class: 'axis-label', x: width - right, y: axisY + 30, 'text-anchor': 'end'},
                  '+' + ((end - start) / 1000).toFixed(1) + ' s'));
  entries.forEach((entry, i) => {
    const cx = x(entry.recordedAtMs);
    const cls = statusClass(entry.outcome);
    root.append(svg('line', {class: 'latency ' + cls, x1: cx, y1: axisY, x2: Math.max(cx + 1, x(entry.recordedAtMs + entry.latencyUs / 1000)), y2: axisY}));
    const mark = svg('circle', {class: 'mark ' + cls + (i === next ? ' next' : ''), cx, cy: axisY, r: 6, 'data-index': i});
    mark.append(svg('title', {}, '#' + i + ' ' + entry.outcome + ' at ' + entry.recordedAt + ', latency ' + formatLatency(entry.latencyUs)));
    root.append(mark);
    root.append(svg('text', {class: 'mark-label', x: cx, y: axisY - (i % 2 ? 28 : 14), 'text-anchor': 'middle'},
                    formatLatency(entry.latencyUs)));
  });
  box.append(root);
}

function renderInteractions(entries, next) {
  const list = document.getElementById('interactions');
  clear(list);
  entries.forEach((entry, i) => {
    const head = el('div', {class: 'entry-head' + (i === next ? ' next-entry' : '')},
                    '#' + i + '  ' + entry.recordedAt + '  latency ' + formatLatency(entry.latencyUs) + '  HTTP ' +
                    entry.httpStatus + '  ', el('span', {class: 'outcome ' + statusClass(entry.outcome)}, entry.outcome));
    const item = el('li', {class: 'entry', id: 'entry-' + i}, head);
    if ('stdout' in entry) {
      const before = i > 0 && 'stdout' in entries[i - 1] ? entries[i - 1] : {stdout: '', stderr: ''};
      item.append(outputDiff('StandardOutputContent', before.stdout, entry.stdout, 'stdout'));
      item.append(outputDiff('StandardErrorContent', before.stderr, entry.stderr, 'stderr'));
    }
    item.append(el('details', {}, el('summary', {}, 'Request (' + entry.request.action + ')'),
                   el('pre', {class: 'request-body'}, entry.request.body)));
    const headers = el('table', {class: 'headers'});
    for (const [name, value] of entry.response.headers) headers.append(el('tr', {}, el('td', {}, name), el('td', {}, value)));
    item.append(el('details', {}, el('summary', {}, 'Response'), headers,
                   el('pre', {class: 'response-body'}, entry.response.body)));
    item.append(el('div', {class: 'source'}, 'source: ' + entry.source));
    list.append(item);
  });
}

// The change of one output field since the previous poll, line by line.
function outputDiff(field, before, after, kind) {
  const box = el('div', {class: 'diff ' + kind});
  if (before === after) {
    box.append(el('span', {class: 'same-note'}, field + ': unchanged' + (after ? '' : ' (empty)')));
    return box;
  }
  const pre = el('pre', {class: 'diff-' + kind});
  for (const [sign, line] of diffLines(before, after)) {
    pre.append(el('span', {class: sign === '+' ? 'add' : sign === '-' ? 'del' : 'same'}, sign + ' ' + line));
  }
  box.append(el('div', {}, field + ' since the previous poll:'), pre);
  return box;
}

// Lines removed ('-'), added ('+') and kept (' ') from `a` to `b`: output that grows by appending is
// shown as its new lines; otherwise a longest-common-subsequence diff (whole replacement past 2,000
// lines, where the table would grow too big).
function diffLines(a, b) {
  const lines = text => (text ? text.replace(/\n$/, '').split('\n') : []);
  const old = lines(a), now = lines(b);
  if (a && b.startsWith(a) && a.endsWith('\n')) return now.slice(old.length).map(line => ['+', line]);
  if (old.length * now.length > 4000000) return old.map(l => ['-', l]).concat(now.map(l => ['+', l]));
  const n = old.length, m = now.length;
  const lcs = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; --i) {
    for (let j = m - 1; j >= 0; --j) {
      lcs[i][j] = old[i] === now[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && old[i] === now[j]) { out.push([' ', old[i]]); ++i; ++j; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(['+', now[j++]]);
    else out.push(['-', old[i++]]);
  }
  return out;
}

// ---- routing ------------------------------------------------------------------------------------

function showView(id) {
  for (const view of ['list-view', 'tape-view']) document.getElementById(view).hidden = view !== id;
}

async function route() {
  showError('');
  const hash = location.hash || '#/';
  try {
    if (hash.startsWith('#/tape/')) {
      await showTape(decodeURIComponent(hash.slice('#/tape/'.length)));
    } else {
      const query = new URLSearchParams(hash.slice(hash.indexOf('?') + 1 || hash.length));
      await showList({prefix: query.get('prefix'), action: query.get('action'), after: query.get('after')});
    }
    document.body.dataset.ready = hash;
  } catch (e) {
    showError(e.message);
    document.body.dataset.ready = 'error';
  }
}

function currentSearch() {
  return {prefix: document.getElementById('prefix').value.trim(), action: document.getElementById('action').value};
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('search').addEventListener('submit', event => {
    event.preventDefault();
    location.hash = listRoute(currentSearch());
  });
  document.getElementById('next-page').addEventListener('click', event => {
    location.hash = listRoute(Object.assign(currentSearch(), {after: event.target.dataset.after}));
  });
  document.getElementById('first-page').addEventListener('click', () => {
    location.hash = listRoute(currentSearch());
  });
  window.addEventListener('hashchange', route);
  route();
});
