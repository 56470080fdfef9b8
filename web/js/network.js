// network.js — the policy's 三層分離 as a picture and a table: each segment a
// box (title, networks, gateways), each allowed flow an arrow to the gateway it
// must pass, labelled with its channel and 無害化; a segment the policy cuts off
// (requirement `isolated`) drawn apart.  The same facts as `mamori net render`
// (docs/network.md), drawn in the browser from GET /api/policy: no Graphviz on
// the server, no library, and the table says it all for those who do not see
// the picture.

import { h } from './dom.js';
import { t } from './i18n.js';

const BOX_W = 250, GAP = 170, LINE = 18, PAD = 12, TOP = 40;

const isolated = (s) => (s.requirements || []).some((r) => r.id === 'isolated');

// The words of a channel or a 無害化 (the policy's vocabulary), in the UI's language.
const vocab = (group, id) => {
  const key = `network.${group}_${String(id).replace(/-/g, '_')}`;
  const text = t(key);
  return text === key ? id : text;
};

// The lines of a segment's box, and where each gateway's line is (for the arrows).
function boxLines(s) {
  const lines = [{ text: s.title || s.id, cls: 'net-title' }];
  if (isolated(s)) lines.push({ text: t('network.isolated'), cls: 'net-note' });
  for (const n of s.networks || []) lines.push({ text: n, cls: 'net-addr' });
  const at = {};
  for (const g of s.gateways || []) {
    at[g.id] = lines.length;
    lines.push({ text: g.title || g.id, cls: 'net-gw' });
    lines.push({ text: `${(g.addresses || [])[0] || ''} : ${(g.ports || []).join(', ')}`, cls: 'net-addr' });
  }
  return { lines, at };
}

function text(x, y, content, cls, anchor) {
  return h('svg:text', { x, y, class: cls, 'text-anchor': anchor || 'start' }, content);
}

// The picture: boxes left to right in the policy's order, arrows between them.
export function networkFigure(p) {
  const segs = p.segments || [];
  const flows = p.flows || [];
  if (!segs.length) return null;
  const boxes = segs.map((s, i) => ({ s, x: 20 + i * (BOX_W + GAP), ...boxLines(s) }));
  const height = Math.max(...boxes.map((b) => b.lines.length)) * LINE + 2 * PAD;
  const byId = Object.fromEntries(boxes.map((b) => [b.s.id, b]));
  const width = 40 + segs.length * BOX_W + (segs.length - 1) * GAP;
  const svg = h('svg:svg', { viewBox: `0 0 ${width} ${TOP + height + 30 + flows.length * 4}`, class: 'net-figure',
    role: 'img', 'aria-label': t('network.figure_label') },
  h('svg:defs', null, h('svg:marker', { id: 'net-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8,
    markerHeight: 8, orient: 'auto-start-reverse' }, h('svg:path', { d: 'M0,0 L10,5 L0,10 z', class: 'net-arrowhead' }))));
  for (const b of boxes) {
    svg.append(h('svg:rect', { x: b.x, y: TOP, width: BOX_W, height, rx: 6,
      class: isolated(b.s) ? 'net-box net-isolated' : 'net-box' }));
    b.lines.forEach((l, i) => svg.append(text(b.x + PAD, TOP + PAD + (i + 0.8) * LINE, l.text, l.cls)));
  }
  // arrows: each flow its own lane (a height) leaving its box, ending at the line of
  // the gateway it must pass (via) or at the lane's height; the label on the lane
  // beside the box it leaves, so that labels of flows between the same boxes never meet
  const lanes = {};
  flows.forEach((f) => {
    const a = byId[f.from], b = byId[f.to];
    if (!a || !b) return;
    const pair = [f.from, f.to].sort().join('|');
    const k = (lanes[pair] = (lanes[pair] || 0) + 1) - 1;
    const lane = TOP + PAD + LINE * (1.6 + 1.5 * k);
    const gwLine = (box) => (f.via && box.at[f.via] !== undefined ? TOP + PAD + (box.at[f.via] + 0.5) * LINE : null);
    const y1 = gwLine(a) ?? lane, y2 = gwLine(b) ?? lane;
    const right = a.x < b.x;
    const x1 = right ? a.x + BOX_W : a.x, x2 = right ? b.x : b.x + BOX_W;
    const adjacent = Math.abs(segs.indexOf(a.s) - segs.indexOf(b.s)) === 1;
    const lift = 20 + k * 14;	// over the boxes between
    const bend = x1 + (right ? 1 : -1) * GAP * 0.55;
    const d = adjacent ? `M${x1},${y1} L${bend},${y1} C${(bend + x2) / 2},${y1} ${(bend + x2) / 2},${y2} ${x2},${y2}`
      : `M${x1},${y1} C${x1},${TOP - lift} ${x2},${TOP - lift} ${x2},${y2}`;
    svg.append(h('svg:path', { d, class: `net-flow net-${f.channel}`, 'marker-end': 'url(#net-arrow)' },
      h('svg:title', null, flowWords(p, f))));
    const lx = adjacent ? x1 + (right ? 6 : -6) : (x1 + x2) / 2;
    const ly = adjacent ? y1 - 5 : TOP - lift - 4;
    svg.append(text(lx, ly, vocab('channel', f.channel), 'net-label', adjacent ? (right ? 'start' : 'end') : 'middle'));
  });
  return h('figure', { class: 'net' }, svg, h('figcaption', null, t('network.caption')));
}

// A flow in words: インターネット接続系 → LGWAN接続系, 電子メール (メール本文のテキスト化), via …
function flowWords(p, f) {
  const title = (id) => (p.segments || []).find((s) => s.id === id)?.title || id;
  return `${title(f.from)} → ${title(f.to)}: ${vocab('channel', f.channel)}` +
    (f.sanitization ? ` (${vocab('sanitization', f.sanitization)})` : '');
}

// The table of the allowed flows: what the picture shows, for reading and for screen readers.
export function flowTable(p) {
  const segTitle = (id) => (p.segments || []).find((s) => s.id === id)?.title || id;
  const gateway = (id) => {
    for (const s of p.segments || [])
      for (const g of s.gateways || [])
        if (g.id === id) return g;
    return null;
  };
  const rows = (p.flows || []).map((f) => {
    const g = f.via ? gateway(f.via) : null;
    return h('tr', null,
      h('td', null, segTitle(f.from)), h('td', null, segTitle(f.to)),
      h('td', null, vocab('channel', f.channel)),
      h('td', null, f.sanitization ? vocab('sanitization', f.sanitization) : ''),
      h('td', null, g ? `${g.title || g.id}（${(g.addresses || []).join(', ')} : ${(f.ports || g.ports || []).join(', ')}）` : ''),
      h('td', null, f.clause || ''));
  });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('caption', null, t('network.flows')),
    h('thead', null, h('tr', null, ['from', 'to', 'channel', 'sanitization', 'via', 'clause']
      .map((c) => h('th', { scope: 'col' }, t(`network.${c}`))))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 6, class: 'muted' }, t('network.none'))))));
}

// The section of the ポリシー screen: heading, picture, table (messages: web/i18n/network.json, loaded by the screen).
export function networkSection(p) {
  if (!(p.segments || []).length) return null;
  return h('section', { class: 'net-section', 'aria-labelledby': 'net-heading' },
    h('h2', { id: 'net-heading' }, t('network.title')),
    h('p', { class: 'muted' }, t('network.intro')),
    networkFigure(p), flowTable(p));
}
