// log.test.mjs — 監査証跡: what each role sees (events for the roles that read
// every department, head and verify for everyone), the filters, an event's
// body, "verify now", and the head and an inclusion proof downloaded and
// checked offline with `mamori log check-proof` as the screen tells.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS, importMoreAssets } from './harness.mjs';

let srv, browser;
before(async () => {
  srv = await startServer();
  // 60 more events (one per asset), so that the trail has a second page
  importMoreAssets(srv, 60);
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the auditor sees the events, filters by action and reads a body', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.auditor, '/log');
  await page.getByRole('heading', { level: 1, name: '監査証跡' }).waitFor();
  await page.getByRole('cell', { name: 'policy.load' }).waitFor();
  await page.getByLabel('操作', { exact: true }).fill('user.add');
  await page.getByRole('button', { name: '絞り込む' }).click();
  await page.waitForFunction(() => location.hash.includes('action=user.add'));
  await page.getByRole('cell', { name: 'user kansa', exact: true }).waitFor();
  const actions = await page.locator('tbody tr td:nth-child(4)').allTextContents();
  assert.ok(actions.length === 4 && actions.every((a) => a === 'user.add'), actions.join(','));
  await page.locator('details.event-body summary').first().click();
  assert.match(await page.locator('details.event-body pre').first().textContent(), /"after": \{/);
  await shot(page, 'log-auditor-ja');
  assert.deepEqual(page.errors, []);
});

test('keyset pages: the next page starts after the last event shown, and the first page comes back', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/log');
  await page.getByText('このページ 50 件').waitFor();
  const last = Number(await page.locator('tbody tr:last-child td:first-child').textContent());
  await page.getByRole('button', { name: '次のページ' }).click();
  await page.waitForFunction(() => location.hash.includes('after='));
  await page.getByText(`番号 ${last + 1} から`).waitFor();
  assert.equal(Number(await page.locator('tbody tr:first-child td:first-child').textContent()), last + 1);
  await page.getByRole('button', { name: '最初のページ' }).click();
  await page.waitForFunction(() => !location.hash.includes('after='));
  // the address changes before the page is fetched and drawn again: wait for the draw
  await page.waitForFunction(() => document.querySelector('tbody tr:first-child td:first-child')?.textContent === '1');
  assert.equal(await page.locator('tbody tr:first-child td:first-child').textContent(), '1');
  assert.deepEqual(page.errors, []);
});

test('a time range in Tokyo time: events before "from" are not listed', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/log?from=2099-01-01T09:00');
  await page.getByRole('heading', { level: 1, name: '監査証跡' }).waitFor();
  await page.getByText('該当するものはありません').waitFor();
  await page.goto(`${srv.url}/#/log?until=2000-01-01T09:00`);
  await page.getByText('該当するものはありません').waitFor();
  await page.goto(`${srv.url}/#/log?from=2000-01-01T09:00`);
  await page.getByRole('cell', { name: 'policy.load' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('a 職員 sees only verify and the head, not the events', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/log');
  await page.getByRole('heading', { level: 1, name: '監査証跡' }).waitFor();
  await page.getByText(/個々の記録は閲覧できません/).waitFor();
  assert.equal(await page.getByRole('table').count(), 0);
  await page.getByRole('button', { name: '今すぐ検証する' }).click();
  await page.getByText('監査証跡は改ざんされていません。').waitFor();
  await shot(page, 'log-staff-ja');
  assert.deepEqual(page.errors, []);
});

test('verify now, then the head and a proof downloaded and checked offline', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.auditor, '/log');
  await page.getByRole('button', { name: 'Verify now' }).click();
  await page.getByText('The audit trail is intact.').waitFor();
  let wait = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the signed head' }).click();
  const head = join(srv.dir, 'head.txt');
  await (await wait).saveAs(head);
  wait = page.waitForEvent('download');
  await page.getByRole('row', { name: /policy\.load/ }).getByRole('button', { name: 'Download proof' }).click();
  const proof = join(srv.dir, 'proof-1.txt');
  await (await wait).saveAs(proof);
  await page.getByText(/inclusion proof of record 1 was saved/).waitFor();
  const cmd = await page.locator('.offline pre').first().textContent();
  assert.match(cmd, /mamori log check-proof --pubkey mamori\.pub --head head\.txt proof-SEQ\.txt/);
  const r = mamori(['log', 'check-proof', '--pubkey', `${srv.db}.pub`, '--head', head, proof]);
  assert.match(r.stdout, /^ok/);
  await shot(page, 'log-auditor-en');
  assert.deepEqual(page.errors, []);
});

test('a consistency proof from an earlier head to now, checked offline', async () => {
  const old = join(srv.dir, 'head-old.txt');
  writeFileSync(old, mamori(['log', 'head', '--db', srv.db]).stdout);
  const oldSize = /^size: (\d+)$/m.exec(readFileSync(old, 'utf8'))[1];
  mamori(['asset', 'add', '--db', srv.db, '--id', 'A-000999', '--name', '後から', '--kind', '情報', '--department', '税務課',
    '--c', '1', '--i', '1', '--a', '1']);
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.auditor, '/log');
  await page.getByLabel('保存したヘッドの件数（size:）').fill(oldSize);
  const files = [];
  page.on('download', (d) => files.push(d));
  await page.getByRole('button', { name: '整合性証明をダウンロード' }).click();
  await page.getByText(/整合性証明を consistency-/).waitFor();
  assert.equal(files.length, 2);
  const [head, proof] = [join(srv.dir, 'head-new.txt'), join(srv.dir, 'consistency.txt')];
  await files[0].saveAs(head);
  await files[1].saveAs(proof);
  const r = mamori(['log', 'check-proof', '--pubkey', `${srv.db}.pub`, '--head', head, '--old-head', old, proof]);
  assert.match(r.stdout, /^ok: the signed tree of \d+ events extends the signed tree of \d+ events/);
  await shot(page, 'log-consistency-ja');
  assert.deepEqual(page.errors, []);
});
