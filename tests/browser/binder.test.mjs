// The evidence binder in the demo organisation (`serve --demo`): the ethics officer
// enrols an authenticator, opens the binder (no figures yet, a Generate button),
// generates it and sees the figures with the audit-trail head, saves a narrative, opens
// the printable export of that generation and downloads the PDF with the session.
// Screenshots of the binder before and after generating (desktop and phone) and of the
// printable export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, MOBILE, horizontalOverflow, navigation, pathname, shot, testServer } from './lib/harness.mjs';

const env = testServer({ demo: true });

test('the ethics officer generates the binder, writes a narrative and exports it', async () => {
  const { page, watcher } = await env.signedIn('ethics', { twoFactor: true });

  const resp = await navigation(page, () =>
    page.locator('nav[aria-label="Main"] a', { hasText: 'Evidence binder' }).click(),
  );
  assert.equal(resp.status(), 200);
  assert.equal(pathname(page), '/binder');
  assert.equal((await page.locator('main h1').textContent()).trim(), 'Evidence binder');
  const topics = await page.locator('main section[id^="t-"] > h2').allTextContents();
  assert.equal(topics.length, 7, JSON.stringify(topics));
  assert.match(topics[0], /Commitment by senior and middle management/);
  assert.match(await page.locator('main').innerText(), /Evaluation of Corporate Compliance Programs/);

  // Nothing is computed until the officer asks: every figure reads "not generated yet".
  const cells = page.locator('main tr[id^="f-"] td:nth-child(2)');
  const figures = await cells.count();
  assert.ok(figures >= 30, `${figures} figures`);
  assert.deepEqual(new Set(await cells.allTextContents()), new Set(['not generated yet']));
  const gen = page.locator('section[aria-labelledby="gen"]');
  const since = async () => Number((await page.locator('#since').innerText()).match(/^\d+/)[0]);
  assert.match(await gen.innerText(), /You have not generated the binder yet/);
  assert.match(await gen.innerText(), /takes a few seconds on a large organisation/);
  assert.match(await gen.innerText(), /only the generations you made yourself/);
  await shot(page, 'binder-00-before-generating-desktop');

  // Generate: back on the page with numbers, who and when, and the audit-trail head.
  await navigation(page, () => page.getByRole('button', { name: 'Generate the binder' }).click());
  assert.equal(pathname(page), '/binder');
  const after = await gen.innerText();
  assert.match(after, /by ethics/);
  assert.match(after, /entry \d+, hash [0-9a-f]{64}/);
  const sinceGenerated = await since();
  assert.ok(sinceGenerated >= 1, 'the generation\'s own record at least');
  assert.ok(await page.getByRole('button', { name: 'Generate again' }).isVisible());
  const shown = await cells.allTextContents();
  assert.ok(!shown.includes('not generated yet'), JSON.stringify(shown));
  assert.match(await page.locator('#f-policies\\.in_force td').first().innerText(), /^\d+$/);
  assert.match(await page.locator('#f-analytics\\.interactions_reviewed td').first().innerText(), /^\d/);

  // Save a narrative with a line break; the page shows it with who wrote it.
  const text = 'Training is assigned by role on the first day.\nOverdue people are chased weekly, then their lead.';
  const box = page.locator('#n-training\\.effectiveness');
  await box.fill(text);
  await navigation(page, () =>
    page.locator('#q-training\\.effectiveness').getByRole('button', { name: 'Save narrative' }).click(),
  );
  assert.equal(pathname(page), '/binder');
  assert.equal(await page.locator('#n-training\\.effectiveness').inputValue(), text);
  assert.match(await page.locator('#q-training\\.effectiveness').innerText(), /Last written by ethics/);
  // Saving a narrative does not touch the stored figures; the page says one more entry
  // was written since the generation.
  assert.deepEqual(await cells.allTextContents(), shown);
  assert.ok((await since()) > sinceGenerated, 'the narrative\'s save is counted');
  await shot(page, 'binder-01-page-desktop');
  await page.setViewportSize(MOBILE);
  await shot(page, 'binder-02-page-mobile');
  assert.equal(await horizontalOverflow(page), 0, 'the binder fits a phone');
  await page.setViewportSize(DESKTOP);

  // The printable export of this generation, by its link on the page: one file, the
  // generation, its head and how to verify it, the narrative written after generating.
  const head = after.match(/entry (\d+), hash ([0-9a-f]{64})/);
  const href = await page.getByRole('link', { name: 'printable HTML' }).getAttribute('href');
  assert.match(href, /^\/binder\/export\.html\?generation=[0-9a-f-]{36}$/);
  const exp = await page.goto(href);
  assert.equal(exp.status(), 200);
  const body = await page.locator('body').innerText();
  assert.match(body, new RegExp(`Audit-trail head\\s+entry ${head[1]}, hash ${head[2]}`));
  assert.ok(body.includes(href.split('=')[1]), 'the generation id is in the export');
  assert.match(body, /righttrack audit verify/);
  assert.match(body, /Overdue people are chased weekly/);
  // The inline style sheet applies under the export's own CSP.
  const font = await page.evaluate(() => getComputedStyle(document.querySelector('h2')).borderBottomStyle);
  assert.equal(font, 'solid', 'the inline style sheet is applied');
  await shot(page, 'binder-03-export-html-desktop');

  // The PDF, fetched with the signed-in session's cookies (the pages' CSP allows no
  // script fetches, so the test's HTTP client asks, as a download would).
  const r = await page.request.get('/binder/export.pdf');
  const bytes = await r.body();
  const pdf = { status: r.status(), type: r.headers()['content-type'], head: bytes.subarray(0, 5).toString('latin1'), size: bytes.length };
  assert.equal(pdf.status, 200);
  assert.equal(pdf.type, 'application/pdf');
  assert.equal(pdf.head, '%PDF-');
  assert.ok(pdf.size > 2000, `${pdf.size} bytes`);
  assert.deepEqual(watcher.problems(), []);
});
