// lockout.test.mjs — repeated failures lock the account for a while (and then
// the address): the login screen says so, in the same words whatever was
// wrong, and the right password is refused while the account waits.
// Its own server: the address back-off would disturb the other tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, shot, ACCOUNTS } from './harness.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function attempt(page, name, password) {
  await page.getByLabel('利用者名').fill(name);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.textContent();
  await page.evaluate(() => document.querySelector('[role=alert]').remove());
  return text;
}

test('after repeated failures even the right password is refused, with the lock-out message', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/#/login`);
  // eight failures lock the account for 16 s (mamori_auth_backoff: 2^(n-4)),
  // long enough for the next attempt however slow the machine
  const first = await attempt(page, ACCOUNTS.manager.name, 'wrong-1');
  for (let i = 2; i <= 8; i++) await attempt(page, ACCOUNTS.manager.name, `wrong-${i}`);
  const locked = await attempt(page, ACCOUNTS.manager.name, ACCOUNTS.manager.password);
  assert.match(locked, /ロックアウト/);
  // the same words as for a wrong password and for a name that does not exist
  // (or, once this address has failed often, the address's own wait)
  assert.equal(locked, first);
  const unknown = await attempt(page, 'no-such-user', 'x');
  assert.ok(unknown === first || unknown.startsWith('この端末からのログインの失敗が多すぎます'), unknown);
  await shot(page, 'login-locked-ja');
  assert.match(page.url(), /#\/login/);
});
