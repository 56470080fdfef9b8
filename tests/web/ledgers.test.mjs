// ledgers.test.mjs — the registers of Operations II in the browser: a
// contract made through the generic form, concluded with its checklist of
// security requirements (a box each), shown with the policy's titles; its term
// ended by tick, the contractor's login refused and the home screen counting
// it; the training screen — what each role sees of it, the 課's figures, and
// the reminder button for the 統括 only; a retirement from the 利用者 screen
// that lists what the person held, to hand over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS } from './harness.mjs';

let srv, browser;
const vendor = { name: 'vendor-w', password: 'pw-vendor-web' };
before(async () => {
  srv = await startServer();
  browser = await launch();
  mamori(['user', 'add', vendor.name, '--role', 'contractor', '--department', 'zeimu', '--db', srv.db, '--password-stdin'],
    { input: `${vendor.password}\n` });
  mamori(['user', 'add', 'sato', '--role', 'staff', '--department', 'zeimu', '--db', srv.db]);
  mamori(['user', 'add', 'ito', '--role', 'staff', '--department', 'soumu', '--db', srv.db]);
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('a contract: made from the form, concluded with its checklist, shown with the policy\'s titles', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, '/records/contractor/new');
  await page.getByRole('heading', { level: 1, name: /外部委託/ }).waitFor();
  await page.locator('input[name="contractor"]').fill('株式会社みなと情報');
  await page.getByLabel(/委託する業務の範囲/).fill('税務システムの保守');
  await page.getByLabel(/所管課/).selectOption({ label: '税務課' });
  await page.getByLabel('委託事業者の利用者').fill(vendor.name);
  await page.getByRole('button', { name: '登録する' }).click();
  await page.waitForFunction(() => /^#\/records\/contractor\/K-/.test(location.hash));
  // 契約中 requires the term and the checklist: a date each and a box per requirement of the policy
  await page.getByRole('heading', { name: '次の手続' }).waitFor();
  await page.getByLabel('契約開始日').fill('2026-04-01');
  await page.getByLabel('契約終了日').fill('2026-12-31');
  const checklist = page.getByRole('group', { name: '契約に明記した情報セキュリティ要件' });
  assert.equal(await checklist.getByRole('checkbox').count(), 8);
  await checklist.getByLabel('守秘義務').check();
  await checklist.getByLabel('再委託の制限').check();
  await checklist.getByLabel('事故時の報告').check();
  await shot(page, 'registers-contract-ja');
  await page.getByRole('button', { name: /^契約中/ }).click();
  await page.locator('dl.details', { hasText: '状態契約中' }).waitFor();
  const details = await page.locator('dl.details').textContent();
  assert.match(details, /再委託の制限、守秘義務、事故時の報告/);
  // the periodic check is a step of its own, with its date and result
  assert.match(await page.getByRole('button', { name: /確認結果を記録する/ }).textContent(), /契約中/);
  assert.deepEqual(page.errors, []);
});

test('the term ends: the contractor may no longer log in, the home screen counts the contract', async () => {
  const before = await fetch(`${srv.url}/api/login`, { method: 'POST',
    body: JSON.stringify({ username: vendor.name, password: vendor.password }) });
  assert.equal(before.status, 200);
  mamori(['record', 'tick', '--db', srv.db, '--now', '2027-01-01 00:10']);
  const after = await fetch(`${srv.url}/api/login`, { method: 'POST',
    body: JSON.stringify({ username: vendor.name, password: vendor.password }) });
  assert.equal(after.status, 401);
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/');
  const card = page.locator('.card', { hasText: '契約期間が満了した委託契約' });
  await card.getByRole('link', { name: '1' }).waitFor();
  assert.match(await card.textContent(), /利用者は無効にしました/);
  await card.getByRole('link', { name: '1' }).click();
  await page.getByRole('cell', { name: '契約期間満了' }).waitFor();
  await shot(page, 'registers-expired-ja');
  assert.deepEqual(page.errors, []);
});

test('training: each role sees what it may; the 統括 sends reminders', async () => {
  const out = mamori(['record', 'new', 'course', '--db', srv.db, '--by', ACCOUNTS.manager.name, '--json',
    '--set', 'name=情報セキュリティ研修（全職員）', '--set', 'recurrence=一度', '--set', 'due=2026-01-31',
    '--set', 'audience_roles=staff']).stdout;
  const course = JSON.parse(out).id;
  mamori(['record', 'move', course, 'active', '--db', srv.db, '--by', ACCOUNTS.manager.name]);
  const sheet = join(srv.dir, 'sheet.csv');
  writeFileSync(sheet, `研修,受講者,受講日\n${course},ito,2026-01-10\n`);
  mamori(['record', 'import', 'attendance', sheet, '--db', srv.db, '--by', ACCOUNTS.manager.name]);

  const staff = await newPage(browser);
  await login(staff, srv.url, ACCOUNTS.staff, '/training');
  await staff.getByRole('heading', { level: 2, name: new RegExp(course) }).waitFor();
  const mine = await staff.getByRole('table', { name: '対象者ごとの受講状況' }).locator('tbody tr').allTextContents();
  assert.deepEqual(mine.map((r) => r.replace(/\s+/g, '')), ['tanaka税務課期限超過—']);
  assert.equal(await staff.getByRole('button', { name: /督促/ }).count(), 0);

  const manager = await newPage(browser);
  await login(manager, srv.url, ACCOUNTS.manager, '/training');
  const people = manager.getByRole('table', { name: '対象者ごとの受講状況' });
  await people.waitFor();
  assert.deepEqual((await people.locator('tbody td:first-child').allTextContents()).sort(), ['sato', 'tanaka']);

  const ciso = await newPage(browser);
  await login(ciso, srv.url, ACCOUNTS.ciso, '/training?overdue=1');
  const overdue = ciso.getByRole('table', { name: '受講期限を過ぎた人' });
  await overdue.waitFor();
  assert.deepEqual((await overdue.locator('tbody td:first-child').allTextContents()).sort(), ['sato', 'tanaka']);
  const byDept = await ciso.getByRole('table', { name: '課別の受講状況' }).locator('tbody tr').allTextContents();
  assert.equal(byDept.length, 2, byDept.join(' / '));
  await shot(ciso, 'registers-training-ja');
  await ciso.getByRole('button', { name: '期限を過ぎた人に督促を送る' }).click();
  // 2, or 0 when serve's minute tick (which reminds too) was first: either way each was told once
  await ciso.getByText(/^[02] 人に督促のお知らせを送りました/).waitFor();
  // the reminder is the staff member's notice
  await staff.goto(`${srv.url}/#/notices`);
  await staff.getByRole('cell', { name: '受講期限を過ぎた研修があります' }).waitFor();
  for (const p of [staff, manager, ciso]) assert.deepEqual(p.errors, []);
});

test('retire from the 利用者 screen: the account is disabled and what it held is listed to hand over', async () => {
  mamori(['record', 'new', 'media', '--db', srv.db, '--by', ACCOUNTS.manager.name, '--set', 'label=USB-W1',
    '--set', 'media_type=usb', '--set', 'department=zeimu', '--set', 'holder=sato', '--set', 'highest_class=c2']);
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/users?name=sato');
  await page.getByText('異動・退職').click();
  await page.getByLabel(/退職の理由/).fill('令和8年12月31日 退職');
  await page.getByRole('button', { name: '退職にする' }).click();
  await page.getByText('退職にしました').waitFor();
  const held = page.locator('.holdings');
  await held.getByText('引き継ぎが必要なもの').waitFor();
  const link = held.getByRole('link', { name: /^MD-/ });
  assert.match(await link.getAttribute('href'), /^#\/records\/media\/MD-/);
  assert.match(await held.textContent(), /外部記録媒体管理台帳（登録）.*holder/);
  await page.locator('dl.details', { hasText: '停止中' }).waitFor();
  await shot(page, 'registers-retire-ja');
  assert.deepEqual(page.errors, []);
});
