// The speak-up hotline from a reporter's phone with JavaScript DISABLED: choose a
// category, report, save the receipt (the confirmation must be ticked), come back with
// the receipt, read the thread and add a message. No cookie may be set on the way, and
// the pages must not scroll sideways.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, navigation, pathname, shot, testServer, watch } from './lib/harness.mjs';

const PW = 'speak-up browser test password';
const DESCRIPTION = 'My team lead changes refund amounts after the calls end.';

let ctx;
let receipt;
let caseRef;

/** Sideways overflow, measured by the test runner (page scripts are off). */
async function overflow(page) {
  const box = await page.locator('main').boundingBox();
  return Math.max(0, Math.ceil(box.x + box.width) - MOBILE.width);
}

// An ethics officer created with a password has a reader key, so the case is wrapped for them.
const env = testServer({ users: [{ username: 'olivia', password: PW, role: 'ethics_officer', displayName: 'Olivia Ethics' }] });

before(async () => {
  // A phone with JavaScript turned off (what a cautious reporter might use).
  ctx = await env.context(MOBILE, { javaScriptEnabled: false });
});

/** The end of a reporter's visit: no cookie was set and nothing went wrong on the page. */
async function leave(page, watcher) {
  assert.deepEqual(await ctx.cookies(), [], 'no cookie was set');
  assert.deepEqual(watcher.problems(), []);
  await page.close();
}

test('a reporter files a report on a phone without JavaScript and saves the receipt', async () => {
  const page = await ctx.newPage();
  const watcher = watch(page);
  const first = await page.goto('/login');
  assert.equal(first.status(), 200);
  // The sign-in form sets its own CSRF cookie; from here on nothing may set one.
  await ctx.clearCookies();
  await navigation(page, () => page.getByRole('link', { name: 'speak-up line' }).click());
  assert.equal(pathname(page), '/speakup');
  assert.equal(await overflow(page), 0, 'no sideways scrolling');
  await shot(page, 'speakup-01-choose-mobile-nojs');

  await page.getByLabel('Harassment or discrimination').check();
  await navigation(page, () => page.getByRole('button', { name: 'Continue' }).click());
  assert.match(page.url(), /category=harassment/);
  await page.getByLabel('What happened?').fill(DESCRIPTION);
  await page.getByLabel('Is it still happening?').fill('Yes, every week.');
  await page.getByLabel('Who is involved?').fill('The Tuesday team lead');
  await page.getByLabel('Yes, stay anonymous').check();
  assert.equal(await overflow(page), 0, 'no sideways scrolling');
  await shot(page, 'speakup-02-form-mobile-nojs');

  const sent = await navigation(page, () => page.getByRole('button', { name: 'Send report' }).click());
  assert.equal(sent.status(), 200);
  caseRef = (await page.locator('#case-ref').innerText()).trim();
  receipt = (await page.locator('#receipt').innerText()).trim();
  assert.match(caseRef, /^RT-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match(receipt, /^(\d{4} ){6}\d{4}$/);
  assert.match(await page.locator('#feedback-due').innerText(), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(await overflow(page), 0, 'the receipt fits on a phone');
  await shot(page, 'speakup-03-receipt-mobile-nojs');

  await page.getByLabel('I have saved my receipt').check();
  const done = await navigation(page, () => page.getByRole('button', { name: 'Continue' }).click());
  assert.equal(done.status(), 200);
  const text = await page.locator('main').innerText();
  assert.match(text, /Thank you/);
  assert.ok(!text.includes(receipt.slice(0, 9)), 'the receipt is not shown again');
  await shot(page, 'speakup-04-saved-mobile-nojs');
  await leave(page, watcher);
});

test('the reporter comes back with the receipt and adds a message', async () => {
  const page = await ctx.newPage();
  const watcher = watch(page);
  await page.goto('/speakup/access');
  // A wrong receipt first: the generic failure.
  await page.getByLabel('Enter the receipt').fill('1234 5678 9012 3456 7890 1234 5678');
  const wrong = await navigation(page, () => page.getByRole('button', { name: 'Open my report' }).click());
  assert.equal(wrong.status(), 404);
  assert.match(await page.locator('#errors').innerText(), /could not open a report/);

  await page.getByLabel('Enter the receipt').fill(receipt);
  const opened = await navigation(page, () => page.getByRole('button', { name: 'Open my report' }).click());
  assert.equal(opened.status(), 200);
  const main = await page.locator('main').innerText();
  assert.ok(main.includes(caseRef), 'the case reference');
  assert.ok(main.includes(DESCRIPTION), 'the reporter reads their own report');
  assert.match(main, /No messages yet/);
  assert.equal(await overflow(page), 0, 'no sideways scrolling');
  await shot(page, 'speakup-05-case-mobile-nojs');

  await page.getByLabel('Add a message or more information').fill('It happened again today at 3 pm.');
  const added = await navigation(page, () => page.getByRole('button', { name: 'Send message' }).click());
  assert.equal(added.status(), 200);
  assert.match(await page.locator('#notice').innerText(), /Your message has been added/);
  assert.match(await page.locator('#thread').innerText(), /It happened again today at 3 pm\./);
  await shot(page, 'speakup-06-message-added-mobile-nojs');

  const flagged = await navigation(page, () => page.getByRole('button', { name: 'I am experiencing retaliation' }).click());
  assert.equal(flagged.status(), 200);
  assert.match(await page.locator('#retaliation-flag').innerText(), /retaliation/);
  await shot(page, 'speakup-07-retaliation-mobile-nojs');
  await leave(page, watcher);
});

test('the pages speak Spanish', async () => {
  const page = await ctx.newPage();
  await page.goto('/speakup');
  await navigation(page, () => page.getByRole('link', { name: 'Español' }).click());
  assert.match(await page.locator('h1').innerText(), /Alza la voz/);
  await page.getByLabel('Fraude o robo').check();
  await navigation(page, () => page.getByRole('button', { name: 'Continuar' }).click());
  assert.match(await page.locator('main').innerText(), /¿Qué pasó\?/);
  assert.equal(await overflow(page), 0, 'no sideways scrolling');
  await shot(page, 'speakup-08-form-es-mobile-nojs');
  await page.close();
});
