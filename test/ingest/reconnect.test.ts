import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { Backoff, isRefusal, reconnectWithBackoff } from '../../agent/ingest/reconnect.js';

function closedPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

describe('reconnect backoff', () => {
  it('doubles up to the cap, each delay in [½, 1] of its step, and resets', () => {
    const lo = new Backoff(100, 1000, () => 0);
    const hi = new Backoff(100, 1000, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(() => lo.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map(() => hi.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(hi.failures).toBe(6);
    hi.reset();
    expect(hi.next()).toBe(100);
  });

  it('replaces mqtt.js fixed reconnect period: far fewer attempts against a dead broker', async () => {
    const port = await closedPort();
    const attempts = async (withBackoff: boolean): Promise<number> => {
      const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 100, connectTimeout: 1000 });
      c.on('error', () => undefined);
      if (withBackoff) expect(reconnectWithBackoff(c, new Backoff(100, 60_000)).applied).toBe(true);
      let n = 0;
      c.on('reconnect', () => n++);
      await new Promise((r) => setTimeout(r, 2000));
      await c.endAsync(true);
      return n;
    };
    const fixed = await attempts(false);
    const backed = await attempts(true);
    // Fixed: one attempt per 100 ms. Backoff: 50-100, 100-200, 200-400, 400-800 ms ... at most 5 in 2 s.
    // (A slow box makes fewer attempts in both cases, so these bounds cannot fail by slowness.)
    expect(backed).toBeGreaterThanOrEqual(2);
    expect(backed).toBeLessThanOrEqual(5);
    expect(fixed).toBeGreaterThan(backed);
  });

  it('tells refusals (credentials, TLS) from network errors', () => {
    const e = (code: unknown): Error & { code?: unknown } => Object.assign(new Error('x'), { code });
    expect(isRefusal(e(5))).toBe(true);
    expect(isRefusal(e(0x87))).toBe(true);
    expect(isRefusal(e('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))).toBe(true);
    expect(isRefusal(e('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe(true);
    expect(isRefusal(e('ECONNREFUSED'))).toBe(false);
    expect(isRefusal(e(undefined))).toBe(false);
  });
});
