// stats.js — the figures of the home screen, in one shape whatever their source.
//
// GET /api/stats (being added on the server side) answers them in one call.
// Until a server has it (404), they are computed from the documented list
// route: each 課 × 機密性 count is one `limit=1` page whose `total` the store
// answers from its index, so this stays cheap on a large register; what the
// list route cannot count (past review, quarantined mail) is left null and
// shown as "not available".
//
// The shape: {levels: [n…], departments: [{id, counts: {level: n}}],
// without_owner, past_review, quarantine_waiting (numbers or null),
// audit: {intact, summary, head} or null, computed: true when derived here}.

import * as api from './api.js';
import * as pol from './policy.js';

// Registers up to this size are read whole to count assets without an owner.
const SCAN_LIMIT = 10000;

export async function load(p) {
  try {
    return fromServer(await api.get('/api/stats'), p);
  } catch (err) {
    if (err.status !== 404) throw err;
  }
  return computed(p);
}

// The server's answer, tolerant of the names it settles on.
function fromServer(s, p) {
  const levels = levelsOf(p);
  const rows = s.by_department || s.departments || [];
  return {
    levels,
    departments: rows.map((r) => ({ id: r.department ?? r.id,
      counts: r.confidentiality || r.counts || r.levels || {} })),
    without_owner: pick(s, 'without_owner', 'no_owner'),
    past_review: pick(s, 'past_review', 'review_overdue'),
    quarantine_waiting: pick(s, 'quarantine_waiting', 'quarantine'),
    audit: s.audit || null,
    computed: false,
  };
}

function pick(s, ...names) {
  for (const n of names) {
    const v = s[n];
    if (typeof v === 'number') return v;
    if (v && typeof v === 'object' && typeof v.count === 'number') return v.count;
  }
  return null;
}

function levelsOf(p) {
  const axis = pol.axes(p).find((a) => a.id === 'confidentiality');
  return (axis ? axis.levels.map((l) => l.level) : [1, 2, 3]).sort((a, b) => a - b);
}

async function computed(p) {
  const levels = levelsOf(p);
  const depts = pol.choices(p, 'department').map((d) => d.value);
  const total = (params) => api.get('/api/assets', { ...params, status: 'active', limit: 1 }).then((r) => r.total);
  const departments = await Promise.all(depts.map(async (id) => {
    const n = await Promise.all(levels.map((l) => total({ department: id, c: String(l) })));
    return { id, counts: Object.fromEntries(levels.map((l, i) => [l, n[i]])) };
  }));
  const [withoutOwner, audit] = await Promise.all([countWithoutOwner(), verify()]);
  return { levels, departments, without_owner: withoutOwner, past_review: null,
    quarantine_waiting: null, audit, computed: true };
}

// Assets with no 管理責任者 (role); null when the register is too large to read here.
async function countWithoutOwner() {
  const page = await api.get('/api/assets', { status: 'active', limit: SCAN_LIMIT });
  if (page.next) return null;
  return page.assets.filter((a) => !a.role).length;
}

async function verify() {
  try {
    return await api.get('/api/log/verify');
  } catch (err) {
    if (err.status === 403) return null;
    throw err;
  }
}
