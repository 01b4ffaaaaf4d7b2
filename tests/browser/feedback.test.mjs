// Customer feedback end to end: an integration client mints a survey link through the
// API, a customer opens it on a phone (no account, no JavaScript needed), answers with a
// card number in the comment, and a QA analyst then reads the redacted answer on the
// feedback page and on the interaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, MOBILE, cli, horizontalOverflow, navigation, pathname, shot, testServer } from './lib/harness.mjs';

const PW = 'feedback browser test password';
const CARD = '4111 1111 1111 1111';

let token;
let surveyPath;

async function api(method, path, body, contentType = 'application/json') {
  const resp = await fetch(`${env.server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': contentType } : {}) },
    body,
  });
  return { status: resp.status, json: await resp.json() };
}

const env = testServer({
  password: PW,
  users: [{ username: 'quinn', role: 'qa_analyst', displayName: 'Quinn Analyst' }],
  async setup(server) {
    // The CRM integration is a service account of its own; tokens are never made for a person.
    await cli(server, ['user', 'add-service', '--username', 'crm-bot', '--role', 'qa_analyst']);
    const out = await cli(server, ['token', 'create', '--username', 'crm-bot', '--scope', 'ingest,read', '--name', 'crm']);
    token = out.trim().split('\n').pop().trim();
    assert.match(token, /^rt_[A-Z2-7]{52}$/);
  },
});

test('an integration client mints a single-use link for an interaction', async () => {
  const started = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const ingested = await api(
    'POST',
    '/api/v1/interactions',
    JSON.stringify({
      id: 'call-2041',
      channel: 'voice',
      agent_id: 'ana',
      team: 'Lisbon Billing',
      started_at: started,
      turns: [
        { speaker: 'agent', text: 'Thank you for calling, this call may be recorded. My name is Ana Agent.' },
        { speaker: 'customer', text: 'Hi, my refund still has not arrived.' },
        { speaker: 'agent', text: 'I have escalated it to billing, you will hear from us within 48 hours.' },
      ],
    }),
  );
  assert.equal(ingested.status, 200, JSON.stringify(ingested.json));
  const minted = await api('POST', '/api/v1/interactions/call-2041/feedback-link');
  assert.equal(minted.status, 201, JSON.stringify(minted.json));
  surveyPath = minted.json.path;
  assert.match(surveyPath, /^\/f\/[A-Z2-7]{52}$/);
  assert.equal(minted.json.url, `${env.server.url}${surveyPath}`);
  const unknown = await api('POST', '/api/v1/interactions/nope/feedback-link');
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.message, /`id`/);
});

test('a customer answers on a phone, once', async () => {
  const { page, watcher } = await env.page(MOBILE);
  const resp = await page.goto(surveyPath);
  assert.equal(resp.status(), 200);
  assert.equal(await page.locator('h1').textContent(), 'How did we do?');
  const body = await page.locator('body').innerText();
  assert.match(body, /About your call with us on \d{1,2} \w+ \d{4}\./);
  for (const secret of ['Ana', 'refund', 'call-2041', 'Lisbon']) assert.ok(!body.includes(secret), `${secret} on the public form`);
  assert.equal(await page.locator('nav').count(), 0, 'no staff navigation');
  assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling on a phone');
  await shot(page, 'feedback-01-form-mobile');

  // The browser asks for the required answers itself; an old browser would not, and the
  // server then names each missing answer (422) and keeps the link open.
  await page.locator('main form').evaluate((f) => {
    f.noValidate = true;
  });
  const bad = await navigation(page, () => page.getByRole('button', { name: 'Send feedback' }).click());
  assert.equal(bad.status(), 422);
  const alert = await page.getByRole('alert').innerText();
  assert.match(alert, /Satisfaction: choose a score from 1 to 5\./);
  assert.match(alert, /Recommendation: choose a score from 0 to 10\./);
  assert.equal(await page.locator('fieldset#csat-q[aria-invalid="true"]').count(), 1);
  await shot(page, 'feedback-01b-missing-answers-mobile');

  // Choose by the accessible labels, as a screen-reader user would.
  await page.getByRole('radio', { name: '4 Satisfied' }).check();
  await page.getByRole('group', { name: /recommend us/ }).getByRole('radio', { name: '9', exact: true }).check();
  await page.getByLabel('Anything else you would like to tell us?').fill(`Kind and quick. My card is ${CARD} if you need it.`);
  await shot(page, 'feedback-02-filled-mobile');
  const sent = await navigation(page, () => page.getByRole('button', { name: 'Send feedback' }).click());
  assert.equal(sent.status(), 200);
  assert.equal(await page.locator('h1').textContent(), 'Thank you');
  await shot(page, 'feedback-03-thanks-mobile');

  // The link is used up: opening it again says so politely.
  const again = await page.goto(surveyPath);
  assert.equal(again.status(), 410);
  assert.match(await page.locator('main').innerText(), /already been answered/);
  await shot(page, 'feedback-04-already-answered-mobile');
  const bogus = await page.goto('/f/NOTATOKEN');
  assert.equal(bogus.status(), 404);
  assert.match(await page.locator('main').innerText(), /could not find this survey/);
  assert.deepEqual(watcher.problems(), []);
});

test('a QA analyst sees the redacted answer on the feedback page and the interaction', async () => {
  const { page, watcher } = await env.signedIn('quinn');
  await navigation(page, () => page.locator('nav[aria-label="Main"] a', { hasText: 'Feedback' }).click());
  assert.equal(pathname(page), '/qa/feedback');
  assert.equal(await page.locator('#stat-csat').textContent(), '4.00');
  assert.equal(await page.locator('#stat-nps').textContent(), '+100');
  assert.equal(await page.locator('#stat-rate').textContent(), '100%');
  const comments = await page.locator('.comments').innerText();
  assert.match(comments, /Kind and quick\. My card is 4111 11\*\* \*\*\*\* 1111/);
  assert.ok(!(await page.content()).includes(CARD), 'the card number is not shown');
  await shot(page, 'feedback-05-report-desktop');
  await page.setViewportSize(MOBILE);
  assert.equal(await horizontalOverflow(page), 0, 'the report fits a phone');
  await shot(page, 'feedback-06-report-mobile');
  await page.setViewportSize(DESKTOP);

  await navigation(page, () => page.locator('.comments a', { hasText: 'call-2041' }).click());
  assert.equal(pathname(page), '/interactions/call-2041');
  const fb = await page.locator('#feedback').innerText();
  assert.match(fb, /CSAT 4\/5/);
  assert.match(fb, /NPS 9\/10 \(promoter\)/);
  await shot(page, 'feedback-07-interaction-desktop');
  assert.deepEqual(watcher.problems(), []);
});
