// RFC 6238 TOTP (HMAC-SHA-1, 30 s steps, 6 digits) with node's crypto: what an
// authenticator app on the tester's phone would show.

import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const STEP_SECONDS = 30;

export function base32Decode(input) {
  const s = input.replace(/[\s=]/g, '').toUpperCase();
  const out = [];
  let bits = 0;
  let value = 0;
  for (const c of s) {
    const i = ALPHABET.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(c)}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code for `step` (a 30-second counter) of a secret given as bytes or base32. */
export function totp(secret, step, digits = 6) {
  const key = typeof secret === 'string' ? base32Decode(secret) : secret;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export const stepAt = (ms = Date.now()) => Math.floor(ms / 1000 / STEP_SECONDS);

/**
 * An authenticator app. `code()` returns the code shown right now, but never one for a
 * step the server has already consumed: it waits for the next 30-second window instead
 * (the server accepts each step once).
 */
export class Authenticator {
  constructor(secret) {
    this.secret = secret;
    this.lastUsed = -Infinity;
  }

  /** Tell the app that the server considers every step up to `step` used. */
  consumed(step) {
    this.lastUsed = Math.max(this.lastUsed, step);
  }

  /** Seconds `code()` would wait now. */
  waitSeconds() {
    const next = this.lastUsed + 1;
    return Math.max(0, next * STEP_SECONDS - Date.now() / 1000);
  }

  /**
   * `margin`: if fewer than this many seconds are left in the current window, wait for
   * the next one (so the server, which records the step it matched, cannot have moved on
   * by the time the form arrives).
   */
  async code({ margin = 0 } = {}) {
    for (;;) {
      const now = Date.now();
      const step = stepAt(now);
      const left = (step + 1) * STEP_SECONDS - now / 1000;
      if (step > this.lastUsed && left >= margin) {
        this.consumed(step);
        return { code: totp(this.secret, step), step };
      }
      const wait = step > this.lastUsed ? left * 1000 : (this.lastUsed + 1) * STEP_SECONDS * 1000 - now;
      await new Promise((r) => setTimeout(r, Math.max(50, wait + 250)));
    }
  }
}
