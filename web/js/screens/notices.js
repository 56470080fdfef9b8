// notices.js — お知らせ: the records' notices addressed to the account (a report
// to accept, a request to approve, a deadline passed and handed up), newest
// first, each linking to its record; whether it also went by mail and, when
// not yet, why (GET /api/notices).

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import * as api from '../api.js';
import { dataTable, errorNotice } from '../components.js';

export const messages = 'notices';

// Why the notice was sent, in words.
function reasonText(n) {
  return t({ 'record.create': 'notices.r_create', 'record.move': 'notices.r_move',
    'record.escalate': 'notices.r_escalate', 'record.account-inactive': 'notices.r_inactive',
    'training.overdue': 'notices.r_training', 'check.start': 'notices.r_check_start',
    'check.due-soon': 'notices.r_check_due_soon', 'check.overdue': 'notices.r_check_overdue',
    'finding.overdue': 'notices.r_finding_overdue' }[n.reason]
    || 'notices.r_other');
}

// Where a notice leads: a self-check's reminder to its 点検票, else the record.
function target(n) {
  if (n.reason.startsWith('check.')) return `#/check/${encodeURIComponent(n.record)}`;
  return n.kind ? `#/records/${encodeURIComponent(n.kind)}/${encodeURIComponent(n.record)}` : null;
}

// By mail: when it went, or that it waits and why.
function mailText(n) {
  if (n.sent) return t('notices.mailed', { when: formatTime(n.sent) });
  if (n.error) return t('notices.waiting', { error: n.error });
  return t('notices.not_mailed');
}

export async function render(root, ctx) {
  const box = h('div', { 'aria-live': 'polite' }, t('common.loading'));
  root.append(h('h1', null, t('notices.title')), h('p', { class: 'muted' }, t('notices.intro')), box);
  let list;
  try {
    list = await api.get('/api/notices');
  } catch (err) {
    replace(box, errorNotice(err));
    return;
  }
  const rows = Array.isArray(list) ? list : list.notices || [];
  const columns = [
    { id: 'created', title: t('notices.when'), value: (n) => formatTime(n.created) },
    { id: 'record', title: t('notices.record'), value: (n) => (target(n) ? h('a', { href: target(n) }, n.record) : n.record) },
    { id: 'kind', title: t('notices.kind'), value: (n) => n.kind_title || '' },
    { id: 'reason', title: t('notices.reason'), value: reasonText },
    { id: 'state', title: t('notices.state'), value: (n) => (n.state
      ? h('span', { class: `state state-${n.state}` }, n.state_title || n.state) : '') },
    { id: 'mail', title: t('notices.mail'), value: mailText },
  ];
  replace(box, dataTable({ columns, rows, caption: t('notices.count', { count: rows.length }),
    onOpen: (n) => target(n) && ctx.navigate(target(n)),
    empty: t('notices.none') }));
}
