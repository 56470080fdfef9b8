// static.test.mjs — checks of web/ that need no browser: both languages hold
// the same messages, every message key the code names exists, and no code
// parses text as HTML or runs inline script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { SRCDIR, i18nFiles } from './harness.mjs';

const web = join(SRCDIR, 'web');

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []);
}

test('every message exists in Japanese and in English, non-empty', () => {
  for (const f of i18nFiles()) {
    const data = JSON.parse(readFileSync(f, 'utf8'));
    const ja = Object.keys(data.ja || {}).sort();
    const en = Object.keys(data.en || {}).sort();
    assert.deepEqual(en.filter((k) => !ja.includes(k)), [], `${basename(f)}: only in English`);
    assert.deepEqual(ja.filter((k) => !en.includes(k)), [], `${basename(f)}: only in Japanese`);
    for (const l of ['ja', 'en'])
      for (const [k, v] of Object.entries(data[l])) assert.ok(typeof v === 'string' && v.trim(), `${basename(f)} ${l}.${k} is empty`);
  }
});

test('every t("file.key") in the code names a message that exists', () => {
  const known = new Set();
  for (const f of i18nFiles()) {
    const ns = basename(f, '.json');
    for (const k of Object.keys(JSON.parse(readFileSync(f, 'utf8')).ja)) known.add(`${ns}.${k}`);
  }
  const missing = [];
  for (const f of jsFiles(join(web, 'js'))) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*['"`]([a-z_]+\.[a-z0-9_]+)['"`]/g))
      if (!known.has(m[1])) missing.push(`${basename(f)}: ${m[1]}`);
    for (const m of src.matchAll(/\bnav: '([a-z_]+\.[a-z0-9_]+)'/g))
      if (!known.has(m[1])) missing.push(`${basename(f)}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
});

test('no code inserts text as HTML, no inline script or style in the pages', () => {
  const bad = [];
  for (const f of jsFiles(join(web, 'js'))) {
    const src = readFileSync(f, 'utf8');
    for (const re of [/\.innerHTML\b/, /\.outerHTML\s*=/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function\(/])
      if (re.test(src)) bad.push(`${basename(f)}: ${re}`);
  }
  for (const f of readdirSync(web).filter((n) => n.endsWith('.html'))) {
    const src = readFileSync(join(web, f), 'utf8');
    if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(src)) bad.push(`${f}: inline <script>`);
    if (/\son[a-z]+=/i.test(src) || /\sstyle=/i.test(src) || /<style/i.test(src)) bad.push(`${f}: inline handler or style`);
  }
  assert.deepEqual(bad, []);
});

test('every screen the registry names exists', () => {
  const reg = readFileSync(join(web, 'js', 'screens', 'registry.js'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  for (const m of reg.matchAll(/module: '\.\/([a-z_]+\.js)'/g))
    assert.ok(readdirSync(join(web, 'js', 'screens')).includes(m[1]), `screens/${m[1]} is missing`);
});

// WCAG 2.x relative luminance and contrast ratio of two #rrggbb colours.
function luminance(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test('text colours meet WCAG AA contrast (4.5:1) on the backgrounds they are used on', () => {
  const css = readFileSync(join(web, 'css', 'mamori.css'), 'utf8');
  const vars = Object.fromEntries([...css.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
  // [text, background] as mamori.css pairs them
  const pairs = [['ink', 'paper'], ['muted', 'paper'], ['ink', 'band'], ['muted', 'band'], ['brand', 'paper'],
    ['brand-ink', 'brand'], ['ink', 'err-bg'], ['ink', 'ok-bg'], ['ink', 'info-bg'], ['err', 'paper'],
    ['err', 'err-bg'], ['ok', 'ok-bg'], ['brand', 'info-bg']];
  const low = pairs.filter(([f, b]) => contrast(vars[f], vars[b]) < 4.5)
    .map(([f, b]) => `${f} on ${b}: ${contrast(vars[f], vars[b]).toFixed(2)}`);
  assert.deepEqual(low, []);
});
