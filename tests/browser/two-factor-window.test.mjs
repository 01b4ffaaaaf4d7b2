// Two-factor timing right after enrolment. An authenticator app shows a new code every
// 30 seconds; right after enrolling, a user who signs in again should be able to use the
// next code the app shows. Takes up to ~30 s (waits for the next TOTP window), so it has
// its own file and server and runs alongside the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { navigation, pathname, shot, signIn, signOut, sleep, testServer } from './lib/harness.mjs';
import { STEP_SECONDS, stepAt, totp } from './lib/totp.mjs';

const PASSWORD = 'ethics-password-1234';
const env = testServer({ users: [{ username: 'eve', displayName: 'Eve Ethics', role: 'ethics_officer', password: PASSWORD }] });

// Regression (fixed in cb4421d): enrolment consumed step now+1, so this code was refused.
test(
  "the app's next code works right after enrolment",
  async () => {
    const { ctx, page } = await env.page();
    try {
      await signIn(page, 'eve', PASSWORD);
      assert.equal(pathname(page), '/account/2fa');
      const secret = (await page.locator('#totp-secret').textContent()).trim();
      // Enrol early in a window so the step cannot change under us.
      if (Date.now() / 1000 - stepAt() * STEP_SECONDS > STEP_SECONDS - 5) await sleep(6_000);
      const enrolStep = stepAt();
      await page.fill('#code', totp(secret, enrolStep));
      await navigation(page, () => page.getByRole('button', { name: 'Turn on two-factor' }).click());
      assert.equal(pathname(page), '/');
      await signOut(page);
      await signIn(page, 'eve', PASSWORD);
      assert.equal(pathname(page), '/login/totp');

      // Wait for the next window and type what the app now shows.
      while (stepAt() <= enrolStep) await sleep(250);
      await page.fill('#code', totp(secret, stepAt()));
      const resp = await navigation(page, () => page.getByRole('button', { name: 'Verify' }).click());
      await shot(page, 'totp-window-next-code-desktop');
      assert.equal(pathname(page), '/', `status ${resp.status()}`);
    } finally {
      await ctx.close();
    }
  },
);
