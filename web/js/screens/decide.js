// decide.js — 判定を試す: ask the decision point what the policy says about one
// action, and show the answer as a card (許可/拒否, obligations, reasons, each
// with the clause it cites).
//
// Over a session the subject is always the account asking (docs/decide.md,
// "Who the subject is"): the form starts from the account's own role, 課 and
// whether its login passed a one-time code, and a change to another is refused
// by the API with 403 — shown as such, not as a failure, because that refusal
// is the rule working.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import * as pol from '../policy.js';
import { form, notice, errorNotice } from '../components.js';

export const messages = 'decide';

// The decision point's own vocabularies (docs/decide.md), titled here.
const ACTIONS = ['read', 'write', 'copy', 'print', 'send', 'take_out', 'transfer', 'store', 'dispose', 'publish', 'release'];
const CHANNELS = ['mail', 'web', 'file-transfer', 'screen-transfer', 'media', 'api'];

const titled = (prefix, ids) => ids.map((id) => {
  const title = t(`decide.${prefix}_${id.replace('-', '_')}`);
  return { value: id, title: title === id ? id : `${title} (${id})` };
});

function fields(p) {
  const level = (axis) => ({ id: axis.short, title: axis.title, type: 'choice',
    choices: axis.levels.map((l) => ({ value: String(l.level), title: l.title })) });
  return [
    { id: 'role', title: t('decide.role'), type: 'choice', required: true, choices: pol.choices(p, 'role'), help: t('decide.self_help') },
    { id: 'department', title: t('decide.department'), type: 'choice', choices: pol.choices(p, 'department') },
    { id: 'terminal', title: t('decide.terminal'), type: 'choice', choices: pol.choices(p, 'segment') },
    { id: 'issued', title: t('decide.issued'), type: 'checkbox' },
    { id: 'mfa', title: t('decide.mfa'), type: 'checkbox' },
    { id: 'action', title: t('decide.action'), type: 'choice', required: true, choices: titled('action', ACTIONS) },
    { id: 'asset', title: t('decide.asset'), help: t('decide.asset_help') },
    ...pol.axes(p).map(level),
    { id: 'resource_department', title: t('decide.resource_department'), type: 'choice', choices: pol.choices(p, 'department') },
    { id: 'resource_segment', title: t('decide.resource_segment'), type: 'choice', choices: pol.choices(p, 'segment') },
    { id: 'channel', title: t('decide.channel'), type: 'choice', choices: titled('channel', CHANNELS) },
    { id: 'destination', title: t('decide.destination'), type: 'choice', choices: pol.choices(p, 'segment') },
  ];
}

// The request of docs/decide.md from the form; empty choices are left out.
function request(v, p) {
  const subject = { roles: [v.role], mfa: !!v.mfa };
  if (v.department) subject.department = v.department;
  // "issued" counts without a segment too (the 取扱制限 issued-terminal-only)
  subject.terminal = { issued: !!v.issued };
  if (v.terminal) subject.terminal.segment = v.terminal;
  let resource;
  if (v.asset.trim()) {
    resource = { asset: v.asset.trim() };
  } else {
    const classification = {};
    for (const a of pol.axes(p)) if (v[a.short]) classification[a.id] = Number(v[a.short]);
    resource = { classification };
    if (v.resource_department) resource.department = v.resource_department;
    if (v.resource_segment) resource.segment = v.resource_segment;
  }
  const context = {};
  if (v.channel) context.channel = v.channel;
  if (v.destination) context.destination_segment = v.destination;
  return { subject, action: v.action, resource, context };
}

function items(title, list, kind) {
  if (!list.length) return null;
  return h('section', { class: `decision-${kind}` }, h('h3', null, title),
    h('ul', null, list.map((it) => h('li', null,
      h('span', { class: 'item-text' }, it.text),
      h('span', { class: 'clause' }, ' ', h('a', { href: `#/policy?clause=${encodeURIComponent(it.clause)}` }, it.clause)),
      h('code', { class: 'muted item-id' }, ` ${it.id}`)))));
}

function card(res) {
  const allow = res.decision === 'allow';
  return h('article', { class: `decision ${allow ? 'decision-allow' : 'decision-deny'}`, 'aria-label': t('decide.result') },
    h('p', { class: 'verdict' }, allow ? t('decide.allow') : t('decide.deny')),
    allow && !res.obligations.length ? h('p', null, t('decide.no_obligations')) : null,
    items(t('decide.obligations'), res.obligations, 'obligations'),
    items(t('decide.reasons'), res.reasons, 'reasons'));
}

// A 403 naming subject.* is the rule "only about yourself", not an error.
function refusal(err) {
  if (err.status === 403 && err.field && err.field.startsWith('subject'))
    return notice('error', h('p', null, h('strong', null, t('decide.not_self'))),
      h('p', null, t('decide.not_self_text')), h('p', { class: 'muted' }, err.message));
  return errorNotice(err);
}

export async function render(root, ctx) {
  const p = await pol.load();
  const result = h('div', { class: 'decision-out', 'aria-live': 'polite' });
  const me = ctx.me.user;
  root.append(h('h1', null, t('decide.title')), h('p', null, t('decide.intro')),
    h('div', { class: 'decide-layout' },
      form({ fields: fields(p), values: { role: me.role, department: me.department, mfa: !!me.mfa, issued: true, action: 'send' },
        submit: t('decide.submit'),
        onSubmit: async (v) => {
          replace(result);
          try {
            replace(result, card(await api.post('/api/decide', request(v, p))));
          } catch (err) {
            replace(result, refusal(err));
          }
        } }),
      result));
}
