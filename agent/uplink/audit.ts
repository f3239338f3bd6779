/** Reading the egress audit log back (doctor, sovereignty tests). */
import { existsSync, readFileSync } from 'node:fs';
import type { EgressAuditLine } from './egress.js';

/** All lines of an egress audit log; [] when it does not exist yet. */
export function readEgressAudit(path: string): EgressAuditLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as EgressAuditLine);
}
