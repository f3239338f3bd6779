import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * systemd readiness and watchdog notifications (sd_notify(3)) without a
 * native module.
 *
 * Why a child process: the protocol is one AF_UNIX SOCK_DGRAM datagram to
 * $NOTIFY_SOCKET, and Node's `dgram` has no unix datagram sockets (only
 * udp4/udp6), so pure JS cannot send it. `systemd-notify` ships with every
 * systemd. The unit must say `NotifyAccess=all`, because the datagram comes
 * from the helper's PID, not the main PID. systemd-notify waits by default
 * (since systemd 246, a BARRIER=1 round trip) until the manager has read the
 * message, which closes the race where a short-lived sender exits before
 * systemd can map its PID to the unit (systemd issue #2739). The spawn is
 * asynchronous, so that wait never blocks the event loop.
 *
 * Outside systemd ($NOTIFY_SOCKET unset) every call is a no-op.
 */
export class SdNotify {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private failures = 0;
  /** Notifications handed to systemd-notify that it confirmed (exit 0). */
  sent = 0;

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly opts: { bin?: string; timeoutMs?: number; block?: boolean } = {},
  ) {}

  /** True under a systemd service with Type=notify. */
  get enabled(): boolean {
    return Boolean(this.env['NOTIFY_SOCKET']);
  }

  /**
   * Half of WatchdogSec (sd_watchdog_enabled(3) recommends pinging at half
   * the timeout), or undefined when the watchdog is off or meant for another PID.
   */
  get watchdogIntervalMs(): number | undefined {
    const usec = Number(this.env['WATCHDOG_USEC']);
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0) return undefined;
    const pid = this.env['WATCHDOG_PID'];
    if (pid !== undefined && Number(pid) !== process.pid) return undefined;
    return Math.max(1, Math.floor(usec / 2000));
  }

  /** Start-up finished: the unit becomes "active (running)". */
  ready(status?: string): Promise<boolean> {
    return this.send(['READY=1', ...(status ? [`STATUS=${status}`] : [])]);
  }

  /** Free-text status shown by `systemctl status`. */
  status(text: string): Promise<boolean> {
    return this.send([`STATUS=${text}`]);
  }

  /** Shutdown began: systemd stops expecting watchdog pings. */
  stopping(): Promise<boolean> {
    return this.send(['STOPPING=1']);
  }

  /**
   * Pings WATCHDOG=1 every half WatchdogSec while `alive()` says so. The
   * timer runs on the event loop, so a wedged loop stops the pings and
   * systemd restarts the agent; `alive()` can add an application check
   * (keep it to "the process is making progress": a plant broker outage is
   * not a reason to restart).
   */
  startWatchdog(alive: () => boolean = () => true): void {
    const every = this.watchdogIntervalMs;
    if (every === undefined || this.timer) return;
    this.timer = setInterval(() => {
      if (!alive()) {
        this.log.warn('watchdog ping withheld: liveness check failed');
        return;
      }
      void this.send(['WATCHDOG=1']);
    }, every);
    this.timer.unref();
    this.log.info({ everyMs: every }, 'systemd watchdog pings started');
  }

  /** Clears the watchdog timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves true when systemd-notify exited 0; never rejects (the agent must not die over a status message). */
  private send(assignments: string[]): Promise<boolean> {
    if (!this.enabled) return Promise.resolve(false);
    // One helper at a time: a slow manager must not pile up processes on a small gateway.
    if (this.inFlight && assignments[0] === 'WATCHDOG=1') return Promise.resolve(false);
    this.inFlight = true;
    const argv = this.opts.block === false ? ['--no-block', ...assignments] : assignments;
    return new Promise((resolve) => {
      execFile(this.opts.bin ?? 'systemd-notify', argv, { env: this.env, timeout: this.opts.timeoutMs ?? 5000 }, (err, _out, stderr) => {
        this.inFlight = false;
        if (!err) {
          this.sent++;
          this.failures = 0;
          resolve(true);
          return;
        }
        // Log the first failure and then every 100th, so a broken setup is visible but not noisy.
        if (this.failures++ % 100 === 0)
          this.log.warn({ err: err.message, stderr: String(stderr).trim(), failures: this.failures }, 'sd_notify failed');
        resolve(false);
      });
    });
  }
}
