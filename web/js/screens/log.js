// log.js — 監査証跡: the events of the trail with filters and keyset pages,
// the trail's verification, and the files an auditor takes home (the signed
// head and an inclusion proof) with the command that checks them offline.
//
// Filters live in the address (#/log?actor=…&from=…) so a reload shows the
// same list.  Times are entered and shown in Tokyo time; the API compares UTC
// RFC 3339 strings, so the entered times are converted before asking.  The API
// has only `since`; `until` is applied here by stopping at the first later event.

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import * as api from '../api.js';
import { dataTable, pager, notice, errorNotice, fieldControl } from '../components.js';
import { can } from './registry.js';

export const messages = 'log';

const PAGE = 50;
const FILTERS = ['from', 'until', 'actor', 'action', 'object'];

// "2026-12-05T09:30" in Tokyo → "2026-12-05T00:30:00Z" (what the trail stores).
function tokyoToUtc(local) {
  if (!local) return '';
  const d = new Date(`${local}:00+09:00`);
  return Number.isNaN(d.getTime()) ? '' : `${d.toISOString().slice(0, 19)}Z`;
}

function address(params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  const s = q.toString();
  return s ? `#/log?${s}` : '#/log';
}

function filterForm(params, ctx) {
  const controls = [
    fieldControl({ id: 'from', title: t('log.from'), type: 'datetime' }, params.from),
    fieldControl({ id: 'until', title: t('log.until'), type: 'datetime' }, params.until),
    fieldControl({ id: 'actor', title: t('log.actor'), help: t('log.actor_help') }, params.actor),
    fieldControl({ id: 'action', title: t('log.action'), help: t('log.action_help') }, params.action),
    fieldControl({ id: 'object', title: t('log.object') }, params.object),
  ];
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('log.filters') },
    controls.map((c) => c.row),
    h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary' }, t('log.apply')),
      h('button', { type: 'button', onclick: () => ctx.navigate('#/log') }, t('log.clear'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const out = {};
    FILTERS.forEach((k, i) => { out[k] = controls[i].read(); });
    ctx.navigate(address(out));
  });
  return form;
}

// One event's body as indented JSON, inside a disclosure so the list stays short.
function bodyCell(ev) {
  if (ev.body === undefined || ev.body === null) return '—';
  return h('details', { class: 'event-body' }, h('summary', null, t('log.body')),
    h('pre', null, JSON.stringify(ev.body, null, 2)));
}

function proofButton(ev, status) {
  return h('button', { type: 'button', class: 'small', onclick: () => saveProof(ev.seq, status) },
    t('log.proof_button'));
}

async function saveProof(seq, status) {
  try {
    const name = await api.download('/api/log/proof', { seq }, `proof-${seq}.txt`);
    replace(status, notice('ok', t('log.proof_saved', { name, seq })));
  } catch (err) {
    replace(status, errorNotice(err));
  }
}

async function eventsSection(ctx, status) {
  const params = {};
  for (const k of [...FILTERS, 'after']) if (ctx.query.get(k)) params[k] = ctx.query.get(k);
  const since = params.after ? String(Number(params.after)) : tokyoToUtc(params.from);
  const data = await api.get('/api/log', { since, actor: params.actor, action: params.action,
    object: params.object, limit: PAGE });
  const until = tokyoToUtc(params.until);
  const cut = until ? data.events.findIndex((e) => e.time > until) : -1;
  const events = cut >= 0 ? data.events.slice(0, cut) : data.events;
  const hasNext = cut < 0 && data.next !== null && data.next !== undefined;
  const columns = [
    { id: 'seq', title: t('log.seq'), numeric: true },
    { id: 'time', title: t('log.time'), value: (e) => formatTime(e.time) },
    { id: 'actor', title: t('log.actor') },
    { id: 'action', title: t('log.action'), value: (e) => h('code', null, e.action) },
    { id: 'object', title: t('log.object_col'), value: (e) => [e.object_type, e.object_id].filter(Boolean).join(' ') },
    { id: 'body', title: t('log.body'), value: bodyCell },
    { id: 'proof', title: t('log.proof'), value: (e) => proofButton(e, status) },
  ];
  const base = { ...params };
  delete base.after;
  return [
    h('h2', null, t('log.events')),
    filterForm(params, ctx),
    dataTable({ columns, rows: events, caption: t('log.caption', { count: events.length }) }),
    pager({ atFirst: !params.after, hasNext,
      summary: params.after ? t('log.after', { seq: params.after }) : null,
      onFirst: () => ctx.navigate(address(base)),
      onNext: () => ctx.navigate(address({ ...base, after: data.next })) }),
  ];
}

async function verify(out) {
  replace(out, notice('info', t('log.verifying')));
  try {
    const v = await api.get('/api/log/verify');
    replace(out, notice(v.intact ? 'ok' : 'error',
      h('p', null, h('strong', null, v.intact ? t('log.intact') : t('log.broken'))),
      v.summary ? h('p', null, v.summary) : null));
  } catch (err) {
    replace(out, errorNotice(err));
  }
}

async function saveHead(status) {
  try {
    const name = await api.download('/api/log/head', null, 'head.txt');
    replace(status, notice('ok', t('log.head_saved', { name })));
  } catch (err) {
    replace(status, errorNotice(err));
  }
}

// Saves text the page already holds as a file (api.download fetches its own).
function saveText(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A consistency proof from an old head's size to a head signed now: both are
// saved, the new head first, so that the proof and the head it needs match
// (asking for the head twice could sign two heads of different sizes).
async function saveConsistency(old, status) {
  try {
    const head = await (await api.request('GET', '/api/log/head')).text();
    const size = Number((/^size: (\d+)$/m.exec(head) || [])[1]);
    saveText(`head-${size}.txt`, head);
    const name = await api.download('/api/log/proof', { old, new: size }, `consistency-${old}-${size}.txt`);
    replace(status, notice('ok', t('log.consistency_saved', { name, head: `head-${size}.txt` })));
  } catch (err) {
    replace(status, errorNotice(err));
  }
}

function consistencyForm(status) {
  const old = fieldControl({ id: 'old', title: t('log.old_size'), type: 'number', required: true, help: t('log.old_size_help') });
  const f = h('form', { class: 'filters' }, old.row,
    h('div', { class: 'field buttons' }, h('button', { type: 'submit' }, t('log.consistency'))));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = old.read();
    if (n && n > 0) saveConsistency(n, status);
  });
  return f;
}

// What the auditor does with the downloaded files, on their own machine.
function offlineHelp(readsEvents, status) {
  if (!readsEvents)
    return h('section', { class: 'offline' }, h('h2', null, t('log.offline')),
      h('p', null, t('log.offline_text_head')),
      h('pre', null, 'mamori log verify --head head.txt --pubkey mamori.pub --db mamori.db'),
      h('p', { class: 'muted' }, t('log.offline_pubkey')));
  return h('section', { class: 'offline' }, h('h2', null, t('log.offline')),
    h('p', null, t('log.offline_text')),
    h('pre', null, 'mamori log check-proof --pubkey mamori.pub --head head.txt proof-SEQ.txt'),
    h('p', null, t('log.consistency_text')),
    consistencyForm(status),
    h('pre', null, 'mamori log check-proof --pubkey mamori.pub --head head-NEW.txt --old-head head-OLD.txt consistency-OLD-NEW.txt'),
    h('p', { class: 'muted' }, t('log.offline_pubkey')));
}

export async function render(root, ctx) {
  const readsEvents = can(ctx.me, 'log_read');
  const out = h('div', { class: 'verify-result', 'aria-live': 'polite' });
  const status = h('div', { class: 'download-status', 'aria-live': 'polite' });
  root.append(
    h('h1', null, t('log.title')),
    h('p', null, t('log.intro')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => verify(out) }, t('log.verify')),
      h('button', { type: 'button', onclick: () => saveHead(status) }, t('log.head'))),
    out, status);
  if (!readsEvents) root.append(notice('info', t('log.no_events')));
  else root.append(...(await eventsSection(ctx, status)));
  root.append(offlineHelp(readsEvents, status));
}
