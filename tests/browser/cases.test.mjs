// The whole hotline loop in the browser: a reporter on a phone with JavaScript DISABLED
// files a report; an ethics officer triages it and assigns an investigator; the
// investigator asks a question; the reporter answers with the receipt; the investigator
// closes the case with an outcome; the reporter sees it. Someone excluded by the reporter
// never sees the case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, navigation, pathname, shot, testServer, trainUsers } from './lib/harness.mjs';

const PW = 'case loop browser test password';
const DESCRIPTION = 'Refunds go to the same three cards every Friday after the shift.';

let receipt;
let caseRef;

const env = testServer({
  password: PW,
  users: [
    { username: 'olivia', role: 'ethics_officer', displayName: 'Olivia Ethics' },
    { username: 'ivan', role: 'investigator', displayName: 'Ivan Investigator' },
    { username: 'pat', role: 'ethics_officer', displayName: 'Pat Untrusted' },
  ],
  // Case content opens only for people whose data-privacy training is current.
  setup: (server) => trainUsers(server, ['olivia', 'ivan', 'pat']),
});

/** A reporter's phone with JavaScript turned off. */
async function reporterPage() {
  return (await env.context(MOBILE, { javaScriptEnabled: false })).newPage();
}

/** Signs in a case worker and enrols their authenticator (privileged roles must). */
const staff = (username) => env.signedIn(username, { twoFactor: true });

async function openWithReceipt(page) {
  await page.goto('/speakup/access');
  await page.getByLabel('Enter the receipt').fill(receipt);
  const opened = await navigation(page, () => page.getByRole('button', { name: 'Open my report' }).click());
  assert.equal(opened.status(), 200);
}

test('a reporter files without JavaScript, naming someone who must not see it', async () => {
  const page = await reporterPage();
  await page.goto('/speakup?category=fraud');
  await page.getByLabel('What happened?').fill(DESCRIPTION);
  await page.getByLabel('Is there anyone who must not see your report?').fill('Pat Untrusted');
  await page.getByLabel('Yes, stay anonymous').check();
  await navigation(page, () => page.getByRole('button', { name: 'Send report' }).click());
  caseRef = (await page.locator('#case-ref').innerText()).trim();
  receipt = (await page.locator('#receipt').innerText()).trim();
  assert.match(caseRef, /^RT-/);
  await page.getByLabel('I have saved my receipt').check();
  await navigation(page, () => page.getByRole('button', { name: 'Continue' }).click());
  await shot(page, 'cases-01-reporter-filed-mobile-nojs');
});

test('the ethics officer triages, assigns and nobody excluded sees the case', async () => {
  const { page, watcher } = await staff('olivia');
  await navigation(page, () => page.getByRole('link', { name: 'Cases' }).first().click());
  assert.equal(pathname(page), '/cases');
  assert.match(await page.locator('main').innerText(), new RegExp(caseRef));
  await shot(page, 'cases-02-list-desktop');
  await navigation(page, () => page.getByRole('link', { name: caseRef }).click());
  const main = await page.locator('main').innerText();
  assert.ok(main.includes(DESCRIPTION), 'the officer reads the report');
  assert.match(main, /Pat Untrusted: the reporter asked that they not see this case/);
  await page.selectOption('#risk', 'high');
  await page.fill('#treason', 'The reporter works for the people named');
  await navigation(page, () => page.getByRole('button', { name: 'Save triage' }).click());
  await page.selectOption('#assignee', { label: 'Ivan Investigator' });
  await navigation(page, () => page.getByRole('button', { name: 'Assign', exact: true }).click());
  const after = await page.locator('main').innerText();
  assert.match(after, /assigned to Ivan Investigator/);
  assert.match(after, /Retaliation risk assessed as high/);
  await shot(page, 'cases-03-case-triaged-desktop');
  assert.deepEqual(watcher.problems(), []);

  const pat = await staff('pat');
  await navigation(pat.page, () => pat.page.getByRole('link', { name: 'Cases' }).first().click());
  assert.ok(!(await pat.page.locator('main').innerText()).includes(caseRef), 'absent from the list');
  const direct = await pat.page.goto(`/cases/${caseRef}`);
  assert.equal(direct.status(), 404, 'and not found by its address');
  await shot(pat.page, 'cases-04-excluded-officer-desktop');
});

test('the investigator and the reporter talk until the case closes', async () => {
  const { page, watcher } = await staff('ivan');
  await navigation(page, () => page.getByRole('link', { name: 'Cases' }).first().click());
  await navigation(page, () => page.getByRole('link', { name: caseRef }).click());
  await page.fill('#message', 'Thank you. Which team approves these refunds?');
  await navigation(page, () => page.getByRole('button', { name: 'Send', exact: true }).click());
  await shot(page, 'cases-05-question-sent-desktop');

  const reporter = await reporterPage();
  await openWithReceipt(reporter);
  assert.match(await reporter.locator('#thread').innerText(), /Which team approves these refunds\?/);
  await reporter.getByLabel('Add a message or more information').fill('The Billing East team lead.');
  await navigation(reporter, () => reporter.getByRole('button', { name: 'Send message' }).click());
  await shot(reporter, 'cases-06-reporter-answered-mobile-nojs');

  await page.reload();
  assert.match(await page.locator('main').innerText(), /The Billing East team lead\./);
  await page.selectOption('#status', 'substantiated');
  await page.fill('#outcome', 'Refund rights withdrawn; payments recovered.');
  await navigation(page, () => page.getByRole('button', { name: 'Set status' }).click());
  const closed = await page.locator('main').innerText();
  assert.match(closed, /status substantiated/);
  assert.match(closed, /Refund rights withdrawn; payments recovered\./);
  await shot(page, 'cases-07-closed-desktop');
  assert.deepEqual(watcher.problems(), []);

  await openWithReceipt(reporter);
  assert.match(await reporter.locator('main').innerText(), /[Ss]ubstantiated/);
  await shot(reporter, 'cases-08-reporter-sees-outcome-mobile-nojs');
});
