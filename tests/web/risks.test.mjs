// risks.test.mjs — リスクマップ: the risks of the register drawn as a heat map
// on the policy's scales (発生可能性 × 影響度, review.risk), each cell counting
// the risks before / after treatment and coloured by its score (classes, not
// inline styles: the CSP); the list opens a risk's record; a 課's manager sees
// only its 課's risks; in English too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS } from './harness.mjs';

let srv, browser;
before(async () => {
  srv = await startServer();
  browser = await launch();
  mamori(['record', 'new', 'risk', '--db', srv.db, '--by', ACCOUNTS.ciso.name, '--set', 'threat=intentional',
    '--set', 'department=zeimu', '--set', 'description=課税台帳への不正アクセス', '--set', 'likelihood=4', '--set', 'impact=5']);
  mamori(['record', 'move', 'R-000001', 'treating', '--db', srv.db, '--by', ACCOUNTS.manager.name,
    '--set', 'treatment=reduce', '--set', 'owner=kanri']);
  mamori(['record', 'move', 'R-000001', 'treated', '--db', srv.db, '--by', ACCOUNTS.manager.name,
    '--set', 'residual_likelihood=2', '--set', 'residual_impact=4']);
  mamori(['record', 'new', 'risk', '--db', srv.db, '--by', ACCOUNTS.ciso.name, '--set', 'threat=disaster',
    '--set', 'department=soumu', '--set', 'description=庁舎の浸水', '--set', 'likelihood=1', '--set', 'impact=2']);
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the CISO sees the heat map of every risk and opens one', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/');
  await page.getByRole('navigation', { name: 'メニュー' }).getByRole('link', { name: 'リスクマップ' }).click();
  await page.getByRole('heading', { level: 1, name: 'リスク' }).waitFor();
  const map = page.locator('table.heatmap');
  await map.waitFor();
  assert.equal(await map.locator('td.heat').count(), 25, 'a 5 × 5 grid');
  assert.match(await map.locator('thead').textContent(), /5 甚大/);
  const cell = (l, i) => map.locator(`td[data-likelihood="${l}"][data-impact="${i}"]`);
  assert.equal((await cell(4, 5).textContent()).replace(/\s/g, ''), '1/0');
  assert.equal((await cell(2, 4).textContent()).replace(/\s/g, ''), '0/1');
  assert.match(await cell(4, 5).getAttribute('class'), /heat-critical/);
  assert.match(await cell(1, 2).getAttribute('class'), /heat-low/, 'within review.risk.accept');
  assert.equal(await cell(4, 5).getAttribute('style'), null, 'no inline style (CSP)');
  const rows = page.locator('tbody tr', { hasText: /R-00000/ });
  assert.equal(await rows.count(), 2);
  const row = page.locator('tbody tr', { hasText: 'R-000001' });
  assert.match(await row.textContent(), /対応済.*不正アクセス.*20.*8.*低減/s);
  await shot(page, 'risks-ja');
  await row.getByRole('link', { name: 'R-000001' }).click();
  await page.waitForFunction(() => location.hash === '#/records/risk/R-000001');
  await page.getByRole('heading', { name: '履歴' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('a 課\'s manager sees its 課\'s risks only; in English', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.manager, '/risks');
  await page.getByRole('heading', { level: 1, name: 'Risks' }).waitFor();
  await page.locator('table.heatmap').waitFor();
  await page.getByText('1 risks').waitFor();
  assert.equal(await page.locator('tbody tr', { hasText: 'R-000002' }).count(), 0);
  await shot(page, 'risks-en');
  assert.deepEqual(page.errors, []);
});
