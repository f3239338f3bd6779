/**
 * The components the agent reports on and every reason code they can give.
 * Codes are a contract (the upstream status, Prometheus alerts and the
 * operations guide use them): add new ones, never rename. Each has its
 * meaning and what an operator should do; docs/operations.md lists them all
 * (a test keeps the two in step).
 */

/** In report order: from the plant side to the upstream side. */
export const COMPONENTS = ['plant', 'hotpath', 'baselines', 'alertStore', 'outbox', 'uplink', 'explain', 'history'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

interface ReasonInfo {
  component: ComponentName | '*';
  state: 'ok' | 'degraded' | 'down';
  meaning: string;
  action: string;
}

export const HEALTH_REASONS = {
  ok: { component: '*', state: 'ok', meaning: 'working as designed', action: 'nothing' },
  plant_reconnecting: {
    component: 'plant',
    state: 'degraded',
    meaning: 'the plant broker connection dropped or was never made; the agent is retrying with backoff',
    action: 'if it lasts, check the broker (systemctl status mosquitto) and plant.broker.url',
  },
  plant_unreachable: {
    component: 'plant',
    state: 'down',
    meaning: 'no plant broker connection for longer than observe.health.downAfterS: no samples, no detection',
    action: 'check the broker is running and reachable from this host (edge-sentinel doctor checks it)',
  },
  plant_refused: {
    component: 'plant',
    state: 'down',
    meaning: 'the plant broker refused the connection (bad credentials, not authorised, or a TLS failure)',
    action: 'check plant.broker.username / passwordFile / tls; the broker log says why',
  },
  deadline_misses: {
    component: 'hotpath',
    state: 'degraded',
    meaning: 'consecutive scans missed the model deadline; the fallback detector is deciding them',
    action: 'the box is overloaded or the deadline too tight: see docs/performance.md (nice, CPU affinity, assets.defaults.deadlineMs)',
  },
  hotpath_stalled: {
    component: 'hotpath',
    state: 'down',
    meaning: 'samples are accepted but no decision was made for observe.health.stallAfterS; the watchdog stops pinging',
    action: 'a bug: systemd restarts the agent (WatchdogSec); keep the log and open an issue',
  },
  baseline_write_failed: {
    component: 'baselines',
    state: 'degraded',
    meaning: 'a learned baseline could not be written; it is kept in memory and written again when the disk allows',
    action: 'free space or make agent.stateDir writable; until then a restart relearns those assets',
  },
  baseline_corrupt: {
    component: 'baselines',
    state: 'degraded',
    meaning: 'a baseline file was truncated or unreadable at start-up; the file was moved aside and the asset relearns',
    action: 'nothing to do unless it repeats (then check the disk: dmesg, smartctl); clears when the asset has a new baseline',
  },
  store_disk_full: {
    component: 'alertStore',
    state: 'down',
    meaning: 'the alerts database cannot be written: the disk is full. Alerts are kept in memory (flagged volatile) and still sent',
    action: 'free space on the state dir file system; the agent writes everything back on its own within agent.storageRetryS',
  },
  store_readonly: {
    component: 'alertStore',
    state: 'down',
    meaning: 'the state directory is read-only (or not permitted). Alerts are kept in memory (flagged volatile) and still sent',
    action: "remount read-write or fix ownership (the agent's user must own agent.stateDir); the agent catches up on its own",
  },
  store_io_error: {
    component: 'alertStore',
    state: 'down',
    meaning: 'the alerts database hit an I/O error. Alerts are kept in memory (flagged volatile) and still sent',
    action: 'check the disk (dmesg, smartctl); the agent retries and catches up when writes work again',
  },
  store_corrupt_replaced: {
    component: 'alertStore',
    state: 'degraded',
    meaning: 'alerts.db was corrupt at start-up; it was moved aside (alerts.db.corrupt-<time>) and a new one created',
    action: 'alerts queued in the old file were not sent: inspect it with sqlite3 if they matter, then delete it; restart clears this',
  },
  outbox_filling: {
    component: 'outbox',
    state: 'degraded',
    meaning: 'the outbox is above observe.health.outboxFill of its bound (count or bytes): the uplink is not keeping up',
    action: 'check the uplink; raise uplink.outbox.maxCount/maxBytes if outages are expected to be long',
  },
  outbox_full: {
    component: 'outbox',
    state: 'down',
    meaning: 'the outbox overflowed: its overflow policy dropped or refused alerts (counted in the status)',
    action: 'restore the uplink; alerts already dropped are gone (their ids are in the log)',
  },
  uplink_reconnecting: {
    component: 'uplink',
    state: 'degraded',
    meaning: 'the upstream connection dropped; alerts wait in the outbox while the agent retries with backoff',
    action: 'usually nothing; if it lasts, check the upstream broker and the WAN',
  },
  uplink_unreachable: {
    component: 'uplink',
    state: 'down',
    meaning: 'no upstream connection for longer than observe.health.downAfterS; alerts are queued on disk, not delivered',
    action: 'check the upstream broker, DNS, firewall and uplink.broker.url (edge-sentinel doctor checks it)',
  },
  uplink_host_offline: {
    component: 'uplink',
    state: 'degraded',
    meaning:
      'uplink.format sparkplug: the primary host application (uplink.sparkplug.primaryHostId) is offline or has not said it is online; alerts wait in the outbox',
    action: 'check the SCADA host application and its STATE topic spBv1.0/STATE/<primaryHostId> on the upstream broker',
  },
  uplink_refused: {
    component: 'uplink',
    state: 'down',
    meaning: 'the upstream broker refused us: bad credentials, not authorised, or the TLS handshake failed (certificate)',
    action: 'check uplink.broker username / passwordFile / tls (ca, cert, key); the broker log says why',
  },
  audit_write_failed: {
    component: 'uplink',
    state: 'degraded',
    meaning: 'the egress audit log cannot be written; messages are still sent, but not audited',
    action: 'free space or fix permissions of the state dir (uplink.egress.auditFile)',
  },
  explain_worker_down: {
    component: 'explain',
    state: 'degraded',
    meaning: 'the language-model worker died; summaries use templates while it restarts with backoff',
    action: 'nothing unless it repeats; then keep the log and try explain.mode: template',
  },
  explain_model_unavailable: {
    component: 'explain',
    state: 'degraded',
    meaning: 'the language model could not be loaded; every summary uses the template',
    action: 'restore the model folder named in the message (or set explain.mode: template), then restart',
  },
  history_unreachable: {
    component: 'history',
    state: 'degraded',
    meaning: 'InfluxDB does not answer; history points are buffered (bounded) and shed beyond the buffer',
    action: 'check InfluxDB and history.url; detection and alerts are not affected',
  },
} as const satisfies Record<string, ReasonInfo>;

export type HealthReason = keyof typeof HEALTH_REASONS;
