// policy_doc.js — ポリシー: the policy document in force, with a table of
// contents and every clause an anchor (#/policy?clause=基本方針 6(3)② from a
// decision card scrolls to it), and, for roles that manage the policy, its
// replacement: upload → validate (problems by line and column) → confirm → PUT;
// and the 三層分離 as a picture and a table of the allowed flows (network.js).
//
// The document comes as HTML from GET /api/policy/render.  It is parsed with
// DOMParser (which runs nothing) and rebuilt element by element through an
// allow-list into h() nodes: no attribute and no tag outside the list survives,
// and no HTML string is ever inserted into the page.

import { h, replace } from '../dom.js';
import { t, load } from '../i18n.js';
import { networkSection } from '../network.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { notice, errorNotice, diagnosticsTable, detailList, fieldControl } from '../components.js';
import { can } from './registry.js';

export const messages = 'policy_doc';

const ALLOWED = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'table', 'thead', 'tbody',
  'tr', 'th', 'td', 'strong', 'em', 'b', 'i', 'code', 'pre', 'br', 'blockquote', 'dl', 'dt', 'dd', 'span']);
const CELL_ATTRS = ['colspan', 'rowspan'];

// A parsed node → its safe copy (text as text, unknown elements dropped but
// their text kept, only colspan/rowspan kept, as numbers).
function rebuild(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = node.tagName.toLowerCase();
  if (tag === 'script' || tag === 'style' || tag === 'title' || tag === 'head') return null;
  const children = Array.from(node.childNodes, rebuild);
  if (!ALLOWED.has(tag)) return children;
  // one level down: the screen's own title is the page's only h1
  const level = /^h([1-6])$/.exec(tag);
  if (level) return h(`h${Math.min(6, Number(level[1]) + 1)}`, null, children);
  const attrs = {};
  for (const a of CELL_ATTRS) if (node.hasAttribute(a)) attrs[a] = String(parseInt(node.getAttribute(a), 10) || 1);
  return h(tag, attrs, children);
}

// The two parts of the document and the leading number of a heading: what a
// clause like "基本方針 6(3)②" or "対策基準 2.1" refers to.
const partOf = (text, current) => (text.includes('対策基準') ? 'taisaku' : current);
const numberOf = (text) => (/^(\d+)\s/.exec(text) || [])[1];

// Gives each numbered heading an id, and returns the table of contents.
function anchor(doc) {
  let part = 'kihon';
  const toc = [];
  doc.querySelectorAll('h2, h3, h4').forEach((el, i) => {
    const text = el.textContent.trim();
    part = partOf(text, part);
    const n = numberOf(text);
    el.id = n ? `clause-${part}-${n}` : `sec-${i}`;
    if (el.tagName === 'H3' || (el.tagName === 'H4' && part === 'taisaku'))
      toc.push(h('li', { class: `toc-${el.tagName.toLowerCase()}` },
        h('a', { href: `#/policy?clause=${encodeURIComponent(el.id)}`, dataset: { target: el.id } }, text)));
  });
  return h('nav', { class: 'toc', 'aria-label': t('policy_doc.toc') }, h('h2', null, t('policy_doc.toc')), h('ul', null, toc));
}

// "基本方針 6(3)②" → the id of its heading ("clause-kihon-6"); ids pass as they are.
function clauseId(clause) {
  if (!clause) return null;
  if (/^(clause|sec)-/.test(clause)) return clause;
  const part = clause.includes('対策基準') ? 'taisaku' : 'kihon';
  const n = /(\d+)/.exec(clause.replace(/^.*?(基本方針|対策基準)/, ''));
  return n ? `clause-${part}-${n[1]}` : null;
}

async function documentSection() {
  const res = await api.get('/api/policy/render', { format: 'html' });
  // the document's own <style> is dropped before parsing: the parsed document
  // shares the page's CSP, which would report it (nothing of it is kept anyway)
  const text = (await res.text()).replace(/<style[\s\S]*?<\/style>/gi, '');
  const parsed = new DOMParser().parseFromString(text, 'text/html');
  const doc = h('article', { class: 'policy-doc', lang: 'ja' }, Array.from(parsed.body.childNodes, rebuild));
  return { doc, toc: anchor(doc) };
}

// Upload → validate → (valid) confirm → replace.
function replaceSection(ctx) {
  const out = h('div', { class: 'replace-out', 'aria-live': 'polite' });
  const file = fieldControl({ id: 'file', title: t('policy_doc.file'), type: 'file', accept: '.yaml,.yml,.json', help: t('policy_doc.file_help') });
  const check = async (e) => {
    e.preventDefault();
    const f = file.read();
    if (!f) { replace(out, notice('error', t('policy_doc.no_file'))); return; }
    const text = await f.text();
    replace(out, notice('info', t('policy_doc.checking')));
    try {
      const v = await api.request('POST', '/api/policy/validate', { raw: text, contentType: 'application/yaml' });
      replace(out, notice('ok', h('p', null, t('policy_doc.valid', { id: v.id || '' })),
        v.diagnostics?.length ? diagnosticsTable(v.diagnostics) : null,
        h('p', null, t('policy_doc.confirm_text')),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary danger-confirm', onclick: () => put(text) }, t('policy_doc.confirm')),
          h('button', { type: 'button', onclick: () => replace(out) }, t('common.cancel')))));
    } catch (err) {
      replace(out, h('div', null, h('p', null, h('strong', null, t('policy_doc.invalid'))), errorNotice(withMessage(err))));
    }
  };
  const put = async (text) => {
    try {
      const r = await api.request('PUT', '/api/policy', { raw: text, contentType: 'application/yaml' });
      pol.forget();
      replace(out, notice('ok', t('policy_doc.replaced', { id: r.id, version: r.version || '' }),
        h('p', null, h('button', { type: 'button', onclick: () => ctx.navigate('#/policy') }, t('policy_doc.show_new')))));
    } catch (err) {
      replace(out, err.status === 409 && err.diagnostics?.length ? await conflictNotice(err) : errorNotice(withMessage(err)));
    }
  };
  return h('section', { class: 'policy-replace' }, h('h2', null, t('policy_doc.replace')),
    h('p', null, t('policy_doc.replace_text')),
    h('form', { class: 'form', onsubmit: check }, file.row,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('policy_doc.check')))),
    out);
}

// A replacement refused because the register or the accounts would break
// under it (409): what happened in the UI's language, then each asset with its
// name and 課 (linked to where it is fixed) or account, and what is wrong.
async function conflictNotice(err) {
  const diags = err.diagnostics;
  const p = await pol.load();	// the policy still in force: its titles
  const named = await Promise.all(diags.slice(0, 50).map(async (d) => {
    if (!/^A-\d+$/.test(d.object || '')) return null;
    try { return await api.get(`/api/assets/${encodeURIComponent(d.object)}`); } catch { return null; }
  }));
  const what = (d, a) => {
    if (a) {
      return h('span', null, h('a', { href: `#/assets/${encodeURIComponent(a.id)}` }, `${a.id} ${a.name}`),
        h('span', { class: 'muted' }, `（${pol.title(p, 'department', a.department)}）`));
    }
    return d.object ? t('policy_doc.conflict_account', { name: d.object }) : '';
  };
  // "asset A-000003: 所管課 (department): …": the object is in its own column
  const problem = (d) => String(d.message || '').replace(/^(asset|user|account) [^:]+: /, '');
  return notice('error',
    h('p', null, h('strong', null, t('policy_doc.conflict'))),
    h('p', null, t('policy_doc.conflict_text', { count: diags.length })),
    h('table', { class: 'table diagnostics' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('policy_doc.conflict_object')),
        h('th', { scope: 'col' }, t('common.problem')))),
      h('tbody', null, diags.map((d, i) => h('tr', null, h('td', null, what(d, named[i])), h('td', null, problem(d)))))),
    h('p', null, t('policy_doc.conflict_next')));
}

// A validation answer carries no error message of its own: say what it means.
function withMessage(err) {
  if (err.status === 422 && !err.body?.error) err.message = t('policy_doc.invalid_text');
  if (err.status === 409) err.message = err.message || t('policy_doc.conflict');
  return err;
}

export async function render(root, ctx) {
  const p = await pol.load();
  await load('network');
  const { doc, toc } = await documentSection();
  // (append() would print a null as "null": the optional section is filtered)
  root.append(...[h('h1', null, t('policy_doc.title')),
    detailList([
      { title: t('policy_doc.name'), value: p.title },
      { title: t('policy_doc.id'), value: h('code', null, p.id) },
      { title: t('policy_doc.version'), value: p.version },
    ]),
    can(ctx.me, 'policy_manage') ? replaceSection(ctx) : null,
    networkSection(p),
    h('div', { class: 'policy-layout' }, toc, doc)].filter(Boolean));
  toc.addEventListener('click', (e) => {
    const target = e.target.closest('a')?.dataset.target;
    if (!target) return;
    e.preventDefault();
    history.replaceState(null, '', `#/policy?clause=${encodeURIComponent(target)}`);
    jump(target);
  });
  const wanted = clauseId(ctx.query.get('clause'));
  if (wanted) setTimeout(() => jump(wanted), 0);
}

// Scrolls to a heading and gives it focus, so keyboard users read on from there.
function jump(id) {
  const el = document.getElementById(id);
  if (!el) return;
  el.tabIndex = -1;
  el.scrollIntoView({ block: 'start' });
  el.focus({ preventScroll: true });
  el.classList.add('target');
}
