// check.js — 点検票: a 自己点検 campaign's or an audit's checklist for one 課
// (GET /api/check/{id}/sheet), each item with its clause, what mamori can say
// from the register, and its answer (適合・一部適合・不適合・該当なし with a
// comment: POST /api/check/{id}/answers); above it the progress per 課
// (GET /api/check/{id}/progress).  The 課's 情報セキュリティ管理者 reaches it from
// the notice that sends the items; the API decides who may read and answer.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { dataTable, errorNotice, fieldControl, notice } from '../components.js';

export const messages = 'check';

const ANSWERS = ['conform', 'partial', 'nonconform', 'na'];

function progressTable(p) {
  const columns = [
    { id: 'title', title: t('check.department') },
    { id: 'answered', title: t('check.answered'), numeric: true, value: (d) => `${d.answered} / ${d.items}` },
    ...ANSWERS.map((a) => ({ id: a, title: t(`check.a_${a}`), numeric: true, value: (d) => String(d[a]) })),
  ];
  return dataTable({ columns, rows: p.departments, caption: t('check.progress', { due: p.due || '—' }) });
}

// One item: its question, clause, mamori's pre-fill, and the answer form.
function itemRow(id, dept, it, onSaved) {
  const answer = fieldControl({ id: 'answer', title: t('check.answer'), type: 'choice',
    choices: ANSWERS.map((a) => ({ value: a, title: t(`check.a_${a}`) })) }, it.answer);
  const comment = fieldControl({ id: 'comment', title: t('check.comment'), type: 'text' }, it.comment);
  const out = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'button', class: 'primary', onclick: async () => {
    if (answer.read() === '') { replace(out, notice('error', t('check.choose'))); return; }
    save.disabled = true;
    try {
      await api.post(`/api/check/${encodeURIComponent(id)}/answers`,
        { department: dept, item: it.id, answer: answer.read(), comment: comment.read() || undefined });
      replace(out, notice('ok', t('check.saved')));
      onSaved();
    } catch (err) {
      replace(out, errorNotice(err));
    }
    save.disabled = false;
  } }, t('check.save'));
  const pf = it.prefill;
  return h('li', { class: 'check-item', dataset: { item: it.id } },
    h('p', { class: 'check-text' }, it.text),
    h('p', { class: 'muted small' }, `${it.id}（${it.clause}）`,
      it.answer ? ` — ${t('check.current', { answer: it.answer_title, by: it.by })}` : ''),
    pf ? h('p', { class: pf.ok ? 'prefill prefill-ok' : 'prefill prefill-ng' }, t('check.prefill', { text: pf.text }),
      pf.assets && pf.assets.length ? ` ${pf.assets.join('、')}` : '') : null,
    h('div', { class: 'check-answer' }, answer.row, comment.row, save), out);
}

async function sheet(box, id, dept, onSaved) {
  let s;
  try {
    s = await api.get(`/api/check/${encodeURIComponent(id)}/sheet`, { department: dept });
  } catch (err) {
    replace(box, errorNotice(err));
    return;
  }
  replace(box, h('h2', null, t('check.sheet', { department: s.department_title, count: s.items.length })),
    h('ol', { class: 'check-items' }, s.items.map((it) => itemRow(id, s.department, it, onSaved))));
}

export async function render(root, ctx) {
  const id = ctx.params.id;
  root.append(h('h1', null, t('check.title', { id })), h('p', { class: 'muted' }, t('check.intro')));
  const top = h('div', { 'aria-live': 'polite' }, t('common.loading'));
  const box = h('div');
  root.append(top, box);
  let p;
  const refresh = async () => {
    try {
      p = await api.get(`/api/check/${encodeURIComponent(id)}/progress`);
    } catch (err) {
      replace(top, errorNotice(err));
      return false;
    }
    replace(top, progressTable(p), picker);
    return true;
  };
  const picker = h('div', { class: 'field' });
  if (!(await refresh())) return;
  const mine = p.departments.find((d) => d.department === ctx.me.user.department);
  let dept = ctx.query.get('department') || (mine || p.departments[0] || {}).department;
  const select = fieldControl({ id: 'department', title: t('check.department'), type: 'choice', required: true,
    choices: p.departments.map((d) => ({ value: d.department, title: d.title })) }, dept);
  select.input.addEventListener('change', () => { dept = select.read(); sheet(box, id, dept, refresh); });
  replace(picker, select.row);
  if (dept) await sheet(box, id, dept, refresh);
}
