// record_files.test.mjs — a record's files in the record's detail: the reporter
// attaches a file with a Japanese name, the list shows its name, size, who and
// when (Tokyo time) with a download link, the download is the same bytes under
// the same name; the 課's manager sees it in English with the history's line;
// a closed record offers no upload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS } from './harness.mjs';

let srv, browser, id, closed;
const NAME = '紛失届 写真（12月5日）.png';
const CONTENT = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(5000)]);

before(async () => {
  srv = await startServer();
  browser = await launch();
  id = mamori(['incident', 'report', '--db', srv.db, '--by', ACCOUNTS.staff.name, '--set', 'summary=USBメモリを紛失した']).stdout.trim();
  closed = mamori(['incident', 'report', '--db', srv.db, '--by', ACCOUNTS.staff.name, '--set', 'summary=誤報']).stdout.trim();
  mamori(['record', 'move', closed, 'withdrawn', '--db', srv.db, '--by', ACCOUNTS.staff.name]);
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the reporter attaches a file with a Japanese name and downloads it back', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, `/records/incident/${id}`);
  const files = page.getByRole('region', { name: '添付ファイル' });
  await files.getByText('添付ファイルはありません。').waitFor();
  await files.getByRole('button', { name: 'ファイルを添付する' }).waitFor();
  await page.locator('#record-file').setInputFiles({ name: NAME, mimeType: 'image/png', buffer: CONTENT });
  await files.getByText(`${NAME} を添付しました。`).waitFor();
  const row = files.getByRole('row', { name: new RegExp(NAME.replace(/[()（）]/g, '.')) });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[0], NAME);
  assert.equal(cells[1], '4.9 KB');
  assert.equal(cells[2], ACCOUNTS.staff.name);
  assert.match(cells[3], /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);	// Tokyo time, Japanese style
  // the history says so
  assert.match((await page.locator('ol.timeline li').allTextContents()).join('\n'), new RegExp(`ファイル添付：${NAME.replace(/[()（）]/g, '.')}`));
  await shot(page, 'record-files-ja');
  const wait = page.waitForEvent('download');
  await row.getByRole('link', { name: NAME }).click();
  const download = await wait;
  assert.equal(download.suggestedFilename(), NAME);
  const saved = join(srv.dir, 'downloaded.png');
  await download.saveAs(saved);
  assert.ok(readFileSync(saved).equals(CONTENT), 'the download is the same bytes');
  // the CLI reads back the same file
  const r = mamori(['record', 'files', id, '--json', '--db', srv.db]);
  assert.deepEqual(JSON.parse(r.stdout).map((f) => [f.name, f.size, f.type]), [[NAME, CONTENT.length, 'image/png']]);
  assert.deepEqual(page.errors, []);
});

test('in English, for the 課\'s manager; an upload refused says why', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.manager, `/records/incident/${id}`);
  const files = page.getByRole('region', { name: 'Files' });
  for (const h of ['Name', 'Size', 'Added by', 'Added'])
    await files.getByRole('columnheader', { name: h, exact: true }).waitFor();
  await files.getByRole('link', { name: NAME }).waitFor();
  assert.match(await page.locator('ol.timeline').textContent(), /attached 紛失届/);
  // a name with a control character is refused by the server, and the page says so
  await page.locator('#record-file').setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
  await files.getByRole('alert').filter({ hasText: /empty/ }).waitFor();
  await shot(page, 'record-files-en');
  assert.doesNotMatch(await files.textContent(), /null|undefined/);
  assert.deepEqual(page.errors.filter((e) => !/422/.test(e)), []);
});

test('a closed record shows its files but offers no upload', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, `/records/incident/${closed}`);
  const files = page.getByRole('region', { name: '添付ファイル' });
  await files.getByText('添付ファイルはありません。').waitFor();
  assert.equal(await files.getByRole('button', { name: 'ファイルを添付する' }).count(), 0);
  assert.deepEqual(page.errors, []);
});
