// record_file_fields.test.mjs — a field of type file: a policy whose incident
// gains 「証拠写真」 (type file, multiple) — replaced through the API by the CISO —
// lets the reporter choose it as where an uploaded file goes; the field then
// shows the file's name as a download link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS, SRCDIR } from './harness.mjs';

let srv, browser, id;

before(async () => {
  srv = await startServer();
  browser = await launch();
  id = mamori(['incident', 'report', '--db', srv.db, '--by', ACCOUNTS.staff.name, '--set', 'summary=USBメモリを紛失した']).stdout.trim();
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('a file uploaded into the incident\'s file field shows in that field as a link', async () => {
  // the CISO replaces the policy: mic-standard itself, its incident with a file field added
  const yaml = readFileSync(join(SRCDIR, 'policies', 'mic-standard.yaml'), 'utf8').replace(
    '      - { id: prevention, title: 再発防止策, type: longtext, clause: 基本方針 6(7) }\n',
    '      - { id: prevention, title: 再発防止策, type: longtext, clause: 基本方針 6(7) }\n' +
    '      - { id: photos, title: 証拠写真, type: file, multiple: true }\n');
  assert.ok(yaml.includes('証拠写真'));
  const ciso = await newPage(browser);
  await login(ciso, srv.url, ACCOUNTS.ciso, '/');
  const status = await ciso.evaluate(async (body) => {
    const api = await import('/js/api.js');
    await api.request('PUT', '/api/policy', { raw: body, contentType: 'application/yaml' });
    return 'ok';
  }, yaml);
  assert.equal(status, 'ok');
  await ciso.close();

  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, `/records/incident/${id}`);
  const files = page.getByRole('region', { name: '添付ファイル' });
  await files.getByLabel('添付先').selectOption({ label: '証拠写真' });
  const file = join(srv.dir, '現場の写真.txt');
  writeFileSync(file, 'photo of the desk\n');
  const chooser = page.waitForEvent('filechooser');
  await files.getByRole('button', { name: 'ファイルを添付する' }).click();
  await (await chooser).setFiles(file);
  await page.getByText('現場の写真.txt を添付しました。').waitFor();
  const details = page.locator('dl.details');
  const link = details.getByRole('link', { name: '現場の写真.txt' });
  await link.waitFor();
  assert.match(await link.getAttribute('href'), /\/files\/1$/);
  await shot(page, 'records-file-field-ja');
  const shown = JSON.parse(mamori(['record', 'show', id, '--db', srv.db, '--json']).stdout);
  assert.deepEqual(shown.fields.photos, [1]);
  assert.deepEqual(page.errors, []);
});
