// i18n.js — Japanese first, English switchable.
//
// Messages live in web/i18n/<name>.json as {"ja": {key: text}, "en": {key: text}};
// every file must hold the same keys in both languages (tests/web/i18n_parity.mjs).
// A key is looked up as "<name>.<key>"; {var} in a text is replaced by vars.var.

const LANGS = ['ja', 'en'];
const catalogs = { ja: {}, en: {} };
const loaded = new Set();
let current = initialLanguage();

function initialLanguage() {
  const saved = localStorage.getItem('mamori.lang');
  if (LANGS.includes(saved)) return saved;
  const nav = (navigator.language || 'ja').toLowerCase();
  return nav.startsWith('en') ? 'en' : 'ja';
}

export function lang() {
  return current;
}

export function setLang(l) {
  if (!LANGS.includes(l)) return;
  current = l;
  localStorage.setItem('mamori.lang', l);
  document.documentElement.lang = l;
}

// Loads web/i18n/<name>.json once.
export async function load(name) {
  if (loaded.has(name)) return;
  const res = await fetch(`/i18n/${name}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`cannot load messages ${name}: HTTP ${res.status}`);
  const data = await res.json();
  for (const l of LANGS)
    for (const [k, v] of Object.entries(data[l] || {})) catalogs[l][`${name}.${k}`] = v;
  loaded.add(name);
}

// t('common.missing', {field: 'x'}): the text in the current language; a missing key
// shows as the key itself (and is caught by the parity test, not by users).
export function t(key, vars) {
  const text = catalogs[current][key] ?? catalogs.ja[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, v) => (v in vars ? String(vars[v]) : m));
}

const TOKYO = 'Asia/Tokyo';

// A time for people: in Tokyo time (or the organisation's zone when given),
// Japanese or English style.  Accepts RFC 3339 strings or seconds since 1970.
export function formatTime(value, zone) {
  if (value === null || value === undefined || value === '') return '';
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  // English names the month ("6 Dec 2026, 05:03:58"): "06/12/2026" reads as
  // the 6th of December in Britain and as June 12 in America
  const opts = { timeZone: zone || TOKYO, year: 'numeric', month: current === 'ja' ? '2-digit' : 'short',
    day: current === 'ja' ? '2-digit' : 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
  return new Intl.DateTimeFormat(current === 'ja' ? 'ja-JP' : 'en-GB', opts).format(d);
}

export function formatNumber(n) {
  return new Intl.NumberFormat(current === 'ja' ? 'ja-JP' : 'en-GB').format(n);
}
