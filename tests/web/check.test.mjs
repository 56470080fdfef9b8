// check.test.mjs — 点検票: a 自己点検 campaign's reminder reaches the 課's
// 情報セキュリティ管理者 under お知らせ and opens the 課's checklist; the manager
// answers an item (一部適合 with a comment), the progress per 課 counts it, and
// mamori's pre-fill from the register shows; in English too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS } from './harness.mjs';

let srv, browser;
before(async () => {
  srv = await startServer();
  browser = await launch();
  mamori(['record', 'new', 'self-check', '--db', srv.db, '--by', ACCOUNTS.ciso.name, '--set', 'year=2026',
    '--set', 'departments=zeimu,soumu', '--set', 'due=2026-12-31']);
  mamori(['record', 'move', 'SC-000001', 'running', '--db', srv.db, '--by', ACCOUNTS.ciso.name]);
  mamori(['check', 'remind', '--db', srv.db]);
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the 課\'s manager opens the checklist from the notice and answers an item', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, '/notices');
  const row = page.locator('tbody tr', { hasText: 'SC-000001' });
  await row.waitFor();
  assert.match(await row.textContent(), /自己点検の点検項目が届きました/);
  await row.getByRole('link', { name: 'SC-000001' }).click();
  await page.waitForFunction(() => location.hash === '#/check/SC-000001');
  await page.getByRole('heading', { level: 1, name: '点検票 SC-000001' }).waitFor();
  await page.getByRole('heading', { level: 2, name: /税務課の点検項目/ }).waitFor();
  const item = page.locator('li.check-item[data-item="restriction.confidentiality.3.restricted-storage"]');
  assert.match(await item.textContent(), /mamori の台帳から：機密性3 の情報資産 2 件すべてに保管場所が記録されている/);
  await item.getByLabel('回答').selectOption('partial');
  await item.getByLabel('コメント').fill('書庫の鍵の管理簿が未整備');
  await item.getByRole('button', { name: '回答を保存' }).click();
  await item.getByText('保存しました。').waitFor();
  await page.locator('tbody tr', { hasText: '税務課' }).filter({ hasText: /1 \/ \d+/ }).waitFor();
  await shot(page, 'check-ja');
  const p = JSON.parse(mamori(['check', 'progress', 'SC-000001', '--json', '--db', srv.db]).stdout);
  const z = p.departments.find((d) => d.department === 'zeimu');
  assert.equal(z.answered, 1);
  assert.equal(z.partial, 1);
  const s = JSON.parse(mamori(['check', 'sheet', 'SC-000001', '--department', 'zeimu', '--json', '--db', srv.db]).stdout);
  const a = s.items.find((i) => i.id === 'restriction.confidentiality.3.restricted-storage');
  assert.equal(a.comment, '書庫の鍵の管理簿が未整備');
  assert.equal(a.by, ACCOUNTS.manager.name);
  assert.deepEqual(page.errors, []);
});

test('the CISO opens the checklist from the campaign\'s record; in English', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.ciso, '/records/self-check/SC-000001');
  await page.getByRole('link', { name: /Open the checklist/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Checklist SC-000001' }).waitFor();
  await page.getByRole('heading', { level: 2, name: /Items for 税務課/ }).waitFor();
  await shot(page, 'check-en');
  assert.deepEqual(page.errors, []);
});
