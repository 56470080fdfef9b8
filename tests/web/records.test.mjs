// records.test.mjs — 記録と手続: the screens drawn from a kind's declaration
// (the policy's records:), one set for every kind: a menu entry per kind, a 職員
// reports an incident through the form of its fields, the 課's 情報セキュリティ
// 管理者 takes the next step with the button of its target state and a note,
// the history shows both, the list filters by state; in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launch, newPage, login, shot, menuLink, ACCOUNTS } from './harness.mjs';

let srv, browser, id;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('the menu has an entry per kind of the policy; a 職員 reports an incident from the form of its fields', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/');
  // the kinds sit under the headings the policy gives them (menu:), closed until opened
  const menu = page.getByRole('navigation', { name: 'メニュー' });
  await menu.locator('summary').last().waitFor();	// the menu is drawn with the first screen
  const headings = await menu.locator('summary').allTextContents();
  assert.deepEqual(headings, ['届出・申請', '台帳', '研修', '評価・見直し']);
  assert.equal(await menu.getByRole('link', { name: '例外措置の申請', includeHidden: true }).isVisible(), false);
  for (const title of ['情報セキュリティインシデント報告', '情報資産の持ち出し申請', '例外措置の申請'])
    await menuLink(page, title);
  await shot(page, 'menu-open-ja');
  // opening another heading closes this one; Escape closes it too
  await menuLink(page, '端末・情報システム');
  assert.equal(await menu.getByRole('link', { name: '例外措置の申請', includeHidden: true }).isVisible(), false);
  await page.keyboard.press('Escape');
  assert.equal(await menu.getByRole('link', { name: '端末・情報システム', includeHidden: true }).isVisible(), false);
  await (await menuLink(page, '情報セキュリティインシデント報告')).click();
  await page.getByRole('heading', { level: 1, name: '情報セキュリティインシデント報告' }).waitFor();
  await page.getByRole('link', { name: /新しく作る/ }).click();
  await page.getByRole('heading', { level: 1, name: /新規/ }).waitFor();
  // the procedure the policy gives with the kind (緊急時対応計画), before the form
  const todo = await page.getByRole('region', { name: 'まず行うこと' }).locator('li').allTextContents();
  assert.equal(todo.length, 5, todo.join(' / '));
  assert.match(todo[0], /被害の拡大を防ぐ措置/);
  // the form is the kind's fields: a required one is marked, a choice offers the policy's titles
  await page.getByLabel(/概要/).waitFor();
  assert.equal(await page.getByLabel(/概要/).getAttribute('aria-required'), 'true');
  await page.getByRole('button', { name: '登録する' }).click();
  await page.getByRole('alert').filter({ hasText: '「概要」を入力してください' }).waitFor();
  await page.getByLabel(/概要/).fill('不審なメールの添付ファイルを開いた');
  await page.getByLabel('影響の程度').selectOption({ label: '小（影響なし・未遂）' });
  await page.getByLabel('関係する情報資産').fill('A-000003、A-000004');
  await shot(page, 'records-new-ja');
  await page.getByRole('button', { name: '登録する' }).click();
  await page.waitForFunction(() => /^#\/records\/incident\/INC-/.test(location.hash));
  id = /INC-[0-9-]+/.exec(await page.evaluate(() => location.hash))[0];
  await page.getByText('登録しました。').waitFor();
  const details = page.locator('dl.details');
  assert.match(await details.textContent(), /状態報告/);
  assert.match(await details.textContent(), /影響の程度小（影響なし・未遂）/);
  assert.equal(await details.getByRole('link', { name: 'A-000003' }).getAttribute('href'), '#/assets/A-000003');
  await page.getByRole('heading', { name: '履歴' }).waitFor();
  await shot(page, 'records-reported-ja');
  assert.deepEqual(page.errors, []);
});

test('the 課\'s manager takes the next step by its target state, with a note; the history shows it', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, `/records/incident/${id}`);
  await page.getByRole('heading', { name: '次の手続' }).waitFor();
  const accept = page.getByRole('button', { name: /^受付/ });
  assert.match(await accept.textContent(), /受付（受け付ける）/);
  await page.getByLabel('メモ').fill('内容を確認した');
  await accept.click();
  await page.locator('dl.details', { hasText: '状態受付' }).waitFor();
  const steps = await page.locator('ol.timeline li').allTextContents();
  assert.equal(steps.length, 2, steps.join(' / '));
  assert.match(steps[1], /kanri 報告 → 受付：内容を確認した/);
  await page.getByRole('button', { name: /^対応中/ }).waitFor();
  await shot(page, 'records-accepted-ja');
  // the list by state
  await page.goto(`${srv.url}/#/records/incident?state=accepted`);
  await page.getByRole('row', { name: new RegExp(id) }).waitFor();
  await page.goto(`${srv.url}/#/records/incident?state=reported`);
  await page.getByText('記録はありません。').waitFor();
  await page.getByLabel('状態', { exact: true }).selectOption({ label: '受付' });
  await page.getByRole('button', { name: '絞り込む' }).click();
  await page.waitForFunction(() => location.hash.includes('state=accepted'));
  await page.getByRole('row', { name: new RegExp(id) }).click();
  await page.waitForFunction((r) => location.hash.endsWith(r), id);
  assert.deepEqual(page.errors, []);
});

test('the list downloads what the user may see as XLSX and CSV, with the state filter', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/records/incident?state=accepted');
  await page.getByRole('table').first().waitFor();
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Excel/ }).click()]);
  assert.equal(xlsx.suggestedFilename(), 'mamori-records.xlsx');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV で出力' }).click()]);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.match(text, /^\uFEFF番号,状態,報告者,作成日時,更新日時,概要/);
  assert.match(text, new RegExp(`${id},受付,.*不審なメールの添付ファイルを開いた`));
  await page.goto(`${srv.url}/#/records/incident?state=closed`);
  await page.getByRole('button', { name: 'CSV で出力' }).waitFor();
  const [none] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV で出力' }).click()]);
  assert.doesNotMatch(readFileSync(await none.path(), 'utf8'), /INC-/);
  assert.deepEqual(page.errors, []);
});

test('the records screens in English', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.manager, '/records/incident');
  await page.getByRole('columnheader', { name: 'State' }).waitFor();
  // the row says what the record is about: its first required field (概要)
  assert.match(await page.getByRole('row', { name: new RegExp(id) }).textContent(), /不審なメールの添付ファイルを開いた/);
  await page.getByText('Records: 1').waitFor();
  await shot(page, 'records-list-en');
  await page.goto(`${srv.url}/#/records/incident/${id}`);
  await page.getByRole('heading', { name: 'Next steps' }).waitFor();
  await page.getByRole('heading', { name: 'History' }).waitFor();
  await shot(page, 'records-detail-en');
  // nothing optional printed as "null" (a kind without text, no notice)
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined/);
  assert.doesNotMatch(await page.locator('ol.timeline').textContent(), /web:/);
  await page.goto(`${srv.url}/#/records/incident/new`);
  await page.getByRole('button', { name: 'Create' }).waitFor();
  await shot(page, 'records-new-en');
  assert.deepEqual(page.errors, []);
});
