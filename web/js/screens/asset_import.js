// asset_import.js — 台帳ファイルの取り込み: a CSV (UTF-8 or CP932, as Excel
// writes it) or an XLSX workbook, dropped or chosen; first a dry run that
// shows every problem row by row (Excel's row numbers), then the import itself,
// all or nothing.

import { h, replace } from '../dom.js';
import { t, formatNumber } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { notice, diagnosticsTable, fieldControl } from '../components.js';

export const messages = 'assets';

// POST /api/assets/import with the file as a form (its name appears in the
// messages), dry or not.
function upload(file, opts, dry) {
  const body = new FormData();
  body.append('file', file, file.name);
  if (opts.encoding) body.append('encoding', opts.encoding);
  if (opts.sheet) body.append('sheet', opts.sheet);
  if (dry) body.append('dry_run', 'true');
  const params = opts.header_row ? { header_row: opts.header_row } : null;
  return api.request('POST', '/api/assets/import', { raw: body, params });
}

// A diagnostic as a table row: the row number in its own column, the message
// without the "upload.csv: row N, " (in Japanese "upload.csv: N 行目, ") the
// API puts before it, in the language the UI asked for.
function rowMessage(d) {
  return { row: d.row || null, message: d.message.replace(/^[^:\s]+: (row \d+[:,] |\d+ 行目[:,] )?/, '') };
}

// What the import read past (a title row, columns not in the register), for the
// clerk to confirm that it is what they meant.
function warningsList(diags) {
  const warnings = diags.filter((d) => d.severity === 'warning');
  if (!warnings.length) return null;
  return h('section', null, h('h2', null, t('assets.warnings')), diagnosticsTable(warnings.map(rowMessage)));
}

// The drop target, with a button for those who do not drag (keyboard users);
// the file input itself is hidden because its text is the browser's, not ours.
function dropZone(onFile) {
  const input = h('input', { type: 'file', id: 'import-file', class: 'visually-hidden', tabindex: -1,
    'aria-hidden': 'true', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const chosen = h('p', { class: 'file-name muted' });
  const take = (f) => { if (!f) return; chosen.textContent = f.name; onFile(f); };
  input.addEventListener('change', () => { take(input.files[0]); input.value = ''; });
  const zone = h('div', { class: 'dropzone' },
    h('p', null, t('assets.drop_here')),
    h('button', { type: 'button', onclick: () => input.click() }, t('assets.choose_file')), input, chosen);
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    take(e.dataTransfer.files[0]);
  });
  return zone;
}

export async function render(root, ctx) {
  const p = await pol.load();
  root.append(h('h1', null, t('assets.import_title')), h('p', null, h('a', { href: '#/assets' }, t('assets.back'))),
    h('p', null, t('assets.import_text')));
  const enc = fieldControl({ id: 'encoding', title: t('assets.encoding'), type: 'choice', choices: [
    { value: 'utf-8', title: 'UTF-8' }, { value: 'cp932', title: t('assets.cp932') }], help: t('assets.encoding_help') });
  const headerRow = fieldControl({ id: 'header_row', title: t('assets.header_row'), type: 'number', help: t('assets.header_row_help') });
  const sheet = fieldControl({ id: 'sheet', title: t('assets.sheet'), help: t('assets.sheet_help') });
  const result = h('div', { 'aria-live': 'polite' });
  let file = null;
  const opts = () => ({ encoding: enc.read(), header_row: headerRow.read(), sheet: sheet.read() });

  const commit = async (button) => {
    button.disabled = true;
    try {
      const res = await upload(file, opts(), false);
      replace(result, notice('ok', t('assets.imported', { n: formatNumber(res.imported) }),
        ' ', h('a', { href: '#/assets' }, t('assets.to_list'))));
    } catch (err) {
      showProblems(err);
    }
  };
  const showProblems = (err) => {
    const diags = err.diagnostics || [];
    const errors = diags.filter((d) => d.severity !== 'warning');
    const role = pol.title(p, 'role', ctx.me.user.role);
    replace(result, notice('error', h('p', null, t('assets.problems', { n: errors.length || 1, file: file.name })),
      h('p', null, err.status === 403 ? t('assets.forbidden_import', { role }) : t('assets.fix_and_retry'))),
    errors.length ? diagnosticsTable(errors.map(rowMessage)) : h('p', null, err.message),
    warningsList(diags));
  };
  const check = async (f) => {
    file = f;
    replace(result, notice('info', t('assets.checking', { file: f.name })));
    try {
      const res = await upload(f, opts(), true);
      const button = h('button', { type: 'button', class: 'primary' }, t('assets.import_now', { n: formatNumber(res.rows) }));
      button.addEventListener('click', () => commit(button));
      replace(result, notice('ok', h('p', null, t('assets.dry_ok', { file: f.name, n: formatNumber(res.rows) }))),
        warningsList(res.warnings || []), h('div', { class: 'actions' }, button));
      button.focus();
    } catch (err) {
      showProblems(err);
    }
  };
  root.append(h('details', { class: 'options' }, h('summary', null, t('assets.options')), enc.row, headerRow.row, sheet.row),
    dropZone(check), result);
}
