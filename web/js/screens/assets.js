// assets.js — 情報資産管理台帳: the register as a list with filters, column
// choice, keyset pages and export of the current filter.
//
// The filters live in the address (#/assets?department=shimin&c=>=3) so that a
// reload or a bookmark shows the same list; so do `sort` (a column id, "-" for
// the reverse order) and `after`, the keyset cursor of the page shown.

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { dataTable, pager, notice, errorNotice, fieldControl } from '../components.js';

export const messages = 'assets';

const PAGE = 50;
const FILTERS = ['department', 'kind', 'segment', 'status', 'c', 'i', 'a', 'q', 'owner'];
const COLUMNS_KEY = 'mamori.assets.columns';

// Every column the list can show; `always` ones cannot be hidden.
function columns(p) {
  const level = (axis) => (a) => pol.levelTitle(p, axis, a[axis]);
  return [
    { id: 'id', title: t('assets.col_id'), always: true },
    { id: 'name', title: t('assets.col_name'), always: true },
    { id: 'kind', title: t('assets.col_kind'), value: (a) => pol.title(p, 'kind', a.kind) },
    { id: 'department', title: t('assets.col_department'), value: (a) => pol.title(p, 'department', a.department) },
    { id: 'role', title: t('assets.col_role'), value: (a) => pol.title(p, 'role', a.role) },
    { id: 'segment', title: t('assets.col_segment'), value: (a) => pol.title(p, 'segment', a.segment) },
    { id: 'confidentiality', title: t('assets.col_c'), value: level('confidentiality') },
    { id: 'integrity', title: t('assets.col_i'), value: level('integrity') },
    { id: 'availability', title: t('assets.col_a'), value: level('availability') },
    { id: 'location', title: t('assets.col_location') },
    { id: 'retention', title: t('assets.col_retention') },
    { id: 'status', title: t('assets.col_status'), value: (a) => t(`assets.status_${a.status}`) },
    { id: 'updated', title: t('assets.col_updated'), value: (a) => formatTime(a.updated) },
  ];
}

const DEFAULT_SHOWN = ['kind', 'department', 'segment', 'confidentiality', 'integrity', 'availability', 'status'];

function shownColumns() {
  try {
    const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY));
    if (Array.isArray(saved)) return saved;
  } catch { /* a damaged setting: the default */ }
  return DEFAULT_SHOWN;
}

function filterParams(query) {
  const out = {};
  for (const k of FILTERS) if (query.get(k)) out[k] = query.get(k);
  return out;
}

// The columns the API sorts by (GET /api/assets?sort=): the list is sorted on
// the server and paged in that order, so that a sort covers the whole register.
const SORTABLE = new Set(['id', 'name', 'kind', 'department', 'confidentiality', 'integrity', 'availability', 'updated']);

function address(params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== null && v !== undefined));
  const s = q.toString();
  return s ? `#/assets?${s}` : '#/assets';
}

// An axis in the UI's language (the three of the guideline), else the policy's title.
function axisTitle(a) {
  const key = `assets.col_${a.short}`;
  const text = t(key);
  return text === key ? a.title : text;
}

// "管理責任者が未設定" as the API's owner=none (the home screen links to it).
function ownerControl(value) {
  const c = fieldControl({ id: 'owner', title: t('assets.without_owner'), type: 'checkbox' }, value === 'none');
  return { ...c, read: () => (c.input.checked ? 'none' : '') };
}

// The filter form: selects from the policy's lists, levels as "≥ n".
function filterForm(p, params, ctx) {
  const sel = (id, title, choices) => fieldControl({ id, title, type: 'choice', choices }, params[id]);
  const levelChoices = (axis) => axis.levels.slice().sort((x, y) => x.level - y.level)
    .map((l) => ({ value: `>=${l.level}`, title: t('assets.at_least', { level: l.title }) }));
  const controls = [
    sel('department', t('assets.col_department'), pol.choices(p, 'department')),
    sel('kind', t('assets.col_kind'), pol.choices(p, 'kind')),
    sel('segment', t('assets.col_segment'), pol.choices(p, 'segment')),
    sel('status', t('assets.col_status'), [{ value: 'active', title: t('assets.status_active') },
      { value: 'disposed', title: t('assets.status_disposed') }]),
    ...pol.axes(p).map((a) => sel(a.short, axisTitle(a), levelChoices(a))),
    fieldControl({ id: 'q', title: t('assets.text'), type: 'text' }, params.q),
    ownerControl(params.owner),
  ];
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('assets.filters') },
    controls.map((c) => c.row),
    h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary' }, t('assets.apply')),
      h('button', { type: 'button', onclick: () => ctx.navigate('#/assets') }, t('assets.clear'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = {};
    for (const c of controls) next[c.input.name] = c.read();
    ctx.navigate(address(next));
  });
  return form;
}

function columnChooser(all, shown, onChange) {
  const boxes = all.filter((c) => !c.always).map((c) => {
    const input = h('input', { type: 'checkbox', name: c.id, checked: shown.includes(c.id) });
    input.addEventListener('change', () => {
      const now = [...box.querySelectorAll('input:checked')].map((i) => i.name);
      localStorage.setItem(COLUMNS_KEY, JSON.stringify(now));
      onChange(now);
    });
    return h('label', { class: 'check' }, input, ` ${c.title}`);
  });
  const box = h('details', { class: 'columns' }, h('summary', null, t('assets.columns')), h('div', { class: 'checks' }, boxes));
  return box;
}

// the export (the register as it is kept) and the report (情報資産管理台帳 by 課,
// to hand over: docs/reports.md), both of the current filter
function exportButtons(params) {
  const go = (path, name, format) => async () => {
    try {
      await api.download(path, { ...params, format }, `${name}.${format}`);
    } catch (err) {
      alertBox.replaceChildren(errorNotice(err));
    }
  };
  const alertBox = h('div');
  return h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: go('/api/assets/export', 'mamori-assets', 'xlsx') }, t('assets.export_xlsx')),
    h('button', { type: 'button', onclick: go('/api/assets/export', 'mamori-assets', 'csv') }, t('assets.export_csv')),
    h('button', { type: 'button', onclick: go('/api/reports/register', 'mamori-register', 'pdf') }, t('assets.report_pdf')),
    h('button', { type: 'button', onclick: go('/api/reports/register', 'mamori-register', 'xlsx') }, t('assets.report_xlsx')),
    alertBox);
}

export async function render(root, ctx) {
  const p = await pol.load();
  const params = filterParams(ctx.query);
  const after = ctx.query.get('after') || '';
  const sort = SORTABLE.has((ctx.query.get('sort') || '').replace(/^-/, '')) ? ctx.query.get('sort') : '';
  const can = ctx.me.can || {};
  root.append(h('h1', null, t('assets.title')));
  const tools = h('div', { class: 'actions' },
    can.assets_write !== false ? h('a', { class: 'button', href: '#/assets/new' }, t('assets.add')) : null,
    can.assets_import !== false && can.assets_write !== false ? h('a', { class: 'button', href: '#/assets/import' }, t('assets.import')) : null);
  root.append(tools, filterForm(p, params, ctx));

  const status = h('div', { 'aria-live': 'polite' }, notice('info', t('common.loading')));
  const listBox = h('div', { class: 'register' });
  root.append(status, listBox);
  let page;
  try {
    page = await api.get('/api/assets', { ...params, limit: PAGE, after, sort });
  } catch (err) {
    status.replaceChildren(errorNotice(err));
    return;
  }
  const all = columns(p);
  const draw = (shown) => {
    const cols = all.filter((c) => c.always || shown.includes(c.id)).map((c) => ({ ...c, sortable: SORTABLE.has(c.id) }));
    replace(listBox,
      dataTable({ columns: cols, rows: page.assets, caption: t('assets.caption'),
        sort: sort ? { by: sort.replace(/^-/, ''), desc: sort.startsWith('-') } : null,
        // a new order starts from its first page
        onSort: (by, desc) => ctx.navigate(address({ ...params, sort: `${desc ? '-' : ''}${by}` })),
        onOpen: (a) => ctx.navigate(`#/assets/${encodeURIComponent(a.id)}`), empty: t('assets.none') }),
      pager({ atFirst: !after, hasNext: !!page.next,
        onFirst: () => ctx.navigate(address({ ...params, sort })),
        onNext: () => ctx.navigate(address({ ...params, after: page.next, sort })) }));
  };
  // a sorted list's cursor is "ID:KEY": the id is what a person recognises
  status.replaceChildren(h('p', null, t('assets.summary', { total: page.total, shown: page.count }),
    after ? ` ${t('assets.after', { id: after.split(':')[0] })}` : ''));
  root.insertBefore(h('div', { class: 'list-tools' }, columnChooser(all, shownColumns(), draw), exportButtons(params)), status);
  draw(shownColumns());
}
