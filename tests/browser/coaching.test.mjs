// Coaching end to end: the team lead coaches an agent from the interaction's scorecard
// (a refused form keeps what was typed), the agent acknowledges the session, answers in
// her own words and rates her lead anonymously; the lead reads the answer and finds no
// upward feedback shown while the quarter runs. Desktop, plus the agent's page on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, cli, horizontalOverflow, importLines, navigation, navLabels, pathname, shot, testServer } from './lib/harness.mjs';

const PW = 'coaching-password-1234';
const FEEDBACK = 'You promised a refund date the bank decides; say what we know and when we call back.';
const GOAL = 'Offer a dated callback instead of a guarantee';
const COMMENT = 'Fair point; the refund script pushes us to reassure quickly.';

const env = testServer({
  password: PW,
  async setup(server) {
    await server.addUser({ username: 'lena', displayName: 'Lena Lead', role: 'team_lead', password: PW });
    await cli(server, ['team', 'add', '--name', 'Billing', '--site', 'Lisbon', '--lead', 'lena']);
    await server.addUser({ username: 'alex', displayName: 'Alex Agent', role: 'agent', team: 'Billing', password: PW });
    await importLines(server, [
      {
        id: 'call-7',
        channel: 'chat',
        agent_id: 'alex',
        started_at: new Date(Date.now() - 3_600_000).toISOString(),
        turns: [
          { speaker: 'customer', text: 'When will my refund arrive?' },
          { speaker: 'agent', text: 'I guarantee your refund arrives by Friday.' },
        ],
      },
    ]);
  },
});

/** The date `n` days from now, as a date field takes it. */
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

test('a lead coaches an agent, who acknowledges, answers and rates her lead', async () => {
  const { page: lead, watcher: leadWatch } = await env.signedIn('lena');
  const labels = await navLabels(lead);
  assert.ok(labels.includes('Coaching') && labels.includes('Upward feedback'), labels.join(', '));

  // From the interaction's scorecard to the form, filled with the agent, call and item.
  await lead.goto('/interactions/call-7');
  const honesty = lead.locator('main table tbody tr', { hasText: 'honesty' }).first();
  await navigation(lead, () => honesty.getByRole('link', { name: 'Coach on this item' }).click());
  assert.equal(pathname(lead), '/coaching');
  assert.equal(await lead.inputValue('#c-agent'), 'alex');
  assert.equal(await lead.inputValue('#c-interaction'), 'call-7');
  assert.equal(await lead.inputValue('#c-item'), 'honesty');
  await lead.fill('#c-feedback', FEEDBACK);
  await lead.fill('#c-goal1', GOAL);
  await lead.fill('#c-due1', inDays(0));
  const refused = await navigation(lead, () => lead.getByRole('button', { name: 'Record the session' }).click());
  assert.equal(refused.status(), 422);
  assert.match(await lead.locator('#form-error').innerText(), /Goal 1 date: must be after today/);
  assert.equal(await lead.inputValue('#c-feedback'), FEEDBACK, 'the feedback is kept');
  assert.equal(await lead.getAttribute('#c-due1', 'aria-invalid'), 'true');
  await shot(lead, 'coaching-01-lead-refused-desktop');
  await lead.fill('#c-due1', inDays(14));
  await navigation(lead, () => lead.getByRole('button', { name: 'Record the session' }).click());
  assert.match(pathname(lead), /^\/coaching\/[0-9a-f-]+$/);
  const session = pathname(lead);
  assert.equal(await lead.locator('#feedback').innerText(), FEEDBACK);
  assert.match(await lead.locator('#agent-comment').innerText(), /Not acknowledged yet/);
  await shot(lead, 'coaching-02-lead-session-desktop');

  // The agent reads it, acknowledges it, answers and rates her lead.
  const { page: agent, watcher: agentWatch } = await env.signedIn('alex');
  await navigation(agent, () => agent.locator('nav[aria-label="Main"]').getByRole('link', { name: 'My coaching' }).click());
  assert.equal(pathname(agent), '/my-coaching');
  const card = agent.locator('article.card').first();
  assert.match(await card.innerText(), new RegExp(GOAL));
  await navigation(agent, () => card.getByRole('button', { name: 'Acknowledge' }).click());
  await agent.locator('article.card').first().getByLabel('Your comment').fill(COMMENT);
  await navigation(agent, () => agent.getByRole('button', { name: 'Send my comment' }).click());
  assert.match(await agent.locator('article.card').first().innerText(), /Acknowledged[\s\S]*Fair point/);
  const rating = agent.getByRole('form', { name: 'Rate Lena Lead' });
  await rating.locator('input[name=coaching][value="4"]').check();
  await rating.locator('input[name=fairness][value="5"]').check();
  await navigation(agent, () => rating.getByRole('button', { name: /Send my rating/ }).click());
  assert.match(await agent.locator('#notice').innerText(), /without your name/);
  assert.match(await agent.locator('main').innerText(), /You have rated Lena Lead this quarter/);
  await shot(agent, 'coaching-03-agent-answered-desktop');
  await agent.setViewportSize(MOBILE);
  await agent.goto('/my-coaching');
  assert.equal(await horizontalOverflow(agent), 0);
  await shot(agent, 'coaching-04-agent-mobile');

  // The lead reads the answer; her upward feedback shows nothing while the quarter runs.
  await lead.goto(session);
  assert.match(await lead.locator('#agent-comment').innerText(), /Fair point/);
  const now = new Date();
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
  await lead.goto(`/upward-feedback?round=${quarter}`);
  assert.match(await lead.locator('#upward').innerText(), /round still open/);
  await shot(lead, 'coaching-05-lead-upward-open-desktop');

  assert.deepEqual(leadWatch.problems(), []);
  assert.deepEqual(agentWatch.problems(), []);
});
