// policy.js — the policy in force, as the screens need it: Japanese titles for
// the ids the API returns (課, 種別, ネットワーク区分, 役割, levels), and the
// choices of filters and forms.  Loaded once per session from GET /api/policy.

import * as api from './api.js';

let cached = null;

export async function load() {
  if (!cached) cached = await api.get('/api/policy');
  return cached;
}

export function forget() {
  cached = null;
}

const list = (p, kind) => {
  switch (kind) {
  case 'department': return p.organisation?.departments || [];
  case 'kind': return p.asset_kinds || [];
  case 'segment': return p.segments || [];
  case 'role': return p.roles || [];
  default: return [];
  }
};

// The title of an id ("shimin" → "市民課"); the id itself when unknown.
export function title(p, kind, id) {
  if (id === null || id === undefined || id === '') return '';
  const found = list(p, kind).find((x) => x.id === id);
  return found?.title || String(id);
}

// [{value, title}] for a select.
export function choices(p, kind) {
  return list(p, kind).map((x) => ({ value: x.id, title: x.title || x.id }));
}

// The classification axes: [{id, title, short, levels: [{level, title}]}].
export function axes(p) {
  const short = { confidentiality: 'c', integrity: 'i', availability: 'a' };
  return (p.classification?.axes || []).map((a) => ({ id: a.id, title: a.title, short: short[a.id] || a.id,
    levels: (a.levels || []).map((l) => ({ level: l.level, title: l.title, restrictions: l.restrictions || [] })) }));
}

// The title of a level on an axis ("confidentiality", 3 → "機密性3").
export function levelTitle(p, axis, level) {
  const a = (p.classification?.axes || []).find((x) => x.id === axis);
  const l = a?.levels?.find((x) => String(x.level) === String(level));
  return l?.title || (level === null || level === undefined ? '' : String(level));
}

// Whether the account may read the audit trail's events: /api/me's `can`
// when the server sends it, else the rule docs/api.md states (a role that
// reads every department's assets) — asking and being refused would put an
// http.denied event in the trail each time a 職員 opens an asset.
export function mayReadTrail(p, me) {
  if (me.can && me.can.log_read !== undefined) return me.can.log_read !== false;
  const role = list(p, 'role').find((r) => r.id === me.user.role);
  const acc = role?.access;
  return !!acc && acc.scope === 'all' && (acc.actions || []).some((x) => x === 'read' || x === 'all');
}
