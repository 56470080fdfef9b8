// login.js — ログイン: user name and password, then the one-time code when the
// account has one; a first login with a temporary password goes on to the
// password change (account.js) before anything else.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { form, notice } from '../components.js';

export const messages = 'login';

// Only addresses of this UI are followed after login (never another site).
function nextAddress(query) {
  const next = query.get('next') || '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? `#${next}` : '#/';
}

export async function render(root, ctx) {
  if (await ctx.refreshMe()) { ctx.navigate(nextAddress(ctx.query)); return; }
  const box = h('section', { class: 'login' });
  root.appendChild(box);
  let creds = null;		// kept only between the password and the code step

  const finish = async (res) => {
    api.setCsrf(res.csrf);
    await ctx.refreshMe();
    if (res.user && res.user.password_change_required) ctx.navigate('#/account?first=1');
    else ctx.navigate(nextAddress(ctx.query));
  };
  const passwordStep = () => replace(box,
    h('h1', null, t('login.title')),
    ctx.query.get('next') ? notice('info', t('login.expired')) : null,
    form({
      fields: [
        { id: 'username', title: t('login.username'), required: true, autocomplete: 'username' },
        { id: 'password', title: t('login.password'), type: 'password', required: true, autocomplete: 'current-password' },
      ],
      submit: t('login.submit'),
      onSubmit: async (v) => {
        try {
          await finish(await api.post('/api/login', { username: v.username, password: v.password }, { quiet401: true }));
        } catch (err) {
          if (err.code === 'totp-required') { creds = v; codeStep(); return; }
          throw explain(err, false);
        }
      },
    }));
  const codeStep = () => replace(box,
    h('h1', null, t('login.title')),
    h('p', null, t('login.code_text')),
    form({
      fields: [{ id: 'totp', title: t('login.code'), required: true, autocomplete: 'one-time-code', inputmode: 'numeric', help: t('login.code_help') }],
      submit: t('login.submit'),
      onSubmit: async (v) => {
        try {
          await finish(await api.post('/api/login', { ...creds, totp: v.totp.replace(/\s/g, '') }, { quiet401: true }));
          creds = null;
        } catch (err) {
          throw explain(err, true);
        }
      },
    }),
    h('p', null, h('button', { type: 'button', class: 'link', onclick: () => { creds = null; passwordStep(); } }, t('login.back'))));
  passwordStep();
  const first = box.querySelector('input');
  if (first) first.focus();
}

// The API's words, in the UI's language where the case is known.  At the
// code step the password was right, so a refusal is about the code (or a
// lock-out, which the text mentions too).
function explain(err, codeStep) {
  if (err.status === 429) err.message = t('login.rate_limited');
  else if (err.status === 401) err.message = codeStep ? t('login.code_wrong') : t('login.failed');
  return err;
}
