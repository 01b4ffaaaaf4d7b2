// Conflicts of interest end to end: an agent declares their sister, who is a customer,
// and a gift over the approval threshold; an ethics officer approves the relation with
// a mitigation; an interaction by that agent with the sister's customer reference is
// ingested and the team lead sees the finding. Desktop, plus the agent's page on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, MOBILE, cli, horizontalOverflow, importLines, navigation, navLabels, pathname, shot, testServer } from './lib/harness.mjs';

const PW = 'conflicts-password-1234';

const env = testServer({
  password: PW,
  async setup(server) {
    await server.addUser({ username: 'lena', displayName: 'Lena Lead', role: 'team_lead', password: PW });
    await cli(server, ['team', 'add', '--name', 'Billing', '--site', 'Lisbon', '--lead', 'lena']);
    await server.addUser({ username: 'alex', displayName: 'Alex Agent', role: 'agent', team: 'Billing', password: PW });
    await server.addUser({ username: 'eshe', displayName: 'Eshe Ethics', role: 'ethics_officer', password: PW });
  },
});

test('a declared relative and gift are reviewed, and the lead sees the agent handled the relative', async () => {
  // The agent declares their sister (a customer) from the nav.
  const { page: agent, watcher: agentWatch } = await env.signedIn('alex');
  assert.deepEqual(await navLabels(agent), ['Home', 'My work', 'My coaching', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'My account']);
  await navigation(agent, () => agent.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Conflicts of interest' }).click());
  assert.equal(pathname(agent), '/conflicts');
  assert.match(await agent.locator('#on-hire').innerText(), /new colleague/);
  await agent.fill('#rel-name', 'Marta Rivera');
  await agent.fill('#rel-relationship', 'sister');
  await agent.fill('#rel-refs', 'CUST-4711');
  await shot(agent, 'conflicts-01-agent-form-desktop');
  const sent = await navigation(agent, () => agent.getByRole('button', { name: 'Declare this relation' }).click());
  assert.equal(sent.status(), 200);
  assert.match(pathname(agent), /^\/conflicts\/disclosures\/[0-9a-f-]+$/);
  assert.equal(await agent.locator('#name').innerText(), 'Marta Rivera');
  assert.equal(await agent.locator('#status').innerText(), 'submitted');
  await shot(agent, 'conflicts-02-agent-relative-declared-desktop');

  // And a gift above the default threshold (100.00 USD).
  await agent.goto('/conflicts');
  await agent.locator('#form-gift summary').click();
  await agent.check('#form-gift input[name=direction][value=received]');
  await agent.fill('#gift-name', 'Northwind Collections (vendor)');
  await agent.fill('#gift-description', 'Two concert tickets');
  await agent.fill('#gift-value', '250');
  await navigation(agent, () => agent.getByRole('button', { name: 'Declare this gift' }).click());
  assert.match(await agent.locator('#gift').innerText(), /received, 250\.00 USD[\s\S]*needs approval/);
  await agent.goto('/conflicts');
  assert.match(await agent.locator('section[aria-labelledby=mine]').innerText(), /Gift or hospitality[\s\S]*Relative or close relation who is a customer/);
  await shot(agent, 'conflicts-03-agent-my-disclosures-desktop');
  await agent.setViewportSize(MOBILE);
  await shot(agent, 'conflicts-04-agent-my-disclosures-mobile');
  assert.equal(await horizontalOverflow(agent), 0, 'no sideways scrolling on a phone');
  await agent.setViewportSize(DESKTOP);

  // The ethics officer (second factor first) reviews the relation with a mitigation.
  const { page: eo, watcher: eoWatch } = await env.signedIn('eshe', { twoFactor: true });
  await eo.goto('/conflicts/review');
  const waiting = eo.locator('section[aria-labelledby=waiting]');
  assert.match(await waiting.innerText(), /2 undecided disclosures[\s\S]*alex[\s\S]*needs approval/);
  await shot(eo, 'conflicts-05-officer-queue-desktop');
  await navigation(eo, () => waiting.getByRole('link', { name: 'Relative or close relation who is a customer' }).click());
  assert.equal(await eo.locator('#name').innerText(), 'Marta Rivera');
  await eo.check('input[name=decision][value=mitigate]');
  await eo.fill('#rationale-in', 'A close relative is a customer; the agent must not handle her account.');
  await eo.fill('#mitigation', 'Never handles account CUST-4711');
  await eo.fill('#owner', 'lena');
  await eo.fill('#review-date', '2027-06-30');
  await shot(eo, 'conflicts-06-officer-decision-form-desktop');
  await navigation(eo, () => eo.getByRole('button', { name: 'Record decision' }).click());
  assert.equal(await eo.locator('#status').innerText(), 'mitigated');
  const detailPath = pathname(eo);
  assert.match(await eo.locator('section[aria-labelledby=decision]').innerText(), /Never handles account CUST-4711[\s\S]*owner lena[\s\S]*2027-06-30/);
  await shot(eo, 'conflicts-07-officer-decided-desktop');
  await eo.goto('/conflicts/reports');
  assert.match(await eo.locator('section[aria-labelledby=gifts]').innerText(), /Northwind Collections[\s\S]*250\.00 USD[\s\S]*needs approval/);
  assert.match(await eo.locator('section[aria-labelledby=mitigations]').innerText(), /Never handles account CUST-4711/);
  await shot(eo, 'conflicts-08-officer-reports-desktop');

  // An interaction by the agent with the sister's account is ingested.
  await importLines(env.server, [{
    id: 'call-coi-1', channel: 'voice', agent_id: 'alex', customer_ref: 'cust-4711', started_at: '2026-11-20T09:00:00Z',
    turns: [
      { speaker: 'agent', text: 'Thank you for calling, this call may be recorded. How can I help?' },
      { speaker: 'customer', text: 'It is me, can you remove the late fee?' },
    ],
  }]);

  // The team lead sees the finding, without the disclosure's detail.
  const { page: lead, watcher: leadWatch } = await env.signedIn('lena');
  await lead.goto('/conflicts');
  await navigation(lead, () => lead.getByRole('link', { name: 'Findings' }).click());
  assert.equal(pathname(lead), '/conflicts/findings');
  const main = await lead.locator('main').innerText();
  assert.match(main, /1 findings[\s\S]*alex[\s\S]*Agent handled a disclosed relation's account[\s\S]*call-coi-1/);
  assert.doesNotMatch(main, /Marta/);
  await shot(lead, 'conflicts-09-lead-findings-desktop');
  // The disclosure itself stays closed to the lead.
  const denied = await lead.goto(detailPath);
  assert.equal(denied.status(), 404);

  assert.deepEqual(agentWatch.problems(), []);
  assert.deepEqual(eoWatch.problems(), []);
  assert.deepEqual(leadWatch.problems().filter((p) => !/404/.test(p)), []);
});
