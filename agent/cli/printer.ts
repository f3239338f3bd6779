import type { EventBus } from '../events.js';
import type { Decision } from '../types.js';

interface Episode {
  startTs: number;
  lastPrint: number;
  normalSince: number;
  count: number;
}

const UPDATE_EVERY_MS = 3000;
const NORMAL_AFTER_MS = 3000;

/**
 * Prints detections for a person watching the demo: one line when an asset
 * turns anomalous, an update at most every few seconds while it stays so, and
 * a line when it is back to normal. `--json` prints the same as JSON lines.
 */
export class DetectionPrinter {
  private readonly episodes = new Map<string, Episode>();
  lines = 0;

  constructor(
    private readonly out: (line: string) => void,
    private readonly json: boolean,
    private readonly units: Record<string, string>,
    /** Print an "ongoing" line every few seconds while an anomaly lasts (off when alerts are printed). */
    private readonly ongoing = false,
  ) {}

  attach(bus: EventBus): () => void {
    const off1 = bus.on('decision', (d) => this.onDecision(d));
    const off2 = bus.on('phase', (p) =>
      this.print(
        { type: 'phase', asset: p.asset, phase: p.phase, samples: p.samples },
        `${clock(Date.now())}  ${p.asset.padEnd(8)} learned its baseline from ${p.samples} samples; detecting`,
      ),
    );
    const off3 = bus.on('alert', (a) => {
      const p = a.payload;
      const tag = `ALERT ${a.state.toUpperCase()} ${p.severity}`;
      this.print(
        { type: 'alert', ...p },
        `${clock(Date.parse(p.lastSeen))}  ${a.asset.padEnd(8)} ${tag.padEnd(22)} ${p.summary.text}  [${p.summary.source === 'lm' ? `written by ${p.summary.model}, fact-checked` : 'template'}]`,
      );
    });
    return () => {
      off1();
      off2();
      off3();
    };
  }

  private onDecision(d: Decision): void {
    if (d.phase !== 'detecting') return;
    const ep = this.episodes.get(d.asset);
    if (d.anomalous) {
      if (!ep) {
        this.episodes.set(d.asset, { startTs: d.ts, lastPrint: d.ts, normalSince: 0, count: 1 });
        this.printDetection('detection', d);
      } else {
        ep.count++;
        ep.normalSince = 0;
        if (this.ongoing && d.ts - ep.lastPrint >= UPDATE_EVERY_MS) {
          ep.lastPrint = d.ts;
          this.printDetection('ongoing', d, ep);
        }
      }
      return;
    }
    if (!ep) return;
    if (ep.normalSince === 0) ep.normalSince = d.ts;
    else if (d.ts - ep.normalSince >= NORMAL_AFTER_MS) {
      this.episodes.delete(d.asset);
      const s = Math.round((d.ts - ep.startTs) / 1000);
      this.print(
        { type: 'normal', asset: d.asset, ts: d.ts, durationS: s, anomalousSamples: ep.count },
        `${clock(d.ts)}  ${d.asset.padEnd(8)} back to normal after ${s} s (${ep.count} anomalous samples)`,
      );
    }
  }

  private printDetection(kind: 'detection' | 'ongoing', d: Decision, ep?: Episode): void {
    const moved = (d.evidence ?? []).filter((e) => d.diagnosis?.signals.includes(e.signal));
    const sig = moved
      .map(
        (e) =>
          `${e.signal} ${fmt(e.value)}${this.units[e.signal] ? ' ' + this.units[e.signal] : ''} (normal ${fmt(e.baseline)}, ${e.z >= 0 ? '+' : ''}${e.z.toFixed(1)}σ)`,
      )
      .join(', ');
    const what = kind === 'detection' ? 'ANOMALY ' : 'ongoing ';
    const since = ep ? ` for ${Math.round((d.ts - ep.startTs) / 1000)} s` : '';
    const text = `${clock(d.ts)}  ${d.asset.padEnd(8)} ${what} ${d.diagnosis?.pattern ?? 'unknown'}${since}: ${sig}  [score ${d.score.toFixed(1)} / threshold ${d.threshold.toFixed(1)}, ${d.source}, decided in ${(d.latencyUs / 1000).toFixed(2)} ms]`;
    this.print({ type: kind, ...d }, text);
  }

  private print(obj: object, text: string): void {
    this.lines++;
    this.out(this.json ? JSON.stringify(obj) : text);
  }
}

function clock(ts: number): string {
  return new Date(ts).toISOString().slice(11, 23);
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}
