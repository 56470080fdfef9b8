// records.js — 記録と手続: every kind of record the policy declares under
// `records:` (インシデント報告, 持ち出し申請, 例外措置 …) through one set of
// screens drawn from the kind's declaration — its fields, states and
// transitions — never a screen per kind:
//   #/records/KIND            the list, with a filter by state
//   #/records/KIND/new        a new record: a form of the kind's fields
//   #/records/KIND/ID         one record: its fields, its state, its files
//                             (download links; an upload while it is open),
//                             the moves the user may take (a button per
//                             target state) and its history
// The API (docs/records.md): GET /api/records/{kind}, POST /api/records/{kind},
// GET /api/records/{kind}/{id}, POST /api/records/{kind}/{id}/moves,
// GET|POST /api/records/{kind}/{id}/files, GET …/files/{num}.

import { h, replace } from '../dom.js';
import { t, formatTime, formatNumber } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { dataTable, detailList, form, notice, errorNotice, fieldControl, pager } from '../components.js';

export const messages = 'records';

const PAGE = 50;

// The kind's declaration from the policy in force.
export function kindOf(p, id) {
  return (p.records || []).find((k) => k.id === id) || null;
}

const stateOf = (kind, id) => (kind.states || []).find((s) => s.id === id);
const stateTitle = (kind, id) => stateOf(kind, id)?.title || id || '';

// A record's field values: the API's `fields` object, or the record itself.
const valuesOf = (r) => r.fields || r.values || r;

// A field declaration of the policy as a form control's: the types that name
// something of the policy (課, 役割, ネットワーク区分, 脅威) become choices.
function formField(p, f) {
  const base = { id: f.id, title: f.title || f.id, required: !!f.required, help: f.help };
  switch (f.type) {
  case 'choice':
    return { ...base, type: 'choice', multiple: !!f.multiple,
      choices: (f.choices || []).map((c) => ({ value: c.id, title: c.title || c.id })) };
  case 'department': case 'role': case 'segment':
    return { ...base, type: 'choice', multiple: !!f.multiple, choices: pol.choices(p, f.type) };
  case 'record':
    return { ...base, type: 'text', help: base.help || t('records.record_help'), inputmode: 'latin', multiple: !!f.multiple };
  case 'threat':
    return { ...base, type: 'choice',
      choices: (p.threats || []).map((x) => ({ value: x.id, title: `${x.number || ''} ${short(x.title || x.text || x.id)}`.trim() })) };
  case 'asset':
    return { ...base, type: 'text', help: base.help || t(f.multiple ? 'records.assets_help' : 'records.asset_help'),
      inputmode: 'latin', multiple: !!f.multiple };
  case 'account':
    return { ...base, type: 'text', help: base.help || t('records.account_help'), autocomplete: 'off' };
  case 'longtext': case 'number': case 'date': case 'datetime':
    return { ...base, type: f.type };
  default:
    return { ...base, type: 'text' };
  }
}

function short(text) {
  const s = String(text);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

// A stored value as people read it: titles for what the policy names, times
// in Tokyo time, an asset as a link to it.
// files: {list, base} of the record, for a file field (its values are file numbers).
function shown(p, f, v, files) {
  if (v === null || v === undefined || v === '') return '';
  if (Array.isArray(v)) return h('span', null, v.flatMap((x, i) => [i ? '、' : '', shown(p, f, x, files)]));
  switch (f.type) {
  case 'file': {
    const x = (files?.list || []).find((y) => y.num === v);
    return x ? h('a', { href: `${files.base}/${x.num}`, download: x.name, type: x.type }, x.name) : `#${v}`;
  }
  case 'choice': return (f.choices || []).find((c) => c.id === v)?.title || String(v);
  case 'department': case 'role': case 'segment': return pol.title(p, f.type, v);
  case 'threat': {
    const x = (p.threats || []).find((y) => y.id === v);
    return x ? `${x.number || ''} ${short(x.title || x.text || x.id)}`.trim() : String(v);
  }
  case 'asset': return h('a', { href: `#/assets/${encodeURIComponent(v)}` }, String(v));
  case 'record': return h('a', { href: `#/records/${encodeURIComponent(f.of || '')}/${encodeURIComponent(v)}` }, String(v));
  case 'datetime': return formatTime(v);
  default: return String(v);
  }
}

// The moves the user may take from the record's state: the API's list when it
// gives one (it knows the record's people and the 二人制), else the
// declaration's transitions whose `by` names the user's role or the reporter.
function movesFor(kind, r, me) {
  if (Array.isArray(r.moves)) return r.moves;
  if (Array.isArray(r.allowed)) return r.allowed;
  const mine = (by) => (by || []).some((b) => b === me.user.role || (b === 'reporter' && r.reporter === me.user.name));
  return (kind.transitions || []).filter((x) => x.from === r.state && mine(x.by));
}

function address(kind, params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  const s = q.toString();
  return `#/records/${encodeURIComponent(kind.id)}${s ? `?${s}` : ''}`;
}

// append() would print a null as "null": what is optional is filtered out
const add = (root, ...nodes) => root.append(...nodes.filter((n) => n !== null && n !== undefined));

function heading(kind, sub) {
  return h('h1', null, sub ? `${kind.title}　${sub}` : kind.title);
}

// Every record of the list's filter the user may see, as a file (GET /api/records/{kind}?format=).
function exportButtons(kind, state) {
  const alertBox = h('div');
  const go = (format) => async () => {
    try {
      await api.download(`/api/records/${encodeURIComponent(kind.id)}`, { state, format }, `mamori-${kind.id}.${format}`);
    } catch (err) {
      alertBox.replaceChildren(errorNotice(err));
    }
  };
  return h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: go('xlsx') }, t('records.export_xlsx')),
    h('button', { type: 'button', onclick: go('csv') }, t('records.export_csv')), alertBox);
}

// A campaign's or an audit's report (自己点検結果報告書, 監査報告書: docs/reports.md),
// for the roles the route allows (those that read every 課: can.log_read).
function reportButtons(ctx, kind, r) {
  if (!['self-check', 'audit'].includes(kind.id) || ctx.me.can?.log_read === false) return null;
  const alertBox = h('div');
  const go = (format) => async () => {
    try {
      await api.download(`/api/reports/${kind.id}/${encodeURIComponent(r.id)}`, { format }, `mamori-${kind.id}.${format}`);
    } catch (err) {
      alertBox.replaceChildren(errorNotice(err));
    }
  };
  return h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: go('pdf') }, t('records.report_pdf')),
    h('button', { type: 'button', onclick: go('xlsx') }, t('records.report_xlsx')), alertBox);
}

async function listScreen(root, ctx, p, kind) {
  const state = ctx.query.get('state') || '';
  const before = ctx.query.get('before') || '';	// the list is newest first: pages go back in time
  add(root, heading(kind),
    kind.text ? h('p', { class: 'muted' }, kind.text, kind.clause ? `（${kind.clause}）` : '') : null,
    h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/records/${encodeURIComponent(kind.id)}/new` },
      t('records.new', { kind: kind.title }))));
  const states = fieldControl({ id: 'state', title: t('records.state'), type: 'choice',
    choices: (kind.states || []).map((s) => ({ value: s.id, title: s.title || s.id })) }, state);
  const filter = h('form', { class: 'filters', role: 'search', 'aria-label': t('records.filter') }, states.row,
    h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary' }, t('records.apply'))));
  filter.addEventListener('submit', (e) => { e.preventDefault(); ctx.navigate(address(kind, { state: states.read() })); });
  const box = h('div', { 'aria-live': 'polite' }, notice('info', t('common.loading')));
  root.append(filter, exportButtons(kind, state), box);
  let page;
  try {
    page = await api.get(`/api/records/${encodeURIComponent(kind.id)}`, { state, limit: PAGE, before });
  } catch (err) {
    replace(box, errorNotice(err));
    return;
  }
  const rows = Array.isArray(page) ? page : page.records || [];
  // the kind's first required fields say what each record is about (概要, 持ち出す資産 …)
  const shownFields = (kind.fields || []).filter((f) => f.required && f.type !== 'file').slice(0, 2);
  const brief = (f, v) => (f.type === 'longtext' && typeof v === 'string' ? short(v) : shown(p, f, v));
  const columns = [
    { id: 'id', title: t('records.id') },
    ...shownFields.map((f) => ({ id: f.id, title: f.title, value: (r) => brief(f, valuesOf(r)[f.id]) })),
    { id: 'state', title: t('records.state'), value: (r) => h('span', { class: `state state-${r.state}` }, r.state_title || stateTitle(kind, r.state)) },
    { id: 'reporter', title: t('records.reporter') },
    { id: 'created', title: t('records.created'), value: (r) => formatTime(r.created) },
  ];
  replace(box,
    dataTable({ columns, rows, caption: t('records.count', { count: page.total ?? rows.length }),
      onOpen: (r) => ctx.navigate(`#/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(r.id)}`),
      empty: t('records.none') }),
    page.next || before ? pager({ atFirst: !before, hasNext: page.next !== null && page.next !== undefined,
      onFirst: () => ctx.navigate(address(kind, { state })),
      onNext: () => ctx.navigate(address(kind, { state, before: String(page.next) })) }) : null);
}

// The procedure the policy gives with the kind (the incident's 緊急時対応計画), as a numbered list.
function steps(kind) {
  if (!Array.isArray(kind.steps) || kind.steps.length === 0) return null;
  return h('section', { 'aria-label': t('records.steps') }, h('h2', null, t('records.steps')),
    h('ol', null, ...kind.steps.map((s) => h('li', null, s))));
}

async function newScreen(root, ctx, p, kind) {
  const fields = (kind.fields || []).filter((f) => f.type !== 'file').map((f) => formField(p, f));
  add(root, heading(kind, t('records.new_title')),
    kind.text ? h('p', { class: 'muted' }, kind.text, kind.clause ? `（${kind.clause}）` : '') : null,
    steps(kind),
    form({ fields, submit: t('records.create'), onSubmit: async (values) => {
      const body = {};
      for (const f of fields) {
        const v = values[f.id];
        if (v === '' || v === null || v === undefined || (Array.isArray(v) && !v.length)) continue;
        // a field of several values (関係する情報資産) is written "A-000003, A-000004"; a checklist is a list already
        body[f.id] = Array.isArray(v) ? v : f.multiple ? String(v).split(/[\s,、]+/).filter(Boolean) : v;
      }
      const r = await api.post(`/api/records/${encodeURIComponent(kind.id)}`, { fields: body });
      ctx.navigate(`#/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(r.id)}?created=1`);
    } }));
}

// One step of the history: when, who, what (made, moved from → to, a
// comment, an escalation), the note.
function historyItem(kind, e) {
  const action = String(e.action || '').replace(/^record\./, '');
  const what = action === 'create' ? t('records.h_create', { state: stateTitle(kind, e.to || e.state) })
    : action === 'comment' ? t('records.h_comment')
    : action === 'file' ? t('records.h_file', { name: e.name || '' })
      : action === 'escalate' ? t('records.h_escalate', { role: e.role || '' })
        : t('records.h_move', { from: stateTitle(kind, e.from), to: stateTitle(kind, e.to) });
  return h('li', null, h('span', { class: 'muted' }, formatTime(e.time)), ' ', e.by || e.actor || '', ' ',
    what, e.note ? h('span', null, '：', e.note) : null);
}

// A size as people read it: bytes, KB or MB (of 1,024).
function bytes(n) {
  if (n < 1024) return t('records.bytes', { n: formatNumber(n) });
  if (n < 1024 * 1024) return t('records.kb', { n: formatNumber(Math.round(n / 102.4) / 10) });
  return t('records.mb', { n: formatNumber(Math.round(n / (1024 * 102.4)) / 10) });
}

// The record's files: a table with a download link each (the server sends a
// file only as an attachment), and, while the record is open, a button that
// uploads a chosen file (the body is the file, its name in ?name=).
function filesSection(ctx, kind, r, final) {
  const base = `/api/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(r.id)}/files`;
  const files = r.files || [];
  const section = h('section', { class: 'record-files', 'aria-labelledby': 'record-files' },
    h('h2', { id: 'record-files' }, t('records.files')));
  section.append(files.length ? h('table', { class: 'table' },
    h('caption', { class: 'visually-hidden' }, t('records.files')),
    h('thead', null, h('tr', null, ['file_name', 'file_size', 'file_by', 'file_when']
      .map((k) => h('th', { scope: 'col', class: k === 'file_size' ? 'num' : null }, t(`records.${k}`))))),
    h('tbody', null, files.map((f) => h('tr', null,
      h('td', null, h('a', { href: `${base}/${f.num}`, download: f.name, type: f.type }, f.name)),
      h('td', { class: 'num' }, bytes(f.size)),
      h('td', null, f.by),
      h('td', null, formatTime(f.created))))))
    : h('p', { class: 'muted' }, t('records.files_none')));
  if (final) return section;
  // the input itself is hidden: its text is the browser's language, not the page's
  const status = h('div', { 'aria-live': 'polite' });
  const input = h('input', { type: 'file', id: 'record-file', class: 'visually-hidden', tabindex: -1 });
  input.addEventListener('change', async () => {
    const file = input.files[0];
    input.value = '';
    if (!file) return;
    replace(status, notice('info', t('records.attaching', { name: file.name })));
    try {
      const params = { name: file.name };
      if (target && target.value) params.field = target.value;
      await api.request('POST', base, { raw: file, contentType: file.type || 'application/octet-stream', params });
      ctx.navigate(`#/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(r.id)}?attached=${encodeURIComponent(file.name)}`);
    } catch (err) {
      replace(status, errorNotice(err));
    }
  });
  const attached = ctx.query.get('attached');
  // the kind's file fields (a state may require one): where the next file goes
  const fileFields = (kind.fields || []).filter((f) => f.type === 'file');
  const target = fileFields.length ? h('select', { id: 'record-file-field' },
    h('option', { value: '' }, t('records.attach_to_record')),
    fileFields.map((f) => h('option', { value: f.id }, f.title || f.id))) : null;
  add(section, h('div', { class: 'actions' },
    target ? h('label', { for: 'record-file-field' }, t('records.attach_to')) : null, target,
    h('button', { type: 'button', onclick: () => input.click() }, t('records.attach')), input),
  h('p', { class: 'muted small' }, t('records.attach_help')),
  attached ? notice('ok', t('records.attached', { name: attached })) : null, status);
  return section;
}

async function detailScreen(root, ctx, p, kind, id) {
  let r;
  try {
    r = await api.get(`/api/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(id)}`);
  } catch (err) {
    root.append(heading(kind, id), errorNotice(err));
    return;
  }
  const values = valuesOf(r);
  const final = r.final ?? stateOf(kind, r.state)?.final;
  add(root, heading(kind, r.id),
    ctx.query.get('created') ? notice('ok', t('records.created_ok')) : null,
    detailList([
      { title: t('records.state'), value: h('strong', { class: `state state-${r.state}` }, r.state_title || stateTitle(kind, r.state)) },
      { title: t('records.reporter'), value: r.reporter },
      { title: t('records.created'), value: formatTime(r.created) },
      r.deadline ? { title: t('records.deadline'), value: formatTime(r.deadline) } : null,
      ...(kind.fields || []).map((f) => ({ title: f.title, value: shown(p, f, values[f.id],
        { list: r.files, base: `/api/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(r.id)}/files` }) })),
    ]),
    reportButtons(ctx, kind, r),
    ['self-check', 'audit'].includes(kind.id)
      ? h('p', null, h('a', { href: `#/check/${encodeURIComponent(r.id)}` }, t('records.open_checklist'))) : null,
    filesSection(ctx, kind, r, final));
  const moves = final ? [] : movesFor(kind, r, ctx.me);
  const out = h('div', { 'aria-live': 'polite' });
  if (moves.length) {
    const note = fieldControl({ id: 'note', title: t('records.note'), type: 'longtext', rows: 2, help: t('records.note_help') });
    // fields a step requires (filled before entering its state), with their present values
    const needed = [...new Set(moves.flatMap((m) => m.requires || []))]
      .map((id) => (kind.fields || []).find((f) => f.id === id)).filter(Boolean)
      .map((f) => [f, fieldControl(formField(p, f), values[f.id])]);
    const buttons = moves.map((m) => h('button', { type: 'button', class: 'primary', onclick: async (e) => {
      e.target.disabled = true;
      const fields = {};
      for (const [f, c] of needed) {
        const v = c.read();
        if ((m.requires || []).includes(f.id) && v !== '' && !(Array.isArray(v) && !v.length)) fields[f.id] = v;
      }
      try {
        await api.post(`/api/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(r.id)}/moves`,
          { to: m.to, note: note.read() || undefined, fields: Object.keys(fields).length ? fields : undefined });
        ctx.navigate(`#/records/${encodeURIComponent(kind.id)}/${encodeURIComponent(r.id)}`);
      } catch (err) {
        replace(out, errorNotice(err));
        e.target.disabled = false;
      }
    } }, m.to_title || stateTitle(kind, m.to) || m.title, m.title ? h('span', { class: 'small' }, `（${m.title}）`) : null));
    root.append(h('section', { class: 'record-moves' }, h('h2', null, t('records.moves')),
      needed.map(([, c]) => c.row), note.row, h('div', { class: 'actions' }, buttons), out));
  } else if (!final) {
    root.append(h('p', { class: 'muted' }, t('records.no_moves')));
  }
  const history = r.history || [];
  root.append(h('section', null, h('h2', null, t('records.history')),
    history.length ? h('ol', { class: 'timeline' }, history.map((e) => historyItem(kind, e))) : h('p', { class: 'muted' }, t('common.none'))));
}

export async function render(root, ctx) {
  const p = await pol.load();
  const kind = kindOf(p, ctx.params.kind);
  if (!kind) {
    root.append(h('h1', null, t('common.not_found')), h('p', null, t('records.unknown_kind', { kind: ctx.params.kind })));
    return;
  }
  if (ctx.params.id === 'new') await newScreen(root, ctx, p, kind);
  else if (ctx.params.id) await detailScreen(root, ctx, p, kind, ctx.params.id);
  else await listScreen(root, ctx, p, kind);
}
