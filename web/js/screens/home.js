// home.js — ホーム: the register at a glance (assets by 課 × 機密性 as a chart
// and as a table), what needs someone's attention (assets without an owner or
// past their review, quarantined mail waiting) and the audit trail's state.
// Each figure links to the list that shows it, where there is one.

import { h } from '../dom.js';
import { t, formatNumber } from '../i18n.js';
import * as pol from '../policy.js';
import * as stats from '../stats.js';
import { barChart, dataTable, notice } from '../components.js';

export const messages = 'home';

function card(title, value, { warn, href, note } = {}) {
  const shown = value === null || value === undefined ? t('home.not_available') : formatNumber(value);
  const cls = value === null || value === undefined ? 'card' : `card ${warn && value > 0 ? 'warn' : 'good'}`;
  return h('div', { class: cls },
    h('div', null, title),
    h('div', { class: 'value' }, href && value ? h('a', { href }, shown) : shown),
    note ? h('div', { class: 'muted' }, note) : null);
}

function auditCard(audit) {
  if (!audit) return card(t('home.audit'), null, { note: t('home.audit_forbidden') });
  return h('div', { class: `card ${audit.intact ? 'good' : 'warn'}` },
    h('div', null, t('home.audit')),
    h('div', { class: 'value' }, audit.intact ? t('home.intact') : t('home.broken')),
    audit.summary ? h('details', { class: 'small' }, h('summary', null, t('home.details')), h('p', { class: 'muted' }, audit.summary)) : null,
    audit.head ? h('div', { class: 'muted small' }, t('home.head', { head: audit.head })) : null);
}

// The 課 that hold at least one asset, in the policy's order.
function rowsOf(p, s) {
  return s.departments
    .map((d) => ({ ...d, title: pol.title(p, 'department', d.id),
      total: s.levels.reduce((n, l) => n + (d.counts[l] || 0), 0) }))
    .filter((d) => d.total > 0);
}

function chart(p, s, rows) {
  const series = s.levels.slice().reverse().map((l) => ({ key: l, title: pol.levelTitle(p, 'confidentiality', l),
    class: `bar-c${Math.min(l, 3)}` }));
  return barChart({ title: t('home.chart_title'), series,
    data: rows.map((r) => ({ label: r.title, parts: s.levels.map((l) => ({ key: l, value: r.counts[l] || 0 })) })) });
}

function table(p, s, rows) {
  const link = (r, l) => {
    const n = r.counts[l] || 0;
    return n ? h('a', { href: `#/assets?department=${encodeURIComponent(r.id)}&c=${l}&status=active` }, formatNumber(n)) : '0';
  };
  return dataTable({
    caption: t('home.table_caption'),
    columns: [
      { id: 'title', title: t('home.department') },
      ...s.levels.slice().reverse().map((l) => ({ id: `c${l}`, numeric: true,
        title: pol.levelTitle(p, 'confidentiality', l), value: (r) => link(r, l) })),
      { id: 'total', title: t('home.total'), numeric: true },
    ],
    rows, empty: t('home.no_assets'),
  });
}

export async function render(root, ctx) {
  root.append(h('h1', null, t('home.title')));
  const status = h('div', { 'aria-live': 'polite' }, notice('info', t('common.loading')));
  root.append(status);
  const p = await pol.load();
  const s = await stats.load(p);
  const rows = rowsOf(p, s);
  status.replaceChildren();
  root.append(
    h('div', { class: 'cards' },
      card(t('home.assets'), rows.reduce((n, r) => n + r.total, 0), { href: '#/assets?status=active' }),
      card(t('home.without_owner'), s.without_owner, { warn: true }),
      card(t('home.past_review'), s.past_review, { warn: true }),
      card(t('home.quarantine'), s.quarantine_waiting, { warn: true }),
      auditCard(s.audit)),
    h('h2', null, t('home.by_department')),
    rows.length ? chart(p, s, rows) : null,
    table(p, s, rows),
    s.computed ? h('p', { class: 'muted small' }, t('home.computed_note')) : null);
  root.append(h('p', { class: 'muted small' }, t('home.scope_note')));
}
