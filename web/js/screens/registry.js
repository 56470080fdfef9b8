// registry.js — the screens of the UI, their addresses and who sees them.
//
// path: the hash route (":name" is a parameter); module: the screen's file,
// exporting `messages` (its web/i18n/<name>.json) and `render(root, ctx)`;
// nav: the navigation label's message key (absent: not in the menu);
// visible(me): whether the logged-in account may use it — from /api/me's `can`,
// the same rules the API applies, so nothing is offered that would be refused.
export const can = (me, what) => !me.can || me.can[what] !== false;

export const screens = [
  { path: '/login', module: './login.js', public: true },
  { path: '/', module: './home.js', nav: 'common.nav_home', visible: () => true },
  { path: '/assets', module: './assets.js', nav: 'common.nav_assets', visible: (me) => can(me, 'assets_read') },
  { path: '/assets/import', module: './asset_import.js', visible: (me) => can(me, 'assets_write') },
  { path: '/assets/:id', module: './asset.js', visible: (me) => can(me, 'assets_read') },
  { path: '/account', module: './account.js', visible: () => true },
  { path: '/decide', module: './decide.js', nav: 'common.nav_decide', visible: (me) => can(me, 'decide') },
  // every account may ask for an original by the id its notice quotes; the list is for approvers
  { path: '/quarantine', module: './quarantine.js', nav: 'common.nav_quarantine',
    visible: (me) => can(me, 'quarantine_read') || can(me, 'quarantine_request') },
  // head and verify are open to every role; the events only to log_read (log.js)
  { path: '/log', module: './log.js', nav: 'common.nav_log', visible: () => true },
  { path: '/policy', module: './policy_doc.js', nav: 'common.nav_policy', visible: () => true },
  { path: '/users', module: './users.js', nav: 'common.nav_users', visible: (me) => can(me, 'users_manage') },
  // every account: the API lists only the notices addressed to the asker
  { path: '/notices', module: './notices.js', nav: 'common.nav_notices', visible: () => true },
  // 教育・研修: every account (the API shows each what it may see: all, its 課, or itself)
  { path: '/training', module: './training.js', nav: 'common.nav_training', visible: () => true },
  // 点検票: a self-check's or audit's items for one 課; the API answers only
  // the 課 it covers, the auditors and those who see the record (check.js)
  { path: '/check/:id', module: './check.js', visible: () => true },
  // リスク: the heat map of the risks the account may see (GET /api/risks)
  { path: '/risks', module: './risks.js', nav: 'common.nav_risks', visible: () => true },
  // 記録と手続: one set of screens for every kind the policy declares (records.js);
  // the menu has an entry per kind (app.js, from the policy), every account may
  // make a record and the API shows each only the records it may see
  { path: '/records/:kind', module: './records.js', visible: () => true },
  { path: '/records/:kind/:id', module: './records.js', visible: () => true },
];

// The screen for a path and its parameters, or null.
export function match(path) {
  for (const s of screens) {
    const names = [];
    const re = new RegExp(`^${s.path.replace(/:(\w+)/g, (m, n) => { names.push(n); return '([^/]+)'; })}$`);
    const m = re.exec(path);
    if (m) {
      const params = {};
      names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      return { screen: s, params };
    }
  }
  return null;
}
