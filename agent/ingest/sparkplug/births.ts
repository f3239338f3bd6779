/**
 * What a birth certificate declares, as the host keeps it: each metric's
 * name, alias and datatype, and whether it is a signal for the detector.
 * Node control, device control, properties, bdSeq, templates and non-numeric
 * metrics are declared metrics but not signals: kept out of the detector,
 * counted once per birth by reason rather than at every DATA message.
 */
import { DT, isNumericType, type RawMetric } from './raw.js';

/** Why a declared metric is not a signal (a stable key for the counters). */
export type Excluded = 'control' | 'property' | 'template' | 'non_numeric';

export interface MetricDef {
  name: string;
  datatype: number;
  excluded: Excluded | null;
}

/** The metric table of one birth (a node's NBIRTH or a device's DBIRTH). */
export class BirthTable {
  private readonly byAlias = new Map<number, MetricDef>();
  private readonly byName = new Map<string, MetricDef>();

  /** Build from a birth's metrics; returns the excluded counts by reason and the metrics without a datatype (invalid in a birth). */
  static from(metrics: RawMetric[]): { table: BirthTable; excluded: Partial<Record<Excluded, number>>; untyped: number } {
    const t = new BirthTable();
    const excluded: Partial<Record<Excluded, number>> = {};
    let untyped = 0;
    for (const m of metrics) {
      if (m.name === undefined) continue;
      // Births must carry the datatype [tck-id-payloads-metric-datatype-req]; without it the metric cannot be read.
      if (m.datatype === undefined) {
        untyped++;
        continue;
      }
      const why = exclusion(m.name, m.datatype);
      const def: MetricDef = { name: m.name, datatype: m.datatype, excluded: why };
      if (why) excluded[why] = (excluded[why] ?? 0) + 1;
      t.byName.set(m.name, def);
      if (m.alias !== undefined) t.byAlias.set(m.alias, def);
    }
    return { table: t, excluded, untyped };
  }

  /** The declared metric a DATA metric refers to: by alias when it carries one, else by name. */
  resolve(m: RawMetric): MetricDef | undefined {
    if (m.alias !== undefined && m.name === undefined) return this.byAlias.get(m.alias);
    return m.name === undefined ? undefined : this.byName.get(m.name);
  }
}

/** Sparkplug's reserved metric folders and non-signal types [tck-id-topics-nbirth-rebirth-metric, tck-id-topics-dbirth-metric-reqs]. */
function exclusion(name: string, datatype: number): Excluded | null {
  if (name === 'bdSeq' || name.startsWith('Node Control/') || name.startsWith('Device Control/')) return 'control';
  if (name.startsWith('Properties/')) return 'property';
  if (datatype === DT.Template) return 'template';
  return isNumericType(datatype) ? null : 'non_numeric';
}
