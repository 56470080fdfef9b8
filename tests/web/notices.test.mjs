// notices.test.mjs — お知らせ: a 職員's incident report reaches the 課's
// 情報セキュリティ管理者 as a notice in the menu's お知らせ, with the record's
// kind, why it was sent, its state now and whether it went by mail; the row
// opens the record; the reporter has none; in English too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS } from './harness.mjs';

let srv, browser, id;
before(async () => {
  srv = await startServer();
  browser = await launch();
  id = mamori(['incident', 'report', '--db', srv.db, '--by', ACCOUNTS.staff.name,
    '--set', 'summary=庁舎内で USB メモリを紛失した']).stdout.trim();
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the 課\'s manager finds the report under お知らせ and opens the record from it', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, '/');
  await page.getByRole('navigation', { name: 'メニュー' }).getByRole('link', { name: 'お知らせ' }).click();
  await page.getByRole('heading', { level: 1, name: 'お知らせ' }).waitFor();
  const row = page.locator('tbody tr', { hasText: id });
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, /情報セキュリティインシデント報告/);
  assert.match(text, /新しく報告・申請されました/);
  assert.match(text, /報告/);
  assert.match(text, /未送信/);		// no relay is set in the test store
  assert.match(text, /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}/, 'a time people read (Tokyo)');
  assert.doesNotMatch(text, /Z|T\d{2}:/, 'not UTC');
  await shot(page, 'notices-ja');
  await row.getByRole('link', { name: id }).click();
  await page.waitForFunction((i) => location.hash === `#/records/incident/${i}`, id);
  await page.getByRole('heading', { name: '履歴' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('the reporter has no notice; the screen in English', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.staff, '/notices');
  await page.getByRole('heading', { level: 1, name: 'Notices' }).waitFor();
  await page.getByText('No notices.').waitFor();
  await shot(page, 'notices-en-empty');
  assert.deepEqual(page.errors, []);
});
