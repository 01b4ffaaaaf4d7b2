// Sign-in, sign-out, wrong passwords and lockout, forbidden pages, CSRF and keyboard
// access, as agents (no second factor).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator, DESKTOP, MOBILE, navigation, navLabels, pathname, shot, signIn, signOut, testServer } from './lib/harness.mjs';
import { stepAt, totp } from './lib/totp.mjs';

const PASSWORD = 'agent-password-1234';
const WRONG = 'Wrong username or password.';

const env = testServer({
  password: PASSWORD,
  users: [
    { username: 'alex', displayName: 'Alex Agent', role: 'agent' },
    { username: 'lockme', displayName: 'Lou Lockout', role: 'agent' },
    { username: 'casey', displayName: 'Casey Csrf', role: 'agent' },
    { username: 'kim', displayName: 'Kim Keyboard', role: 'agent' },
    { username: 'ivy', displayName: 'Ivy Investigator', role: 'investigator' },
  ],
});

describe('agent sign-in', () => {
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['mobile', MOBILE],
  ]) {
    test(`sign in shows the agent's name, sign out returns to /login (${label})`, async () => {
      const { page, watcher } = await env.page(viewport);
      const resp = await page.goto('/');
      assert.equal(pathname(page), '/login', 'anonymous / goes to the sign-in page');
      assert.equal(resp.status(), 200);
      await assert.doesNotReject(page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor());
      await shot(page, `agent-01-login-${label}`);

      const home = await signIn(page, 'alex', PASSWORD);
      assert.equal(home.status(), 200);
      assert.equal(pathname(page), '/');
      assert.equal(await page.locator('h1').textContent(), 'Welcome, Alex Agent');
      assert.match(await page.locator('header .who').innerText(), /Alex Agent/);
      assert.match(await page.locator('main .lead').innerText(), /signed in as alex/);
      await shot(page, `agent-02-home-${label}`);

      await page.goto('/account');
      await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
      await shot(page, `agent-03-account-${label}`);

      await signOut(page);
      assert.equal(pathname(page), '/login');
      await shot(page, `agent-04-signed-out-${label}`);

      // The session is gone: home sends us back to the sign-in form.
      await page.goto('/');
      assert.equal(pathname(page), '/login');
      assert.deepEqual(await page.context().cookies().then((c) => c.filter((x) => x.name === 'rt_session')), []);
      assert.deepEqual(watcher.problems(), []);
    });
  }

  test('a deep link survives sign-in (?next=)', async () => {
    const { page } = await env.page();
    await page.goto('/account');
    assert.equal(pathname(page), '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
    await signIn(page, 'alex', PASSWORD);
    assert.equal(pathname(page), '/account');
    await signOut(page);
  });

  test(
    '?next= never leads off-site (tab in the path)',
    async () => {
      const { page } = await env.page();
      await signIn(page, 'alex', PASSWORD);
      const origin = new URL(env.server.url).origin;
      const visited = [];
      page.on('request', (r) => r.isNavigationRequest() && visited.push(r.url()));
      // Port 9 on localhost: another origin that refuses at once (no DNS, no network).
      // With a real attacker it would be /<TAB>/evil.example/login, a look-alike sign-in page.
      await page.goto(`/login?next=${encodeURIComponent('/\t/127.0.0.1:9/phish')}`).catch(() => {});
      assert.deepEqual(
        visited.filter((u) => new URL(u).origin !== origin),
        [],
        'navigations that left the RightTrack origin',
      );
    },
  );

  test(
    '?next= with a line break is refused, not a 500',
    async () => {
      const { page } = await env.page();
      await signIn(page, 'alex', PASSWORD);
      const resp = await page.goto(`/login?next=${encodeURIComponent('/account\nX-Injected: 1')}`);
      assert.ok(resp.status() < 500, `HTTP ${resp.status()} at ${page.url()}`);
    },
  );

  test('the session cookie is HttpOnly and SameSite=Strict', async () => {
    const { page } = await env.page();
    await signIn(page, 'alex', PASSWORD);
    const [c] = (await page.context().cookies()).filter((x) => x.name === 'rt_session');
    assert.ok(c, 'rt_session cookie set');
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie.includes('rt_session')), false);
    await signOut(page);
  });
});

describe('wrong passwords', () => {
  test('a wrong password says so; after 5 failures the account is locked', async () => {
    const { page } = await env.page();
    await page.goto('/login');

    // Unknown user: same message as a wrong password (no user enumeration).
    let resp = await signIn(page, 'nobody-here', 'whatever-password');
    assert.equal(resp.status(), 401);
    assert.equal((await page.getByRole('alert').textContent()).trim(), WRONG);

    for (let i = 1; i <= 4; i++) {
      resp = await signIn(page, 'lockme', `wrong-password-${i}`);
      assert.equal(resp.status(), 401, `attempt ${i}`);
      assert.equal((await page.getByRole('alert').textContent()).trim(), WRONG, `attempt ${i}`);
      assert.equal(pathname(page), '/login');
      // The username is kept, the password is not.
      assert.equal(await page.inputValue('#username'), 'lockme');
      assert.equal(await page.inputValue('#password'), '');
      if (i === 1) await shot(page, 'agent-05-wrong-password-desktop');
    }

    resp = await signIn(page, 'lockme', 'wrong-password-5');
    assert.equal(resp.status(), 429, 'fifth failure locks');
    assert.match(await page.getByRole('alert').textContent(), /locked/);
    await shot(page, 'agent-06-locked-desktop');

    // Locked means locked: the right password does not get in either.
    resp = await signIn(page, 'lockme', PASSWORD);
    assert.equal(resp.status(), 429);
    assert.match(await page.getByRole('alert').textContent(), /locked/);
    assert.equal(pathname(page), '/login');
  });

  // Regression (fixed in cb4421d): enrolment left the failed codes counted.
  test(
    'failed enrolment codes are forgotten once enrolment succeeds',
    async () => {
      const { page } = await env.page();
      await signIn(page, 'ivy', PASSWORD);
      assert.equal(pathname(page), '/account/2fa');
      const app = new Authenticator((await page.locator('#totp-secret').textContent()).trim());
      const near = [-1, 0, 1].map((d) => totp(app.secret, stepAt() + d));
      const wrong = ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c));
      for (let i = 0; i < 4; i++) {
        await page.fill('#code', wrong);
        await navigation(page, () => page.getByRole('button', { name: 'Turn on two-factor' }).click());
        assert.match(await page.getByRole('alert').textContent(), /code is not right/);
      }
      await page.fill('#code', (await app.code()).code);
      await navigation(page, () => page.getByRole('button', { name: 'Turn on two-factor' }).click());
      assert.equal(pathname(page), '/', 'enrolled');
      await signOut(page);

      // One typo after a successful enrolment must not lock the account.
      const resp = await signIn(page, 'ivy', 'one-typo-password');
      await shot(page, 'agent-11-locked-after-enrolment-desktop');
      assert.equal((await page.getByRole('alert').textContent()).trim(), WRONG);
      assert.equal(resp.status(), 401);
    },
  );

  test('the lockout message on a phone', async () => {
    const { page } = await env.page(MOBILE);
    await signIn(page, 'lockme', PASSWORD);
    assert.match(await page.getByRole('alert').textContent(), /locked/);
    await shot(page, 'agent-07-locked-mobile');
  });
});

describe('authorization', () => {
  test("an agent gets the 403 page on /admin/users and the nav has no admin links", async () => {
    const { page } = await env.page();
    await signIn(page, 'alex', PASSWORD);
    const nav = await navLabels(page);
    assert.ok(nav.includes('Home') && nav.includes('My account'), `nav: ${nav}`);
    for (const hidden of ['Teams', 'Audit trail', 'Users', 'API tokens']) {
      assert.ok(!nav.includes(hidden), `agent nav must not show ${hidden}: ${nav}`);
    }
    // The home tiles follow the same rule.
    const tiles = await page.locator('main .tile strong').allTextContents();
    assert.deepEqual(tiles, ['My work', 'My coaching', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'My account']);

    for (const url of ['/admin/users', '/admin/tokens', '/audit', '/directory']) {
      const resp = await page.goto(url);
      assert.equal(resp.status(), 403, url);
      assert.equal(
        (await page.locator('h1').textContent()).trim(),
        'You do not have access to this page',
        url,
      );
      if (url === '/admin/users') await shot(page, 'agent-08-forbidden-desktop');
    }
    // Forbidden is not signed out.
    await page.goto('/');
    assert.equal(pathname(page), '/');
  });

  // Regression (fixed in cb4421d): error pages were rendered without the caller.
  test('the 403 page keeps the signed-in header (name, nav, Sign out)', async () => {
    const { page } = await env.page();
    await signIn(page, 'alex', PASSWORD);
    const resp = await page.goto('/admin/users');
    assert.equal(resp.status(), 403);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1, 'Sign out button');
    assert.match(await page.locator('header').innerText(), /Alex Agent/);
    assert.deepEqual(await navLabels(page), ['Home', 'My work', 'My coaching', 'My policies', 'My training', 'My surveys', 'My pay category', 'Conflicts of interest', 'Kudos', 'My account']);
  });

  test(
    'the 404 page keeps the signed-in header (name, nav, Sign out)',
    async () => {
      const { page } = await env.page();
      await signIn(page, 'alex', PASSWORD);
      const resp = await page.goto('/no-such-page');
      assert.equal(resp.status(), 404);
      assert.equal((await page.locator('h1').textContent()).trim(), 'Page not found');
      await shot(page, 'agent-12-not-found-desktop');
      assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1, 'Sign out button');
      assert.match(await page.locator('header').innerText(), /Alex Agent/);
    },
  );

  test('an agent cannot post to admin forms either', async () => {
    const { page } = await env.page();
    await signIn(page, 'alex', PASSWORD);
    const csrf = await page.locator('header form input[name=csrf]').inputValue();
    const resp = await page.request.post('/admin/users', {
      form: { csrf, username: 'mallory', display_name: 'Mallory', password: 'mallory-password-1', role: 'admin' },
      maxRedirects: 0,
    });
    assert.equal(resp.status(), 403);
  });
});

describe('CSRF', () => {
  test('a tampered csrf field gives the "This form has expired" page (403)', async () => {
    const { page } = await env.page();
    await signIn(page, 'casey', PASSWORD);
    await page.goto('/account');
    await page.fill('#current', PASSWORD);
    await page.fill('#new', 'a-brand-new-password-99');
    await page.locator('main form[action="/account/password"] input[name=csrf]').evaluate((el) => {
      el.value = 'TAMPERED' + el.value.slice(8);
    });
    const resp = await navigation(page, () => page.getByRole('button', { name: 'Change password' }).click());
    assert.equal(resp.status(), 403);
    assert.equal((await page.locator('h1').textContent()).trim(), 'This form has expired');
    assert.match(await page.locator('main').innerText(), /csrf_failed/);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1, 'still signed in, header shown');
    await shot(page, 'agent-09-csrf-expired-desktop');

    // Nothing changed: the old password still works.
    await page.goto('/');
    await signOut(page);
    await signIn(page, 'casey', PASSWORD);
    assert.equal(pathname(page), '/');
  });

  test('the sign-out form is protected too', async () => {
    const { page } = await env.page();
    await signIn(page, 'casey', PASSWORD);
    await page.locator('header form[action="/logout"] input[name=csrf]').evaluate((el) => (el.value = ''));
    const resp = await navigation(page, () => page.getByRole('button', { name: 'Sign out' }).click());
    assert.equal(resp.status(), 403);
    assert.equal((await page.locator('h1').textContent()).trim(), 'This form has expired');
    // Still signed in.
    await page.goto('/');
    assert.equal(pathname(page), '/');
  });

  test('the sign-in form (double-submit cookie) rejects a tampered token', async () => {
    const { page } = await env.page();
    await page.goto('/login');
    await page.fill('#username', 'casey');
    await page.fill('#password', PASSWORD);
    await page.locator('main form input[name=csrf]').evaluate((el) => (el.value = 'AAAA' + el.value.slice(4)));
    const resp = await navigation(page, () => page.click('main button[type=submit]'));
    assert.equal(resp.status(), 403);
    assert.equal((await page.locator('h1').textContent()).trim(), 'This form has expired');
  });
});

describe('keyboard', () => {
  test('"Skip to content" is the first tab stop and moves focus to main', async () => {
    const { page } = await env.page();
    await signIn(page, 'kim', PASSWORD);
    for (const url of ['/', '/account']) {
      await page.goto(url);
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => ({
        text: document.activeElement?.textContent?.trim(),
        href: document.activeElement?.getAttribute('href'),
        visible: document.activeElement?.getBoundingClientRect().left >= 0,
      }));
      assert.deepEqual(focused, { text: 'Skip to content', href: '#main', visible: true }, url);
      if (url === '/') await shot(page, 'agent-10-skip-link-desktop');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', url);
    }
  });

  test('the sign-in form can be used with the keyboard alone', async () => {
    const { page } = await env.page();
    await page.goto('/login');
    // The username field has autofocus.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'username');
    await page.keyboard.type('kim');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await navigation(page, () => page.keyboard.press('Enter'));
    assert.equal(pathname(page), '/');
  });
});
