// decide.test.mjs — 判定を試す: choices with the policy's Japanese titles, a
// denial and an allowance shown as a card with the clauses cited (linked to
// the policy screen), and the refusal to decide about another subject.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, shot, ACCOUNTS } from './harness.mjs';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('a 職員 sending 機密性2 mail to the internet: a card with its obligations and clauses', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/decide');
  await page.getByRole('heading', { level: 1, name: '判定を試す' }).waitFor();
  // the form starts from the account itself, with titles from the policy
  assert.equal(await page.getByLabel('役割').locator('option:checked').textContent(), '職員等');
  assert.equal(await page.getByLabel('所属課').locator('option:checked').textContent(), '税務課');
  await page.getByLabel('使用している端末のネットワーク区分').selectOption({ label: 'インターネット接続系' });
  await page.getByLabel('操作').selectOption('send');
  await page.getByLabel('機密性', { exact: true }).selectOption('2');
  await page.getByLabel('情報が置かれているネットワーク区分').selectOption({ label: 'インターネット接続系' });
  await page.getByLabel('経路').selectOption('mail');
  await page.getByLabel('送り先のネットワーク区分').selectOption('internet');
  await page.getByRole('button', { name: '判定する' }).click();
  const card = page.getByRole('article', { name: '判定結果' });
  await card.waitFor();
  assert.equal(await card.locator('.verdict').textContent(), '許可');
  assert.match(await card.textContent(), /守るべき事項/);
  const clauses = await card.locator('.clause a').allTextContents();
  assert.ok(clauses.some((c) => /対策基準|基本方針/.test(c)), clauses.join(','));
  await shot(page, 'decide-allow-ja');
  // a clause opens the policy document at that clause
  await card.locator('.clause a').first().click();
  await page.waitForFunction(() => location.hash.startsWith('#/policy?clause='));
  await page.getByRole('heading', { level: 1, name: 'ポリシー' }).waitFor();
  await page.waitForFunction(() => document.activeElement && /^clause-/.test(document.activeElement.id));
  assert.deepEqual(page.errors, []);
});

test('a denial shows its reasons, in English too', async () => {
  const page = await newPage(browser, { lang: 'en' });
  await login(page, srv.url, ACCOUNTS.staff, '/decide');
  await page.getByLabel('Action').selectOption('publish');
  await page.getByLabel('機密性', { exact: true }).selectOption('3');
  await page.getByRole('button', { name: 'Decide' }).click();
  const card = page.getByRole('article', { name: 'Decision' });
  await card.waitFor();
  assert.equal(await card.locator('.verdict').textContent(), 'Denied');
  assert.match(await card.locator('.decision-reasons').textContent(), /classified-not-public/);
  // the terminal is issued (the form's default), even with no segment chosen
  assert.doesNotMatch(await card.locator('.decision-reasons').textContent(), /issued-terminal-only/);
  await shot(page, 'decide-deny-en');
  assert.deepEqual(page.errors, []);
});

test('asking about another role is refused, and the screen says why', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.staff, '/decide');
  await page.getByLabel('役割').selectOption({ label: '最高情報セキュリティ責任者' });
  await page.getByLabel('操作').selectOption('read');
  await page.getByRole('button', { name: '判定する' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /自分以外の人についての判定はできません/);
  assert.equal(await page.getByRole('article').count(), 0);
  await shot(page, 'decide-refused-ja');
  assert.deepEqual(page.errors, []);
});

test('every role of the four may try decisions about itself', async () => {
  for (const who of ['manager', 'auditor', 'ciso']) {
    const page = await newPage(browser);
    await login(page, srv.url, ACCOUNTS[who], '/decide');
    await page.getByLabel('操作').selectOption('read');
    await page.getByRole('button', { name: '判定する' }).click();
    await page.getByRole('article', { name: '判定結果' }).waitFor();
    assert.deepEqual(page.errors, [], who);
    await page.close();
  }
});
