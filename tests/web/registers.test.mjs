// registers.test.mjs — the registers of issue 19 on the generic record screens:
// 端末・情報システム, 外部サービス（クラウドサービス） and ソーシャルメディアサービスの
// アカウント have a menu entry each; a 職員 registers a terminal through the form
// of its fields (choices for 種別, ネットワーク区分, 支給, 多要素認証), the 課's
// 情報セキュリティ管理者 approves it with the button of 使用中, and the decision
// point then judges a request naming it on the register; a cloud service's form
// takes its level as a number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, newPage, login, shot, mamori, menuLink, ACCOUNTS } from './harness.mjs';

let srv, browser, id;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('a 職員 registers a terminal through the form of its fields', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/');
  for (const title of ['外部サービス（クラウドサービス）', 'ソーシャルメディアサービスのアカウント', '端末・情報システム'])
    await menuLink(page, title);
  await (await menuLink(page, '端末・情報システム')).click();
  await page.getByRole('heading', { level: 1, name: '端末・情報システム' }).waitFor();
  await page.getByRole('link', { name: /新しく作る/ }).click();
  await page.getByLabel(/端末番号/).fill('PC-WEB-1');
  await page.getByLabel(/種別/).selectOption({ label: 'タブレット' });
  await page.getByLabel(/ネットワーク区分/).selectOption({ label: 'LGWAN接続系' });
  await page.getByLabel(/支給/).selectOption({ label: '支給以外' });
  await page.getByLabel(/多要素認証/).selectOption({ label: '導入済' });
  await shot(page, 'registers-terminal-new-ja');
  await page.getByRole('button', { name: '登録する' }).click();
  await page.waitForFunction(() => /^#\/records\/terminal\/TRM-/.test(location.hash));
  id = /TRM-[0-9]+/.exec(await page.evaluate(() => location.hash))[0];
  const details = page.locator('dl.details');
  await details.waitFor();
  assert.match(await details.textContent(), /状態登録申請/);
  assert.match(await details.textContent(), /種別タブレット/);
  assert.match(await details.textContent(), /ネットワーク区分LGWAN接続系/);
  assert.match(await details.textContent(), /支給支給以外/);
  assert.deepEqual(page.errors, []);
});

test('the 課\'s manager approves it; the decision point then reads the register', async () => {
  const req = join(srv.dir, 'on-terminal.json');
  writeFileSync(req, JSON.stringify({ subject: { id: 'tanaka', roles: ['staff'], department: 'zeimu',
    terminal: { id: 'PC-WEB-1', issued: true } }, action: 'read', resource: { asset: 'A-000003' } }));
  let r = mamori(['decide', '--db', srv.db, req], { allowFail: true });
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stdout, /"field":"subject.terminal.id"/);
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, `/records/terminal/${id}`);
  await page.getByRole('heading', { name: '次の手続' }).waitFor();
  await page.getByRole('button', { name: /^使用中/ }).click();
  await page.locator('dl.details', { hasText: '状態使用中' }).waitFor();
  await shot(page, 'registers-terminal-in-use-ja');
  r = mamori(['decide', '--db', srv.db, req], { allowFail: true });
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /"id":"terminal-mismatch","text":"terminal PC-WEB-1: issued is false in the register, not true"/);
  assert.deepEqual(page.errors, []);
});

test('a cloud service is registered with its level; the list shows it', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/records/cloud-service/new');
  await page.getByLabel(/サービス名/).fill('共有ストレージWeb');
  await page.getByLabel(/提供事業者/).fill('株式会社例');
  await page.getByLabel(/取り扱える機密性の上限/).fill('2');
  await page.getByLabel(/利用するネットワーク区分/).selectOption({ label: 'LGWAN接続系' });
  await page.getByLabel(/次回見直し日/).fill('R9.3.31');
  await page.getByRole('button', { name: '登録する' }).click();
  await page.waitForFunction(() => /^#\/records\/cloud-service\/CS-/.test(location.hash));
  const details = page.locator('dl.details');
  await details.waitFor();
  assert.match(await details.textContent(), /取り扱える機密性の上限2/);
  await shot(page, 'registers-cloud-ja');
  await page.goto(`${srv.url}/#/records/cloud-service`);
  await page.getByRole('cell', { name: /CS-000001/ }).first().waitFor();
  await shot(page, 'registers-cloud-list-ja');
  assert.deepEqual(page.errors, []);
});
