// login.test.mjs — ログイン: the first screen, a failed login, a login that
// returns to where the user was, logout, the language switch, CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, shot, ACCOUNTS, mamori, totp, enrolTotp } from './harness.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('a newcomer first sees the login page, in Japanese', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/`);
  await page.waitForSelector('h1');
  assert.equal(await page.locator('h1').textContent(), 'ログイン');
  assert.match(page.url(), /#\/login\?next=/);
  await shot(page, 'login-ja');
  assert.deepEqual(page.errors, []);
});

test('a wrong password is refused with the lock-out warning, and nothing else is told', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/#/login`);
  await page.getByLabel('利用者名').fill(ACCOUNTS.staff.name);
  await page.getByLabel('パスワード').fill('wrong');
  await page.getByRole('button', { name: 'ログイン' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /ログインできませんでした.*ロックアウト/);
  await shot(page, 'login-failed-ja');
});

test('after login the user comes back to the address they asked for; logout ends the session', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/no-such-screen?x=1');
  assert.match(page.url(), /#\/no-such-screen\?x=1$/);
  assert.equal(await page.locator('h1').textContent(), 'ページが見つかりません');
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/login'));
  const res = await page.evaluate(async () => (await fetch('/api/me')).status);
  assert.equal(res, 401);
});

test('the language switch shows the screen in English and remembers it', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/#/login`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Log in');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await shot(page, 'login-en');
  await page.reload();
  await page.waitForSelector('h1');
  assert.equal(await page.locator('h1').textContent(), 'Log in');
});

test('pages are served with a CSP that forbids inline script', async () => {
  const res = await fetch(`${srv.url}/`);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});

test('an account with TOTP is asked for its code after the password; a wrong code is refused', async () => {
  const secret = enrolTotp(srv.db, ACCOUNTS.auditor.name);
  const page = await newPage(browser);
  await page.goto(`${srv.url}/#/login`);
  await page.getByLabel('利用者名').fill(ACCOUNTS.auditor.name);
  await page.getByLabel('パスワード').fill(ACCOUNTS.auditor.password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  const code = page.getByLabel('ワンタイムコード');
  await code.waitFor();
  await shot(page, 'login-totp-ja');
  await code.fill(totp(secret) === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /ワンタイムコードが正しくない/);
  await code.fill(totp(secret));
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  const me = await page.evaluate(async () => (await fetch('/api/me')).json());
  assert.equal(me.user.name, ACCOUNTS.auditor.name);
  mamori(['user', 'mfa', 'reset', ACCOUNTS.auditor.name, '--db', srv.db]);
});

test('a temporary password leads straight to the password change, and nothing else answers until then', async () => {
  mamori(['user', 'add', 'kari', '--role', '職員等', '--department', '税務課', '--db', srv.db, '--password-stdin', '--temporary'],
    { input: 'kari-pw-1\n' });
  const page = await newPage(browser);
  await login(page, srv.url, { name: 'kari', password: 'kari-pw-1' });
  await page.waitForFunction(() => location.hash.startsWith('#/account'));
  const blocked = await page.evaluate(async () => (await fetch('/api/assets')).status);
  assert.equal(blocked, 403);
  await page.goto(`${srv.url}/#/`);
  await page.waitForFunction(() => location.hash.startsWith('#/account'));
  await page.getByText(/仮パスワードでログインしています/).waitFor();
  await shot(page, 'account-first-ja');
  await page.getByLabel('現在のパスワード').fill('kari-pw-1');
  await page.locator('input[name=password]').fill('my-own-pw-1');
  await page.getByLabel('新しいパスワード（確認）').fill('my-own-pw-2');
  await page.getByRole('button', { name: 'パスワードを変更' }).click();
  await page.getByText('確認のために入力した新しいパスワードが一致しません。').waitFor();
  await page.getByLabel('新しいパスワード（確認）').fill('my-own-pw-1');
  await page.getByRole('button', { name: 'パスワードを変更' }).click();
  await page.waitForFunction(() => !location.hash.startsWith('#/account'));
  assert.equal(await page.evaluate(async () => (await fetch('/api/assets?limit=1')).status), 200);
});

test('a 職員 enrols their own one-time code and sees its QR code', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/account');
  await page.getByRole('button', { name: 'ワンタイムコードを設定する' }).click();
  const qr = page.getByRole('img', { name: 'ワンタイムコード設定用の QR コード' });
  await qr.waitFor();
  assert.ok(await qr.locator('rect').count() > 100);
  await shot(page, 'account-mfa-ja');
  mamori(['user', 'mfa', 'reset', ACCOUNTS.staff.name, '--db', srv.db]);
});
