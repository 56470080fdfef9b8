// training.js — 教育・研修: each course in force, how many of its audience have
// taken it per 課, who is overdue, and a button that puts a reminder in the
// outbox of each person overdue (GET /api/training, POST
// /api/training/reminders).  The courses and the attendance themselves are
// records (#/records/course, #/records/attendance: a sign-in sheet is
// imported there); the API shows each asker what it may see of them —
// everyone, its own 課, or only itself.

import { h, replace } from '../dom.js';
import { t, formatNumber } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { dataTable, notice, errorNotice } from '../components.js';
import { can } from './registry.js';

export const messages = 'training';

const statusText = (s) => t(`training.s_${s}`);

function courseSection(p, c, overdueOnly) {
  const people = overdueOnly ? c.people.filter((x) => x.status === 'overdue') : c.people;
  return h('section', { class: 'course', 'aria-labelledby': `course-${c.id}` },
    h('h2', { id: `course-${c.id}` }, h('a', { href: `#/records/course/${encodeURIComponent(c.id)}` }, c.id), '　', c.name),
    h('p', { class: 'muted' }, t(c.recurrence === 'yearly' ? 'training.yearly' : 'training.once'),
      c.deadline ? t('training.deadline', { date: c.deadline }) : '',
      t('training.summary', { completed: formatNumber(c.completed), audience: formatNumber(c.audience),
        overdue: formatNumber(c.overdue) })),
    dataTable({
      caption: t('training.by_department'),
      columns: [
        { id: 'title', title: t('training.department') },
        { id: 'audience', title: t('training.audience'), numeric: true },
        { id: 'completed', title: t('training.completed'), numeric: true },
        { id: 'overdue', title: t('training.overdue'), numeric: true },
      ],
      rows: c.departments, empty: t('training.nobody'),
    }),
    dataTable({
      caption: overdueOnly ? t('training.people_overdue') : t('training.people'),
      columns: [
        { id: 'user', title: t('training.user') },
        { id: 'department', title: t('training.department'), value: (x) => (x.department ? pol.title(p, 'department', x.department) : '—') },
        { id: 'status', title: t('training.status'),
          value: (x) => h('span', { class: `state state-${x.status}` }, statusText(x.status)) },
        { id: 'last', title: t('training.last'), value: (x) => x.last || '—' },
      ],
      rows: people, empty: t('training.nobody'),
    }));
}

export async function render(root, ctx) {
  const overdueOnly = ctx.query.get('overdue') === '1';
  const box = h('div', { 'aria-live': 'polite' }, t('common.loading'));
  const status = h('div', { 'aria-live': 'polite' });
  const remind = can(ctx.me, 'policy_manage') ? h('button', { type: 'button', onclick: async (e) => {
    e.target.disabled = true;
    try {
      const r = await api.post('/api/training/reminders', {});
      replace(status, notice('ok', t('training.reminded', { n: formatNumber(r.notices) })));
    } catch (err) {
      replace(status, errorNotice(err));
    } finally {
      e.target.disabled = false;
    }
  } }, t('training.remind')) : null;
  root.append(h('h1', null, t('training.title')), h('p', { class: 'muted' }, t('training.intro')),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: overdueOnly ? '#/training' : '#/training?overdue=1' },
        overdueOnly ? t('training.show_all') : t('training.show_overdue')),
      h('a', { class: 'button', href: '#/records/attendance/new' }, t('training.record')), remind),
    status, box);
  let s, p;
  try {
    [p, s] = await Promise.all([pol.load(), api.get('/api/training')]);
  } catch (err) {
    replace(box, errorNotice(err));
    return;
  }
  replace(box, ...(s.courses.length ? s.courses.map((c) => courseSection(p, c, overdueOnly))
    : [h('p', { class: 'muted' }, t('training.none'))]));
}
