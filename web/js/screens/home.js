// home.js — ホーム: the register at a glance (active assets by 課 × 機密性 as a
// chart and as a table whose numbers open the list), what needs someone's
// attention (assets without an owner, quarantined mail waiting) and the audit
// trail's state — all from GET /api/stats, which counts only what the role reads;
// the registers' figures (contracts ended, training overdue) from their own lists
// (the register keeps no review date, so there is no "past review" figure).

import { h, replace } from '../dom.js';
import { t, formatNumber, formatTime } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { match } from './registry.js';
import { barChart, dataTable, notice, errorNotice } from '../components.js';

export const messages = 'home';

// A figure; warn: a number above 0 needs attention; null: not known here.
function card(title, value, { warn, href, note } = {}) {
  const known = value !== null && value !== undefined;
  const shown = known ? formatNumber(value) : t('home.not_available');
  return h('div', { class: known ? `card ${warn && value > 0 ? 'warn' : 'good'}` : 'card' },
    h('div', null, title),
    h('div', { class: 'value' }, href && value ? h('a', { href }, shown) : shown),
    note ? h('div', { class: 'muted small' }, note) : null);
}

// The trail: its size, its newest signed head (signature checked by the
// server), and a full verification on demand — it reads every event, so it
// is not run on every visit.
function trailCard(trail) {
  const head = trail.head;
  const result = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button' }, t('home.verify'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(result, t('common.loading'));
    try {
      const v = await api.get('/api/log/verify');
      replace(result, notice(v.intact ? 'ok' : 'error', v.intact ? t('home.intact') : t('home.broken'),
        h('details', { class: 'small' }, h('summary', null, t('home.details')), h('p', null, v.summary))));
    } catch (err) {
      replace(result, errorNotice(err));
    } finally {
      button.disabled = false;
    }
  });
  const good = head && head.signature_ok;
  return h('div', { class: `card ${good ? 'good' : 'warn'}` },
    h('div', null, t('home.audit')),
    h('div', { class: 'value' }, t('home.events', { n: formatNumber(trail.events) })),
    h('div', { class: 'small' }, head
      ? t(head.signature_ok ? 'home.head_ok' : 'home.head_bad', { seq: formatNumber(head.seq), time: formatTime(head.time),
        since: formatNumber(head.events_since) })
      : t('home.no_head')),
    h('div', { class: 'actions' }, button), result);
}

// The 機密性 levels [{level, title}], lowest first: from the stats, or (a server
// before they were added there) from the counts' keys and the policy's titles.
function levelsOf(p, s) {
  const list = s.levels || [...new Set(s.departments.flatMap((d) => Object.keys(d.levels)))]
    .map((l) => ({ level: Number(l), title: pol.levelTitle(p, 'confidentiality', l) }));
  return list.slice().sort((a, b) => a.level - b.level);
}

// The quarantine's {held, requested}: null when the role may not see it or none
// is kept.  From the stats; a server whose stats lack it is asked for the list.
async function quarantine(me, s) {
  if (s.quarantine !== undefined) return s.quarantine;
  if (!me.can || !me.can.quarantine_read) return null;
  try {
    const list = (await api.get('/api/quarantine')).originals || [];
    const count = (state) => list.filter((o) => o.state === state).length;
    return { held: count('held'), requested: count('requested') };
  } catch (err) {
    if (err.status === 404 || err.status === 403) return null;
    throw err;
  }
}

// levels: [{level, title}] from the stats, lowest first; the chart stacks the highest first.
function chart(levels, rows) {
  const series = levels.slice().reverse().map((l) => ({ key: l.level, title: l.title, class: `bar-c${Math.min(l.level, 3)}` }));
  return barChart({ title: t('home.chart_title'), series,
    data: rows.map((r) => ({ label: r.title, parts: levels.map((l) => ({ key: l.level, value: r.levels[l.level] || 0 })) })) });
}

function table(levels, rows) {
  const link = (r, l) => {
    const n = r.levels[l] || 0;
    return n ? h('a', { href: `#/assets?department=${encodeURIComponent(r.department)}&c=${l}&status=active` }, formatNumber(n)) : '0';
  };
  return dataTable({
    caption: t('home.table_caption'),
    columns: [
      { id: 'title', title: t('home.department') },
      ...levels.slice().reverse().map((l) => ({ id: `c${l.level}`, numeric: true, title: l.title,
        value: (r) => link(r, l.level) })),
      { id: 'total', title: t('home.total'), numeric: true },
    ],
    rows, empty: t('home.no_assets'),
  });
}

// The registers' figures (Operations II): contracts whose term has ended —
// their contractors' accounts were disabled (docs/records.md) — and the people
// past a course's deadline; null when the policy has no such kind or the role
// sees none of them.
async function registers(p) {
  const has = (id) => (p.records || []).some((k) => k.id === id);
  const quiet = (promise) => promise.catch(() => null);
  const [expired, training] = await Promise.all([
    has('contractor') ? quiet(api.get('/api/records/contractor', { state: 'expired', limit: 100 })) : null,
    has('course') ? quiet(api.get('/api/training')) : null,
  ]);
  return {
    expired: expired ? (expired.records || []).length : null,
    overdue: training ? training.courses.reduce((n, c) => n + c.overdue, 0) : null,
  };
}

export async function render(root, ctx) {
  root.append(h('h1', null, t('home.title')));
  const [p, s] = await Promise.all([pol.load(), api.get('/api/stats')]);
  const levels = levelsOf(p, s);
  // the 課 that hold an asset, in the policy's order, by the policy's title
  const rows = s.departments.filter((d) => d.total > 0)
    .map((d) => ({ ...d, title: d.title || pol.title(p, 'department', d.department) }));
  const total = rows.reduce((n, r) => n + r.total, 0);
  const [q, reg] = await Promise.all([quarantine(ctx.me, s), registers(p)]);
  const waiting = q ? q.held + q.requested : null;
  root.append(
    h('div', { class: 'cards' },
      card(t('home.assets'), total, { href: '#/assets?status=active' }),
      card(t('home.without_owner'), s.without_owner, { warn: true, href: '#/assets?status=active&owner=none' }),
      card(t('home.quarantine'), waiting, { warn: true, href: q && match('/quarantine') ? '#/quarantine' : null,
        note: q ? t('home.requested', { n: formatNumber(q.requested) }) : t('home.quarantine_none') }),
      card(t('home.contracts_expired'), reg.expired, { warn: true,
        href: '#/records/contractor?state=expired', note: t('home.contracts_note') }),
      card(t('home.training_overdue'), reg.overdue, { warn: true, href: '#/training?overdue=1' }),
      trailCard(s.trail)),
    h('h2', null, t('home.by_department')),
    rows.length ? chart(levels, rows) : null,
    table(levels, rows),
    h('p', { class: 'muted small' }, t('home.scope_note')));
}
