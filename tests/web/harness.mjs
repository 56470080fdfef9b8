// harness.mjs — what every browser test needs: a real `mamori serve` on a
// temporary store (mic-standard, the example register, one account per role,
// a quarantined mail), headless Debian chromium driven by playwright-core, a
// login helper and screenshots for reviewers.
//
// Environment: MAMORI (the binary), SRCDIR (the source tree), MAMORI_WEB_SHOTS
// (where screenshots go; default: a "web-shots" directory beside the binary).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import net from 'node:net';
import { createHmac } from 'node:crypto';
import { afterEach } from 'node:test';
import { chromium } from 'playwright-core';

export const MAMORI = process.env.MAMORI;
export const SRCDIR = process.env.SRCDIR || join(dirname(new URL(import.meta.url).pathname), '..', '..');
export const SHOTS = process.env.MAMORI_WEB_SHOTS || join(dirname(MAMORI || '.'), 'web-shots');

// One account per role the tests look at (passwords for tests only).
export const ACCOUNTS = {
  staff: { name: 'tanaka', password: 'pw-tanaka-web', role: '職員等', department: '税務課' },
  manager: { name: 'kanri', password: 'pw-kanri-web', role: '情報セキュリティ管理者', department: '税務課' },
  auditor: { name: 'kansa', password: 'pw-kansa-web', role: 'auditor' },
  ciso: { name: 'ciso', password: 'pw-ciso-web', role: 'ciso' },
};

// Runs the mamori CLI synchronously; throws with its stderr when it fails
// (unless opts.allowFail).  Returns {status, stdout, stderr}.
export function mamori(args, opts = {}) {
  const r = spawnSync(MAMORI, args, { encoding: 'utf8', input: opts.input, cwd: SRCDIR,
    env: { ...process.env, LANG: 'C.UTF-8', MAMORI_ACTOR: 'test:web', ...(opts.env || {}) } });
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`mamori ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// Builds the demo-like store in a new temporary directory and starts the
// server on it.  Returns {url, dir, db, quarantine, stop()}.
export async function startServer() {
  if (!MAMORI) throw new Error('MAMORI (the mamori binary) is not set');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-web-'));
  const db = join(dir, 'mamori.db');
  const quarantine = join(dir, 'quarantine');
  mamori(['init', '--policy', 'policies/mic-standard.yaml', '--db', db]);
  mamori(['asset', 'import', '--db', db, 'examples/assets.csv']);
  for (const a of Object.values(ACCOUNTS)) {
    const args = ['user', 'add', a.name, '--role', a.role, '--db', db, '--password-stdin'];
    if (a.department) args.push('--department', a.department);
    mamori(args, { input: `${a.password}\n` });
  }
  mkdirSync(quarantine);
  mamori(['sanitize', 'mail', '--quarantine', quarantine, '--policy', 'policies/mic-standard.yaml'],
    { input: readFileSync(join(SRCDIR, 'examples/mail-html.eml')) });
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web', join(SRCDIR, 'web')];
  if (mamori(['serve', '--help'], { allowFail: true }).stdout.includes('--quarantine')) args.push('--quarantine', quarantine);
  // a Japanese server, as an office runs it: the UI's English comes from
  // Accept-Language alone (src/server/lang.h), not from the server's LANG
  const proc = spawn(MAMORI, args, { env: { ...process.env, LANG: 'ja_JP.UTF-8', LC_ALL: '', LANGUAGE: '' },
    stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`mamori serve exited (${proc.exitCode}): ${stderr}`);
    try { if ((await fetch(`${url}/api/health`)).ok) break; } catch { /* not listening yet */ }
    if (i > 200) throw new Error(`mamori serve did not answer on ${url}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, dir, db, quarantine,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

// Every browser context a test opened is closed after it: an open page keeps
// its keep-alive connections, and the server admits 64 at once from one
// address (src/server/server.c), which a file's worth of open pages reached.
const contexts = new Set();
afterEach(async () => {
  await Promise.all([...contexts].map((c) => c.close().catch(() => {})));
  contexts.clear();
});

// A new page at 1366×768 (the office screen the UI is made for), in lang.
// Every page fails the test on a JavaScript error or a CSP violation.
export async function newPage(browser, { lang = 'ja' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: lang === 'en' ? 'en-GB' : 'ja-JP',
    timezoneId: 'UTC', acceptDownloads: true });
  contexts.add(context);
  await context.addInitScript((l) => { if (!localStorage.getItem('mamori.lang')) localStorage.setItem('mamori.lang', l); }, lang);
  const page = await context.newPage();
  // a server under ASan on a busy 2-core machine answers a login (Argon2id) slowly
  page.setDefaultTimeout(90000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
      page.errors.push(`console: ${m.text()}`);
  });
  return page;
}

// Logs in through the login screen (the password step only).
export async function login(page, url, account, next = '') {
  await page.goto(`${url}/${next ? `#/login?next=${encodeURIComponent(next)}` : '#/login'}`);
  await page.getByLabel(/利用者名|User name/).fill(account.name);
  await page.getByLabel(/^パスワード|^Password/).fill(account.password);
  await page.getByRole('button', { name: /ログイン|Log in/ }).click();
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
}

// The menu's link named name, made visible: a record kind's entry sits under
// its heading (a <details> of the menu), which is opened first.
export async function menuLink(page, name) {
  const menu = page.getByRole('navigation', { name: /^(メニュー|Menu)$/ });
  // a closed heading hides its entries from the accessibility tree: find them anyway
  const hidden = menu.getByRole('link', { name, exact: true, includeHidden: true });
  await hidden.waitFor({ state: 'attached' });
  if (!(await hidden.isVisible())) await hidden.locator('xpath=ancestor::details[1]/summary').click();
  const link = menu.getByRole('link', { name, exact: true });
  await link.waitFor();
  return link;
}

// Writes a full-page screenshot for reviewers (not compared, not committed).
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// Imports n more assets of 税務課 (A-000100 onwards) into the server's store:
// a second page for the register's list and for the trail's events.
export function importMoreAssets(srv, n) {
  const rows = ['資産番号,資産名,種別,所管課,機密性,完全性,可用性'];
  for (let i = 0; i < n; i++) rows.push(`A-${String(100 + i).padStart(6, '0')},課税資料${i},情報,税務課,2,2,1`);
  writeFileSync(join(srv.dir, 'more.csv'), `${rows.join('\n')}\n`);
  mamori(['asset', 'import', '--db', srv.db, join(srv.dir, 'more.csv')]);
}

export function i18nFiles() {
  const d = join(SRCDIR, 'web', 'i18n');
  return readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f));
}

// The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret at time t (ms).
export function totp(secret, t = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// Enrols TOTP for an account with the CLI; returns the base32 secret.
export function enrolTotp(db, name) {
  const out = mamori(['user', 'mfa', 'enroll', name, '--db', db]).stdout;
  return /secret=([A-Z2-7]+)/.exec(out)[1];
}
