// Policies and attestation end to end. A fresh install ships the sample code of ethics as
// a draft; one ethics officer submits it, a second approves and publishes it, and an
// agent attests it. Then the first officer drafts a material version 2 (a lower gift
// limit and a new clause), cannot approve their own text, and the second officer
// approves and publishes it. The agent sees it on the home page and in My policies, reads
// what changed since version 1 clause by clause, fails the quiz, passes it, and attests.
// The officer sees the coverage and the quiz question failure rates. Screenshots of every
// step, desktop and phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, horizontalOverflow, navigation, pathname, shot, testServer } from './lib/harness.mjs';

const PW = 'policies browser test password';
// The sample quiz's right answers (0-based) and a set that fails.
const RIGHT = [1, 1, 1, 2, 1];
const WRONG = [0, 0, 0, 0, 1];

const env = testServer({
  password: PW,
  users: [
    { username: 'olivia', role: 'ethics_officer', displayName: 'Olivia Ethics' },
    { username: 'pat', role: 'ethics_officer', displayName: 'Pat Deputy' },
    { username: 'alex', role: 'agent', displayName: 'Alex Agent' },
  ],
});

/** An officer signed in with their authenticator enrolled. */
const officer = (username) => env.signedIn(username, { twoFactor: true });
const agent = (viewport) => env.signedIn('alex', { viewport });

async function click(page, name) {
  const resp = await navigation(page, () => page.getByRole('button', { name }).click());
  return resp;
}

async function answer(page, answers) {
  for (const [i, a] of answers.entries()) {
    await page.check(`input[name="q${i + 1}"][value="${a}"]`);
  }
  await page.check('input[name="confirm"]');
  return click(page, 'Attest');
}

let olivia;
let pat;

test('the sample code of ethics: submitted by one officer, approved and published by another, attested', async () => {
  olivia = await officer('olivia');
  pat = await officer('pat');
  const o = olivia.page;
  await navigation(o, () => o.getByRole('link', { name: 'Manage policies', exact: true }).first().click());
  assert.equal(pathname(o), '/policies/manage');
  await shot(o, 'policies-01-officer-list');
  await navigation(o, () => o.getByRole('link', { name: 'Code of Ethics' }).click());
  assert.match(await o.locator('#body').inputValue(), /## 6\. Speaking up and non-retaliation/);
  await shot(o, 'policies-02-sample-draft');
  await click(o, 'Submit for approval');
  assert.match(await o.locator('main').innerText(), /awaiting approval/);

  const p = pat.page;
  await p.goto('/policies/manage/code-of-ethics');
  await click(p, 'Approve version 1');
  await click(p, 'Publish version 1 (material)');
  assert.match(await p.locator('main').innerText(), /published/);

  const { page: a, watcher } = await agent();
  await a.goto('/my/policies');
  await navigation(a, () => a.getByRole('link', { name: 'Code of Ethics' }).first().click());
  assert.match(await a.locator('main').innerText(), /You have not attested this policy before/);
  const resp = await answer(a, RIGHT);
  assert.equal(resp.status(), 200);
  assert.match(await a.locator('main').innerText(), /Attested\. Your attestation is recorded below/);
  assert.deepEqual(watcher.problems(), []);
});

test('a material version 2: four eyes, the clause diff, a failed then a passed quiz, coverage', async () => {
  const o = olivia.page;
  await o.goto('/policies/manage/code-of-ethics');
  await click(o, 'Start a new version');
  const body = await o.locator('#body').inputValue();
  const v2 = body
    .replace('a token value of 25 (in local currency)', 'a token value of 10 (in local currency)')
    .replace(
      '## 6. Speaking up and non-retaliation',
      '5.4 Selling to customers on your own account, in or outside work, is not allowed.\n\n## 6. Speaking up and non-retaliation',
    );
  assert.notEqual(v2, body);
  await o.fill('#body', v2);
  await o.check('input[name="kind"][value="material"]');
  await o.fill('#summary', 'Gift limit lowered to 10; no private selling to customers.');
  await click(o, 'Save draft');
  const changed = await o.locator('main').innerText();
  assert.match(changed, /Clauses changed against the published version 1/);
  await shot(o, 'policies-03-officer-draft-v2-diff');
  await click(o, 'Submit for approval');
  // The author cannot approve: no button, and the page says why.
  assert.equal(await o.getByRole('button', { name: 'Approve version 2' }).count(), 0);
  assert.match(await o.locator('main').innerText(), /another officer must approve it/);
  await shot(o, 'policies-04-author-cannot-approve');

  const p = pat.page;
  await p.goto('/policies/manage/code-of-ethics');
  await click(p, 'Approve version 2');
  await click(p, 'Publish version 2 (material)');
  const versions = await p.locator('#versions ~ .table-wrap, section[aria-labelledby=versions]').first().innerText();
  assert.match(versions, /olivia/);
  assert.match(versions, /pat, /);
  await shot(p, 'policies-05-published-v2');

  // The agent: home line, My policies, the diff, a failed and a passed attempt.
  const { page: a, watcher } = await agent();
  assert.match(await a.locator('main').innerText(), /You have 1 policy to read and attest/);
  await shot(a, 'policies-06-agent-home');
  await navigation(a, () => a.getByRole('link', { name: /You have 1 policy/ }).click());
  assert.equal(pathname(a), '/my/policies');
  await shot(a, 'policies-07-my-policies');
  await navigation(a, () => a.getByRole('link', { name: 'Code of Ethics' }).first().click());
  const diff = await a.locator('#changes').locator('..').innerText();
  assert.match(diff, /What changed since version 1, which you attested/);
  assert.match(diff, /changed\s+5\.2/);
  assert.match(diff, /added\s+5\.4/);
  assert.doesNotMatch(diff, /Honesty with customers/, 'unchanged clauses are not listed');
  assert.equal(await a.locator('#changes ~ ol del').first().innerText(), '25');
  assert.equal(await a.locator('#changes ~ ol ins').first().innerText(), '10');
  await shot(a, 'policies-08-agent-clause-diff');

  const failed = await answer(a, WRONG);
  assert.equal(failed.status(), 422);
  assert.match(await a.locator('main .alert').innerText(), /You scored 20%.*the pass mark is 80%/);
  assert.equal(await a.locator('fieldset.question.wrong').count(), 4);
  await shot(a, 'policies-09-agent-quiz-failed');
  const passed = await answer(a, RIGHT);
  assert.equal(passed.status(), 200);
  const evidence = await a.locator('section[aria-labelledby=evidence]').innerText();
  assert.match(evidence, /\b2\b.*100%.*web/s);
  assert.match(await a.locator('section[aria-labelledby=attempts]').innerText(), /failed/);
  await shot(a, 'policies-10-agent-attested');
  assert.deepEqual(watcher.problems(), []);

  // The officer's coverage: the agent attested, the two officers have not.
  await o.goto('/policies/reports');
  await shot(o, 'policies-11-reports');
  await navigation(o, () => o.getByRole('link', { name: 'Code of Ethics' }).click());
  const report = await o.locator('main').innerText();
  assert.match(report, /Agent\s+1\s+1\s+0\s+100%/);
  assert.match(report, /All\s+3\s+1\s+0\s+33%/);
  assert.match(report, /gift worth more than the token value/, 'quiz questions listed with failure rates');
  await shot(o, 'policies-12-coverage');
  const csv = await o.request.get('/policies/reports/code-of-ethics/evidence.csv');
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^policy,username,name,cycle_version,version_attested,version_sha256,attested_at,method,quiz_score\n/);
  assert.deepEqual(olivia.watcher.problems(), []);
  assert.deepEqual(pat.watcher.problems(), []);
});

test('the agent pages fit a phone', async () => {
  const { page: a } = await agent(MOBILE);
  for (const [path, name] of [
    ['/my/policies', 'policies-13-my-policies-mobile'],
    ['/policies/code-of-ethics', 'policies-14-policy-mobile'],
  ]) {
    await a.goto(path);
    await shot(a, name);
    assert.equal(await horizontalOverflow(a), 0, `${path} wider than the phone`);
  }
});
