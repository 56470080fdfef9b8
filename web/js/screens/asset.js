// asset.js — one information asset: its fields, the 取扱制限 its levels bring
// with their clauses, its history from the audit trail; edit, disposal (the
// policy's refusal shown with its clause) and, at #/assets/new, registration.

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { detailList, form, notice, errorNotice, dataTable } from '../components.js';

export const messages = 'assets';

// The register's disposal methods (src/lib/asset.c) and whether they leave
// nothing to restore: a 取扱制限 `irreversible-disposal` refuses the others.
const METHODS = [['shred', true], ['incinerate', true], ['physical-destroy', true], ['degauss', true],
  ['overwrite', true], ['crypto-erase', true], ['delete', false], ['discard', false], ['return', false]];

// The asset's fields as a form declaration, choices from the policy.
function assetFields(p, isNew) {
  const levels = (axis) => (pol.axes(p).find((a) => a.id === axis)?.levels || [])
    .map((l) => ({ value: String(l.level), title: l.title }));
  return [
    isNew ? { id: 'id', title: t('assets.col_id'), help: t('assets.id_help') } : null,
    { id: 'name', title: t('assets.col_name'), required: true },
    { id: 'kind', title: t('assets.col_kind'), type: 'choice', required: true, choices: pol.choices(p, 'kind') },
    { id: 'description', title: t('assets.col_description'), type: 'longtext' },
    { id: 'department', title: t('assets.col_department'), type: 'choice', required: true, choices: pol.choices(p, 'department') },
    { id: 'role', title: t('assets.col_role'), type: 'choice', choices: pol.choices(p, 'role') },
    { id: 'segment', title: t('assets.col_segment'), type: 'choice', choices: pol.choices(p, 'segment') },
    { id: 'location', title: t('assets.col_location') },
    { id: 'confidentiality', title: t('assets.col_c'), type: 'choice', required: true, choices: levels('confidentiality') },
    { id: 'integrity', title: t('assets.col_i'), type: 'choice', required: true, choices: levels('integrity') },
    { id: 'availability', title: t('assets.col_a'), type: 'choice', required: true, choices: levels('availability') },
    { id: 'retention', title: t('assets.col_retention') },
  ].filter(Boolean);
}

function details(p, a) {
  const items = [
    { title: t('assets.col_id'), value: a.id },
    { title: t('assets.col_name'), value: a.name },
    { title: t('assets.col_kind'), value: pol.title(p, 'kind', a.kind) },
    { title: t('assets.col_description'), value: a.description },
    { title: t('assets.col_department'), value: pol.title(p, 'department', a.department) },
    { title: t('assets.col_role'), value: pol.title(p, 'role', a.role) },
    { title: t('assets.col_segment'), value: pol.title(p, 'segment', a.segment) },
    { title: t('assets.col_location'), value: a.location },
    { title: t('assets.classification'), value: ['confidentiality', 'integrity', 'availability']
      .map((ax) => pol.levelTitle(p, ax, a[ax])).join('　') },
    { title: t('assets.col_retention'), value: a.retention },
    { title: t('assets.col_status'), value: t(`assets.status_${a.status}`) },
    { title: t('assets.created'), value: formatTime(a.created) },
    { title: t('assets.col_updated'), value: formatTime(a.updated) },
  ];
  if (a.status === 'disposed')
    items.push({ title: t('assets.disposal'), value: t('assets.disposal_text', { date: a.disposed_date || '',
      method: t(`assets.method_${a.disposed_method}`), by: a.disposed_by || '', witness: a.disposed_witness || '—' }) });
  return detailList(items);
}

function restrictions(p, a) {
  const rows = a.restrictions || [];
  return dataTable({
    caption: t('assets.restrictions_caption'),
    columns: [
      { id: 'axis', title: t('assets.level'), value: (r) => pol.levelTitle(p, r.axis, a[r.axis]) },
      { id: 'text', title: t('assets.restriction') },
      { id: 'clause', title: t('assets.clause') },
    ],
    rows, empty: t('assets.no_restrictions'),
  });
}

// The asset's events from the audit trail, for roles that may read the trail.
// An event's action in words ("asset.edit" → 変更); unknown ones as they are.
function actionTitle(action) {
  const key = `assets.action_${action.replace(/\W/g, '_')}`;
  const text = t(key);
  return text === key ? action : text;
}

// What an edit changed: the titles of the fields whose value differs.
function changedFields(p, e) {
  const before = e.body?.before, after = e.body?.after;
  if (!before || !after) return '';
  const titles = Object.fromEntries(assetFields(p, false).map((f) => [f.id, f.title]));
  return Object.keys(titles).filter((k) => (before[k] ?? '') !== (after[k] ?? '')).map((k) => titles[k]).join('、');
}

async function history(p, id) {
  const box = h('section', null, h('h2', null, t('assets.history')));
  try {
    const res = await api.get('/api/log', { object: id, limit: 100 });
    box.append(dataTable({
      columns: [
        { id: 'seq', title: t('assets.seq'), numeric: true },
        { id: 'time', title: t('assets.time'), value: (e) => formatTime(e.time) },
        { id: 'actor', title: t('assets.actor') },
        { id: 'action', title: t('assets.action'), value: (e) => actionTitle(e.action) },
        { id: 'changed', title: t('assets.changed'), value: (e) => changedFields(p, e) },
      ],
      rows: res.events, empty: t('assets.no_history'),
    }));
  } catch (err) {
    box.append(notice('info', err.status === 403 ? t('assets.history_forbidden') : err.message));
  }
  return box;
}

function editForm(p, a, ctx) {
  const fields = assetFields(p, false);
  return form({
    fields, values: a, submit: t('assets.save'),
    onSubmit: async (v) => {
      const changes = {};
      for (const f of fields) if ((v[f.id] ?? '') !== (a[f.id] ?? '')) changes[f.id] = v[f.id];
      if (!Object.keys(changes).length) throw new Error(t('assets.nothing_changed'));
      await api.patch(`/api/assets/${encodeURIComponent(a.id)}`, changes).catch((err) => { throw forbidden(err, ctx, 'edit'); });
      ctx.navigate(`#/assets/${encodeURIComponent(a.id)}?saved=1`);
    },
  });
}

function disposeForm(a, ctx) {
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(new Date());
  const methodTitle = (m) => t(`assets.method_${m}`);
  return form({
    fields: [
      { id: 'method', title: t('assets.method'), type: 'choice', required: true,
        choices: METHODS.map(([m, irreversible]) => ({ value: m,
          title: irreversible ? methodTitle(m) : t('assets.method_reversible', { method: methodTitle(m) }) })) },
      { id: 'date', title: t('assets.disposed_date'), type: 'date', required: true },
      { id: 'by', title: t('assets.disposed_by'), required: true, help: t('assets.by_help') },
      { id: 'witness', title: t('assets.witness'), help: t('assets.witness_help') },
    ],
    values: { date: today, by: ctx.me.user.name },
    submit: t('assets.dispose'),
    onSubmit: async (v) => {
      try {
        await api.post(`/api/assets/${encodeURIComponent(a.id)}/dispose`, { ...v, witness: v.witness || null });
      } catch (err) {
        throw forbidden(refusal(err, a, methodTitle(v.method)), ctx, 'dispose');
      }
      ctx.navigate(`#/assets/${encodeURIComponent(a.id)}?disposed=1`);
    },
  });
}

// A 403 in the UI's language: which role may not do what, and whom to ask;
// the API's words follow.
function forbidden(err, ctx, what) {
  if (err.status !== 403) return err;
  const role = pol.title(ctx.policy, 'role', ctx.me.user.role);
  err.message = `${t(`assets.forbidden_${what}`, { role })} (${err.message})`;
  return err;
}

// A disposal refused by the policy, said in the UI's language with the
// 取扱制限 and its clause from the asset itself (the API's words say the same,
// in the server's language, with the method ids).
function refusal(err, a, method) {
  const rule = (a.restrictions || []).find((r) => r.id === 'irreversible-disposal');
  if (err.status !== 422 || err.field !== 'method' || !rule) return err;
  err.message = t('assets.dispose_refused', { text: rule.text, clause: rule.clause, method });
  return err;
}

async function renderNew(root, ctx, p) {
  root.append(h('h1', null, t('assets.new_title')), h('p', null, h('a', { href: '#/assets' }, t('assets.back'))));
  const fields = assetFields(p, true);
  root.append(form({
    fields, submit: t('assets.register'), values: { department: ctx.me.user.department },
    onSubmit: async (v) => {
      const body = {};
      for (const f of fields) if (v[f.id] !== '' && v[f.id] !== null) body[f.id] = v[f.id];
      const made = await api.post('/api/assets', body).catch((err) => { throw forbidden(err, ctx, 'add'); });
      ctx.navigate(`#/assets/${encodeURIComponent(made.id)}?saved=1`);
    },
  }));
}

export async function render(root, ctx) {
  const p = await pol.load();
  ctx = { ...ctx, policy: p };
  if (ctx.params.id === 'new') return renderNew(root, ctx, p);
  let a;
  try {
    a = await api.get(`/api/assets/${encodeURIComponent(ctx.params.id)}`);
  } catch (err) {
    if (err.status !== 403 && err.status !== 404) throw err;
    const denied = err.status === 403;
    root.append(h('h1', null, denied ? t('assets.forbidden_title') : t('assets.not_found', { id: ctx.params.id })),
      denied ? h('p', null, t('assets.forbidden_read', { role: pol.title(p, 'role', ctx.me.user.role) })) : null,
      h('p', null, h('a', { href: '#/assets' }, t('assets.back'))));
    return;
  }
  const can = ctx.me.can || {};
  root.append(h('h1', null, `${a.id}　${a.name}`), h('p', null, h('a', { href: '#/assets' }, t('assets.back'))));
  if (ctx.query.get('saved')) root.append(notice('ok', t('assets.saved')));
  if (ctx.query.get('disposed')) root.append(notice('ok', t('assets.disposed_ok')));
  root.append(details(p, a));
  if (a.status !== 'disposed') {
    const panel = h('div', { class: 'panel' });
    const show = (what) => {
      replace(panel, h('h2', null, t(`assets.${what}_title`)), what === 'edit' ? editForm(p, a, ctx) : disposeForm(a, ctx));
      panel.querySelector('input, select, textarea').focus();
    };
    root.append(h('div', { class: 'actions' },
      can.assets_write !== false ? h('button', { type: 'button', onclick: () => show('edit') }, t('assets.edit')) : null,
      can.assets_dispose !== false ? h('button', { type: 'button', class: 'danger', onclick: () => show('dispose') }, t('assets.dispose')) : null),
    panel);
  }
  root.append(h('h2', null, t('assets.restrictions')), restrictions(p, a));
  if (pol.mayReadTrail(p, ctx.me)) root.append(await history(p, a.id));
  else root.append(h('h2', null, t('assets.history')), h('p', { class: 'muted' }, t('assets.history_forbidden')));
}
