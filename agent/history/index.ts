/**
 * Public entry of the history stage:
 *   const svc = createHistory(ctx); // undefined when history.url is unset
 * Register it in agent/extensions.ts; the controller runs start()/stop().
 */
import type { AgentContext, Service } from '../controller.js';
import { HistorySink } from './sink.js';

export { HistorySink, type HistoryCounters, type HistoryState, type DropReason } from './sink.js';
export { M as HISTORY_MEASUREMENTS } from './points.js';

/** Builds the InfluxDB history sink from `config.history`, or undefined when no URL is configured. */
export function createHistory(ctx: AgentContext): Service | undefined {
  const cfg = ctx.config.history;
  if (!cfg.url) return undefined;
  ctx.health.register('history', `writing to database ${cfg.database}`);
  return new HistorySink({ ...cfg, url: cfg.url }, ctx.bus, ctx.log);
}
