// policy.test.mjs — ポリシー: the document rebuilt through the allow-list with
// its contents and clause anchors, the id and version, and the replacement —
// only for a role that manages the policy — refused with a bad YAML's line and
// column, then done with a good file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { startServer, launch, newPage, login, ACCOUNTS, SRCDIR, SHOTS } from './harness.mjs';

// The document is long: a screenshot of what the screen shows (not the whole page).
async function view(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

let srv, browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('every role reads the document with its contents; only the CISO may replace it', async () => {
  for (const who of ['staff', 'manager', 'auditor', 'ciso']) {
    const page = await newPage(browser);
    await login(page, srv.url, ACCOUNTS[who], '/policy');
    await page.getByRole('heading', { level: 1, name: 'ポリシー' }).waitFor();
    await page.getByRole('heading', { name: '1 目的' }).waitFor();
    assert.match(await page.locator('.details').textContent(), /mic-standard/);
    const toc = await page.getByRole('navigation', { name: '目次' }).getByRole('link').allTextContents();
    assert.ok(toc.includes('6 情報セキュリティ対策') && toc.includes('2 情報資産の分類と管理'), toc.join('|'));
    // the document's markup is rebuilt: no style, no script, no attribute but ids
    assert.equal(await page.locator('.policy-doc style, .policy-doc script, .policy-doc [style], .policy-doc [class]').count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'ポリシーの差し替え' }).count(), who === 'ciso' ? 1 : 0, who);
    assert.doesNotMatch(await page.locator('main').textContent(), /\bnull\b/);
    if (who === 'staff') await view(page, 'policy-staff-ja');
    assert.deepEqual(page.errors, [], who);
    await page.close();
  }
});

test('the 三層分離: each segment a box with its networks and gateways, each allowed flow an arrow and a row', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/policy');
  const section = page.getByRole('region', { name: 'ネットワークの分離（三層分離）' });
  await section.waitFor();
  const figure = section.getByRole('img', { name: 'ネットワーク区分と許された通信の図' });
  const words = await figure.textContent();
  for (const w of ['マイナンバー利用事務系', '他の区分から分離', 'LGWAN接続系', '10.20.0.0/16', 'メール無害化ゲートウェイ',
    '10.20.0.25 : 25, 587', 'インターネット接続系', '画面転送サーバ'])
    assert.ok(words.includes(w), `${w} in the picture`);
  // one arrow per flow of mic-standard, and the isolated segment marked
  assert.equal(await figure.locator('path.net-flow').count(), 4);
  assert.equal(await figure.locator('rect.net-isolated').count(), 1);
  const rows = await section.locator('tbody tr').allTextContents();
  assert.equal(rows.length, 4, rows.join(' / '));
  assert.ok(rows.some((r) => /インターネット接続系LGWAN接続系電子メールメール本文のテキスト化メール無害化ゲートウェイ（10\.20\.0\.25, fd00:20::25 : 25, 587）基本方針 2\(12\), 6\(3\)②/.test(r)),
    rows.join(' / '));
  await figure.scrollIntoViewIfNeeded();
  await view(page, 'policy-network-ja');
  assert.deepEqual(page.errors, []);
  await page.close();
  const en = await newPage(browser, { lang: 'en' });
  await login(en, srv.url, ACCOUNTS.staff, '/policy');
  await en.getByRole('region', { name: 'Network separation (三層分離)' }).getByRole('cell', { name: 'Mail converted to plain text' }).first().waitFor();
  assert.deepEqual(en.errors, []);
  await en.close();
});

test('a contents link moves to its clause', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.staff, '/policy');
  await page.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: '6 情報セキュリティ対策' }).click();
  await page.waitForFunction(() => document.activeElement.id === 'clause-kihon-6');
  assert.match(page.url(), /clause=clause-kihon-6/);
  await view(page, 'policy-clause-en');
  assert.deepEqual(page.errors, []);
});

test('a bad YAML is refused with its line and column; a good one replaces the policy', async () => {
  const bad = join(srv.dir, 'bad.yaml');
  writeFileSync(bad, 'id: broken\ntitle: [\n');
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/policy');
  await page.getByLabel('ポリシーファイル').setInputFiles(bad);
  await page.getByRole('button', { name: '検査する' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /ポリシーファイルに誤りがあります/);
  const row = await page.locator('table.diagnostics tbody tr').first().locator('td').allTextContents();
  assert.equal(row[0], '3');		// line
  assert.equal(row[1], '1');		// column
  assert.equal(await page.getByRole('button', { name: '差し替える' }).count(), 0);
  await view(page, 'policy-invalid-ja');
  // the same policy with another version: valid, confirmed, in force
  const good = join(srv.dir, 'good.yaml');
  const src = readFileSync(join(SRCDIR, 'policies/mic-standard.yaml'), 'utf8');
  writeFileSync(good, src.replace(/^version: .*$/m, 'version: 試験版'));
  await page.getByLabel('ポリシーファイル').setInputFiles(good);
  await page.getByRole('button', { name: '検査する' }).click();
  await page.getByText('ポリシー mic-standard に問題はありません。').waitFor();
  await page.getByRole('button', { name: '差し替える' }).click();
  await page.getByText(/ポリシーを mic-standard（試験版）に差し替えました/).waitFor();
  await page.getByRole('button', { name: '新しいポリシーを表示' }).click();
  await page.locator('.details', { hasText: '試験版' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('a replacement that would leave assets invalid is refused (409), the screen naming them in words', async () => {
  // the policy without 税務課: valid in itself, but the register's 税務課 assets and tanaka would break
  const src = readFileSync(join(SRCDIR, 'policies/mic-standard.yaml'), 'utf8');
  assert.match(src, /^ *- \{ id: zeimu, title: 税務課.*\n/m);
  const file = join(srv.dir, 'no-zeimu.yaml');
  writeFileSync(file, src.replace(/^ *- \{ id: zeimu, title: 税務課.*\n/m, ''));
  for (const lang of ['ja', 'en']) {
    const page = await newPage(browser, { lang });
    const ja = lang === 'ja';
    await login(page, srv.url, ACCOUNTS.ciso, '/policy');
    await page.getByLabel(ja ? 'ポリシーファイル' : 'Policy file').setInputFiles(file);
    await page.getByRole('button', { name: ja ? '検査する' : 'Check' }).click();
    const put = page.waitForResponse((r) => r.url().endsWith('/api/policy') && r.request().method() === 'PUT');
    await page.getByRole('button', { name: ja ? '差し替える' : 'Replace' }).click();
    assert.equal((await put).status(), 409);
    const alert = page.getByRole('alert');
    await alert.getByText(ja ? 'ポリシーを差し替えませんでした。' : 'The policy was not replaced.').waitFor();
    assert.match(await alert.textContent(), ja ? /何も変わっていません/ : /nothing was changed/);
    // the assets by id and name, their 課 by its title, each a link to the asset
    const link = alert.getByRole('link', { name: 'A-000003 個人住民税課税台帳' });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), '#/assets/A-000003');
    assert.match(await alert.getByRole('row', { name: /A-000003/ }).textContent(), /（税務課）.*zeimu/);
    await alert.getByRole('row', { name: /A-000004/ }).waitFor();
    await alert.getByText(ja ? '利用者 tanaka' : 'account tanaka', { exact: true }).waitFor();
    await alert.scrollIntoViewIfNeeded();
    await view(page, `policy-conflict-${lang}`);
    // nothing changed: the policy in force still has 税務課
    assert.ok((await page.evaluate(async () => (await (await fetch('/api/policy')).json()).organisation.departments
      .map((d) => d.id))).includes('zeimu'));
    await link.click();
    await page.getByRole('heading', { level: 1, name: /A-000003/ }).waitFor();
    assert.deepEqual(page.errors, []);
  }
});
