// common.js — what the peer benchmarks share: reading the workload that
// bench_decide dumps (the same draws mamori decided, with mamori's answers),
// and the semantics of docs/decide.md written once as data, from the resolved
// policy (`mamori policy show --json`), for the casbin and Cedar translations.
'use strict';
const fs = require('fs');

// mamori's own vocabulary semantics (src/lib/decide.c, docs/decide.md step 3).
const ACTIONS = ['read', 'write', 'copy', 'print', 'send', 'take_out', 'transfer', 'store', 'dispose', 'publish'];
const CHANNELS = ['mail', 'web', 'file-transfer', 'screen-transfer', 'media', 'api'];
const WORK = ACTIONS.filter((a) => a !== 'dispose');
const RESTRICTION_EFFECTS = {
  'issued-terminal-only': { deny: true, actions: WORK },
  'no-excess-copies': { actions: ['copy', 'print', 'send', 'transfer'] },
  'restricted-storage': { actions: ['store'] },
  'encrypt-in-transit': { actions: ['send', 'transfer', 'take_out'] },
  'irreversible-disposal': { actions: ['dispose'] },
  'trusted-network': { actions: ['send', 'transfer'] },
  'external-processing-rules': { actions: ['take_out'] },
  'locked-media-storage': { actions: ['store', 'take_out'] },
  'backup': { actions: ['write', 'store'] },
  'electronic-signature': { actions: ['send', 'publish'] },
  'timely-recovery': { actions: ['store'] },
};
const AXES = [['confidentiality', 'c'], ['integrity', 'i'], ['availability', 'a']];

// The policy's rules in a form both translations use.
function rules(policy) {
  const byId = new Map(policy.roles.map((r) => [r.id, r]));
  const own = (r) => (r.access && r.access.actions || []).includes('all') ? ACTIONS.slice()
    : (r.access && r.access.actions || []).filter((a) => ACTIONS.includes(a));
  // a role may do what its subordinates may (the reports_to chain)
  const actions = new Map(policy.roles.map((r) => [r.id, new Set(own(r))]));
  for (const r of policy.roles) {
    let up = r;
    for (let steps = 0; up.reports_to && steps < policy.roles.length; steps++) {
      const boss = byId.get(up.reports_to);
      if (!boss) break;
      for (const a of own(r)) actions.get(boss.id).add(a);
      up = boss;
    }
  }
  const roles = policy.roles.map((r) => ({
    id: r.id,
    scope: (r.access && r.access.scope) || 'department',
    actions: [...actions.get(r.id)],
  }));
  // per restriction id: the levels (per axis) that carry it
  const restrictions = {};
  for (const [axis, key] of AXES) {
    const ax = (policy.classification.axes || []).find((x) => x.id === axis);
    for (const lv of ax ? ax.levels : []) {
      for (const res of lv.restrictions || []) {
        if (!RESTRICTION_EFFECTS[res.id]) continue;
        (restrictions[res.id] = restrictions[res.id] || []).push({ key, level: lv.level });
      }
    }
  }
  const segs = policy.segments.map((s) => {
    const has = (id) => (s.requirements || []).some((q) => q.id === id);
    return { id: s.id, mfa: has('mfa'), noTakeOut: has('no-take-out'), monitoring: has('monitoring'), cloud: has('security-cloud') };
  });
  const segById = new Map(segs.map((s) => [s.id, s]));
  // allowed flows (from, to, channel) → their obligation ids, unique, in mamori's order
  const flows = new Map();
  for (const f of policy.flows || []) {
    const obl = [];
    const add = (id) => { if (!obl.includes(id)) obl.push(id); };
    if (f.sanitization !== 'none') add(f.sanitization);
    for (const s of [segById.get(f.from), segById.get(f.to)]) {
      if (!s) continue;
      if (s.monitoring) add('monitoring');
      if (s.cloud && (f.channel === 'mail' || f.channel === 'web')) add('security-cloud');
    }
    flows.set(`${f.from}|${f.to}|${f.channel}`, obl);
  }
  return { roles, restrictions, segs, flows };
}

// Where data moves for this action (docs/decide.md step 5): [from, to] or null.
function flowOf(action, term, seg, dest) {
  const src = seg || term;
  switch (action) {
    case 'send': case 'transfer': case 'copy':
      if (dest && src && dest !== src) return [src, dest];
      if (action === 'copy' && term && seg && term !== seg) return [seg, term];
      return null;
    case 'read': case 'print':
      return term && seg && term !== seg ? [seg, term] : null;
    case 'write': case 'store':
      return term && seg && term !== seg ? [term, seg] : null;
    default:
      return null;
  }
}

// The dump of bench_decide: header, users, assets, then requests with answers.
function readWorkload(path, limit) {
  const lines = fs.readFileSync(path, 'utf8').split('\n');
  const head = JSON.parse(lines[0]);
  const users = [], assets = [], requests = [];
  let i = 1;
  for (; i <= head.users; i++) users.push(JSON.parse(lines[i]));
  for (; i <= head.users + head.assets; i++) assets.push(JSON.parse(lines[i]));
  const n = Math.min(limit || head.requests, head.requests);
  for (let k = 0; k < n; k++) {
    const [user, asset, c, ii, a, department, segment, action, channel, dest, allow, obl, why] = JSON.parse(lines[i + k]);
    requests.push({ user, asset, c, i: ii, a, department, segment, action, channel, dest, allow: allow === 1, obl, why });
  }
  return { head, users, assets, requests };
}

// CPU seconds of this process (comparable with bench_decide's thread CPU time).
function cpu() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

module.exports = { ACTIONS, CHANNELS, RESTRICTION_EFFECTS, AXES, rules, flowOf, readWorkload, cpu };
