// Training in the browser: an ethics officer creates a course with a quiz and assigns
// it to agents; an agent finds it under "My training", fails the quiz, passes it and
// prints the certificate. Then the data-access gate: an investigator whose data-privacy
// training is not current is refused a hotline case's content with a clear page, takes
// the data-privacy course, and reads the case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { navigation, pathname, shot, testServer, trainUsers } from './lib/harness.mjs';

const PW = 'training browser test password';
const DESCRIPTION = 'The night shift copies card numbers into a shared spreadsheet.';

let caseRef;
let officer;

const env = testServer({
  password: PW,
  users: [
    { username: 'olivia', role: 'ethics_officer', displayName: 'Olivia Ethics' },
    { username: 'alex', role: 'agent', displayName: 'Alex Agent' },
    { username: 'ivan', role: 'investigator', displayName: 'Ivan Investigator' },
  ],
  // The officer's training comes from the external LMS; the investigator has none.
  setup: (server) => trainUsers(server, ['olivia']),
});

test('an officer creates a course and assigns it to agents', async () => {
  officer = await env.signedIn('olivia', { twoFactor: true });
  const { page, watcher } = officer;
  await navigation(page, () => page.getByRole('link', { name: 'Courses', exact: true }).first().click());
  assert.equal(pathname(page), '/training');
  await page.locator('summary', { hasText: 'Add a course' }).click();
  await page.getByLabel('Code').fill('card-handling');
  await page.getByLabel('Title').fill('Handling card numbers');
  await page.getByLabel('Content (Markdown)').fill('## The rule\n\nCard numbers are **never** written down.\n\n- not on paper\n- not in chat');
  await page.getByLabel('Quiz').first().fill('? Where may a card number be written down?\n- On a sticky note\n* Nowhere\n\n? A customer reads you their card number. What do you do?\n* Type it only into the payment screen\n- Repeat it back to confirm\n');
  await page.getByLabel('Pass mark (%)').fill('100');
  await page.getByLabel('Recurs every (months)').fill('12');
  await navigation(page, () => page.getByRole('button', { name: 'Add course' }).click());
  assert.match(pathname(page), /^\/training\/courses\//);
  assert.match(await page.locator('main').innerText(), /never/);
  await shot(page, 'training-01-course-created-desktop');

  await page.goto('/training');
  await page.locator('summary', { hasText: 'Add an assignment rule' }).click();
  await page.selectOption('#course', { label: 'Handling card numbers' });
  await page.locator('form[action="/training/rules"]').getByLabel('Agent', { exact: true }).check();
  await page.getByLabel('Due within (days)').fill('14');
  await navigation(page, () => page.getByRole('button', { name: 'Add rule' }).click());
  assert.match(await page.locator('main').innerText(), /Rule added: Handling card numbers assigned 1 people/);
  await shot(page, 'training-02-rule-added-desktop');
  assert.deepEqual(watcher.problems(), []);
});

test('an agent fails the quiz, passes it, and gets a certificate', async () => {
  const { page, watcher } = await env.signedIn('alex', { twoFactor: false });
  await navigation(page, () => page.getByRole('link', { name: 'My training' }).first().click());
  assert.equal(pathname(page), '/my/training');
  await shot(page, 'training-03-my-training-desktop');
  await navigation(page, () => page.getByRole('link', { name: 'Handling card numbers' }).click());
  await page.getByLabel('On a sticky note').check();
  await page.getByLabel('Repeat it back to confirm').check();
  await navigation(page, () => page.getByRole('button', { name: 'Submit answers' }).click());
  assert.match(await page.locator('main').innerText(), /You scored 0%; this course needs 100%/);
  await shot(page, 'training-04-quiz-failed-desktop');

  await page.getByLabel('Nowhere').check();
  await page.getByLabel('Type it only into the payment screen').check();
  await navigation(page, () => page.getByRole('button', { name: 'Submit answers' }).click());
  assert.match(pathname(page), /^\/my\/training\/certificates\//);
  const cert = await page.locator('main').innerText();
  assert.match(cert, /Certificate of completion/);
  assert.match(cert, /Alex Agent/);
  assert.match(cert, /Handling card numbers/);
  assert.match(cert, /[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/);
  await shot(page, 'training-05-certificate-desktop');
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'training-06-certificate-print');
  await page.emulateMedia({ media: 'screen' });

  await page.goto('/my/training');
  assert.match(await page.locator('main').innerText(), /Current/);
  assert.deepEqual(watcher.problems(), []);
});

test('an investigator without current privacy training is refused case content until they pass it', async () => {
  const report = await fetch(`${env.server.url}/api/v1/speakup/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ category: 'fraud', description: DESCRIPTION, anonymous: true }),
  });
  assert.equal(report.status, 201);
  caseRef = (await report.json()).case;

  // The officer (trained through the LMS import) reads the case and assigns it.
  const o = officer.page;
  await o.goto(`/cases/${caseRef}`);
  assert.ok((await o.locator('main').innerText()).includes(DESCRIPTION), 'the trained officer reads it');
  await o.selectOption('#assignee', { label: 'Ivan Investigator' });
  await navigation(o, () => o.getByRole('button', { name: 'Assign', exact: true }).click());
  assert.match(await o.locator('main').innerText(), /assigned to Ivan Investigator/);

  const { page, watcher } = await env.signedIn('ivan', { twoFactor: true });
  await navigation(page, () => page.getByRole('link', { name: 'Cases' }).first().click());
  assert.match(await page.locator('main').innerText(), new RegExp(caseRef), 'the case is listed (metadata)');
  const refused = await navigation(page, () => page.getByRole('link', { name: caseRef }).click());
  assert.equal(refused.status(), 403);
  const text = await page.locator('main').innerText();
  assert.match(text, /Your data-privacy training is not current/);
  assert.match(text, /Reading hotline case content requires current data-privacy training/);
  assert.ok(!text.includes(DESCRIPTION), 'no content on the refusal');
  await shot(page, 'training-07-case-refused-desktop');

  await navigation(page, () => page.getByRole('link', { name: 'Go to My training' }).click());
  await navigation(page, () => page.getByRole('link', { name: 'Take the data-privacy course' }).click());
  assert.equal(pathname(page), '/my/training/data-privacy');
  await page.getByLabel('Nowhere outside the systems made for it').check();
  await page.getByLabel('Only when your work needs it, with a written reason').check();
  await page.getByLabel('Report it at once to the privacy team').check();
  await shot(page, 'training-08-privacy-quiz-desktop');
  await navigation(page, () => page.getByRole('button', { name: 'Submit answers' }).click());
  assert.match(await page.locator('main').innerText(), /Certificate of completion/);

  const opened = await page.goto(`/cases/${caseRef}`);
  assert.equal(opened.status(), 200);
  assert.ok((await page.locator('main').innerText()).includes(DESCRIPTION), 'access returns after passing');
  await shot(page, 'training-09-case-opened-desktop');
  assert.deepEqual(watcher.problems(), []);
});
