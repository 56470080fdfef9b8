// account.js — アカウント: one's own password (required first after a
// temporary one) and the enrolment of a one-time code with its QR code.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { form, notice, detailList } from '../components.js';

export const messages = 'account';

// The QR code drawn from the API's modules: one SVG square per dark module,
// a quiet zone of four around it.
function qrCode(qr) {
  const q = 4, size = qr.width + 2 * q;
  const svg = h('svg:svg', { viewBox: `0 0 ${size} ${size}`, class: 'qr', role: 'img', 'aria-label': t('account.qr_label') },
    h('svg:rect', { x: 0, y: 0, width: size, height: size, class: 'qr-light' }));
  for (let y = 0; y < qr.width; y++)
    for (let x = 0; x < qr.width; x++)
      if (qr.modules[y * qr.width + x] === '1')
        svg.appendChild(h('svg:rect', { x: x + q, y: y + q, width: 1, height: 1, class: 'qr-dark' }));
  return svg;
}

function passwordSection(ctx, first) {
  const box = h('section', null, h('h2', null, t('account.password')));
  if (first) box.append(notice('info', t('account.first_text')));
  box.append(form({
    fields: [
      { id: 'current', title: t('account.current'), type: 'password', required: true, autocomplete: 'current-password' },
      { id: 'password', title: t('account.new'), type: 'password', required: true, autocomplete: 'new-password', help: t('account.new_help') },
      { id: 'again', title: t('account.again'), type: 'password', required: true, autocomplete: 'new-password' },
    ],
    submit: t('account.change'),
    onSubmit: async (v, status) => {
      if (v.password !== v.again) throw Object.assign(new Error(t('account.mismatch')), { field: 'again' });
      await api.post(`/api/users/${encodeURIComponent(ctx.me.user.name)}/password`,
        { current_password: v.current, password: v.password });
      await ctx.refreshMe();
      if (first) { ctx.navigate('#/'); return; }
      replace(status, notice('ok', t('account.changed')));
    },
  }));
  return box;
}

function mfaSection(ctx, hasMfa) {
  const box = h('section', null, h('h2', null, t('account.mfa')));
  if (hasMfa) {
    box.append(h('p', null, t('account.mfa_on')));
    return box;
  }
  const result = h('div', { 'aria-live': 'polite' });
  const start = h('button', { type: 'button', class: 'primary' }, t('account.enrol'));
  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      const r = await api.post(`/api/users/${encodeURIComponent(ctx.me.user.name)}/mfa/enroll`, {});
      replace(result, notice('ok', t('account.enrolled')),
        h('div', { class: 'qr-box' }, r.qr ? qrCode(r.qr) : null,
          detailList([{ title: t('account.secret'), value: h('code', null, r.secret.replace(/(.{4})/g, '$1 ').trim()) }])),
        h('p', null, t('account.enrolled_next')));
    } catch (err) {
      start.disabled = false;
      replace(result, notice('error', err.message));
    }
  });
  box.append(h('p', null, t('account.mfa_off')), start, result);
  return box;
}

export async function render(root, ctx) {
  const first = ctx.query.get('first') === '1' || ctx.me.user.password_change_required;
  root.append(h('h1', null, t('account.title')), detailList([
    { title: t('account.name'), value: ctx.me.user.name },
    { title: t('account.role'), value: ctx.me.user.role_title || ctx.me.user.role },
    { title: t('account.department'), value: ctx.me.user.department_title || ctx.me.user.department },
  ]), passwordSection(ctx, first));
  if (!first) {
    // whether a one-time code is set: the account as an administrator sees it is
    // not readable by everyone, so the session's own login tells (mfa in /api/me)
    root.append(mfaSection(ctx, !!ctx.me.user.mfa));
  }
}
