// risks.js — リスク: the risk register as a heat map (GET /api/risks): a grid of
// 発生可能性 × 影響度 on the policy's scales (review.risk), each cell counting the
// risks rated there before treatment and after it, coloured by its score; then
// the risks the account may see, each opening its record.  Drawn from data with
// h(); the colours are classes of mamori.css (the CSP forbids inline styles).

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { dataTable, errorNotice } from '../components.js';

export const messages = 'risks';

// The band of a score: within what may be accepted, then thirds of the rest.
export function band(score, accept, max) {
  if (accept > 0 && score <= accept) return 'heat-low';
  const rest = (score - accept) / Math.max(1, max - accept);
  return rest <= 1 / 3 ? 'heat-mid' : rest <= 2 / 3 ? 'heat-high' : 'heat-critical';
}

function scaleLabel(s) {
  return s.title ? `${s.level} ${s.title}` : String(s.level);
}

function heatMap(m) {
  const nl = m.likelihood.length, ni = m.impact.length, max = nl * ni;
  const cell = (l, i) => m.cells.find((c) => c.likelihood === l && c.impact === i) || { inherent: 0, residual: 0, score: l * i };
  const rows = [];
  for (let l = nl; l >= 1; l -= 1) {
    rows.push(h('tr', null, h('th', { scope: 'row' }, scaleLabel(m.likelihood[l - 1])),
      m.impact.map((s) => {
        const c = cell(l, s.level);
        return h('td', { class: `heat ${band(c.score, m.accept, max)}`, dataset: { likelihood: l, impact: s.level },
          title: t('risks.cell_title', { score: c.score, inherent: c.inherent, residual: c.residual }) },
        h('span', { class: 'heat-inherent' }, String(c.inherent)), ' / ',
        h('span', { class: 'heat-residual' }, String(c.residual)));
      })));
  }
  return h('table', { class: 'heatmap' },
    h('caption', null, t('risks.map_caption')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('risks.likelihood_impact')),
      m.impact.map((s) => h('th', { scope: 'col' }, scaleLabel(s))))),
    h('tbody', null, rows));
}

// リスク評価表 (docs/reports.md) for the roles the route allows (those that read every 課).
function reportButtons(ctx) {
  if (ctx.me.can?.log_read === false) return null;
  const alertBox = h('div');
  const go = (format) => async () => {
    try {
      await api.download('/api/reports/risks', { format }, `mamori-risks.${format}`);
    } catch (err) {
      alertBox.replaceChildren(errorNotice(err));
    }
  };
  return h('div', { class: 'actions' },
    h('button', { type: 'button', onclick: go('pdf') }, t('risks.report_pdf')),
    h('button', { type: 'button', onclick: go('xlsx') }, t('risks.report_xlsx')), alertBox);
}

export async function render(root, ctx) {
  const box = h('div', { 'aria-live': 'polite' }, t('common.loading'));
  root.append(h('h1', null, t('risks.title')), h('p', { class: 'muted' }, t('risks.intro')), box);
  let m;
  try {
    m = await api.get('/api/risks');
  } catch (err) {
    replace(box, errorNotice(err));
    return;
  }
  const open = (r) => ctx.navigate(`#/records/risk/${encodeURIComponent(r.id)}`);
  const columns = [
    { id: 'id', title: t('risks.id'), value: (r) => h('a', { href: `#/records/risk/${encodeURIComponent(r.id)}` }, r.id) },
    { id: 'state', title: t('risks.state'), value: (r) => h('span', { class: `state state-${r.state}` }, r.state_title || r.state) },
    { id: 'threat', title: t('risks.threat'), value: (r) => r.threat_title || r.threat },
    { id: 'description', title: t('risks.description'), value: (r) => r.description || '' },
    { id: 'inherent', title: t('risks.inherent'), numeric: true, value: (r) => String(r.inherent) },
    { id: 'residual', title: t('risks.residual'), numeric: true, value: (r) => (r.residual === null ? '—' : String(r.residual)) },
    { id: 'treatment', title: t('risks.treatment'), value: (r) => (r.treatment ? t(`risks.t_${r.treatment}`) : '')
      + (r.over_accept ? ` ${t('risks.over_accept')}` : '') },
  ];
  replace(box,
    heatMap(m),
    h('p', { class: 'muted' }, t('risks.legend', { accept: m.accept })),
    reportButtons(ctx),
    h('h2', null, t('risks.list')),
    dataTable({ columns, rows: m.risks, caption: t('risks.count', { count: m.risks.length }), onOpen: open,
      empty: t('risks.none') }));
}
