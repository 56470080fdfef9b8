// users.test.mjs — 利用者: who sees the screen (managers, not a 職員 or the
// auditor), the list with role and 課 titles, adding an account, a temporary
// password that really logs in (and is then forced to change), disable and
// enable, and an API token shown once, listed and revoked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, shot, ACCOUNTS } from './harness.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('a 職員 and the auditor have no 利用者 menu, and the address says they may not', async () => {
  for (const who of ['staff', 'auditor']) {
    const page = await newPage(browser);
    await login(page, srv.url, ACCOUNTS[who], '/users');
    await page.getByRole('heading', { level: 1, name: 'この画面を使う権限がありません' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'メニュー' }).getByRole('link', { name: '利用者' }).count(), 0);
    assert.deepEqual(page.errors, [], who);
    await page.close();
  }
});

test('the 情報セキュリティ管理者 of 税務課 sees only the accounts it administers', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, '/users');
  await page.getByRole('heading', { level: 1, name: '利用者' }).waitFor();
  const names = await page.locator('tbody tr td:first-child').allTextContents();
  assert.ok(names.includes('tanaka') && !names.includes('ciso') && !names.includes('kansa'), names.join(','));
  assert.match(await page.getByRole('row', { name: /tanaka/ }).textContent(), /職員等.*税務課/);
  await shot(page, 'users-manager-ja');
  // a manager of users only: no gateway tokens (they decide about anyone)
  await page.getByRole('row', { name: /tanaka/ }).click();
  await page.getByRole('heading', { name: '利用者 tanaka' }).waitFor();
  assert.deepEqual(await page.getByLabel('範囲').locator('option').evaluateAll((o) => o.map((x) => x.value)), ['read', 'write']);
  assert.deepEqual(page.errors, []);
});

test('the CISO adds an account; its temporary password logs in and must be changed', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/users');
  await page.getByText('利用者を追加する').click();
  await page.getByLabel('利用者名').fill('suzuki');
  await page.getByLabel('役割').selectOption({ label: '職員等' });
  await page.getByLabel('所属課').selectOption({ label: '税務課' });
  await page.getByRole('button', { name: '追加する' }).click();
  await page.getByText('利用者 suzuki を追加しました。').waitFor();
  const initial = (await page.locator('pre.secret').textContent()).trim();
  assert.match(initial, /^[A-Za-z2-9]{16}$/);
  // a temporary password from the detail view, shown once
  await page.getByRole('button', { name: '仮パスワードを発行する' }).click();
  await page.getByText(/^仮パスワードを発行しました/).waitFor();
  const secret = page.locator('pre.secret');
  assert.equal(await secret.count(), 1);
  const password = (await secret.textContent()).trim();
  assert.match(password, /^[A-Za-z2-9]{16}$/);
  assert.notEqual(password, initial);
  await shot(page, 'users-password-ja');
  const other = await newPage(browser);
  await login(other, srv.url, { name: 'suzuki', password });
  await other.waitForFunction(() => location.hash.startsWith('#/account?first=1'));
  assert.deepEqual(page.errors, []);
});

test('disable and enable again; a token shown once, listed and revoked (in English)', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.ciso, '/users?name=tanaka');
  await page.getByRole('heading', { name: 'Account tanaka' }).waitFor();
  await page.getByRole('button', { name: 'Disable' }).click();
  await page.getByText(/The account is disabled/).waitFor();
  assert.match(await page.getByRole('row', { name: /tanaka/ }).first().textContent(), /Disabled/);
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.getByText(/The account is enabled again/).waitFor();
  await page.getByLabel('Scope').selectOption('read');
  await page.getByRole('button', { name: 'Issue a token' }).click();
  const token = (await page.locator('pre.secret').textContent()).trim();
  assert.match(token, /^[0-9a-f]{64}$/);
  // the token works as a Bearer token, and is listed by its id only
  const me = await fetch(`${srv.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  const ids = await page.locator('tbody code').allTextContents();
  assert.equal(ids.length, 1);
  assert.ok(!ids[0].includes(token));
  await shot(page, 'users-token-en');
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByText(/was revoked/).waitFor();
  assert.equal((await fetch(`${srv.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } })).status, 401);
  assert.deepEqual(page.errors, []);
});

test('the mail address where notices go: set, refused when it is not one, cleared', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/users?name=tanaka');
  await page.getByRole('heading', { name: '利用者 tanaka' }).waitFor();
  const box = () => page.locator('details.user-email');
  const save = async (value) => {
    await box().evaluate((d) => { d.open = true; });
    await box().getByLabel('メールアドレス').fill(value);
    await box().getByRole('button', { name: '保存する' }).click();
  };
  await save('tanaka@@example');
  await box().locator('.form-status').getByText(/メールアドレス/).waitFor();
  await save('tanaka@example.lg.jp');
  await page.getByText('メールアドレスを変更しました。').waitFor();
  assert.match(await page.getByRole('row', { name: /tanaka/ }).first().textContent(), /tanaka@example\.lg\.jp/);
  await save('');
  await page.getByText('メールアドレスを消去しました。').waitFor();
  assert.deepEqual(page.errors, []);
});
