/**
 * Keys an earlier version accepted and this one no longer has. An old config
 * that still sets one is not refused (an upgraded agent on a gateway must
 * keep monitoring): the key is dropped and `validate` and `run` say what
 * replaced it, instead of zod's generic "unrecognized key".
 */
const REMOVED: ReadonlyArray<{ path: string[]; note: string }> = [
  {
    path: ['alerts', 'instantMs'],
    note:
      'removed: alert hysteresis now counts asset scans (one decision per scan), so the k messages of one tick can no longer open an ' +
      'alert by themselves. Delete the key. If the plain-number messages of one scan arrive spread over more than half the scan ' +
      'period, set assets.defaults.scanCloseMs (see docs/architecture.md, "Scans")',
  },
];

/**
 * Removes every removed key from a raw (substituted, not yet validated)
 * config, returning a copy and one `path: note (got VALUE)` line per key found.
 */
export function dropRemovedKeys(raw: unknown): { raw: unknown; notes: string[] } {
  const notes: string[] = [];
  let out = raw;
  for (const r of REMOVED) {
    const parent = r.path.slice(0, -1).reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), out);
    const key = r.path[r.path.length - 1]!;
    if (!isObject(parent) || !(key in parent)) continue;
    notes.push(`${r.path.join('.')}: ${r.note} (got ${JSON.stringify(parent[key])})`);
    out = without(out, r.path);
  }
  return { raw: out, notes };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A copy of `o` without the key at `path` (only the objects along the path are copied). */
function without(o: unknown, path: string[]): unknown {
  if (!isObject(o)) return o;
  const [head, ...rest] = path as [string, ...string[]];
  const copy = { ...o };
  if (rest.length === 0) delete copy[head];
  else copy[head] = without(o[head], rest);
  return copy;
}
