// lockout.test.mjs — repeated failures lock the account for a while (and then
// the address): the login screen says so, in the same words whatever was
// wrong, and the right password is refused while the account waits.
// Its own server: the address back-off would disturb the other tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
  const first = await attempt(page, ACCOUNTS.manager.name, 'wrong-1');
  for (let i = 2; i <= 5; i++) await attempt(page, ACCOUNTS.manager.name, `wrong-${i}`);
  // how long the account waits grows with its failures (2^(n-4) s, unit-tested in
  // test_user.c); a loaded machine can outlast a short wait between two attempts,
  // so the store is told the account waits ten minutes, as after many failures
  const until = Math.floor(Date.now() / 1000) + 600;
  const r = spawnSync('sqlite3', [srv.db, `UPDATE user SET failures = 12, locked_until = ${until} WHERE name = '${ACCOUNTS.manager.name}'`]);
  assert.equal(r.status, 0, String(r.stderr));
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
