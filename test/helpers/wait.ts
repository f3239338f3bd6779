/** Polls `cond` until true or throws after `ms` with `what` in the message; `step` (e.g. a fetch) runs before each check. */
export async function waitFor(cond: () => boolean, ms: number, what: string, step?: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    await step?.();
    if (cond()) return;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, step ? 100 : 20));
  }
}

export function uniq(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
