// Ethics-climate surveys end to end: the ethics officer builds a survey and launches a
// wave; agents answer it (each first sees how their answers will be reported; one
// previews what redaction keeps of a comment with an e-mail address and a colleague's
// name); the officer closes the wave and sees results in which a small team is
// suppressed, a larger one withheld to protect it, and exports them. Desktop, and the
// answer form and results on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, MOBILE, cli, horizontalOverflow, navigation, pathname, shot, testServer } from './lib/harness.mjs';

const PASSWORD = 'surveys-password-1234';
const COMMENT = 'Write to dana@example.org. Bruno Billing told us to skip the disclosure.';

// Lisbon Billing 6 agents, Lisbon Retention 2, Manila Support 6.
const TEAMS = [
  ['Lisbon Billing', 'Lisbon', 6, 'bill'],
  ['Lisbon Retention', 'Lisbon', 2, 'ret'],
  ['Manila Support', 'Manila', 6, 'sup'],
];

const env = testServer({
  password: PASSWORD,
  async setup(server) {
    for (const [name, site] of TEAMS) {
      await cli(server, ['team', 'add', '--name', name, '--site', site]);
    }
    await server.addUser({ username: 'eshe', displayName: 'Eshe Officer', role: 'ethics_officer', password: PASSWORD });
    for (const [team, , n, prefix] of TEAMS) {
      for (let i = 0; i < n; i++) {
        const displayName = prefix === 'bill' && i === 1 ? 'Bruno Billing' : `${prefix} agent ${i}`;
        await server.addUser({ username: `${prefix}${i}`, displayName, role: 'agent', team, password: PASSWORD });
      }
    }
  },
});

const session = (username, viewport) => env.signedIn(username, { viewport });

let officer;
let waveUrl;

test('the officer builds a survey and launches a wave', async () => {
  officer = await env.signedIn('eshe', { twoFactor: true });
  const { page } = officer;

  await navigation(page, () => page.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Climate surveys', exact: true }).click());
  assert.equal(pathname(page), '/surveys');
  await page.fill('#name', 'Ethics climate 2026');
  await page.fill('#custom', 'yesno: Breaks are long enough to handle difficult calls well.');
  await shot(page, 'surveys-01-builder-desktop');
  await navigation(page, () => page.getByRole('button', { name: 'Create survey' }).click());
  assert.match(pathname(page), /^\/surveys\/[0-9a-f-]{36}$/);
  assert.ok((await page.locator('main ol li').count()) >= 12, 'built-in and custom questions');

  await page.fill('#wname', 'Autumn 2026');
  await page.locator('input[name=role][value=agent]').check();
  await shot(page, 'surveys-02-new-wave-desktop');
  await navigation(page, () => page.getByRole('button', { name: 'Save wave' }).click());
  assert.match(pathname(page), /^\/surveys\/waves\//);
  waveUrl = pathname(page);
  assert.equal((await page.locator('#wave-status').textContent()).trim(), 'draft');
  await navigation(page, () => page.getByRole('button', { name: 'Launch wave' }).click());
  assert.equal((await page.locator('#wave-status').textContent()).trim(), 'open');
  assert.match(await page.locator('#participation').textContent(), /0 of 14/);
  assert.match(await page.locator('#not-yet').textContent(), /released when the wave closes/);
  await shot(page, 'surveys-03-launched-desktop');
  assert.deepEqual(officer.watcher.problems(), []);
});

/** Answers every closed question: the first choice (`low`) or the last one. */
async function fillAll(page, low) {
  for (const fs of await page.locator('fieldset.question').all()) {
    const radios = fs.locator('input[type=radio]');
    const n = await radios.count();
    await radios.nth(low ? 0 : n - 1).check();
  }
}

test('agents answer, each seeing first how their answers will be reported', async () => {
  // The first one on a phone, previewing the redaction of a comment.
  const { page, watcher } = await session('bill0', MOBILE);
  await navigation(page, () => page.locator('nav[aria-label="Main"] a', { hasText: 'My surveys' }).click());
  await navigation(page, () => page.getByRole('link', { name: 'Answer now' }).click());
  const how = await page.locator('#how-reported').innerText();
  for (const words of ['No name, no time', 'Team: Lisbon Billing', 'Site: Lisbon', 'at least 5 responses', 'groups of at least 10', 'Nothing links that record to your answers']) {
    assert.ok(how.includes(words), `${words} in: ${how}`);
  }
  await shot(page, 'surveys-04-answer-form-mobile');
  assert.equal(await horizontalOverflow(page), 0, 'the form fits a phone');
  await fillAll(page, false);
  await page.fill('#q_b_comment', COMMENT);
  await navigation(page, () => page.getByRole('button', { name: 'Preview my comment' }).click());
  const kept = await page.locator('#preview blockquote').textContent();
  assert.ok(!kept.includes('dana@example.org') && !kept.includes('Bruno'), kept);
  assert.match(kept, /<EMAIL_1>/);
  // The preview keeps the answers already given.
  assert.equal(await page.locator('fieldset.question input:checked').count(), await page.locator('fieldset.question').count());
  await shot(page, 'surveys-05-preview-mobile');
  await navigation(page, () => page.getByRole('button', { name: 'Submit my answers' }).click());
  assert.match(await page.locator('#thanks').textContent(), /No one, you included, can look them up/);
  assert.equal((await page.locator('#stored-comment').textContent()).trim(), kept.trim());
  await shot(page, 'surveys-06-thanks-mobile');
  // A second visit cannot answer again.
  await page.goto(page.url());
  assert.match(await page.locator('main').innerText(), /You have answered this survey/);
  assert.deepEqual(watcher.problems(), []);

  for (const [, , n, prefix] of TEAMS) {
    for (let i = 0; i < n; i++) {
      if (prefix === 'bill' && i === 0) continue;
      const { page: p, watcher: w } = await session(`${prefix}${i}`);
      await p.goto(`/my/surveys/${waveUrl.split('/').pop()}`);
      assert.ok((await p.locator('#how-reported').count()) === 1);
      await fillAll(p, prefix === 'sup');
      await navigation(p, () => p.getByRole('button', { name: 'Submit my answers' }).click());
      assert.equal(await p.locator('#thanks').count(), 1, `${prefix}${i} answered`);
      assert.deepEqual(w.problems(), []);
      await p.context().close();
    }
  }
});

test('the officer closes the wave and sees a small team suppressed', async () => {
  const { page, watcher } = officer;
  await page.goto(waveUrl);
  assert.match(await page.locator('#participation').textContent(), /14 of 14/);
  await navigation(page, () => page.getByRole('button', { name: 'Close wave and release results' }).click());
  assert.equal((await page.locator('#wave-status').textContent()).trim(), 'closed');
  await navigation(page, () => page.locator('nav[aria-label="Cuts"] a', { hasText: 'Team' }).click());
  const row = (name) => page.locator('#results tbody tr', { has: page.locator('th', { hasText: name }) });
  assert.match(await row('Lisbon Retention').innerText(), /Not shown: fewer than 5 responses/);
  assert.match(await row('Lisbon Billing').innerText(), /Not shown: withheld so that a group of fewer than 5 cannot be worked out/);
  assert.match(await row('Manila Support').innerText(), /^Manila Support\s+6\s/);
  assert.match(await row('Everyone').innerText(), /^Everyone\s+14\s/);
  // Comments: redacted, and only for everyone (14 ≥ 10).
  const comments = await page.locator('#comments-all').innerText();
  assert.ok(comments.includes('<EMAIL_1>') && !comments.includes('example.org'), comments);
  await shot(page, 'surveys-07-results-team-desktop');
  await page.setViewportSize(MOBILE);
  await shot(page, 'surveys-08-results-team-mobile');
  assert.equal(await horizontalOverflow(page), 0, 'results fit a phone (tables scroll inside)');
  await page.setViewportSize(DESKTOP);

  // The CSV says the same, with no figure for a suppressed team.
  // (The CSP forbids scripts, so the download goes through the context's own request client.)
  const resp = await page.request.get(await page.locator('#export').getAttribute('href'));
  assert.equal(resp.status(), 200);
  assert.match(resp.headers()['content-type'], /text\/csv/);
  const csv = await resp.text();
  const line = csv.split('\n').find((l) => l.includes('Lisbon Retention'));
  assert.match(line, /suppressed: fewer than 5 responses,+$/);

  await navigation(page, () => page.locator('nav[aria-label="Cuts"] a', { hasText: 'Site' }).click());
  assert.match(await row('Lisbon').innerText(), /^Lisbon\s+8\s/);
  await shot(page, 'surveys-09-results-site-desktop');
  assert.deepEqual(watcher.problems(), []);
});
