// reports.test.mjs — 報告書 in the browser (docs/reports.md): リスク評価表 from the
// risk map and 自己点検結果報告書 from a campaign's record, downloaded as PDF and
// XLSX by the roles that read every 課; a 課's manager is not offered them.
// (The register's report: register.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS } from './harness.mjs';

let srv, browser;
before(async () => {
  srv = await startServer();
  browser = await launch();
  mamori(['record', 'new', 'risk', '--db', srv.db, '--by', ACCOUNTS.ciso.name, '--set', 'threat=intentional',
    '--set', 'department=zeimu', '--set', 'description=課税台帳への不正アクセス', '--set', 'likelihood=4', '--set', 'impact=5']);
  mamori(['record', 'new', 'self-check', '--db', srv.db, '--by', ACCOUNTS.ciso.name, '--set', 'year=2026',
    '--set', 'departments=zeimu', '--set', 'due=2026-12-20']);
});
after(async () => { await browser?.close(); await srv?.stop(); });

// The text of a downloaded PDF (pdftotext, where poppler-utils is; else null: the bytes are checked).
function pdfText(path) {
  try {
    return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  } catch {
    return null;
  }
}

test('the CISO downloads リスク評価表 from the risk map', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/risks');
  await page.locator('table.heatmap').waitFor();
  const [pdf] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'リスク評価表を PDF で作成' }).click()]);
  assert.equal(pdf.suggestedFilename(), 'mamori-risks.pdf');
  const path = await pdf.path();
  assert.equal(readFileSync(path).subarray(0, 5).toString(), '%PDF-');
  const text = pdfText(path);
  if (text !== null) {
    assert.match(text, /リスク評価表/);
    assert.match(text, /課税台帳への不正アクセス/);
  }
  const [xlsx] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'リスク評価表を XLSX で作成' }).click()]);
  assert.equal(xlsx.suggestedFilename(), 'mamori-risks.xlsx');
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');
  await shot(page, 'risks-report-buttons');
  assert.deepEqual(page.errors, []);
});

test('the CISO downloads 自己点検結果報告書 from the campaign\'s record', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/records/self-check/SC-000001');
  await page.getByRole('heading', { name: '履歴' }).waitFor();
  const [pdf] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: '報告書を PDF で作成' }).click()]);
  assert.equal(pdf.suggestedFilename(), 'mamori-self-check.pdf');
  const text = pdfText(await pdf.path());
  if (text !== null) {
    assert.match(text, /自己点検結果報告書/);
    assert.match(text, /SC-000001/);
  }
  assert.deepEqual(page.errors, []);
});

test('a 課\'s manager is not offered the reports of every 課', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, '/risks');
  await page.locator('table.heatmap').waitFor();
  assert.equal(await page.getByRole('button', { name: /リスク評価表/ }).count(), 0);
  assert.deepEqual(page.errors, []);
});
