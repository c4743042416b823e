// The page of the mock server's web viewer (MockServerOptions::ui), served at `/ui`: one
// self-contained HTML document, inline style and script, no external URL (the machine may be
// offline; the page's Content-Security-Policy, set in mock_ui.cpp, would block one anyway).
//
// Everything shown comes from the stores, i.e. from whoever sent the spans: the script builds
// every element with createElement and sets text with textContent (never innerHTML), so a span
// named `<img src=x onerror=...>` is shown as that text. The attributes on the waterfall rows
// (data-span-id, data-parent, data-depth, data-status, data-first-render) are what the browser
// test (tests/browser/) reads back from the rendered DOM.
#include <string_view>

#include "testing/mock_ui.hpp"

namespace respan::testing::detail {

namespace {

constexpr std::string_view kPage = R"__PAGE__(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Respan mock server</title>
<style>
:root { --bg:#f6f7f9; --panel:#fff; --line:#dde1e6; --text:#1d2330; --muted:#667085;
  --accent:#3056d3; --bar:#5b7cfa; --err:#d92d20; --errbg:#fef3f2; --sel:#eef2ff; }
* { box-sizing: border-box; }
body { margin:0; font:13px/1.4 system-ui, sans-serif; color:var(--text); background:var(--bg); }
header { display:flex; align-items:center; gap:16px; padding:10px 16px; background:#111827; color:#fff; }
header h1 { font-size:15px; margin:0; font-weight:600; }
#status { margin-left:auto; font-size:12px; color:#cbd5e1; }
#status.down { color:#fca5a5; }
nav { display:flex; gap:4px; padding:8px 16px 0; border-bottom:1px solid var(--line); background:var(--panel); }
nav button { border:0; background:none; padding:8px 12px; font:inherit; cursor:pointer; color:var(--muted);
  border-bottom:2px solid transparent; }
nav button.active { color:var(--accent); border-bottom-color:var(--accent); font-weight:600; }
main { padding:12px 16px; }
section { background:var(--panel); border:1px solid var(--line); border-radius:6px; margin-bottom:12px; }
section > h2 { font-size:13px; margin:0; padding:8px 12px; border-bottom:1px solid var(--line); }
.list { max-height:32vh; overflow:auto; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:4px 10px; border-bottom:1px solid var(--line); white-space:nowrap;
  max-width:320px; overflow:hidden; text-overflow:ellipsis; }
th { position:sticky; top:0; background:#f9fafb; color:var(--muted); font-weight:600; font-size:12px; }
tbody tr { cursor:pointer; }
tbody tr:hover { background:#f9fafb; }
tr.selected { background:var(--sel); }
tr.error td.st, .errtext { color:var(--err); font-weight:600; }
.empty { padding:12px; color:var(--muted); }
.mono { font-family:ui-monospace, monospace; font-size:12px; }
.summary { display:flex; flex-wrap:wrap; gap:6px 18px; padding:8px 12px; }
.summary strong { font-weight:600; }
.wf { padding:4px 0 8px; max-height:55vh; overflow:auto; }
.axis, .span-row { display:grid; grid-template-columns:minmax(220px, 34%) 1fr; }
.axis { position:sticky; top:0; background:var(--panel); z-index:1; border-bottom:1px solid var(--line);
  font-size:11px; color:var(--muted); }
.axis .ticks { position:relative; height:20px; }
.axis .tick { position:absolute; top:3px; transform:translateX(-50%); white-space:nowrap; }
.axis .tick:first-child { transform:none; }
.axis .tick:last-child { transform:translateX(-100%); }
.span-row { cursor:pointer; border-bottom:1px solid #f0f2f5; }
.span-row:hover { background:#f9fafb; }
.span-row.selected { background:var(--sel); }
.span-row.error { background:var(--errbg); }
.span-row.error.selected { background:#fde2df; }
.label { padding:3px 8px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.label .name { font-weight:500; }
.label .kind { color:var(--muted); font-size:11px; margin-left:6px; }
.badge-error { display:inline-block; margin-left:6px; padding:0 5px; border-radius:3px; background:var(--err);
  color:#fff; font-size:11px; font-weight:600; }
.track { position:relative; height:22px; margin-right:70px; }
.bar { position:absolute; top:5px; height:12px; min-width:2px; border-radius:2px; background:var(--bar); }
.bar.error { background:var(--err); }
.dur { position:absolute; top:3px; font-size:11px; color:var(--muted); padding-left:4px; white-space:nowrap; }
#details dl { display:grid; grid-template-columns:160px 1fr; margin:0; padding:8px 12px; gap:3px 10px; }
#details dt { color:var(--muted); }
#details dd { margin:0; white-space:pre-wrap; word-break:break-word; }
.note { padding:6px 12px; color:var(--muted); font-size:12px; }
</style>
</head>
<body data-trace-loads="0" data-version="0">
<header><h1>Respan mock server &middot; viewer</h1><span id="status">connecting&hellip;</span></header>
<nav id="tabs"></nav>
<main id="main"></main>
<script nonce="@NONCE@">
(function () {
  'use strict';
  var TABS = [['traces', 'Traces'], ['logs', 'Request logs'], ['datasets', 'Datasets']];
  var state = { tab: 'traces', trace: '', span: '', log: '', wait: 10000 };
  var data = { logs: null, traces: null, datasets: null, trace: null, traceError: '' };
  var version = 0, traceLoads = 0, seen = {}, seenTrace = '', lastText = {};

  // ---------------------------------------------------------------- helpers (text only)
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function str(v) { return v === undefined || v === null ? '' : String(v); }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
  function fmtUs(us) {
    us = num(us);
    if (us === null) return '';
    if (us < 1000) return Math.round(us) + ' \u00b5s';
    if (us < 1e6) return (us / 1000).toFixed(us < 1e4 ? 2 : 1) + ' ms';
    return (us / 1e6).toFixed(2) + ' s';
  }
  function fmtSec(s) { return num(s) === null ? '' : fmtUs(s * 1e6); }
  function fmtCost(c) {
    c = num(c);
    return c === null ? '' : '$' + c.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0');
  }
  function fmtTime(t) {
    var d = new Date(str(t));
    if (isNaN(d.getTime())) return str(t);
    function two(n) { return String(n).padStart(2, '0'); }
    return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()) + '.' +
      String(d.getMilliseconds()).padStart(3, '0');
  }
  function tokens(p, c) {
    if (num(p) === null && num(c) === null) return '';
    return str(num(p) === null ? '-' : p) + ' / ' + str(num(c) === null ? '-' : c);
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // ---------------------------------------------------------------- state <-> URL hash
  function readHash() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    state.trace = p.get('trace') || '';
    state.span = p.get('span') || '';
    state.log = p.get('log') || '';
    var tab = p.get('tab') || (state.log ? 'logs' : 'traces');
    state.tab = TABS.some(function (t) { return t[0] === tab; }) ? tab : 'traces';
    var w = parseInt(p.get('wait') || '', 10);
    state.wait = isFinite(w) && w >= 0 ? Math.min(w, 25000) : 10000;
  }
  function writeHash() {
    var p = new URLSearchParams();
    if (state.tab !== 'traces') p.set('tab', state.tab);
    if (state.trace) p.set('trace', state.trace);
    if (state.span) p.set('span', state.span);
    if (state.log) p.set('log', state.log);
    if (state.wait !== 10000) p.set('wait', String(state.wait));
    history.replaceState(null, '', '#' + p.toString());
  }
  function select(patch) {
    var traceChanged = patch.trace !== undefined && patch.trace !== state.trace;
    Object.keys(patch).forEach(function (k) { state[k] = patch[k]; });
    writeHash();
    if (traceChanged) { data.trace = null; data.traceError = ''; loadTrace().then(render, render); }
    render();
  }

  // ---------------------------------------------------------------- data
  function get(path) {
    return fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.json().then(function (j) { return { status: r.status, body: j }; });
      });
  }
  function loadTrace() {
    if (!state.trace) { data.trace = null; return Promise.resolve(); }
    var id = state.trace;
    return get('/ui/api/traces/' + encodeURIComponent(id)).then(function (r) {
      if (id !== state.trace) return;
      if (r.status === 200) {
        var text = JSON.stringify(r.body.spans) + JSON.stringify(r.body.trace);
        if (text !== lastText.trace || seenTrace !== id) {
          lastText.trace = text;
          traceLoads += 1;
          if (seenTrace !== id) { seen = {}; seenTrace = id; }
          r.body.spans.forEach(function (s) {
            if (!(s.span_unique_id in seen)) seen[s.span_unique_id] = traceLoads;
          });
        }
        data.trace = r.body; data.traceError = '';
      } else {
        data.trace = null;
        data.traceError = r.status === 404 ? 'No span of trace ' + id + ' is stored (yet).' : str(r.body.detail);
      }
    });
  }
  function refresh() {
    return Promise.all([get('/ui/api/logs?limit=200'), get('/ui/api/traces?limit=200'),
                        get('/ui/api/datasets?limit=200'), loadTrace()]).then(function (r) {
      var v = Infinity;
      [['logs', r[0]], ['traces', r[1]], ['datasets', r[2]]].forEach(function (p) {
        if (p[1].status === 200) { data[p[0]] = p[1].body; v = Math.min(v, p[1].body.version); }
      });
      if (data.trace) v = Math.min(v, data.trace.version);
      if (isFinite(v)) version = v;
      document.body.setAttribute('data-version', String(version));
      render();
    });
  }
  function setStatus(ok, text) {
    var s = document.getElementById('status');
    s.className = ok ? '' : 'down';
    s.textContent = text;
  }
  function sleep(ms) { return new Promise(function (res) { setTimeout(res, ms); }); }
  // Long poll: /ui/api/changes answers as soon as the stored data changed (or after `wait`
  // ms); then the page refetches and redraws, at most about once a second.
  async function loop() {
    for (;;) {
      try {
        var r = await get('/ui/api/changes?since=' + version + '&wait=' + state.wait);
        setStatus(r.status === 200, r.status === 200 ? 'live \u00b7 updated ' + new Date().toLocaleTimeString()
                                                     : 'viewer answered ' + r.status);
        if (r.status === 200 && r.body.version !== version) await refresh();
        await sleep(1000);
      } catch (e) {
        setStatus(false, 'disconnected: retrying');
        await sleep(2000);
      }
    }
  }

  // ---------------------------------------------------------------- rendering
  // Redraws the current tab from the cached data; the scroll positions of the lists and the
  // waterfall survive (a refresh must not lose the user's place).
  function render() {
    renderTabs();
    var main = document.getElementById('main'), scrolls = {};
    main.querySelectorAll('[data-scroll-key]').forEach(function (e) {
      scrolls[e.getAttribute('data-scroll-key')] = e.scrollTop;
    });
    clear(main);
    if (state.tab === 'traces') renderTraces(main);
    else if (state.tab === 'logs') renderLogs(main);
    else renderDatasets(main);
    main.querySelectorAll('[data-scroll-key]').forEach(function (e) {
      var top = scrolls[e.getAttribute('data-scroll-key')];
      if (top) e.scrollTop = top;
    });
  }
  function renderTabs() {
    var nav = document.getElementById('tabs');
    clear(nav);
    TABS.forEach(function (t) {
      var d = data[t[0]];
      var b = el('button', state.tab === t[0] ? 'active' : '', t[1] + (d ? ' (' + d.count + ')' : ''));
      b.setAttribute('data-tab', t[0]);
      b.addEventListener('click', function () { select({ tab: t[0] }); });
      nav.appendChild(b);
    });
  }
  function table(columns, rows, onRow) {
    var t = el('table'), head = el('thead'), tr = el('tr'), body = el('tbody');
    columns.forEach(function (c) { tr.appendChild(el('th', '', c[0])); });
    head.appendChild(tr); t.appendChild(head);
    rows.forEach(function (row) {
      var r = el('tr');
      columns.forEach(function (c) {
        var v = c[1](row);
        var td = el('td', c[2] || '', v);
        td.title = str(v);
        r.appendChild(td);
      });
      onRow(row, r);
      body.appendChild(r);
    });
    t.appendChild(body);
    return t;
  }
  function listSection(title, d, columns, onRow) {
    var s = el('section');
    s.appendChild(el('h2', '', title + (d ? ' \u00b7 ' + d.count + ' stored' +
      (d.count > d.results.length ? ', newest ' + d.results.length + ' shown' : '') : '')));
    var box = el('div', 'list');
    box.setAttribute('data-scroll-key', title);
    if (!d) box.appendChild(el('div', 'empty', 'Loading\u2026'));
    else if (!d.results.length) box.appendChild(el('div', 'empty', 'Nothing stored yet.'));
    else box.appendChild(table(columns, d.results, onRow));
    s.appendChild(box);
    return s;
  }
  function renderTraces(main) {
    main.appendChild(listSection('Traces', data.traces, [
      ['Start', function (t) { return fmtTime(t.start_time); }],
      ['Name', function (t) { return t.name; }],
      ['Spans', function (t) { return t.span_count; }],
      ['Errors', function (t) { return t.error_count; }, 'st'],
      ['Duration', function (t) { return fmtSec(t.duration); }],
      ['Tokens', function (t) { return t.total_tokens; }],
      ['Cost', function (t) { return fmtCost(t.total_cost); }],
      ['Model', function (t) { return t.model; }],
      ['Trace id', function (t) { return t.trace_unique_id; }, 'mono']
    ], function (t, r) {
      r.setAttribute('data-trace-id', str(t.trace_unique_id));
      if (t.error_count > 0) r.classList.add('error');
      if (t.trace_unique_id === state.trace) r.classList.add('selected');
      r.addEventListener('click', function () { select({ trace: str(t.trace_unique_id), span: '' }); });
    }));
    if (state.trace) main.appendChild(renderTrace());
  }

  // The spans in waterfall order: each parent followed by its children (by start), depth-first.
  // A span whose parent is not among them is drawn at depth 0; a parent cycle cannot loop.
  function layout(spans) {
    var byId = {}, kids = {}, roots = [], out = [], placed = {};
    spans.forEach(function (s) { byId[s.span_unique_id] = s; });
    spans.forEach(function (s) {
      var p = str(s.span_parent_id);
      if (p && p !== s.span_unique_id && byId[p]) (kids[p] = kids[p] || []).push(s);
      else roots.push(s);
    });
    function visit(s, depth) {
      var stack = [[s, depth]];
      while (stack.length) {
        var top = stack.pop(), span = top[0];
        if (placed[span.span_unique_id]) continue;
        placed[span.span_unique_id] = true;
        out.push({ span: span, depth: top[1] });
        var c = (kids[span.span_unique_id] || []).slice().sort(function (a, b) { return a.offset_us - b.offset_us; });
        for (var i = c.length - 1; i >= 0; i--) stack.push([c[i], top[1] + 1]);
      }
    }
    roots.forEach(function (r) { visit(r, 0); });
    spans.forEach(function (s) { if (!placed[s.span_unique_id]) visit(s, 0); });
    return out;
  }
  function renderTrace() {
    var s = el('section');
    s.id = 'trace';
    s.setAttribute('data-trace-id', state.trace);
    if (!data.trace) {
      s.appendChild(el('h2', '', 'Trace ' + state.trace));
      s.appendChild(el('div', 'empty', data.traceError || 'Loading\u2026'));
      return s;
    }
    var t = data.trace.trace, spans = data.trace.spans;
    s.appendChild(el('h2', '', 'Trace ' + str(t.name) + ' \u00b7 ' + str(t.trace_unique_id)));
    var sum = el('div', 'summary');
    [['Spans', data.trace.span_count], ['Errors', t.error_count], ['Duration', fmtSec(t.duration)],
     ['LLM calls', t.llm_call_count], ['Tokens', tokens(t.total_prompt_tokens, t.total_completion_tokens)],
     ['Cost', fmtCost(t.total_cost)], ['Start', str(t.start_time)]].forEach(function (p) {
      var span = el('span'); span.appendChild(el('strong', '', p[0] + ': ')); span.appendChild(document.createTextNode(str(p[1])));
      sum.appendChild(span);
    });
    s.appendChild(sum);
    if (data.trace.truncated) s.appendChild(el('div', 'note', 'Showing the first ' + spans.length + ' of ' + data.trace.span_count + ' spans.'));
    var total = 1;
    spans.forEach(function (x) { total = Math.max(total, x.offset_us + x.duration_us); });
    var wf = el('div', 'wf');
    wf.id = 'waterfall';
    wf.setAttribute('data-scroll-key', 'waterfall');
    var axis = el('div', 'axis'), ticks = el('div', 'ticks');
    axis.appendChild(el('div', 'label', 'Span'));
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
      var k = el('span', 'tick', fmtUs(total * f));
      k.style.left = (f * 100) + '%';
      ticks.appendChild(k);
    });
    axis.appendChild(ticks);
    wf.appendChild(axis);
    var selected = null;
    layout(spans).forEach(function (item) {
      var x = item.span, err = x.is_error === true;
      var row = el('div', 'span-row' + (err ? ' error' : ''));
      row.setAttribute('data-span-id', str(x.span_unique_id));
      row.setAttribute('data-parent', str(x.span_parent_id));
      row.setAttribute('data-depth', String(item.depth));
      row.setAttribute('data-status', str(x.status));
      row.setAttribute('data-first-render', String(seen[x.span_unique_id] || traceLoads));
      row.setAttribute('role', 'row');
      row.tabIndex = 0;
      var label = el('div', 'label');
      label.style.paddingLeft = (8 + Math.min(item.depth, 30) * 16) + 'px';
      label.appendChild(el('span', 'name', str(x.span_name) || str(x.span_workflow_name) || '(unnamed)'));
      if (err) label.appendChild(el('span', 'badge-error', 'error'));
      if (x.log_type) label.appendChild(el('span', 'kind', x.log_type));
      row.appendChild(label);
      var track = el('div', 'track'), bar = el('div', 'bar' + (err ? ' error' : ''));
      var left = 100 * x.offset_us / total, width = 100 * x.duration_us / total;
      bar.style.left = left + '%';
      bar.style.width = width + '%';
      track.appendChild(bar);
      var dur = el('span', 'dur', fmtUs(x.duration_us));
      dur.style.left = Math.min(left + width, 100) + '%';
      track.appendChild(dur);
      row.appendChild(track);
      row.title = [str(x.span_name), x.model ? 'model ' + x.model : '',
        x.prompt_tokens !== undefined || x.completion_tokens !== undefined ? 'tokens ' + tokens(x.prompt_tokens, x.completion_tokens) : '',
        x.cost !== undefined ? 'cost ' + fmtCost(x.cost) : '', 'latency ' + fmtUs(x.duration_us),
        'status ' + str(x.status) + (x.error_message ? ': ' + x.error_message : '')].filter(Boolean).join('\n');
      if (x.span_unique_id === state.span) { row.classList.add('selected'); selected = x; }
      row.addEventListener('click', function () { select({ span: str(x.span_unique_id) }); });
      row.addEventListener('keydown', function (e) { if (e.key === 'Enter') select({ span: str(x.span_unique_id) }); });
      wf.appendChild(row);
    });
    s.appendChild(wf);
    document.body.setAttribute('data-trace-loads', String(traceLoads));
    if (selected) s.appendChild(details('Span ' + str(selected.span_name), selected, [
      ['Span id', 'span_unique_id'], ['Parent span id', 'span_parent_id'], ['Name', 'span_name'],
      ['Workflow', 'span_workflow_name'], ['Type', 'log_type'], ['Status', 'status'],
      ['Error', 'error_message'], ['Model', 'model'], ['Prompt tokens', 'prompt_tokens'],
      ['Completion tokens', 'completion_tokens'], ['Total tokens', 'total_request_tokens'],
      ['Cost', 'cost', fmtCost], ['Latency', 'duration_us', fmtUs], ['Start (from trace start)', 'offset_us', fmtUs],
      ['Start time', 'start_time'], ['End time', 'timestamp'], ['Customer', 'customer_identifier'],
      ['Input', 'input'], ['Output', 'output']]));
    return s;
  }
  function details(title, obj, fields) {
    var s = el('section');
    s.id = 'details';
    s.setAttribute('data-span-id', str(obj.span_unique_id || obj.unique_id));
    s.appendChild(el('h2', '', title));
    var dl = el('dl');
    fields.forEach(function (f) {
      if (obj[f[1]] === undefined || obj[f[1]] === '') return;
      var dt = el('dt', '', f[0]), dd = el('dd', '', f[2] ? f[2](obj[f[1]]) : str(obj[f[1]]));
      dd.setAttribute('data-field', f[1]);
      if (f[1] === 'status' && obj.status === 'error') dd.className = 'errtext';
      dl.appendChild(dt); dl.appendChild(dd);
    });
    s.appendChild(dl);
    return s;
  }
  function renderLogs(main) {
    var selected = null;
    main.appendChild(listSection('Request logs', data.logs, [
      ['Time', function (l) { return fmtTime(l.timestamp); }],
      ['Model', function (l) { return l.model; }],
      ['Type', function (l) { return l.log_type; }],
      ['Status', function (l) { return l.status; }, 'st'],
      ['Latency', function (l) { return fmtSec(l.latency); }],
      ['Tokens', function (l) { return tokens(l.prompt_tokens, l.completion_tokens); }],
      ['Cost', function (l) { return fmtCost(l.cost); }],
      ['Customer', function (l) { return l.customer_identifier; }],
      ['Span', function (l) { return l.span_name; }],
      ['Id', function (l) { return l.unique_id; }, 'mono']
    ], function (l, r) {
      r.setAttribute('data-log-id', str(l.unique_id));
      if (l.status === 'error') r.classList.add('error');
      if (l.unique_id === state.log) { r.classList.add('selected'); selected = l; }
      r.addEventListener('click', function () { select({ log: str(l.unique_id) }); });
    }));
    if (selected) {
      var d = details('Request log ' + str(selected.unique_id), selected, [
        ['Id', 'unique_id'], ['Time', 'timestamp'], ['Model', 'model'], ['Type', 'log_type'],
        ['Status', 'status'], ['Status code', 'status_code'], ['Error', 'error_message'],
        ['Latency', 'latency', fmtSec], ['Prompt tokens', 'prompt_tokens'],
        ['Completion tokens', 'completion_tokens'], ['Total tokens', 'total_request_tokens'],
        ['Cost', 'cost', fmtCost], ['Customer', 'customer_identifier'], ['Environment', 'environment'],
        ['Trace', 'trace_unique_id'], ['Span name', 'span_name']]);
      if (selected.trace_unique_id) {
        var b = el('button', '', 'Open its trace');
        b.addEventListener('click', function () {
          select({ tab: 'traces', trace: str(selected.trace_unique_id), span: str(selected.span_unique_id || selected.unique_id) });
        });
        d.appendChild(b);
      }
      main.appendChild(d);
    }
  }
  function renderDatasets(main) {
    main.appendChild(listSection('Datasets', data.datasets, [
      ['Name', function (d) { return d.name; }],
      ['Type', function (d) { return d.type; }],
      ['Status', function (d) { return d.status; }],
      ['Logs', function (d) { return d.log_count; }],
      ['Created', function (d) { return d.created_at; }],
      ['Description', function (d) { return d.description; }],
      ['Id', function (d) { return d.id; }, 'mono']
    ], function (d, r) { r.setAttribute('data-dataset-id', str(d.id)); }));
  }

  readHash();
  window.addEventListener('hashchange', function () {
    var before = state.trace;
    readHash();
    if (state.trace !== before) { data.trace = null; loadTrace().then(render, render); }
    render();
  });
  render();
  refresh().then(function () { setStatus(true, 'live'); }, function () { setStatus(false, 'disconnected: retrying'); })
    .then(loop);
})();
</script>
</body>
</html>
)__PAGE__";

}  // namespace

std::string_view mock_ui_page() {
  return kPage;
}

}  // namespace respan::testing::detail
