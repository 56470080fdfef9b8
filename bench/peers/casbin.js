// casbin.js — node-casbin on a model and policy equivalent to a mamori policy
// (generated from `mamori policy show --json`), deciding the requests that
// bench_decide dumped, single thread, timed in CPU time like bench_decide.
// Every allow/deny is compared with mamori's; a mismatch fails the run.
// casbin answers allow or deny (enforceEx also names one matching rule); it has
// no notion of obligations, so this does less work per request than mamori.
// Usage: node casbin.js POLICY.json WORKLOAD.jsonl [N]
'use strict';
const casbin = require('casbin');
const { ACTIONS, RESTRICTION_EFFECTS, rules, flowOf, readWorkload, cpu } = require('./common.js');

// Written as a casbin user would: role access and restriction actions as
// action groups (g), allowed segment flows as a group (g2) so that one row
// denies every other crossing, and the denials as rows with effect deny.
const MODEL = `
[request_definition]
r = sub, obj, act, ctx

[policy_definition]
p = kind, v1, v2, act, eft

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.act, p.act) && ((p.kind == "access" && r.sub.role == p.v1 && (p.v2 == "all" || r.obj.department == "" || r.obj.department == r.sub.department)) || (p.kind == "unissued" && !r.sub.issued && ((p.v1 == "c" && r.obj.c == p.v2) || (p.v1 == "i" && r.obj.i == p.v2) || (p.v1 == "a" && r.obj.a == p.v2))) || (p.kind == "publish" && r.obj.c != "1") || (p.kind == "mfa" && !r.sub.mfa && (r.sub.terminal == p.v1 || r.obj.segment == p.v1)) || (p.kind == "notakeout" && (r.sub.terminal == p.v1 || r.obj.segment == p.v1)) || (p.kind == "flow" && r.ctx.flow != "" && !g2(r.ctx.flow, "allowed")))
`;

// The policy rows (p) and groupings (g: action → action group; g2: allowed
// flow "from|to|channel" → allowed).
function policyRows(policy) {
  const R = rules(policy);
  const rows = [], groups = [], flows = [];
  for (const a of ACTIONS) groups.push([a, 'any']);
  for (const r of R.roles) {
    if (r.scope === 'none') continue;
    for (const a of r.actions) groups.push([a, `acts:${r.id}`]);
    rows.push(['access', r.id, r.scope, `acts:${r.id}`, 'allow']);
  }
  for (const a of RESTRICTION_EFFECTS['issued-terminal-only'].actions) groups.push([a, 'work']);
  for (const { key, level } of R.restrictions['issued-terminal-only'] || [])
    rows.push(['unissued', key, String(level), 'work', 'deny']);
  if ((policy.classification.axes || []).some((x) => x.id === 'confidentiality'))
    rows.push(['publish', '-', '-', 'publish', 'deny']);
  for (const s of R.segs) {
    if (s.mfa) rows.push(['mfa', s.id, '-', 'any', 'deny']);
    if (s.noTakeOut) rows.push(['notakeout', s.id, '-', 'take_out', 'deny']);
  }
  rows.push(['flow', '-', '-', 'any', 'deny']);
  for (const key of R.flows.keys()) flows.push([key, 'allowed']);
  return { rows, groups, flows };
}

async function main() {
  const [policyPath, workPath, limit] = process.argv.slice(2);
  const policy = JSON.parse(require('fs').readFileSync(policyPath, 'utf8'));
  const w = readWorkload(workPath, Number(limit) || 0);
  const { rows, groups, flows } = policyRows(policy);
  const e = await casbin.newEnforcer(casbin.newModelFromString(MODEL));
  for (const row of rows) await e.addPolicy(...row);
  for (const g of groups) await e.addNamedGroupingPolicy('g', ...g);
  for (const g of flows) await e.addNamedGroupingPolicy('g2', ...g);

  // users and assets as casbin sees them, once (like mamori's prepared subjects)
  const users = w.users.map((u) => ({ role: u.role, department: u.department, mfa: u.mfa, terminal: u.terminal, issued: u.issued }));
  const assets = w.assets.map((a) => ({ c: String(a.c), i: String(a.i), a: String(a.a), department: a.department, segment: a.segment }));
  const n = w.requests.length;
  const allow = new Uint8Array(n);
  const t0 = cpu(), w0 = process.hrtime.bigint();
  for (let k = 0; k < n; k++) {
    const q = w.requests[k];
    const sub = users[q.user];
    const obj = q.asset >= 0 ? assets[q.asset]
      : { c: String(q.c), i: String(q.i), a: String(q.a), department: q.department, segment: q.segment };
    const fl = flowOf(q.action, sub.terminal, obj.segment, q.dest);
    const ctx = { flow: fl ? `${fl[0]}|${fl[1]}|${q.channel}` : '' };
    allow[k] = e.enforceSync(sub, obj, q.action, ctx) ? 1 : 0;
  }
  const dt = cpu() - t0, wall = Number(process.hrtime.bigint() - w0) / 1e9;
  let mismatch = 0;
  for (let k = 0; k < n; k++)
    if ((allow[k] === 1) !== w.requests[k].allow && mismatch++ < 5)
      console.error('casbin: request', k, 'casbin', allow[k] ? 'allow' : 'deny', 'mamori', w.requests[k].allow ? 'allow' : 'deny', JSON.stringify(w.requests[k]));
  console.log(`node-casbin ${require('casbin/package.json').version}: ${rows.length} policy rows, ${groups.length + flows.length} groupings, ${n} requests in ${dt.toFixed(3)} s CPU (${wall.toFixed(3)} s wall) = ${Math.round(n / dt)} decisions/s; ${mismatch} answers differ from mamori's`);
  if (mismatch) process.exit(1);
}
main().catch((err) => { console.error(err); process.exit(2); });
