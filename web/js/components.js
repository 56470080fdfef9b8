// components.js — the building blocks every screen is made of.
//
// Lists, detail views and forms are rendered from declarations (columns,
// fields), not hand-made per screen, so that the record kinds of the policy's
// `records:` can be shown by the same code: a field is
//   {id, title, type, required, choices: [{value, title}], help, readonly}
// with type one of text, longtext, number, date, datetime, choice, password,
// file, checkbox.

import { h, replace, uid } from './dom.js';
import { t, formatTime, formatNumber } from './i18n.js';

// A message box: kind 'error' | 'ok' | 'info'.  Errors are announced to screen
// readers (role=alert); the others politely (role=status).
export function notice(kind, ...content) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...content);
}

// The API's error as people read it: the message, the field it names, and the
// row-by-row diagnostics of an import or a policy check as a table.
export function errorNotice(err) {
  const parts = [h('p', null, err.message || String(err))];
  if (err.field) parts.push(h('p', { class: 'muted' }, t('common.field', { field: err.field })));
  const diags = err.diagnostics;
  if (Array.isArray(diags) && diags.length) parts.push(diagnosticsTable(diags));
  return notice('error', ...parts);
}

// Diagnostics ({row|line, column, field, message, object}) as a table.
export function diagnosticsTable(diags) {
  const has = (k) => diags.some((d) => d && d[k] !== undefined && d[k] !== null);
  const cols = [['row', 'common.row'], ['line', 'common.line'], ['column', 'common.column'],
    ['object', 'common.object'], ['field', 'common.fieldname'], ['message', 'common.problem']]
    .filter(([k]) => k === 'message' || has(k));
  return h('table', { class: 'table diagnostics' },
    h('thead', null, h('tr', null, cols.map(([, label]) => h('th', { scope: 'col' }, t(label))))),
    h('tbody', null, diags.map((d) => h('tr', null,
      cols.map(([k]) => h('td', null, typeof d === 'string' ? (k === 'message' ? d : '') : (d[k] ?? '')))))));
}

// A sortable table.  columns: [{id, title, value(row) → node|string, sortable,
// numeric}]; sort: {by, desc}; onSort(by, desc); onOpen(row) makes rows
// openable by click and by Enter when focused.  The rows are one tab stop
// (a roving tabindex): Tab reaches the table once, on the row last used, and
// leaves it with the next Tab — to the pager, not through fifty rows; the
// arrow keys, Home and End move between the rows.
export function dataTable({ columns, rows, sort, onSort, onOpen, caption, empty }) {
  const head = h('tr', null, columns.map((c) => {
    const active = sort && sort.by === c.id;
    const label = [c.title, active ? (sort.desc ? ' ▼' : ' ▲') : ''];
    const th = h('th', { scope: 'col', class: c.numeric ? 'num' : null,
      'aria-sort': active ? (sort.desc ? 'descending' : 'ascending') : null });
    if (c.sortable && onSort)
      th.appendChild(h('button', { type: 'button', class: 'link',
        onclick: () => onSort(c.id, active ? !sort.desc : false) }, ...label));
    else th.append(...label.filter(Boolean));
    return th;
  }));
  const body = h('tbody');
  const openable = [];
  // the one row Tab reaches: the one focused last (by keys, click or script)
  const stop = (tr) => { for (const r of openable) r.tabIndex = r === tr ? 0 : -1; };
  for (const row of rows) {
    const tr = h('tr', null, columns.map((c) => h('td', { class: c.numeric ? 'num' : null },
      cell(c.value ? c.value(row) : row[c.id]))));
    if (onOpen) {
      tr.tabIndex = openable.length ? -1 : 0;
      openable.push(tr);
      tr.classList.add('openable');
      tr.addEventListener('click', () => onOpen(row));
      tr.addEventListener('focus', () => stop(tr));
      tr.addEventListener('keydown', (e) => {
        const i = openable.indexOf(tr);
        const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: openable.length - 1 }[e.key];
        if (e.key === 'Enter') onOpen(row);
        else if (to !== undefined && openable[to]) { e.preventDefault(); openable[to].focus(); }
      });
    }
    body.appendChild(tr);
  }
  if (!rows.length)
    body.appendChild(h('tr', null, h('td', { colspan: columns.length, class: 'muted' }, empty || t('common.none'))));
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table' }, caption ? h('caption', null, caption) : null, h('thead', null, head), body));
}

function cell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  return v;
}

// A definition list of fields of one record: [{title, value}] (value a node or text).
export function detailList(items) {
  return h('dl', { class: 'details' }, items.filter((i) => i).map((i) => [
    h('dt', null, i.title), h('dd', null, i.value === undefined || i.value === null || i.value === '' ? '—' : i.value),
  ]));
}

// One form control from a field declaration; returns {row, input, read()}.
export function fieldControl(field, value) {
  const id = uid(`f-${field.id}`);
  let input;
  const type = field.type || 'text';
  if (type === 'longtext') {
    input = h('textarea', { id, name: field.id, rows: field.rows || 4 }, value ?? '');
  } else if (type === 'choice' && field.multiple) {
    // several values (a checklist of the policy): a box each, read as a list
    const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
    input = h('fieldset', { id, class: 'checks' }, h('legend', { class: 'visually-hidden' }, field.title),
      (field.choices || []).map((c) => {
        const boxId = uid(`f-${field.id}`);
        return h('div', { class: 'check' },
          h('input', { type: 'checkbox', id: boxId, name: field.id, value: c.value, checked: chosen.has(String(c.value)) }),
          h('label', { for: boxId }, c.title ?? c.value));
      }));
  } else if (type === 'choice') {
    input = h('select', { id, name: field.id },
      field.required ? null : h('option', { value: '' }, t('common.unset')),
      (field.choices || []).map((c) => h('option', { value: c.value, selected: String(c.value) === String(value ?? '') },
        c.title ?? c.value)));
  } else if (type === 'checkbox') {
    input = h('input', { id, name: field.id, type: 'checkbox', checked: !!value });
  } else {
    const htmlType = { number: 'number', date: 'date', datetime: 'datetime-local', password: 'password',
      file: 'file' }[type] || 'text';
    input = h('input', { id, name: field.id, type: htmlType, value: type === 'file' ? null : (value ?? '') });
    if (field.autocomplete) input.setAttribute('autocomplete', field.autocomplete);
    if (field.accept) input.setAttribute('accept', field.accept);
    if (field.inputmode) input.setAttribute('inputmode', field.inputmode);
  }
  if (field.required && input.tagName !== 'FIELDSET') { input.required = true; input.setAttribute('aria-required', 'true'); }
  if (field.readonly) input.disabled = true;
  const helpId = field.help ? uid('help') : null;
  if (helpId) input.setAttribute('aria-describedby', helpId);
  const label = h('label', { for: id }, field.title, field.required ? h('span', { class: 'req' }, ` ${t('common.required')}`) : null);
  const row = h('div', { class: `field field-${type}` }, label, input,
    helpId ? h('div', { id: helpId, class: 'help' }, field.help) : null);
  const read = () => {
    if (type === 'choice' && field.multiple)
      return [...input.querySelectorAll('input:checked')].map((b) => b.value);
    if (type === 'checkbox') return input.checked;
    if (type === 'file') return input.files && input.files[0];
    if (type === 'number') return input.value === '' ? null : Number(input.value);
    return input.value;
  };
  return { row, input, read };
}

// A form from field declarations.  onSubmit(values) may return a promise; while
// it runs the submit button is disabled; an ApiError is shown above the
// buttons with the offending field marked.
export function form({ fields, values, submit, onSubmit, extra }) {
  const controls = fields.map((f) => [f, fieldControl(f, values ? values[f.id] : undefined)]);
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, submit || t('common.save'));
  const el = h('form', { class: 'form', novalidate: true }, controls.map(([, c]) => c.row), extra || null,
    status, h('div', { class: 'actions' }, button));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = {};
    for (const [f, c] of controls) {
      c.input.removeAttribute('aria-invalid');
      out[f.id] = c.read();
      if (f.required && (out[f.id] === '' || out[f.id] === null || out[f.id] === undefined)) {
        c.input.setAttribute('aria-invalid', 'true');
        replace(status, notice('error', t('common.missing', { field: f.title })));
        c.input.focus();
        return;
      }
    }
    button.disabled = true;
    replace(status);
    try {
      await onSubmit(out, status);
    } catch (err) {
      const bad = controls.find(([f]) => f.id === err.field);
      if (bad) { bad[1].input.setAttribute('aria-invalid', 'true'); bad[1].input.focus(); }
      replace(status, errorNotice(err));
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

// Keyset pager: "next page" while the API returns a cursor, "first page" once
// past it (keyset pages have no page numbers; that is what keeps them fast).
export function pager({ onFirst, onNext, hasNext, atFirst, summary }) {
  return h('nav', { class: 'pager', 'aria-label': t('common.pages') },
    summary ? h('span', { class: 'muted' }, summary) : null,
    h('button', { type: 'button', disabled: atFirst, onclick: onFirst }, t('common.first_page')),
    h('button', { type: 'button', disabled: !hasNext, onclick: onNext }, t('common.next_page')));
}

// A stacked bar chart in inline SVG (no library, no CDN).  data: [{label,
// parts: [{key, value}]}]; series: [{key, title, class}] gives order, legend
// and colour (CSS classes, so the palette lives in mamori.css).
export function barChart({ data, series, title }) {
  const max = Math.max(1, ...data.map((d) => d.parts.reduce((s, p) => s + p.value, 0)));
  const rowH = 26, labelW = 150, barW = 420, top = 4;
  const height = top + data.length * rowH + 4;
  const svg = h('svg:svg', { viewBox: `0 0 ${labelW + barW + 70} ${height}`, role: 'img',
    'aria-label': title, class: 'chart' });
  data.forEach((d, i) => {
    const y = top + i * rowH;
    svg.appendChild(h('svg:text', { x: labelW - 8, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, d.label));
    let x = labelW;
    let total = 0;
    for (const s of series) {
      const p = d.parts.find((q) => q.key === s.key);
      if (!p || !p.value) continue;
      const w = (p.value / max) * barW;
      svg.appendChild(h('svg:rect', { x, y: y + 4, width: Math.max(w, 1), height: rowH - 8, class: s.class },
        h('svg:title', null, `${d.label} ${s.title}: ${formatNumber(p.value)}`)));
      x += w;
      total += p.value;
    }
    svg.appendChild(h('svg:text', { x: x + 6, y: y + 17, class: 'chart-value' }, formatNumber(total)));
  });
  const legend = h('ul', { class: 'legend' }, series.map((s) => h('li', null,
    h('span', { class: `swatch ${s.class}`, 'aria-hidden': 'true' }), s.title)));
  return h('figure', { class: 'figure' }, title ? h('figcaption', null, title) : null, svg, legend);
}

export { formatTime };
