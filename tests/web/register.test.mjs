// register.test.mjs — 情報資産管理台帳 in the browser: filters and keyset
// pages, keyboard-only use, a hostile asset name shown as text, an import
// with a bad row fixed and imported again, a disposal the policy refuses,
// what a 職員 sees, and the export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS, importMoreAssets } from './harness.mjs';

const XSS = '<img src=x onerror=alert(1)>';
let srv, browser;

before(async () => {
  srv = await startServer();
  // 60 more assets of 税務課, so that the list has a second page, and one
  // whose name is markup
  importMoreAssets(srv, 60);
  mamori(['asset', 'add', '--db', srv.db, '--id', 'A-000999', '--name', XSS, '--kind', '情報', '--department', '税務課',
    '--c', '1', '--i', '1', '--a', '1']);
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the list filters by 機密性 ≥ 3 from the address, and pages on with the keyset cursor', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets?c=%3E%3D3');
  await page.getByRole('table').first().waitFor();
  assert.match(await page.getByText(/条件に合う資産/).textContent(), /条件に合う資産 8 件/);
  const levels = await page.locator('tbody tr td:nth-child(6)').allTextContents();
  assert.ok(levels.length > 0 && levels.every((l) => l === '機密性3'), levels.join(','));
  await shot(page, 'assets-filtered-ja');
  await page.goto(`${srv.url}/#/assets`);
  await page.getByText(/このページ 50 件/).waitFor();
  await page.getByRole('button', { name: '次のページ' }).click();
  await page.waitForFunction(() => location.hash.includes('after='));
  await page.getByText(/資産番号 A-000129 より後/).waitFor();
  assert.equal(await page.locator('tbody tr').first().locator('td').first().textContent(), 'A-000130');
  assert.deepEqual(page.errors, []);
});

test('a column heading sorts the page and the sort stays in the address', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets?department=shimin');
  await page.getByRole('table').first().waitFor();
  await page.getByRole('button', { name: '名称' }).click();
  await page.waitForFunction(() => location.hash.includes('sort=name'));
  await page.getByRole('button', { name: '名称 ▲' }).click();
  await page.waitForFunction(() => location.hash.includes('sort=-name'));
  await page.getByRole('columnheader', { name: '名称 ▼' }).waitFor();
  const names = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(names, names.slice().sort().reverse());
  assert.match(page.url(), /department=shimin/);
  await page.reload();
  await page.getByRole('columnheader', { name: '名称 ▼' }).waitFor();
  // columns the API cannot sort by offer no button
  assert.equal(await page.getByRole('columnheader', { name: 'ネットワーク区分' }).getByRole('button').count(), 0);
});

test('the sort covers the whole register: the next page goes on in the same order', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets');
  await page.getByRole('table').first().waitFor();
  await page.getByRole('button', { name: '名称' }).click();
  await page.waitForFunction(() => location.hash.includes('sort=name'));
  await page.getByRole('button', { name: '名称 ▲' }).click();
  await page.getByRole('columnheader', { name: '名称 ▼' }).waitFor();
  const first = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  assert.equal(first.length, 50);
  // the register's greatest name is on the first page, not only this page's
  const all = await page.evaluate(async () => (await (await fetch('/api/assets?limit=10000')).json()).assets.map((a) => a.name));
  assert.equal(first[0], all.slice().sort().at(-1));
  await page.getByRole('button', { name: '次のページ' }).click();
  await page.waitForFunction(() => /after=A-\d+%3A/.test(location.hash) && location.hash.includes('sort=-name'));
  await page.getByText(/より後/).waitFor();
  const second = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual([...first, ...second], all.slice().sort().reverse());
  await shot(page, 'assets-sorted-page2-ja');
  // the first page again, still sorted
  await page.getByRole('button', { name: '最初のページ' }).click();
  await page.waitForFunction(() => !location.hash.includes('after=') && location.hash.includes('sort=-name'));
  assert.deepEqual(page.errors, []);
});

test('the columns chosen are kept in the browser across a reload', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets');
  await page.getByRole('table').first().waitFor();
  const chooser = page.locator('details.columns');
  await chooser.getByText('表示する列').click();
  await chooser.getByLabel('種別').uncheck();
  await chooser.getByLabel('保管場所').check();
  const heads = () => page.locator('thead th').allTextContents();
  assert.ok(!(await heads()).includes('種別') && (await heads()).includes('保管場所'), (await heads()).join(','));
  await page.reload();
  await page.getByRole('columnheader', { name: '保管場所' }).waitFor();
  assert.ok(!(await heads()).includes('種別'));
  assert.equal(await page.getByRole('cell', { name: '本庁舎サーバ室' }).count() > 0, true);
  await page.evaluate(() => localStorage.removeItem('mamori.assets.columns'));
});

test('keyboard only: Tab to a row of the register, Enter opens the asset', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets');
  await page.getByRole('table').first().waitFor();
  let focused = '';
  for (let i = 0; i < 80 && !focused.startsWith('TR'); i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => `${document.activeElement.tagName} ${document.activeElement.textContent.slice(0, 8)}`);
  }
  assert.match(focused, /^TR A-000001/);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/assets/A-000002');
  await page.getByRole('heading', { level: 1, name: /住民基本台帳データ/ }).waitFor();
});

test('an asset named like markup shows as text and runs nothing', async () => {
  const page = await newPage(browser);
  let dialog = false;
  page.on('dialog', (d) => { dialog = true; d.dismiss(); });
  await login(page, srv.url, ACCOUNTS.ciso, '/assets?q=img');
  await page.getByRole('cell', { name: XSS }).waitFor();
  await page.goto(`${srv.url}/#/assets/A-000999`);
  await page.getByRole('heading', { level: 1, name: /^A-000999/ }).waitFor();
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `A-000999　${XSS}`);
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(dialog, false);
});

test('an import with a bad row names the row; fixed, it imports', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, '/assets/import');
  const bad = join(srv.dir, '台帳.csv');
  writeFileSync(bad, '令和7年度 情報資産管理台帳（税務課）\n資産番号,資産名,種別,所管課,機密性,完全性,可用性,備考\n'
    + 'A-000500,滞納整理簿,情報,税務課,3,2,2,\nA-000501,口座振替依頼書,情報,税務課,9,2,2,機密性を誤記\n');
  await page.setInputFiles('input[type=file]', bad);
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /1 件の問題があります。何も取り込まれていません/);
  const row = await page.locator('table.diagnostics tbody tr').first().locator('td').allTextContents();
  assert.equal(row[0], '4');
  assert.match(row[1], /機密性/);
  // the server's own words, in the UI's language (Accept-Language: ja)
  assert.match(row.at(-1), /^機密性 列: 機密性 のレベル '9' は範囲外です/);
  // what it read past is shown too: the title row and the 備考 column
  assert.match(await page.getByRole('heading', { name: '読み飛ばした内容（確認してください）' }).locator('..').textContent(), /row 1 above it|備考/);
  await shot(page, 'import-problems-ja');
  // the fixed file is dropped on the zone, as a clerk drags it from the desktop
  const fixed = readFileSync(bad, 'utf8').replace(',9,2,2,機密性を誤記', ',3,2,2,');
  const drop = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], '台帳.csv', { type: 'text/csv' }));
    return dt;
  }, fixed);
  await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: drop });
  await page.getByRole('button', { name: '2 行を取り込む' }).click();
  await page.getByText('2 件を台帳に取り込みました。').waitFor();
  const asset = await page.evaluate(async () => (await fetch('/api/assets/A-000501')).json());
  assert.equal(asset.confidentiality, '3');
});

test('an edit is saved with PATCH and shows in the history with the fields it changed', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets/A-000010');
  await page.getByRole('button', { name: '内容を変更' }).click();
  await page.getByLabel('保管場所').fill('本庁舎 3 階 ネットワーク室');
  await page.getByLabel('完全性').selectOption('1');
  await page.getByRole('button', { name: '変更を保存' }).click();
  await page.getByText('保存しました。').waitFor();
  assert.match(await page.locator('dl').textContent(), /本庁舎 3 階 ネットワーク室/);
  const last = page.locator('section', { hasText: '変更の履歴' }).locator('tbody tr').last();
  assert.match(await last.textContent(), /変更保管場所、完全性$/);
  // nothing changed: said so, nothing sent
  await page.getByRole('button', { name: '内容を変更' }).click();
  await page.getByRole('button', { name: '変更を保存' }).click();
  await page.getByRole('alert').getByText('変更された項目がありません。').waitFor();
  assert.deepEqual(page.errors, []);
});

test('a disposal the policy refuses is shown with its clause; an irreversible one is recorded', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets/A-000016');
  await page.getByRole('button', { name: '廃棄を記録' }).click();
  await page.getByLabel('廃棄の方法').selectOption('delete');
  await page.getByRole('button', { name: '廃棄を記録' }).last().click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /取扱制限「復元不可能な処理を施しての廃棄」（対策基準 2\.1）があるため、復元できる方法「削除（ごみ箱・初期化）」では廃棄できません/);
  assert.equal(await page.getByLabel('廃棄の方法').getAttribute('aria-invalid'), 'true');
  await shot(page, 'dispose-refused-ja');
  await page.getByLabel('廃棄の方法').selectOption('degauss');
  await page.getByLabel('立会者').fill('佐藤');
  await page.getByRole('button', { name: '廃棄を記録' }).last().click();
  await page.getByText('廃棄を記録しました。').waitFor();
  assert.match(await page.locator('dl').textContent(), /磁気消去（実施 ciso、立会い 佐藤）/);
});

test('a 職員 (tanaka) sees only 税務課, no history, and may not dispose; the 管理者 (kanri) may', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/assets');
  await page.getByRole('table').first().waitFor();
  const depts = await page.locator('tbody tr td:nth-child(4)').allTextContents();
  assert.ok(depts.length > 0 && depts.every((d) => d === '税務課'), depts.join(','));
  await shot(page, 'assets-staff-ja');
  // another 課's asset: refused in words, nothing of it shown
  await page.goto(`${srv.url}/#/assets/A-000001`);
  await page.getByRole('heading', { level: 1, name: 'この資産を閲覧する権限がありません' }).waitFor();
  assert.equal(await page.getByText('住民基本台帳システム').count(), 0);
  // its own 課's asset: no trail for this role (and no refused request for it)
  await page.goto(`${srv.url}/#/assets/A-000004`);
  await page.getByText(/変更の履歴（監査証跡）は、全課の資産を閲覧できる役割/).waitFor();
  assert.equal(await page.getByRole('columnheader', { name: '実施者' }).count(), 0);
  // what the role may not do is not offered (GET /api/me's can)
  await page.getByRole('button', { name: '内容を変更' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '廃棄を記録' }).count(), 0);
  // a refusal that only the rows can tell: a row of another 課, named by its row, in words
  await page.goto(`${srv.url}/#/assets/import`);
  await page.setInputFiles('input[type=file]', { name: 'other.csv', mimeType: 'text/csv',
    buffer: Buffer.from('資産名,種別,所管課,機密性,完全性,可用性\n課税メモ,情報,税務課,2,2,1\n転入届控え,情報,市民課,2,2,1\n') });
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /あなたの役割（職員等）には、このファイルのすべての行を取り込む権限がありません/);
  assert.equal(await page.locator('table.diagnostics tbody tr td').first().textContent(), '3');
  await shot(page, 'import-forbidden-staff-ja');
  const kanri = await newPage(browser);
  await login(kanri, srv.url, ACCOUNTS.manager, '/assets/A-000004');
  await kanri.getByRole('button', { name: '廃棄を記録' }).click();
  await kanri.getByLabel('廃棄の方法').selectOption('shred');
  await kanri.getByRole('button', { name: '廃棄を記録' }).last().click();
  await kanri.getByText('廃棄を記録しました。').waitFor();
  assert.deepEqual([...page.errors, ...kanri.errors], []);
});

test('the auditor reads every 課 and the history, and is offered no change', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.auditor, '/assets');
  await page.getByRole('table').first().waitFor();
  assert.equal(await page.getByRole('link', { name: '新しい資産を登録' }).count(), 0);
  assert.equal(await page.getByRole('link', { name: '台帳ファイルを取り込む' }).count(), 0);
  await page.goto(`${srv.url}/#/assets/A-000001`);
  await page.getByRole('columnheader', { name: '実施者' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '内容を変更' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: '廃棄を記録' }).count(), 0);
  await page.goto(`${srv.url}/#/assets/import`);
  await page.getByRole('heading', { level: 1, name: 'この画面を使う権限がありません' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('the export downloads the current filter as XLSX and CSV', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets?department=shimin');
  await page.getByRole('table').first().waitFor();
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Excel/ }).click()]);
  assert.equal(xlsx.suggestedFilename(), 'mamori-assets.xlsx');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV で出力' }).click()]);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.match(text, /住民基本台帳システム/);
  assert.doesNotMatch(text, /個人住民税課税台帳/);
});

test('the report by 課 downloads the current filter as PDF and XLSX', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets?department=shimin');
  await page.getByRole('table').first().waitFor();
  const [pdf] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: '課別の台帳を PDF で作成' }).click()]);
  assert.equal(pdf.suggestedFilename(), 'mamori-register.pdf');
  const body = readFileSync(await pdf.path());
  assert.equal(body.subarray(0, 5).toString(), '%PDF-');
  const [xlsx] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: '課別の台帳を XLSX で作成' }).click()]);
  assert.equal(xlsx.suggestedFilename(), 'mamori-register.xlsx');
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');
  // the filter went along: the report's text (pdftotext, where poppler-utils is) holds 市民課 alone
  let text = null;
  try {
    text = execFileSync('pdftotext', ['-layout', await pdf.path(), '-'], { encoding: 'utf8' });
  } catch { /* no poppler-utils: the bytes above are what is checked */ }
  if (text !== null) {
    assert.match(text, /情報資産管理台帳/);
    assert.match(text, /住民基本台帳システム/);
    assert.doesNotMatch(text, /個人住民税課税台帳/);
  }
  assert.deepEqual(page.errors, []);
});

test('the register in English', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.ciso, '/assets');
  await page.getByRole('heading', { name: 'Information asset register' }).waitFor();
  await shot(page, 'assets-en');
  await page.goto(`${srv.url}/#/assets/A-000002`);
  await page.getByRole('heading', { name: 'Handling restrictions (取扱制限)' }).waitFor();
  await shot(page, 'asset-en');
  await page.getByRole('button', { name: 'Record a disposal' }).click();
  await page.getByLabel('Method').selectOption('delete');
  await page.getByRole('button', { name: 'Record a disposal' }).last().click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(),
    /This asset has the handling restriction “復元不可能な処理を施しての廃棄” \(対策基準 2\.1\), so it cannot be disposed of by “Deletion \(recycle bin, formatting\)”/);
  await shot(page, 'dispose-refused-en');
  await page.goto(`${srv.url}/#/assets/new`);
  await page.getByRole('heading', { name: 'Register an information asset' }).waitFor();
  await shot(page, 'asset-new-en');
  await page.goto(`${srv.url}/#/assets/import`);
  await page.getByRole('heading', { name: 'Import a register file' }).waitFor();
  await page.setInputFiles('input[type=file]', { name: 'ledger.csv', mimeType: 'text/csv',
    buffer: Buffer.from('資産名,種別,所管課,機密性,完全性,可用性\n庁内掲示,情報,総務課,5,1,1\n') });
  await page.getByRole('alert').waitFor();
  // the server's own words in English (Accept-Language: en), not in the server's LANG nor Japanese
  const problem = await page.locator('table.diagnostics tbody tr').first().locator('td').last().textContent();
  assert.match(problem, /^column 機密性: level '5' of 機密性 is out of range/);
  await shot(page, 'import-problems-en');
  assert.deepEqual(page.errors, []);
});

test('a new asset is registered from the form (Japanese screenshots of the form and import)', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, '/assets/new');
  await page.getByRole('heading', { name: '情報資産の登録' }).waitFor();
  await page.getByLabel('名称').fill('納税通知書控え');
  await page.getByLabel('種別').selectOption({ label: '印刷した文書' });
  await page.getByLabel('所管課').selectOption({ label: '税務課' });
  await page.getByLabel('機密性').selectOption('2');
  await page.getByLabel('完全性').selectOption('2');
  await page.getByLabel('可用性').selectOption('1');
  await shot(page, 'asset-new-ja');
  await page.getByRole('button', { name: '登録する' }).click();
  await page.getByText('保存しました。').waitFor();
  assert.match(await page.locator('h1').textContent(), /^A-\d+　納税通知書控え$/);
  await page.goto(`${srv.url}/#/assets/import`);
  await page.getByRole('heading', { name: '台帳ファイルの取り込み' }).waitFor();
  await shot(page, 'import-ja');
  assert.deepEqual(page.errors, []);
});

test('at 200 % zoom of a 1366×768 screen nothing but the register table scrolls sideways', async () => {
  const context = await browser.newContext({ viewport: { width: 683, height: 384 }, deviceScaleFactor: 2, locale: 'ja-JP' });
  await context.addInitScript(() => localStorage.setItem('mamori.lang', 'ja'));
  const page = await context.newPage();
  await login(page, srv.url, ACCOUNTS.ciso);
  for (const [path, name] of [['/', 'zoom200-home-ja'], ['/assets', 'zoom200-assets-ja'], ['/assets/A-000002', 'zoom200-asset-ja'],
    ['/assets/import', 'zoom200-import-ja'], ['/assets/new', 'zoom200-asset-new-ja']]) {
    await page.goto(`${srv.url}/#${path}`);
    await page.locator('h1').waitFor();
    await page.waitForLoadState('networkidle');
    const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(scroll <= client, `${path}: the page is ${scroll}px wide in a ${client}px window`);
    await shot(page, name);
  }
  await context.close();
});
