// quarantine.js — 隔離: the originals 無害化 kept (mail whose attachments or
// HTML were removed), asking for one with a reason, and the release by a
// second person (二人制: never the one who asked; the API also checks that the
// approver's role may `release` for the requester's department).
//
// Approvers and trail readers see the list (it holds everyone's senders and
// subjects); every other account asks by the id its sanitized mail quotes.
// The selected original lives in the address (#/quarantine?id=…).

import { h, replace } from '../dom.js';
import { t, formatTime, formatNumber } from '../i18n.js';
import * as api from '../api.js';
import { dataTable, detailList, form, notice, errorNotice } from '../components.js';
import { can } from './registry.js';

export const messages = 'quarantine';

const path = (id, rest = '') => `/api/quarantine/${encodeURIComponent(id)}${rest}`;
const stateText = (o) => t(`quarantine.state_${o.state}`);
const attachments = (o) => (o.attachments || []).map((a) => a.name || a.type).join('、') || '—';

let flash = null;	// the outcome of the last change, shown once after redrawing

function list(originals, ctx) {
  return dataTable({
    caption: t('quarantine.count', { count: originals.length }),
    rows: originals,
    onOpen: (o) => ctx.navigate(`#/quarantine?id=${o.id}`),
    columns: [
      { id: 'time', title: t('quarantine.time'), value: (o) => formatTime(o.time) },
      { id: 'from', title: t('quarantine.from') },
      { id: 'subject', title: t('quarantine.subject') },
      { id: 'attachments', title: t('quarantine.attachments'), value: attachments },
      { id: 'reason', title: t('quarantine.reason'), value: (o) => o.reason || t(`quarantine.status_${o.status}`) },
      { id: 'state', title: t('quarantine.state'), value: (o) => h('span', { class: `state state-${o.state}` }, stateText(o)) },
    ],
  });
}

// A refusal in words: 403 on a release is almost always the 二人制 or the role.
function refusal(err, what) {
  if (err.status === 403 && what === 'release')
    return notice('error', h('p', null, h('strong', null, t('quarantine.release_refused'))),
      h('p', null, t('quarantine.release_refused_text')), h('p', { class: 'muted' }, err.message));
  if (err.status === 409)
    return notice('error', h('p', null, h('strong', null, t(`quarantine.conflict_${what}`))), h('p', { class: 'muted' }, err.message));
  if (err.status === 404)
    return notice('error', h('p', null, t('quarantine.not_found')), h('p', { class: 'muted' }, err.message));
  return errorNotice(err);
}

function requestForm(id, ctx, out) {
  return form({
    fields: [{ id: 'reason', title: t('quarantine.request_reason'), type: 'longtext', required: true, help: t('quarantine.request_help') }],
    submit: t('quarantine.request'),
    onSubmit: async (v) => {
      try {
        await api.post(path(id, '/request'), { reason: v.reason });
        flash = notice('ok', t('quarantine.requested_ok'));
        ctx.navigate(location.hash);
      } catch (err) {
        replace(out, refusal(err, 'request'));
      }
    },
  });
}

async function release(id, ctx, out) {
  try {
    await api.post(path(id, '/release'), {});
    flash = notice('ok', t('quarantine.released_ok'));
    ctx.navigate(location.hash);
  } catch (err) {
    replace(out, refusal(err, 'release'));
  }
}

async function saveOriginal(id, out) {
  try {
    const name = await api.download(path(id, '/original'), null, `original-${id.slice(0, 12)}.eml`);
    replace(out, notice('ok', t('quarantine.saved', { name })));
  } catch (err) {
    replace(out, refusal(err, 'original'));
  }
}

// What this account may do with the original in its state.
function actions(o, ctx, out) {
  const me = ctx.me.user.name;
  if (o.state === 'held' && can(ctx.me, 'quarantine_request')) return requestForm(o.id, ctx, out);
  if (o.state === 'requested') {
    if (o.requester === me) return notice('info', t('quarantine.wait_second'));
    if (can(ctx.me, 'quarantine_release'))
      return h('div', null, h('p', null, t('quarantine.approve_text', { requester: o.requester })),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => release(o.id, ctx, out) },
          t('quarantine.release'))));
  }
  if (o.state === 'released' && o.requester === me)
    return h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => saveOriginal(o.id, out) },
      t('quarantine.download')));
  return null;
}

function history(events) {
  if (!events || !events.length) return null;
  return h('section', null, h('h3', null, t('quarantine.history')), h('ol', { class: 'history' },
    events.map((e) => h('li', null, `${formatTime(e.time)} `,
      e.action === 'quarantine.request'
        ? t('quarantine.h_request', { who: e.requester, reason: e.reason || '' })
        : t('quarantine.h_release', { who: e.approver, requester: e.requester })))));
}

async function detail(id, ctx) {
  const out = h('div', { class: 'quarantine-out', 'aria-live': 'polite' }, flash);
  flash = null;
  const box = h('section', { class: 'original' }, h('h2', null, t('quarantine.detail')));
  try {
    const o = await api.get(path(id));
    box.append(out, detailList([
      { title: t('quarantine.id'), value: h('code', null, o.id) },
      { title: t('quarantine.time'), value: formatTime(o.time) },
      { title: t('quarantine.from'), value: o.from },
      { title: t('quarantine.to'), value: o.to },
      { title: t('quarantine.subject'), value: o.subject },
      { title: t('quarantine.attachments'), value: h('ul', { class: 'plain' }, (o.attachments || []).map((a) =>
        h('li', null, `${a.name || '—'} (${a.type}, ${formatNumber(a.size)} B)`))) },
      { title: t('quarantine.reason'), value: [o.reason || t(`quarantine.status_${o.status}`), o.clause ? ` — ${o.clause}` : ''].join('') },
      { title: t('quarantine.state'), value: stateText(o) },
    ]), ...[history(o.history), actions(o, ctx, out)].filter(Boolean));
  } catch (err) {
    // a 職員 may not read an original's details but may still ask for it
    if (err.status !== 403) { box.append(refusal(err, 'read')); return box; }
    box.append(out, h('p', null, h('code', null, id)), requestForm(id, ctx, out),
      h('h3', null, t('quarantine.mine')), h('p', null, t('quarantine.mine_text')),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => saveOriginal(id, out) }, t('quarantine.download'))));
  }
  return box;
}

// The id an account types from its sanitized mail's notice.
function byId(ctx) {
  const f = h('form', { class: 'filters', role: 'search', 'aria-label': t('quarantine.by_id') });
  const input = h('input', { id: 'q-id', name: 'id', value: ctx.query.get('id') || '', required: true, pattern: '[0-9a-fA-F]{8,64}' });
  f.append(h('div', { class: 'field' }, h('label', { for: 'q-id' }, t('quarantine.id')), input,
    h('div', { class: 'help' }, t('quarantine.id_help'))),
  h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary' }, t('quarantine.open'))));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = input.value.trim().toLowerCase();
    if (v) ctx.navigate(`#/quarantine?id=${encodeURIComponent(v)}`);
  });
  return f;
}

export async function render(root, ctx) {
  root.append(h('h1', null, t('quarantine.title')), h('p', null, t('quarantine.intro')));
  const id = ctx.query.get('id');
  if (can(ctx.me, 'quarantine_read')) {
    try {
      root.append(list((await api.get('/api/quarantine')).originals || [], ctx));
    } catch (err) {
      root.append(refusal(err, 'list'));
      if (err.status === 404) return;
    }
  } else {
    root.append(notice('info', t('quarantine.staff_text')), byId(ctx));
  }
  if (id) root.append(await detail(id, ctx));
}
