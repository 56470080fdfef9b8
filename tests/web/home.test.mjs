// home.test.mjs — ホーム: the counts by 課 × 機密性 as a chart and a table
// whose numbers open the list, the cards, and what a 職員 is shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS } from './harness.mjs';

let srv, browser;
before(async () => {
  srv = await startServer();
  // an asset without an owner (管理責任者), and a disposed one that is not counted
  mamori(['asset', 'add', '--db', srv.db, '--name', '窓口配布資料', '--kind', '情報', '--department', '税務課',
    '--c', '1', '--i', '1', '--a', '1']);
  mamori(['asset', 'dispose', 'A-000004', '--db', srv.db, '--method', 'shred', '--by', '山田', '--witness', '佐藤']);
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

// The counts the table shows, as {課: [機密性3, 機密性2, 機密性1, 計]}.
async function counts(page) {
  const rows = await page.locator('table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  return Object.fromEntries(rows.map(([d, ...n]) => [d, n.map(Number)]));
}

test('the CISO sees every 課 by 機密性, as a chart and as a table that opens the list', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso);
  await page.getByRole('heading', { level: 1, name: 'ホーム' }).waitFor();
  await page.getByRole('img', { name: '所管課 × 機密性（使用中の資産）' }).waitFor();
  const c = await counts(page);
  // examples/assets.csv: 税務課 holds A-000003 and A-000004 (機密性3); A-000004 is disposed
  assert.deepEqual(c['税務課'], [1, 0, 1, 2]);
  assert.deepEqual(c['市民課'], [2, 1, 0, 3]);
  assert.match(await page.locator('.card').first().textContent(), /使用中の情報資産20/);
  // the mail the harness quarantined waits, nobody has asked for its release yet
  assert.match(await page.locator('.card', { hasText: '解除を待つ隔離メール' }).textContent(), /隔離メール1うち解除申請中 0 件/);
  const trail = page.locator('.card', { hasText: '監査証跡' });
  assert.match(await trail.textContent(), /署名付きヘッド #\d+（\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d）の署名を確認済み/);
  await trail.getByRole('button', { name: '今すぐ全件を検証' }).click();
  await trail.getByText('改ざんなし').waitFor();
  await shot(page, 'home-ja');
  // the one asset without an owner, listed from its card
  await page.locator('.card', { hasText: '管理責任者が未設定' }).getByRole('link', { name: '1' }).click();
  await page.waitForFunction(() => location.hash.includes('owner=none'));
  await page.getByRole('cell', { name: '窓口配布資料' }).waitFor();
  assert.equal(await page.getByLabel('管理責任者が未設定のものだけ').isChecked(), true);
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'ホーム' }).waitFor();
  await page.getByRole('row', { name: /^市民課/ }).getByRole('link', { name: '2' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/assets?'));
  assert.match(page.url(), /department=shimin/);
  assert.match(page.url(), /c=3/);
  await page.getByText(/条件に合う資産 2 件/).waitFor();
  assert.deepEqual(page.errors, []);
});

test('a 職員 of 税務課 sees only what the role may read', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff);
  await page.getByRole('heading', { level: 1, name: 'ホーム' }).waitFor();
  await page.locator('table tbody tr').first().waitFor();
  assert.deepEqual(Object.keys(await counts(page)), ['税務課']);
  assert.match(await page.locator('.card', { hasText: '管理責任者が未設定' }).textContent(), /1/);
  // the senders and subjects of everyone's mail are not for a 職員
  assert.match(await page.locator('.card', { hasText: '解除を待つ隔離メール' }).textContent(), /—この役割では表示されません/);
  await shot(page, 'home-staff-ja');
  assert.deepEqual(page.errors, []);
});

test('the home screen in English', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.ciso);
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
  await page.getByRole('img', { name: 'Department × confidentiality (assets in use)' }).waitFor();
  await shot(page, 'home-en');
  assert.deepEqual(page.errors, []);
});
