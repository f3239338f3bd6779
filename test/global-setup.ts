import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';

/** True when something accepts TCP connections on host:port. */
function reachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * The integration suites need the real Mosquitto at 127.0.0.1:1883. Start it
 * when it is installed but down; fail loudly (never skip) when it cannot run.
 */
export default async function setup(): Promise<void> {
  if (await reachable(1883)) return;
  try {
    execFileSync('mosquitto', ['-d', '-c', '/etc/mosquitto/mosquitto.conf'], { stdio: 'inherit' });
  } catch (err) {
    throw new Error(
      `Mosquitto is not running on 127.0.0.1:1883 and could not be started (apt-get install -y mosquitto): ${(err as Error).message}`,
    );
  }
  for (let i = 0; i < 50; i++) {
    if (await reachable(1883)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Mosquitto was started but 127.0.0.1:1883 does not accept connections');
}
