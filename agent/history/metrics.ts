import { Counter, Gauge, type Registry } from 'prom-client';
import { readCounter, type MetricsContributor } from '../observe/metrics.js';
import type { HistoryCounters, HistoryState } from './sink.js';

/** What the metrics read from the sink at scrape time (plain numbers; nothing on the hot path). */
interface Source {
  counters: HistoryCounters;
  state: HistoryState;
  ring: { size: number; capacity: number };
}

/** History metrics: written, dropped by reason, write errors, buffer fill, InfluxDB up. */
export function historyMetrics(src: Source): MetricsContributor {
  return (reg: Registry) => {
    const counter = readCounter(reg);
    counter('edge_sentinel_history_written_total', 'Points written to InfluxDB', () => src.counters.written);
    counter(
      'edge_sentinel_history_write_errors_total',
      'Failed InfluxDB requests (writes and schema checks)',
      () => src.counters.writeErrors,
    );
    new Counter({
      name: 'edge_sentinel_history_dropped_total',
      help: 'History points shed: overflow (buffer full), rejected (InfluxDB refused the batch), stop (unwritten at shutdown)',
      labelNames: ['reason'],
      registers: [reg],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(src.counters.dropped)) this.inc({ reason }, n);
      },
    });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [reg],
        collect() {
          this.set(read());
        },
      });
    };
    gauge('edge_sentinel_history_buffered', 'Points waiting in the history buffer', () => src.ring.size);
    gauge('edge_sentinel_history_buffer_capacity', 'History buffer bound, points', () => src.ring.capacity);
    gauge('edge_sentinel_history_up', '1 when the last InfluxDB request succeeded', () => (src.state === 'up' ? 1 : 0));
  };
}
