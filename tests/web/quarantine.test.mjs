// quarantine.test.mjs — 隔離: the list for approvers and trail readers, the
// request by id for a 職員, and the release by two people (二人制): the
// requester is told to wait and offered no release; another approver
// releases; the requester downloads the original.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launch, newPage, login, shot, mamori, ACCOUNTS, SRCDIR } from './harness.mjs';

let srv, browser, id;
before(async () => {
  srv = await startServer();
  // a second quarantined mail, for the CISO to ask for itself
  const mail = readFileSync(join(SRCDIR, 'examples/mail-html.eml'), 'utf8')
    .replace(/^Message-ID: .*$/mi, 'Message-ID: <second@example.com>').replace(/^Subject: .*$/mi, 'Subject: second');
  writeFileSync(join(srv.dir, 'second.eml'), mail);
  mamori(['sanitize', 'mail', '--quarantine', srv.quarantine, '--policy', 'policies/mic-standard.yaml'],
    { input: readFileSync(join(srv.dir, 'second.eml')) });
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the CISO sees the list with sender, subject, attachments and state', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/quarantine');
  await page.getByRole('heading', { level: 1, name: '隔離' }).waitFor();
  const row = page.getByRole('row', { name: /固定資産税の資料/ });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.match(cells[1], /sales@example\.com/);
  assert.match(cells[3], /shiryou\.xlsm/);
  assert.equal(cells[5], '保管中');
  await row.click();
  await page.waitForFunction(() => location.hash.startsWith('#/quarantine?id='));
  id = decodeURIComponent(/id=([0-9a-f]+)/.exec(await page.evaluate(() => location.hash))[1]);
  await page.getByRole('heading', { name: '原本の詳細' }).waitFor();
  await shot(page, 'quarantine-ciso-ja');
  assert.deepEqual(page.errors, []);
});

test('a 職員 sees no list, asks by id with a reason, and cannot release it', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/quarantine');
  await page.getByRole('heading', { level: 1, name: '隔離' }).waitFor();
  assert.equal(await page.getByRole('table').count(), 0);
  await page.getByRole('textbox', { name: '隔離 ID' }).fill(id.slice(0, 16));
  await page.getByRole('button', { name: '開く' }).click();
  await page.getByLabel('原本が必要な理由').fill('固定資産税の申告資料の原本確認のため');
  await page.getByRole('button', { name: '原本を申請する' }).click();
  await page.getByText(/原本を申請しました/).waitFor();
  // asking again while the request is open: refused with the reason
  await page.getByLabel('原本が必要な理由').fill('もう一度');
  await page.getByRole('button', { name: '原本を申請する' }).click();
  await page.getByText('この原本にはすでに申請があります。').waitFor();
  assert.equal(await page.getByRole('button', { name: '承認して解放する' }).count(), 0);
  await shot(page, 'quarantine-staff-ja');
  assert.deepEqual(page.errors, []);
});

test('the auditor reads the list but is offered no release', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.auditor, `/quarantine?id=${id}`);
  await page.getByText('Requested (awaiting approval)').first().waitFor();
  await page.getByText(/tanaka asked \(reason: 固定資産税/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Approve and release' }).count(), 0);
  await shot(page, 'quarantine-auditor-en');
  assert.deepEqual(page.errors, []);
});

test('a second person releases it; the requester downloads the original', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.manager, `/quarantine?id=${id}`);
  await page.getByText(/tanaka の申請です/).waitFor();
  await page.getByRole('button', { name: '承認して解放する' }).click();
  await page.getByText(/原本を解放しました/).waitFor();
  await page.getByText(/kanri が tanaka の申請を承認して解放/).waitFor();
  await shot(page, 'quarantine-released-ja');
  assert.deepEqual(page.errors, []);
  const staff = await newPage(browser);
  await login(staff, srv.url, ACCOUNTS.staff, `/quarantine?id=${id}`);
  const wait = staff.waitForEvent('download');
  await staff.getByRole('button', { name: '原本をダウンロード' }).click();
  const file = join(srv.dir, 'original.eml');
  await (await wait).saveAs(file);
  assert.deepEqual(readFileSync(file), readFileSync(join(SRCDIR, 'examples/mail-html.eml')));
  assert.deepEqual(staff.errors, []);
});

test('二人制: the CISO cannot approve its own request; a second approval of a released one is refused in words', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/quarantine');
  await page.getByRole('row', { name: /second/ }).click();
  await page.getByLabel('原本が必要な理由').fill('調査のため');
  await page.getByRole('button', { name: '原本を申請する' }).click();
  await page.getByText(/原本を申請しました/).waitFor();
  await page.getByText(/申請者本人は承認できません/).waitFor();
  assert.equal(await page.getByRole('button', { name: '承認して解放する' }).count(), 0);
  await shot(page, 'quarantine-own-request-ja');
  // two windows of an approver: the first releases, the second is told why it cannot
  const [a, b] = [await newPage(browser), await newPage(browser)];
  for (const p of [a, b]) {
    await login(p, srv.url, ACCOUNTS.manager, '/quarantine');
    await p.getByRole('row', { name: /second/ }).click();
  }
  await a.getByRole('button', { name: '承認して解放する' }).click();
  await a.getByText(/原本を解放しました/).waitFor();
  await b.getByRole('button', { name: '承認して解放する' }).click();
  await b.getByText('この原本には承認待ちの申請がありません。').waitFor();
  await shot(b, 'quarantine-refused-ja');
  for (const p of [page, a, b]) assert.deepEqual(p.errors, []);
});

test('隔離 in English: the list, an original with its history, and the request form of a 職員', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.ciso, '/quarantine');
  await page.getByRole('heading', { level: 1, name: 'Quarantine' }).waitFor();
  const row = page.getByRole('row', { name: /固定資産税の資料/ });
  await row.waitFor();
  assert.deepEqual(await page.locator('thead th').allTextContents(),
    ['Received', 'From', 'Subject', 'Attachments', 'Why quarantined', 'State']);
  // a time an English reader cannot misread (not 06/12/2026: June or December?)
  assert.match(await row.locator('td').first().textContent(), /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d$/);
  await shot(page, 'quarantine-list-en');
  await row.click();
  await page.getByRole('heading', { name: 'The original' }).waitFor();
  await page.getByRole('heading', { name: 'History' }).waitFor();
  await shot(page, 'quarantine-ciso-en');
  const staff = await newPage(browser, { lang: 'en' });
  await login(staff, srv.url, ACCOUNTS.staff, '/quarantine');
  await staff.getByRole('heading', { level: 1, name: 'Quarantine' }).waitFor();
  await staff.getByRole('textbox', { name: 'Quarantine id' }).fill(id.slice(0, 16));
  await staff.getByRole('button', { name: 'Open' }).click();
  await staff.getByRole('heading', { name: 'The original' }).waitFor();
  await shot(staff, 'quarantine-staff-en');
  for (const p of [page, staff]) assert.deepEqual(p.errors, []);
});
