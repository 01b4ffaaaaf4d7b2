// A click-through of the demo organisation (`serve --demo`): the passwords come from the
// server's stderr, the ethics officer and the admin enrol an authenticator, and every page
// of their navigation is visited and photographed at desktop and phone size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DESKTOP, SCREENSHOT_DIR, MOBILE, enrolTotp, horizontalOverflow, navigation, navLabels, pathname, shot, signIn, signOut, testServer } from './lib/harness.mjs';

const env = testServer({ demo: true });

test('the demo prints one password per named account', () => {
  for (const u of ['admin', 'ethics', 'investigator', 'qa', 'lead', 'agent']) {
    assert.match(env.passwords[u] ?? '', /^[a-z2-7]{16}$/, `password for ${u}`);
  }
});

/** Signs in a privileged demo user, enrols TOTP, returns the signed-in page. */
async function enrolledSession(username, prefix) {
  const { page, watcher } = await env.page();
  await page.goto('/login');
  await shot(page, `${prefix}-00-login-desktop`);
  await signIn(page, username, env.passwords[username]);
  assert.equal(pathname(page), '/account/2fa', `${username} must enrol a second factor first`);
  await shot(page, `${prefix}-01-enrol-desktop`);
  await enrolTotp(page);
  return { page, watcher };
}

/** Visits every nav link; asserts each is a real page and photographs it. */
async function clickThrough(page, prefix) {
  const links = await page.locator('nav[aria-label="Main"] a').evaluateAll((as) =>
    as.map((a) => ({ label: a.textContent.trim(), href: a.getAttribute('href') })),
  );
  assert.ok(links.length >= 4, `nav: ${JSON.stringify(links)}`);
  const visited = [];
  const wide = [];
  for (const [i, { label, href }] of links.entries()) {
    // Click like a person would, from whatever page we are on.
    const resp = await navigation(page, () =>
      // By the whole label: "Feedback" is also part of "Upward feedback".
      page.locator('nav[aria-label="Main"]').getByRole('link', { name: label, exact: true }).click(),
    );
    assert.equal(resp.status(), 200, `${label} (${href})`);
    assert.equal(pathname(page), href, label);
    assert.equal(await page.locator('nav[aria-label="Main"] a[aria-current="page"]').textContent(), label);
    const h1 = (await page.locator('main h1').first().textContent()).trim();
    assert.ok(h1.length > 0, `${label} has a heading`);
    assert.notEqual(h1, 'Something went wrong');
    const slug = `${String(i + 2).padStart(2, '0')}-${label.toLowerCase().replace(/\W+/g, '-')}`;
    await shot(page, `${prefix}-${slug}-desktop`);
    await page.setViewportSize(MOBILE);
    await shot(page, `${prefix}-${slug}-mobile`);
    const px = await horizontalOverflow(page);
    if (px > 0) wide.push(`${href}: ${px} px`);
    await page.setViewportSize(DESKTOP);
    visited.push(label);
  }
  assert.deepEqual(wide, [], 'pages wider than a 390 px phone');
  return visited;
}

test('ethics officer: enrol, then every page of the nav', async () => {
  const { page, watcher } = await enrolledSession('ethics', 'demo-ethics');
  assert.equal(await page.locator('h1').textContent(), 'Welcome, Eshe Ethics-Officer');
  const visited = await clickThrough(page, 'demo-ethics');
  assert.deepEqual(visited, ['Home', 'Dashboard', 'Fairness', 'Pay equity', 'Leadership', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'Review queue', 'Upward feedback', 'Commitments', 'Feedback', 'Cases', 'Hotline analytics', 'Manage policies', 'Attestation', 'Courses', 'Training reports', 'Climate surveys', 'Audits', 'Corrective actions', 'Discipline', 'Evidence binder', 'Teams', 'Hotline settings', 'Audit trail', 'My account']);

  // The directory shows the three demo sites with their teams.
  await page.goto('/directory');
  const sites = await page.locator('main h2').allTextContents();
  assert.deepEqual(sites.sort(), ['Austin', 'Lisbon', 'Manila']);
  assert.equal(await page.locator('main tbody tr').count(), 12);

  // Surveys: two closed waves with results (some teams suppressed), one open.
  await page.goto('/surveys');
  await navigation(page, () => page.getByRole('link', { name: 'Summer pulse' }).click());
  await navigation(page, () => page.locator('nav[aria-label="Cuts"] a', { hasText: 'Team' }).click());
  const results = await page.locator('#results').innerText();
  assert.match(results, /Not shown: fewer than 5 responses/);
  assert.match(results, /Manila Retention\s+14\s/);
  assert.ok((await page.locator('#hotspots li').count()) >= 1, 'the demo has a hot-spot');
  assert.equal(await page.locator('#trend-table tbody tr').count(), 2);
  await shot(page, 'demo-ethics-survey-results-desktop');

  // The dashboard's ethics-program section: the demo gives every kind of card a value.
  await page.goto('/dashboard');
  const program = page.locator('section[aria-labelledby=sec-program]');
  assert.equal(await program.locator('h2').textContent(), 'Ethics program');
  for (const key of ['attestation_coverage', 'attestations_overdue', 'training_coverage', 'training_overdue', 'capa_open']) {
    assert.notEqual((await program.locator(`#ind-${key} .latest strong`).textContent()).trim(), '—', key);
  }
  assert.ok((await program.locator('[id^=ind-climate_] .latest strong').allTextContents()).some((t) => t !== '—'), 'a climate index');
  assert.ok(await program.getByRole('link', { name: 'Attestation reports' }).count() > 0);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await program.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-ethics-dashboard-program-desktop.png'), animations: 'disabled' });

  // Pay equity: the demo year has one category whose gap grade and tenure do not explain.
  await page.goto('/pay');
  assert.deepEqual(await page.locator('#category-gaps tr.attention th').allTextContents(), ['Agent, Technical Support']);
  assert.match(await page.locator('main').innerText(), /women's hourly pay is \d+\.\d % below men's/);
  await shot(page, 'demo-ethics-pay-desktop');

  // Not an admin: no user or token administration.
  for (const url of ['/admin/users', '/admin/tokens']) {
    const resp = await page.goto(url);
    assert.equal(resp.status(), 403, url);
  }
  await page.goto('/');
  await signOut(page);
  assert.equal(pathname(page), '/login');
  assert.deepEqual(watcher.problems(), []);
});

test('admin: enrol, then every page of the nav (users, tokens)', async () => {
  const { page, watcher } = await enrolledSession('admin', 'demo-admin');
  const visited = await clickThrough(page, 'demo-admin');
  assert.deepEqual(visited, ['Home', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Teams', 'Hotline settings', 'Audit trail', 'Users', 'API tokens', 'My account']);

  await page.goto('/admin/users');
  // "about 150 agents": the caption counts the rows, and every user is one row.
  const caption = await page.locator('main table caption').textContent();
  const rows = await page.locator('main table > tbody > tr').count();
  assert.equal(caption, `${rows} users`);
  assert.ok(rows >= 100, `${rows} demo users`);
  await page.goto('/');
  await signOut(page);
  assert.deepEqual(watcher.problems(), []);
});

test('agent and team lead see only their own pages', async () => {
  for (const [username, expected] of [
    ['agent', ['Home', 'My work', 'My coaching', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'My account']],
    ['lead', ['Home', 'Leadership', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'Review queue', 'Coaching', 'Upward feedback', 'Commitments', 'Feedback', 'Calibration', 'Team policies', 'Training reports', 'Audits', 'Corrective actions', 'Discipline', 'Teams', 'My account']],
    ['qa', ['Home', 'Fairness', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'Review queue', 'Commitments', 'Feedback', 'Disputes', 'Calibration', 'Audits', 'Corrective actions', 'Teams', 'My account']],
  ]) {
    const { ctx, page } = await env.page();
    await signIn(page, username, env.passwords[username]);
    assert.equal(pathname(page), '/', `${username} needs no second factor`);
    assert.deepEqual(await navLabels(page), expected, username);
    await shot(page, `demo-${username}-home-desktop`);
    if (username === 'agent') {
      // The right to information: the averages of the agent's own category, by sex.
      await page.goto('/pay/mine');
      assert.match(await page.locator('main h2').first().textContent(), /^2025: Agent, Billing$/);
      assert.equal(await page.locator('#my-category tbody tr').count(), 2);
      await shot(page, 'demo-agent-pay-mine-desktop');
    }
    if (username === 'lead') {
      // The leadership story: the lead's own team's climate fell between the two waves.
      await page.goto('/leadership/lead');
      assert.match(await page.locator('main').innerText(), /Fell since Spring pulse: /);
      await shot(page, 'demo-lead-leadership-desktop');
    }
    if (username === 'qa') {
      // The demo seeds disputes in every state.
      await page.goto('/qa/disputes');
      const text = await page.locator('main').innerText();
      assert.ok((await page.locator('tr.overdue').count()) > 0, 'an overdue dispute');
      assert.match(text, /unassigned/);
      assert.match(text, /accepted/);
      assert.match(text, /upheld/);
      await shot(page, 'demo-qa-disputes-desktop');
    }
    if (username === 'agent') {
      await page.goto('/my/work');
      assert.ok((await page.locator('section[aria-labelledby=my-disputes] tbody tr').count()) >= 5, 'the agent sees their disputes');
      await shot(page, 'demo-agent-my-work-desktop');
    }
    // Conflicts of interest (issue 9): the demo agent handled their sister's account.
    if (username === 'lead') {
      await page.goto('/conflicts/findings');
      assert.match(await page.locator('main').innerText(), /agent[\s\S]*disclosed relation's account[\s\S]*demo-coi-/);
      await shot(page, 'demo-lead-conflict-findings-desktop');
    }
    if (username === 'agent') {
      await page.goto('/conflicts');
      assert.match(await page.locator('section[aria-labelledby=mine]').innerText(), /Relative or close relation who is a customer[\s\S]*mitigated/);
      await shot(page, 'demo-agent-conflicts-desktop');
    }
    await ctx.close();
  }
});

test('a QA analyst filters the queue, opens an original from the privacy vault with a reason, and reads kept rates', async () => {
  const { page, watcher } = await env.signedIn('qa');

  await page.goto('/qa/review');
  await page.getByLabel('Severity').selectOption('critical');
  await page.getByRole('button', { name: 'Filter' }).click();
  const rows = page.locator('table tbody tr');
  assert.ok((await rows.count()) > 0, 'the demo has critical interactions');
  for (const sev of await page.locator('table tbody .sev').allInnerTexts()) {
    assert.equal(sev, 'critical');
  }
  await shot(page, 'demo-qa-review-critical-desktop');
  // Paging: the first page is full and links to older interactions.
  await page.goto('/qa/review?all=1');
  // Wait for the older page to load: leaving before it does aborts its request.
  await navigation(page, () => page.getByRole('link', { name: /Older interactions/ }).click());
  assert.match(page.url(), /after=/);

  // Open one interaction with a card number redacted, then its original.
  await page.goto('/qa/review?all=1');
  const hrefs = await page.locator('table tbody tr a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  let redacted = '';
  for (const href of hrefs.slice(0, 40)) {
    await page.goto(href);
    redacted = await page.locator('ol.transcript').innerText();
    if (/<[A-Z_]+_\d+>/.test(redacted)) break;
  }
  assert.match(redacted, /<[A-Z_]+_\d+>/, 'found an interaction with redacted customer data');
  await page.getByText('Open the unredacted original').click();
  await page.getByLabel(/Why do you need the original/).fill('checking a redaction the agent disputes');
  await page.getByRole('button', { name: 'Open the original' }).click();
  await page.getByRole('heading', { name: /^Original of interaction/ }).waitFor();
  assert.match(await page.locator('main .alert').innerText(), /checking a redaction the agent disputes/);
  const original = await page.locator('ol.transcript').innerText();
  assert.ok(original.length > 0);
  assert.ok(!/<[A-Z_]+_\d+>/.test(original), 'the original has no placeholders');
  await shot(page, 'demo-qa-vault-original-desktop');

  await page.goto('/commitments?status=due_soon');
  await page.getByRole('heading', { name: /Kept rate by team/ }).waitFor();
  assert.ok((await page.locator('section table tbody tr').count()) >= 3, 'one row per demo team with promises');
  await shot(page, 'demo-qa-commitments-desktop');
  await signOut(page);
  assert.deepEqual(watcher.problems(), []);
});

test('fairness: a QA analyst compares workloads, scores and evaluators, and sees the Honest selling course work', async () => {
  const { page, watcher } = await env.signedIn('qa');

  await navigation(page, () => page.locator('nav[aria-label="Main"] a', { hasText: 'Fairness' }).click());
  assert.equal(pathname(page), '/fairness');
  await page.getByLabel('Months').selectOption('12');
  await navigation(page, () => page.getByRole('button', { name: 'Show' }).click());
  assert.match(page.url(), /months=12/);
  // The demo's story: one team's agents take most hostile customers, so its difficult
  // contacts are spread unevenly; the lenient evaluator lifts most failures.
  const spread = await page.locator('#spread').innerText();
  assert.match(spread, /Whole organisation/);
  assert.ok((await page.locator('#spread tbody tr').count()) >= 5, 'the organisation and its teams');
  assert.ok((await page.locator('#most-difficult tbody tr').count()) >= 3);
  assert.ok((await page.locator('#by-team tbody tr').count()) >= 9, 'every demo team is scored');
  assert.match(await page.locator('#by-site').innerText(), /Lisbon[\s\S]*Manila/);
  const evaluators = await page.locator('#evaluators').innerText();
  assert.match(evaluators, /petra\.lapsed[^\n]*\+\d/, 'the lenient evaluator is above her peers');
  assert.match(evaluators, /Billing calls, week 46/, 'calibration deviations by session');
  await page.getByRole('heading', { name: 'How these are computed' }).waitFor();
  await shot(page, 'demo-qa-fairness-desktop');
  await page.setViewportSize(MOBILE);
  await shot(page, 'demo-qa-fairness-mobile');
  assert.equal(await horizontalOverflow(page), 0, 'tables scroll inside their frames on a phone');
  await page.setViewportSize(DESKTOP);

  await navigation(page, () => page.getByRole('link', { name: 'Training effectiveness from behaviour' }).click());
  await page.getByLabel('Course').selectOption({ label: 'Honest selling' });
  await navigation(page, () => page.getByRole('button', { name: 'Show' }).click());
  const guarantee = await page.locator('#before-after tbody tr', { hasText: 'honesty.guarantee' }).innerText();
  const [before, after] = guarantee.split('\t').slice(2, 4).map(Number);
  assert.ok(after < before / 2, `guarantees at least halve after the course: ${guarantee}`);
  assert.ok((await page.locator('#cohorts tbody tr').count()) >= 12, 'twelve months of cohorts');
  await shot(page, 'demo-qa-training-effectiveness-desktop');
  await signOut(page);
  assert.deepEqual(watcher.problems(), []);
});

test('an agent opens "my numbers" and follows a number back to an interaction', async () => {
  const { page, watcher } = await env.signedIn('agent');
  await page.goto('/my/work');
  await navigation(page, () => page.getByRole('link', { name: 'My numbers, explained' }).click());
  assert.equal(pathname(page), '/my/numbers');
  const formula = await page.locator('#formula').innerText();
  const [sum, n] = formula.match(/= (\d+) ÷ (\d+)/).slice(1).map(Number);
  assert.ok(n > 0, formula);
  // The listed interactions are the inputs: their scores add up to the sum shown.
  const pcts = await page.locator('#inputs tbody tr td:nth-child(5)').allInnerTexts();
  assert.equal(pcts.length, n);
  assert.equal(pcts.reduce((a, p) => a + parseInt(p, 10), 0), sum);
  const mean = await page.locator('#my-mean').innerText();
  assert.match(mean, new RegExp(`^${Math.round((sum / n) * 10) / 10} % \\(`), `${mean} vs ${sum}/${n}`);
  await shot(page, 'demo-agent-my-numbers-desktop');
  await page.setViewportSize(MOBILE);
  await shot(page, 'demo-agent-my-numbers-mobile');
  assert.equal(await horizontalOverflow(page), 0);
  await page.setViewportSize(DESKTOP);
  const resp = await navigation(page, () => page.locator('#inputs tbody tr a').first().click());
  assert.equal(resp.status(), 200);
  assert.match(pathname(page), /^\/my\/interactions\//);
  await signOut(page);
  assert.deepEqual(watcher.problems(), []);
});
