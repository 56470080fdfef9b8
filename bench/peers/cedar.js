// cedar.js — Cedar (@cedar-policy/cedar-wasm) on policies equivalent to a
// mamori policy (generated from `mamori policy show --json`), deciding the
// requests that bench_decide dumped, single thread, CPU time like bench_decide.
// Written so that Cedar also answers with obligations and reasons: a base
// permit, one forbid per kind of denial (their ids are the reasons) and one
// permit per obligation (the determining policies of an allow, less the base,
// are the obligations).  Every answer — allow/deny, the obligation ids and the
// reason ids — is compared with mamori's; a mismatch fails the run.
// Usage: node cedar.js POLICY.json WORKLOAD.jsonl [N]
'use strict';
const cedar = require('@cedar-policy/cedar-wasm/nodejs');
const { ACTIONS, RESTRICTION_EFFECTS, rules, flowOf, readWorkload, cpu } = require('./common.js');

const q = (s) => JSON.stringify(s);
const actionList = (acts) => `[${acts.map((a) => `Action::${q(a)}`).join(', ')}]`;
const levelsTest = (levels) => levels.map(({ key, level }) => `resource.${key} == ${level}`).join(' || ');

function policies(policy) {
  const R = rules(policy);
  const P = {};
  P['base'] = 'permit(principal, action, resource);';
  const access = R.roles.filter((r) => r.scope !== 'none' && r.actions.length).map((r) =>
    `(principal.roles.contains(${q(r.id)}) && action in ${actionList(r.actions)}` +
    (r.scope === 'all' ? ')' : ' && (resource.department == "" || resource.department == principal.department))'));
  P['role-not-permitted'] = `forbid(principal, action, resource) unless { ${access.join(' || ') || 'false'} };`;
  for (const [id, eff] of Object.entries(RESTRICTION_EFFECTS)) {
    const levels = R.restrictions[id];
    if (!levels) continue;
    P[id] = eff.deny
      ? `forbid(principal, action in ${actionList(eff.actions)}, resource) when { !principal.issued && (${levelsTest(levels)}) };`
      : `permit(principal, action in ${actionList(eff.actions)}, resource) when { ${levelsTest(levels)} };`;
  }
  if ((policy.classification.axes || []).some((x) => x.id === 'confidentiality'))
    P['classified-not-public'] = 'forbid(principal, action == Action::"publish", resource) when { resource.c > 1 };';
  for (const s of R.segs) {
    const here = `(principal.terminal == ${q(s.id)} || resource.segment == ${q(s.id)})`;
    if (s.mfa) P[`mfa@${s.id}`] = `forbid(principal, action, resource) when { !principal.mfa && ${here} };`;
    if (s.noTakeOut) P[`no-take-out@${s.id}`] = `forbid(principal, action == Action::"take_out", resource) when { ${here} };`;
  }
  const allowed = [...R.flows.keys()].map((k) => `context.flow == ${q(k)}`);
  P['flow-denied'] = `forbid(principal, action, resource) when { context.flow != "" && !(${allowed.join(' || ') || 'false'}) };`;
  const byObligation = {};
  for (const [k, obl] of R.flows) for (const o of obl) (byObligation[o] = byObligation[o] || []).push(`context.flow == ${q(k)}`);
  for (const [o, tests] of Object.entries(byObligation))
    P[`flow:${o}`] = `permit(principal, action, resource) when { ${tests.join(' || ')} };`;
  return P;
}

const ids = (list) => [...new Set(list.map((x) => x.replace(/@.*$/, '').replace(/^flow:/, '')))].sort().join(' ');

async function main() {
  const [policyPath, workPath, limit] = process.argv.slice(2);
  const policy = JSON.parse(require('fs').readFileSync(policyPath, 'utf8'));
  const w = readWorkload(workPath, Number(limit) || 0);
  const P = policies(policy);
  const parsed = cedar.preparsePolicySet('mamori', { staticPolicies: P });
  if (parsed.type !== 'success') throw new Error(JSON.stringify(parsed.errors));

  // users and assets as Cedar entities, once (like mamori's prepared subjects)
  const users = w.users.map((u, k) => ({
    uid: { type: 'User', id: `u${k}` },
    attrs: { roles: [u.role], department: u.department, mfa: u.mfa, terminal: u.terminal, issued: u.issued },
    parents: [],
  }));
  const assets = w.assets.map((a) => ({
    uid: { type: 'Asset', id: a.asset },
    attrs: { c: a.c, i: a.i, a: a.a, department: a.department, segment: a.segment },
    parents: [],
  }));
  const actions = Object.fromEntries(ACTIONS.map((a) => [a, { type: 'Action', id: a }]));
  const n = w.requests.length;
  const answers = new Array(n);
  const t0 = cpu(), w0 = process.hrtime.bigint();
  for (let k = 0; k < n; k++) {
    const r = w.requests[k];
    const user = users[r.user];
    const res = r.asset >= 0 ? assets[r.asset] : {
      uid: { type: 'Asset', id: `cls${k}` },
      attrs: { c: r.c, i: r.i, a: r.a, department: r.department, segment: r.segment },
      parents: [],
    };
    const fl = flowOf(r.action, user.attrs.terminal, res.attrs.segment, r.dest);
    answers[k] = cedar.statefulIsAuthorized({
      principal: user.uid, action: actions[r.action], resource: res.uid,
      context: { flow: fl ? `${fl[0]}|${fl[1]}|${r.channel}` : '' },
      preparsedPolicySetId: 'mamori', entities: [user, res],
    });
  }
  const dt = cpu() - t0, wall = Number(process.hrtime.bigint() - w0) / 1e9;
  let mismatch = 0;
  for (let k = 0; k < n; k++) {
    const a = answers[k], r = w.requests[k];
    if (a.type !== 'success') throw new Error(JSON.stringify(a.errors));
    const allow = a.response.decision === 'allow';
    const det = a.response.diagnostics.reason.filter((x) => x !== 'base');
    const got = allow ? ids(det) : '', why = allow ? '' : ids(det);
    const want = r.obl ? r.obl.split(' ').sort().join(' ') : '', wantWhy = r.why ? [...new Set(r.why.split(' '))].sort().join(' ') : '';
    if (a.response.diagnostics.errors.length || allow !== r.allow || got !== want || why !== wantWhy)
      if (mismatch++ < 5)
        console.error('cedar: request', k, JSON.stringify(a.response), 'mamori', JSON.stringify(r));
  }
  console.log(`cedar-wasm ${cedar.getCedarVersion()}: ${Object.keys(P).length} policies, ${n} requests in ${dt.toFixed(3)} s CPU (${wall.toFixed(3)} s wall) = ${Math.round(n / dt)} decisions/s with obligations and reasons; ${mismatch} answers differ from mamori's`);
  if (mismatch) process.exit(1);
}
main().catch((err) => { console.error(err); process.exit(2); });
