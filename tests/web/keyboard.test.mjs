// keyboard.test.mjs — keyboard only: every screen of the menu is reached with
// Tab and Enter, lands with the focus on its heading, and every control the
// screen shows is reachable with Tab and visibly focused; nothing traps it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, login, ACCOUNTS, importMoreAssets } from './harness.mjs';

let srv, browser;
// 60 more assets: the register has a second page, so its pager has a button to reach
before(async () => { srv = await startServer(); importMoreAssets(srv, 60); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

// Presses Tab until pred(focused element) holds; the description of what had
// the focus on the way, for the failure message.
async function tabTo(page, pred, max = 80) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const e = document.activeElement;
      return { tag: e.tagName, text: (e.textContent || e.getAttribute('aria-label') || e.name || '').trim().slice(0, 40),
        href: e.getAttribute('href'), outline: getComputedStyle(e).outlineStyle };
    });
    seen.push(`${info.tag}:${info.text}`);
    if (pred(info)) return info;
  }
  throw new Error(`not reached with Tab; focus went: ${seen.join(' → ')}`);
}

test('every screen of the menu is reached and used with the keyboard alone (CISO)', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso);
  await page.locator('header nav a').first().waitFor();	// the menu is drawn with the first screen
  // each link with the heading it sits under (a record kind's), if any
  const links = await page.locator('header nav a').evaluateAll((as) => as.map((a) =>
    ({ href: a.getAttribute('href'), heading: a.closest('details')?.querySelector('summary').textContent ?? null })));
  assert.ok(links.length >= 1, links.map((l) => l.href).join(','));
  assert.ok(links.some((l) => l.heading), 'no record kind under a heading');
  for (const { href, heading } of links) {
    // from a screen outside the menu, so that ホーム (#/) is a change of screen too
    await page.goto(`${srv.url}/#/account`);
    await page.locator('main h1').waitFor();
    if (heading) {
      // a kind's entry: Tab to its heading, Enter opens it, then on to the entry
      const summary = await tabTo(page, (i) => i.tag === 'SUMMARY' && i.text === heading);
      assert.notEqual(summary.outline, 'none', `${heading}: the focused heading shows no outline`);
      await page.keyboard.press('Enter');
    }
    const info = await tabTo(page, (i) => i.href === href);
    assert.notEqual(info.outline, 'none', `${href}: the focused link shows no outline`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((h) => location.hash.split('?')[0] === h, href);
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    // every control of the screen is in the tab order; the focus leaves main at the end
    const controls = await page.locator('main').evaluate((m) => [...m.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]')]
      .filter((e) => !e.disabled && e.offsetParent !== null).length);
    let inMain = 0;
    for (let i = 0; i < controls + 5; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => !!document.activeElement.closest('main'))) inMain++;
      else if (inMain > 0) break;
    }
    assert.ok(inMain >= Math.min(controls, 1), `${href}: ${inMain} of ${controls} controls reached`);
    assert.deepEqual(page.errors, [], href);
  }
});

// What has the focus: its tag and the first characters of its text.
const focusedText = (page) => page.evaluate(() => `${document.activeElement.tagName} ${document.activeElement.textContent.trim().slice(0, 8)}`);

test('the register table is one tab stop: Tab leaves it for the pager, arrows move, Tab back lands on the row used', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/assets');
  await page.getByRole('table').first().waitFor();
  // one row of the table is in the tab order, the others are reached with the arrows
  assert.equal(await page.locator('tbody tr[tabindex="0"]').count(), 1);
  assert.equal(await page.locator('tbody tr[tabindex="-1"]').count(), (await page.locator('tbody tr').count()) - 1);
  const row = await tabTo(page, (i) => i.tag === 'TR');
  assert.match(row.text, /^A-000001/);
  assert.notEqual(row.outline, 'none', 'the focused row shows an outline');
  // the next Tab leaves the table: the pager's button (最初のページ is disabled on the first page)
  await page.keyboard.press('Tab');
  assert.equal(await focusedText(page), 'BUTTON 次のページ');
  // back into the table: the row last used; End, Home and the arrows move the tab stop with the focus
  await page.keyboard.press('Shift+Tab');
  assert.match(await focusedText(page), /^TR A-000001/);
  await page.keyboard.press('End');
  assert.match(await focusedText(page), /^TR A-000129/);
  await page.keyboard.press('ArrowUp');
  assert.match(await focusedText(page), /^TR A-000128/);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  assert.match(await focusedText(page), /^TR A-000128/);
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  assert.match(await focusedText(page), /^TR A-000002/);
  assert.equal(await page.locator('tbody tr[tabindex="0"]').count(), 1);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/assets/A-000002');
  assert.deepEqual(page.errors, []);
});

test('the users table is one tab stop too (the same component): Tab goes from its first row out of it', async () => {
  const page = await newPage(browser);
  await login(page, srv.url, ACCOUNTS.ciso, '/users');
  await page.getByRole('table').first().waitFor();
  const rows = await page.locator('tbody tr.openable').count();
  assert.ok(rows > 1, `${rows} rows`);
  await tabTo(page, (i) => i.tag === 'TR');
  await page.keyboard.press('Tab');
  assert.doesNotMatch(await focusedText(page), /^TR/);
  assert.deepEqual(page.errors, []);
});
