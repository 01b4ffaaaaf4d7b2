// QA calibration in the demo organisation: the QA analyst starts a session over two
// interactions with the team lead, both score blind in their own browsers, the last
// submission closes it, and the results flag the item they disagreed on. Also the demo's
// own closed session, photographed at desktop and phone size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, horizontalOverflow, navigation, pathname, shot, testServer } from './lib/harness.mjs';

const env = testServer({ demo: true });

const session = (username, viewport) => env.signedIn(username, { viewport });

/** Chooses the highest points in every score select, except `low` (field name → value). */
async function score(page, low = {}) {
  const selects = await page.locator('main select').all();
  assert.ok(selects.length >= 10, `${selects.length} score fields`);
  for (const s of selects) {
    const name = await s.getAttribute('name');
    if (low[name] !== undefined) await s.selectOption(low[name]);
    else await s.selectOption({ index: 2 }); // after "— choose —" and N/A: the maximum
  }
}

test("the demo's closed session shows agreement, leniency and the matrix", async () => {
  const { page, watcher } = await session('qa');
  await navigation(page, () => page.locator('nav[aria-label="Main"] a', { hasText: 'Calibration' }).click());
  assert.equal(pathname(page), '/qa/calibration');
  await shot(page, 'calibration-01-list-desktop');
  await navigation(page, () => page.getByRole('link', { name: 'Billing calls, week 46' }).click());
  assert.equal(await page.locator('main h1').textContent(), 'Billing calls, week 46: results');
  const first = page.locator('main table').first().locator('tbody tr').first();
  assert.match(await first.innerText(), /Flagged: below 90%/, 'flagged items come first');
  assert.match(await page.locator('main').innerText(), /more lenient than the group/);
  assert.match(await page.locator('main').innerText(), /stricter than the group/);
  await shot(page, 'calibration-02-demo-results-desktop');
  await page.setViewportSize(MOBILE);
  assert.equal(await horizontalOverflow(page), 0, 'results fit a phone');
  await shot(page, 'calibration-03-demo-results-mobile');
  assert.deepEqual(watcher.problems(), []);
});

test('two people score blind; the last submission closes the session and flags the disagreement', async () => {
  const qa = await session('qa');
  // Two interaction ids from the review queue.
  await qa.page.goto('/qa/review');
  const ids = (await qa.page.locator('main tbody td:first-child a').allTextContents()).slice(0, 2);
  assert.equal(ids.length, 2);

  await qa.page.goto('/qa/calibration');
  await navigation(qa.page, () => qa.page.getByRole('link', { name: 'Start a new session' }).click());
  await qa.page.fill('#name', 'Browser calibration');
  await qa.page.fill('#interactions', ids.join('\n'));
  await qa.page.locator('input[name=participant][value=qa]').check();
  await qa.page.locator('input[name=participant][value=lead]').check();
  await shot(qa.page, 'calibration-04-new-desktop');
  await navigation(qa.page, () => qa.page.getByRole('button', { name: 'Create session' }).click());
  assert.match(pathname(qa.page), /^\/qa\/calibration\/[0-9a-f-]{36}$/);
  const url = pathname(qa.page);
  assert.equal(await qa.page.locator('main h1').textContent(), 'Browser calibration');

  // The analyst: full marks everywhere, a draft first, then submit.
  await score(qa.page);
  await qa.page.fill('textarea[name="c.1.honesty"]', 'No promise I could see.');
  await navigation(qa.page, () => qa.page.getByRole('button', { name: 'Save draft' }).click());
  assert.match(await qa.page.getByRole('status').textContent(), /Draft saved/);
  await navigation(qa.page, () => qa.page.getByRole('button', { name: 'Submit my scores' }).click());
  assert.match(await qa.page.getByRole('status').textContent(), /Submitted/);
  await shot(qa.page, 'calibration-05-submitted-desktop');

  // The team lead, on a phone: sees the transcript and the items, nothing of the others.
  const lead = await session('lead', MOBILE);
  await lead.page.goto('/qa/calibration');
  await navigation(lead.page, () => lead.page.getByRole('link', { name: 'Browser calibration' }).click());
  assert.equal(pathname(lead.page), url);
  const text = await lead.page.locator('main').innerText();
  assert.ok(!text.includes('No promise I could see.'), "the analyst's comment is hidden");
  assert.ok(!/Engine|engine score/.test(text), 'no engine score');
  assert.match(text, /qa: submitted/);
  assert.equal(await lead.page.locator('main .transcript').count(), 2);
  assert.equal(await horizontalOverflow(lead.page), 0, 'the scoring page fits a phone');
  await shot(lead.page, 'calibration-06-scoring-mobile');
  await score(lead.page, { 'r.1.honesty': '0', 'r.2.honesty': '0' });
  await navigation(lead.page, () => lead.page.getByRole('button', { name: 'Submit my scores' }).click());

  // Everyone submitted: the results are revealed at the same address.
  assert.equal(pathname(lead.page), url);
  assert.equal(await lead.page.locator('main h1').textContent(), 'Browser calibration: results');
  const firstRow = await lead.page.locator('main table').first().locator('tbody tr').first().innerText();
  assert.match(firstRow, /honesty/);
  assert.match(firstRow, /Flagged: below 90%/);
  assert.match(firstRow, /0%/);
  assert.equal(await lead.page.locator('main .flag').count(), 1, 'only honesty is flagged');
  assert.match(await lead.page.locator('main').innerText(), /No promise I could see\./, 'comments are revealed');
  assert.equal(await horizontalOverflow(lead.page), 0, 'results fit a phone');
  await shot(lead.page, 'calibration-07-results-mobile');

  await qa.page.goto(url);
  assert.equal(await qa.page.locator('main h1').textContent(), 'Browser calibration: results');
  assert.match(await qa.page.locator('main').innerText(), /lead\s+−[\d.]+% of the maximum: stricter than the group/);
  await shot(qa.page, 'calibration-08-results-desktop');
  assert.deepEqual(qa.watcher.problems(), []);
  assert.deepEqual(lead.watcher.problems(), []);
});
