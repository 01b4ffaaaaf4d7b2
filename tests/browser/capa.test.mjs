// Issue #7 on the demo organisation (`serve --demo`): the QA analyst completes a PCI
// checklist with a failed item and raises a corrective action from the finding; its owner
// (the team lead) moves it through the ISO 9001 §10.2 states to closed; the team lead
// records a discipline decision, sees the comparable cases, and a deviation asks for a
// rationale and a second approver; an agent gives kudos and the recipient consents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MOBILE, horizontalOverflow, navigation, pathname, shot, testServer } from './lib/harness.mjs';

const env = testServer({ demo: true });

const session = (username, viewport) => env.signedIn(username, { viewport });

const main = (page) => page.locator('main').innerText();

test('audit → finding → corrective action → closed; discipline with comparable cases; kudos with consent', async () => {
  // The auditor completes the next open checklist with one failed item.
  const { page: qa, watcher: qaWatch } = await session('qa');
  await navigation(qa, () => qa.locator('nav[aria-label="Main"] a', { hasText: 'Audits' }).click());
  assert.equal(pathname(qa), '/audits');
  await shot(qa, 'capa-01-audits-desktop');
  const open = qa.locator('main table').first().locator('tbody tr', { hasText: 'open' }).first();
  await navigation(qa, () => open.locator('a').click());
  assert.match(await qa.locator('main h1').textContent(), /Monthly PCI checklist/);
  const items = await qa.locator('main fieldset').count();
  assert.equal(items, 5);
  for (let i = 0; i < items; i++) {
    await qa.check(`input[name="answer_${i}"][value="${i === 1 ? 'fail' : 'pass'}"]`);
  }
  await qa.fill('#note-1', 'Recording kept running while a card number was read out');
  await shot(qa, 'capa-02-checklist-desktop');
  await navigation(qa, () => qa.getByRole('button', { name: 'Complete the audit' }).click());
  assert.match(await main(qa), /Recording kept running while a card number was read out/);
  await shot(qa, 'capa-03-finding-desktop');
  await navigation(qa, () => qa.locator('#findings ~ ul a', { hasText: 'Raise a CAPA' }).first().click());
  assert.equal(pathname(qa), '/capa/new');
  assert.match(await main(qa), /Call recording pauses during card capture/);
  await qa.fill('#c-title', 'Pause-and-resume for card capture on every desk');
  await qa.selectOption('#c-owner', 'lead');
  await shot(qa, 'capa-04-raise-desktop');
  await navigation(qa, () => qa.getByRole('button', { name: 'Raise the corrective action' }).click());
  assert.match(pathname(qa), /^\/capa\/[0-9a-f-]+$/);
  const capaPath = pathname(qa);
  assert.match(await main(qa), /Open · owner lead/);
  assert.deepEqual(qaWatch.problems(), []);

  // The owner moves it through the states.
  const { page: lead, watcher: leadWatch } = await session('lead');
  await navigation(lead, () => lead.locator('nav[aria-label="Main"] a', { hasText: 'Corrective actions' }).click());
  await shot(lead, 'capa-05-list-desktop');
  await navigation(lead, () => lead.locator('#mine ~ .table-wrap a', { hasText: 'Pause-and-resume' }).click());
  assert.equal(pathname(lead), capaPath);
  for (const [field, button, text, state] of [
    ['#f-analyse', 'Record the root cause', 'The pause button is hidden behind a menu on the new desktops.', /Root cause analysed/],
    ['#f-plan', 'Record the action plan', 'Put the pause control on the toolbar; brief every team.', /Action planned/],
    ['#f-implement', 'Mark implemented', '', /Implemented/],
    ['#f-verify', 'Verify effectiveness', 'Spot checks in two weeks found no recording during card capture.', /Effectiveness verified/],
    ['#f-close', 'Close', '', /Closed/],
  ]) {
    if (text) await lead.fill(field, text);
    await navigation(lead, () => lead.getByRole('button', { name: button }).click());
    assert.match(await lead.locator('main .lead').innerText(), state, button);
  }
  assert.match(await main(lead), /The pause button is hidden behind a menu/);
  await shot(lead, 'capa-06-closed-desktop');

  // A discipline decision: comparable cases first, then a deviation.
  await navigation(lead, () => lead.locator('nav[aria-label="Main"] a', { hasText: 'Discipline' }).click());
  await shot(lead, 'capa-07-discipline-desktop');
  await navigation(lead, () => lead.getByRole('link', { name: 'Record a decision' }).click());
  await lead.selectOption('#d-subject', { index: 3 });
  await lead.selectOption('#d-class', 'Data handling');
  await lead.selectOption('#d-severity', '2');
  await navigation(lead, () => lead.getByRole('button', { name: 'Show comparable cases' }).click());
  const caption = await lead.locator('#comparable caption').textContent();
  assert.match(caption, /^\d+ earlier decisions of this class and severity/);
  assert.match(await main(lead), /Usual sanction \(median\): Verbal warning/);
  await shot(lead, 'capa-08-comparable-desktop');
  await lead.check('input[name="aggravating"][value="concealment"]');
  await lead.selectOption('#d-sanction', 'termination');
  const refused = await navigation(lead, () => lead.getByRole('button', { name: 'Record the decision' }).click());
  assert.equal(refused.status(), 422);
  assert.match(await lead.locator('#form-error').innerText(), /rationale.*second approver/s);
  assert.equal(await lead.locator('#d-rationale').getAttribute('aria-invalid'), 'true');
  assert.equal(await lead.locator('input[name="aggravating"][value="concealment"]').isChecked(), true, 'the form keeps what was entered');
  await shot(lead, 'capa-09-deviation-desktop');
  await lead.fill('#d-rationale', 'Customer card data copied to a personal notebook and hidden from the audit.');
  await navigation(lead, () => lead.getByRole('button', { name: 'Record the decision' }).click());
  assert.match(pathname(lead), /^\/discipline\/[0-9a-f-]+$/);
  assert.match(await lead.locator('#approval').innerText(), /Awaiting a second approver/);
  assert.match(await main(lead), /You made this decision: another ethics officer approves it\./);
  await shot(lead, 'capa-10-pending-desktop');
  assert.deepEqual(leadWatch.problems(), []);

  // A peer gives kudos; the recipient consents.
  const { page: agent, watcher: agentWatch } = await session('agent');
  await navigation(agent, () => agent.locator('nav[aria-label="Main"] a', { hasText: 'Kudos' }).click());
  await agent.selectOption('#k-recipient', 'lead');
  await agent.selectOption('#k-value', 'Fairness');
  await agent.fill('#k-message', 'Heard both sides before deciding the shift swap.');
  await navigation(agent, () => agent.getByRole('button', { name: 'Give kudos' }).click());
  assert.match(await agent.locator('#given ~ ul').first().innerText(), /Heard both sides/);
  await shot(agent, 'capa-11-kudos-given-desktop');
  assert.deepEqual(agentWatch.problems(), []);
  await lead.goto('/kudos');
  const mine = lead.locator('#received ~ ul li', { hasText: 'Heard both sides' });
  assert.match(await mine.innerText(), /waiting for your consent/);
  await navigation(lead, () => mine.getByRole('button', { name: 'Show to my team' }).click());
  assert.match(await lead.locator('#received ~ ul li', { hasText: 'Heard both sides' }).innerText(), /shown to your team/);
  await shot(lead, 'capa-12-kudos-consented-desktop');
});

test('the pages fit a phone', async () => {
  const { page, watcher } = await session('lead', MOBILE);
  for (const [path, name] of [
    ['/capa', 'capa-13-list-mobile'],
    ['/discipline/new?class=Data+handling&severity=2', 'capa-14-comparable-mobile'],
    ['/kudos', 'capa-15-kudos-mobile'],
    ['/audits', 'capa-16-audits-mobile'],
  ]) {
    const resp = await page.goto(path);
    assert.equal(resp.status(), 200, path);
    assert.equal(await horizontalOverflow(page), 0, `${path} scrolls sideways`);
    await shot(page, name);
  }
  assert.deepEqual(watcher.problems(), []);
});
