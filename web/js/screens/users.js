// users.js — 利用者: the accounts this administrator manages (GET /api/users
// answers exactly those), adding one, and per account: disable/enable, its
// mail address (where the records' notices go), a temporary password,
// resetting MFA, and API tokens (a new token is shown once — the API keeps
// only its hash).
//
// The selected account lives in the address (#/users?name=kanri) so a reload
// keeps it.  Refusals (403: a role above one's own, another department) are
// shown with the API's own words; nothing is hidden that the API would allow.

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { dataTable, detailList, form, notice, errorNotice } from '../components.js';
import { can } from './registry.js';

export const messages = 'users';

const path = (name, rest = '') => `/api/users/${encodeURIComponent(name)}${rest}`;

// A temporary password to hand over: 16 characters from an alphabet without
// look-alikes (0/O, 1/l/I), drawn from the browser's CSPRNG.
function temporaryPassword() {
  const abc = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => abc[b % abc.length]).join('');
}

function state(u) {
  return [u.disabled ? t('users.disabled') : t('users.active'),
    u.password_temporary ? h('span', { class: 'badge' }, t('users.temporary')) : null];
}

function list(users, p, ctx, selected) {
  return dataTable({
    caption: t('users.count', { count: users.length }),
    rows: users,
    onOpen: (u) => ctx.navigate(`#/users?name=${encodeURIComponent(u.name)}`),
    columns: [
      { id: 'name', title: t('users.name'), value: (u) => (u.name === selected ? h('strong', null, `▶ ${u.name}`) : u.name) },
      { id: 'role', title: t('users.role'), value: (u) => pol.title(p, 'role', u.role) },
      { id: 'department', title: t('users.department'), value: (u) => pol.title(p, 'department', u.department) },
      { id: 'state', title: t('users.state'), value: state },
      { id: 'mfa', title: t('users.mfa'), value: (u) => (u.mfa ? t('users.mfa_on') : t('users.mfa_off')) },
      { id: 'email', title: t('users.email'), value: (u) => u.email || '—' },
      { id: 'failures', title: t('users.failures'), numeric: true },
      { id: 'created', title: t('users.created'), value: (u) => formatTime(u.created) },
    ],
  });
}

function addSection(p, ctx) {
  const initial = temporaryPassword();
  return h('details', { class: 'add-user' }, h('summary', null, t('users.add')),
    form({
      fields: [
        { id: 'name', title: t('users.name'), required: true, help: t('users.name_help') },
        { id: 'role', title: t('users.role'), type: 'choice', required: true, choices: pol.choices(p, 'role') },
        { id: 'department', title: t('users.department'), type: 'choice', choices: pol.choices(p, 'department') },
        { id: 'email', title: t('users.email'), help: t('users.email_help'), autocomplete: 'off', inputmode: 'email' },
        { id: 'password', title: t('users.initial'), required: true, help: t('users.initial_help') },
      ],
      values: { password: initial },
      submit: t('users.add_submit'),
      onSubmit: async (v) => {
        const body = { name: v.name.trim(), role: v.role, password: v.password };
        if (v.department) body.department = v.department;
        if (v.email.trim()) body.email = v.email.trim();
        await api.post('/api/users', body);
        flash = notice('ok', h('p', null, t('users.added', { name: body.name })), h('p', null, t('users.added_text')),
          h('pre', { class: 'secret' }, body.password));
        ctx.navigate(`#/users?name=${encodeURIComponent(body.name)}`);
      },
    }));
}

// The outcome of the last change, shown once after the screen is drawn again
// with the new state (a one-time token or password is in it: kept in memory
// only, until the next drawing).
let flash = null;

// Runs one change; on success draws the screen again with its outcome, on a
// refusal shows the API's error in out.
async function act(out, fn, okText, ctx) {
  try {
    const extra = await fn();
    flash = notice('ok', h('p', null, okText), extra || null);
    ctx.navigate(location.hash);
  } catch (err) {
    replace(out, errorNotice(err));
  }
}

function tokensSection(u, tokens, ctx) {
  const out = h('div', { 'aria-live': 'polite' });
  const table = dataTable({
    caption: t('users.tokens_count', { count: tokens.length }),
    rows: tokens,
    columns: [
      { id: 'id', title: t('users.token_id'), value: (tk) => h('code', null, tk.id) },
      { id: 'scope', title: t('users.scope'), value: (tk) => t(`users.scope_${tk.scope}`) },
      { id: 'expires', title: t('users.expires'), value: (tk) => [formatTime(tk.expires), tk.expired ? ` (${t('users.expired')})` : ''].join('') },
      { id: 'revoke', title: '', value: (tk) => h('button', { type: 'button', class: 'danger',
        onclick: () => act(out, () => api.del(path(u.name, `/tokens/${tk.id}`)), t('users.revoked', { id: tk.id }), ctx) },
      t('users.revoke')) },
    ],
  });
  const issue = form({
    fields: [
      { id: 'scope', title: t('users.scope'), type: 'choice', required: true,
        // a gateway token decides about anyone: only roles managing the policy issue it
        choices: ['read', 'write', ...(can(ctx.me, 'policy_manage') ? ['gateway'] : [])]
          .map((s) => ({ value: s, title: t(`users.scope_${s}`) })) },
      { id: 'days', title: t('users.days'), type: 'number', required: true },
    ],
    values: { scope: 'read', days: 90 },
    submit: t('users.issue'),
    onSubmit: async (v) => {
      const r = await api.post(path(u.name, '/tokens'), { scope: v.scope, days: v.days });
      flash = notice('ok', h('p', null, h('strong', null, t('users.token_once'))),
        h('pre', { class: 'secret' }, r.token), h('p', null, t('users.token_use')));
      ctx.navigate(location.hash);
    },
  });
  return h('section', null, h('h3', null, t('users.tokens')), table, out, h('h4', null, t('users.issue')), issue);
}

// The account's mail address: set, changed, or cleared (empty).
function emailSection(u, ctx) {
  return h('details', { class: 'user-email' }, h('summary', null, t('users.email_change')),
    form({
      fields: [{ id: 'email', title: t('users.email'), help: t('users.email_help'), autocomplete: 'off', inputmode: 'email' }],
      values: { email: u.email || '' },
      submit: t('users.email_save'),
      onSubmit: async (v) => {
        const email = v.email.trim();
        await api.post(path(u.name, '/email'), { email: email || null });
        flash = notice('ok', h('p', null, email ? t('users.email_ok') : t('users.email_cleared')));
        ctx.navigate(location.hash);
      },
    }));
}

// What a person held, to hand over (the answer of …/move and …/retire): the
// assets of their role in their 課 and the open records, each a link.
function holdingsView(p, hd) {
  const assets = hd.assets || [], records = hd.records || [];
  if (!assets.length && !records.length) return h('p', null, t('users.nothing_held'));
  return h('div', { class: 'holdings' },
    h('p', null, h('strong', null, t('users.hand_over'))),
    assets.length ? h('section', null, h('h4', null, t('users.held_assets',
      { role: pol.title(p, 'role', hd.role), others: hd.others })),
    h('ul', null, assets.map((a) => h('li', null, h('a', { href: `#/assets/${encodeURIComponent(a.id)}` }, a.id), ' ', a.name)))) : null,
    records.length ? h('section', null, h('h4', null, t('users.held_records')),
      h('ul', null, records.map((r) => h('li', null,
        h('a', { href: `#/records/${encodeURIComponent(r.kind)}/${encodeURIComponent(r.id)}` }, r.id), ' ',
        `${r.kind_title}（${r.state_title}）`, ' ', t('users.held_as', { as: (r.as || []).join('、') })))))
      : null);
}

// 異動・退職: another 課 (and role), or leaving — each answers what the person held.
function personnelSection(u, p, ctx) {
  const move = form({
    fields: [
      { id: 'department', title: t('users.move_department'), type: 'choice', required: true, choices: pol.choices(p, 'department') },
      { id: 'role', title: t('users.move_role'), type: 'choice', choices: pol.choices(p, 'role') },
    ],
    values: { department: u.department },
    submit: t('users.move'),
    onSubmit: async (v) => {
      const r = await api.post(path(u.name, '/move'), v.role ? { department: v.department, role: v.role } : { department: v.department });
      flash = notice('ok', h('p', null, t('users.moved_ok', { dept: pol.title(p, 'department', r.user.department) })), holdingsView(p, r.holdings));
      ctx.navigate(location.hash);
    },
  });
  const retire = form({
    fields: [{ id: 'reason', title: t('users.retire_reason'), required: true, help: t('users.retire_help') }],
    submit: t('users.retire'),
    onSubmit: async (v) => {
      const r = await api.post(path(u.name, '/retire'), { reason: v.reason });
      flash = notice('ok', h('p', null, t('users.retired_ok')), holdingsView(p, r.holdings));
      ctx.navigate(location.hash);
    },
  });
  return h('details', { class: 'user-personnel' }, h('summary', null, t('users.personnel')),
    h('h4', null, t('users.move')), move, u.disabled ? null : [h('h4', null, t('users.retire')), retire]);
}

async function detailSection(name, p, ctx) {
  const box = h('section', { class: 'user-detail', 'aria-label': t('users.detail', { name }) });
  let u, tokens;
  try {
    u = await api.get(path(name));
    tokens = (await api.get(path(name, '/tokens'))).tokens || [];
  } catch (err) {
    return replace(box, h('h2', null, name), errorNotice(err));
  }
  const out = h('div', { class: 'user-out', 'aria-live': 'polite' }, flash);
  flash = null;
  const reset = async () => {
    const pw = temporaryPassword();
    await api.post(path(name, '/password'), { password: pw });
    return [h('p', null, t('users.password_once')), h('pre', { class: 'secret' }, pw)];
  };
  replace(box,
    h('h2', null, t('users.detail', { name })),
    out,
    detailList([
      { title: t('users.role'), value: pol.title(p, 'role', u.role) },
      { title: t('users.department'), value: pol.title(p, 'department', u.department) },
      { title: t('users.state'), value: state(u) },
      { title: t('users.mfa'), value: u.mfa ? t('users.mfa_on') : t('users.mfa_off') },
      { title: t('users.email'), value: u.email || t('users.email_none') },
    ]),
    h('div', { class: 'actions' },
      u.disabled
        ? h('button', { type: 'button', onclick: () => act(out, () => api.post(path(name, '/enable'), {}), t('users.enabled_ok'), ctx) }, t('users.enable'))
        : h('button', { type: 'button', class: 'danger', onclick: () => act(out, () => api.post(path(name, '/disable'), {}), t('users.disabled_ok'), ctx) }, t('users.disable')),
      h('button', { type: 'button', onclick: () => act(out, reset, t('users.password_ok'), ctx) }, t('users.reset_password')),
      u.mfa ? h('button', { type: 'button', class: 'danger', onclick: () => act(out, () => api.post(path(name, '/mfa/reset'), {}), t('users.mfa_reset_ok'), ctx) }, t('users.reset_mfa')) : null),
    emailSection(u, ctx),
    personnelSection(u, p, ctx),
    tokensSection(u, tokens, ctx));
  return box;
}

export async function render(root, ctx) {
  const p = await pol.load();
  root.append(h('h1', null, t('users.title')), h('p', null, t('users.intro')));
  let users;
  try {
    users = (await api.get('/api/users')).users || [];
  } catch (err) {
    if (err.status === 403) root.append(notice('error', h('p', null, h('strong', null, t('users.forbidden'))), h('p', null, err.message)));
    else root.append(errorNotice(err));
    return;
  }
  const selected = ctx.query.get('name');
  root.append(addSection(p, ctx), list(users, p, ctx, selected));
  if (selected) root.append(await detailSection(selected, p, ctx));
}
