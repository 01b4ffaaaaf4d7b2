// Scorecard disputes end to end: an agent disputes an item of their own interaction, the
// QA analyst it was routed to accepts it (adding a negative rule example), and the agent
// sees the outcome and the changed score. Desktop, plus the pages on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, horizontalOverflow, importLines, navigation, navLabels, pathname, shot, testServer } from './lib/harness.mjs';

const PASSWORD = 'disputes-password-1234';
const REASON = 'I quoted our written refund policy; I did not promise anything myself.';
const NOTE = 'Agreed: the sentence quotes the policy, it is not a guarantee.';

const env = testServer({
  password: PASSWORD,
  users: [
    { username: 'alex', displayName: 'Alex Agent', role: 'agent' },
    { username: 'quinn', displayName: 'Quinn Analyst', role: 'qa_analyst' },
  ],
  setup: (server) =>
    importLines(server, [
      {
        id: 'call-1',
        channel: 'chat',
        agent_id: 'alex',
        started_at: '2026-11-20T09:00:00Z',
        turns: [
          { speaker: 'agent', text: 'Hello, thanks for contacting us, how can I help you today?' },
          { speaker: 'customer', text: 'When will my refund arrive?' },
          { speaker: 'agent', text: 'As our policy says, I guarantee your refund arrives within five days.' },
          { speaker: 'customer', text: 'Thanks.' },
        ],
      },
    ]),
});

test('an agent disputes an item, the analyst accepts it, the agent sees the outcome', async () => {
  // The agent opens the interaction from My work and disputes the honesty item.
  const { page: agent, watcher: agentWatch } = await env.signedIn('alex');
  await agent.goto('/my/work');
  await navigation(agent, () => agent.getByRole('link', { name: 'call-1' }).first().click());
  assert.equal(pathname(agent), '/my/interactions/call-1');
  const row = agent.locator('main table tbody tr', { hasText: 'honesty' }).first();
  const scoreBefore = await agent.locator('main .lead strong').innerText();
  await row.locator('summary', { hasText: 'Dispute this item' }).click();
  await row.locator('textarea[name=reason]').fill(REASON);
  await shot(agent, 'disputes-01-agent-form-desktop');
  const sent = await navigation(agent, () => row.getByRole('button', { name: 'Send dispute' }).click());
  assert.equal(sent.status(), 200);
  assert.equal(pathname(agent), '/my/interactions/call-1');
  const disputes = agent.locator('section[aria-labelledby=disputes]');
  assert.match(await disputes.innerText(), /honesty[\s\S]*I quoted our written refund policy[\s\S]*open, quinn/);
  assert.match(await row.innerText(), /Dispute open, assigned to quinn/);
  assert.equal(await row.locator('summary', { hasText: 'Dispute this item' }).count(), 0, 'one open dispute per item');
  await shot(agent, 'disputes-02-agent-opened-desktop');

  // The analyst finds it under Disputes and accepts it with a negative example.
  const { page: qa, watcher: qaWatch } = await env.signedIn('quinn');
  assert.deepEqual(await navLabels(qa), ['Home', 'Fairness', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'Review queue', 'Commitments', 'Feedback', 'Disputes', 'Calibration', 'Audits', 'Corrective actions', 'Teams', 'My account']);
  await navigation(qa, () => qa.locator('nav[aria-label="Main"]').getByRole('link', { name: 'Disputes' }).click());
  assert.equal(pathname(qa), '/qa/disputes');
  const mine = qa.locator('section[aria-labelledby=mine]');
  assert.match(await mine.innerText(), /1 open, assigned to you[\s\S]*call-1[\s\S]*honesty[\s\S]*alex[\s\S]*quinn/);
  await shot(qa, 'disputes-03-queue-desktop');
  await navigation(qa, () => mine.getByRole('link', { name: 'call-1' }).click());
  assert.match(pathname(qa), /^\/qa\/disputes\/[0-9a-f-]+$/);
  assert.match(await qa.locator('main').innerText(), /I quoted our written refund policy/);
  assert.match(await qa.locator('main').innerText(), /honesty\.guarantee in turn 3/);
  assert.equal(await qa.locator('.transcript li.flagged').count(), 1, 'the evidence turn is highlighted');
  await qa.check('input[name=outcome][value=accepted]');
  await qa.fill('#note', NOTE);
  await qa.check('input[name=example][value="honesty.guarantee"]');
  await shot(qa, 'disputes-04-resolve-form-desktop');
  const resolved = await navigation(qa, () => qa.getByRole('button', { name: 'Resolve dispute' }).click());
  assert.equal(resolved.status(), 200);
  assert.match(await qa.locator('section[aria-labelledby=decision]').innerText(), /accepted[\s\S]*Agreed: the sentence quotes the policy/);
  assert.equal(await qa.getByRole('button', { name: 'Resolve dispute' }).count(), 0);
  await shot(qa, 'disputes-05-resolved-desktop');
  await qa.goto('/qa/disputes');
  assert.match(await qa.locator('section[aria-labelledby=resolved]').innerText(), /call-1[\s\S]*accepted/);
  await qa.goto('/interactions/call-1');
  assert.match(await qa.locator('main').innerText(), /quinn set honesty to met: Dispute accepted: Agreed/);

  // The agent sees the decision, the note and the new score.
  await agent.reload();
  const after = agent.locator('main table tbody tr', { hasText: 'honesty' }).first();
  assert.match(await after.innerText(), /Dispute accepted by quinn[\s\S]*Agreed: the sentence quotes the policy/);
  assert.notEqual(await agent.locator('main .lead strong').innerText(), scoreBefore, 'the score changed');
  await shot(agent, 'disputes-06-agent-outcome-desktop');
  await agent.goto('/my/work');
  assert.match(await agent.locator('section[aria-labelledby=my-disputes]').innerText(), /call-1[\s\S]*honesty[\s\S]*accepted[\s\S]*Agreed/);
  await shot(agent, 'disputes-07-agent-my-work-desktop');

  assert.deepEqual(agentWatch.problems(), []);
  assert.deepEqual(qaWatch.problems(), []);
});

test('the dispute pages fit a phone', async () => {
  const wide = [];
  for (const [user, urls] of [
    ['alex', ['/my/work', '/my/interactions/call-1']],
    ['quinn', ['/qa/disputes']],
  ]) {
    const { page } = await env.signedIn(user, { viewport: MOBILE });
    for (const url of urls) {
      await page.goto(url);
      if ((await horizontalOverflow(page)) > 0) wide.push(url);
      await shot(page, `disputes-phone-${user}-${url.replace(/\//g, '_')}-mobile`);
    }
    if (user === 'quinn') {
      await page.locator('main a[href^="/qa/disputes/"]').first().click();
      await page.waitForURL(/\/qa\/disputes\/.+/);
      if ((await horizontalOverflow(page)) > 0) wide.push('dispute detail');
      await shot(page, 'disputes-phone-detail-mobile');
    }
  }
  assert.deepEqual(wide, [], 'pages wider than a 390 px phone');
});
