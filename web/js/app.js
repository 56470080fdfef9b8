// app.js — the shell: who is logged in, the menu, the language switch and the
// hash router that loads one screen at a time.
//
// Addresses are "#/path?query" so that a reload or a bookmark opens the same
// screen with the same filters; after a session ends the user logs in again
// and comes back to the address they were on (login.js reads ?next=).

import { h, replace } from './dom.js';
import { t, load, lang, setLang } from './i18n.js';
import * as api from './api.js';
import { match, screens } from './screens/registry.js';
import { errorNotice } from './components.js';
import * as pol from './policy.js';

const state = { me: null };
const main = () => document.getElementById('main');

function current() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, q] = raw.split('?');
  return { raw, path: path || '/', query: new URLSearchParams(q || '') };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function toLogin() {
  const { raw, path } = current();
  state.me = null;
  api.setCsrf('');
  if (path !== '/login') navigate(`#/login?next=${encodeURIComponent(raw)}`);
}

// The logged-in account (GET /api/me), or null when there is no session.
export async function refreshMe() {
  try {
    state.me = await api.get('/api/me', null, { quiet401: true });
    if (state.me.csrf) api.setCsrf(state.me.csrf);
    state.policy = state.me.user.password_change_required ? null : await pol.load();
  } catch (err) {
    if (err.status !== 401) throw err;
    state.me = null;
    pol.forget();
  }
  return state.me;
}

const isHere = (path) => current().path === path || (path !== '/' && current().path.startsWith(`${path}/`));

function item(path, label) {
  return h('li', null, h('a', { href: `#${path}`, 'aria-current': isHere(path) ? 'page' : null }, label));
}

// The record kinds of the policy in force, under the headings the policy
// gives them (a kind's `menu`; titles are the policy's): one disclosure per
// heading keeps fifteen kinds off the menu line.  A heading opens with a
// click, Enter or Space (<details>), closes with Escape, and opening one
// closes the others.
function kindMenus() {
  const byHeading = new Map();
  for (const k of state.policy?.records || []) {
    const heading = k.menu || t('common.nav_records');
    if (!byHeading.has(heading)) byHeading.set(heading, []);
    byHeading.get(heading).push(k);
  }
  return [...byHeading].map(([heading, kinds]) => {
    const paths = kinds.map((k) => `/records/${encodeURIComponent(k.id)}`);
    const open = (e) => {
      if (!e.target.open) return;
      for (const d of document.querySelectorAll('.top nav details[open]')) if (d !== e.target) d.open = false;
    };
    const escape = (e) => {
      if (e.key !== 'Escape' || !e.currentTarget.open) return;
      e.currentTarget.open = false;
      e.currentTarget.querySelector('summary').focus();
    };
    return h('li', { class: 'menu-group' }, h('details', { ontoggle: open, onkeydown: escape },
      h('summary', { class: paths.some(isHere) ? 'here' : null }, heading),
      h('ul', null, kinds.map((k, i) => item(paths[i], k.title || k.id)))));
  });
}

// A click outside an open heading closes it, as a menu does.
document.addEventListener('click', (e) => {
  for (const d of document.querySelectorAll('.top nav details[open]')) if (!d.contains(e.target)) d.open = false;
});

function header() {
  const me = state.me;
  const nav = me ? h('nav', { 'aria-label': t('common.menu') }, h('ul', null,
    screens.filter((s) => s.nav && s.visible(me)).map((s) => item(s.path, t(s.nav))), kindMenus())) : null;
  const other = lang() === 'ja' ? 'en' : 'ja';
  const langButton = h('button', { type: 'button', class: 'lang', lang: other,
    onclick: () => { setLang(other); route(); } }, other === 'en' ? 'English' : '日本語');
  const p = state.policy;
  const role = p ? pol.title(p, 'role', me?.user.role) : me?.user.role;
  const dept = p ? pol.title(p, 'department', me?.user.department) : me?.user.department;
  const who = me ? h('div', { class: 'who' },
    h('a', { href: '#/account', title: t('common.account') }, me.user.name),
    h('span', { class: 'muted' }, ` ${role}${dept ? `・${dept}` : ''}`),
    h('button', { type: 'button', onclick: logout }, t('common.logout'))) : null;
  // the brand and the account's tools on the first row, the menu on a row of its own
  return [h('div', { class: 'brand' }, h('a', { href: '#/' }, t('common.brand'))), h('div', { class: 'tools' }, who, langButton), nav];
}

async function logout() {
  try { await api.post('/api/logout', {}); } catch { /* the session may be gone already */ }
  state.me = null;
  pol.forget();
  api.setCsrf('');
  navigate('#/login');
}

async function route() {
  const here = current();
  const found = match(here.path);
  document.documentElement.lang = lang();
  try {
    await load('common');
    if (!found || !found.screen.public) {
      if (!state.me && !(await refreshMe())) { toLogin(); return; }
      // a temporary password: the API refuses everything else until it is changed
      if (state.me.user.password_change_required && here.path !== '/account') { navigate('#/account?first=1'); return; }
    }
    if (!found) {
      renderChrome();
      replace(main(), h('h1', null, t('common.not_found')), h('p', null, h('a', { href: '#/' }, t('common.nav_home'))));
      return;
    }
    if (!found.screen.public && !found.screen.visible(state.me)) {
      renderChrome();
      replace(main(), h('h1', null, t('common.forbidden')), h('p', null, t('common.forbidden_text')));
      return;
    }
    const mod = await import(`./screens/${found.screen.module.replace('./', '')}`);
    if (mod.messages) await load(mod.messages);
    renderChrome();
    const root = replace(main());
    await mod.render(root, { me: state.me, params: found.params, query: here.query, navigate, refreshMe,
      setTitle });
    focusMain();
  } catch (err) {
    renderChrome();
    replace(main(), h('h1', null, t('common.error')), errorNotice(err));
  }
}

function setTitle(text) {
  document.title = `${text} — ${t('common.brand')}`;
}

// After a screen change, put keyboard focus on the page's heading so that a
// keyboard or screen-reader user starts reading the new screen.
function focusMain() {
  const h1 = main().querySelector('h1');
  if (h1) {
    h1.tabIndex = -1;
    h1.focus({ preventScroll: true });
    setTitle(h1.textContent);
  }
}

function renderChrome() {
  replace(document.getElementById('top'), ...header());
}

api.setUnauthorizedHandler(toLogin);
// the skip link must not change the address (the router owns the hash)
document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); main().focus(); });
window.addEventListener('hashchange', route);
route();
