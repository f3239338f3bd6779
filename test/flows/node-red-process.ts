/**
 * A real Node-RED 4 process (node_modules/node-red/red.js) for flow and editor
 * tests: temp userDir, the node package installed into it the way a developer
 * does from a checkout (`npm install <checkout> <checkout>/nodes`: both linked,
 * the nodes' dependency on edge-sentinel satisfied by the checkout), the flow
 * as its flows file, a free port. Resolves once Node-RED logs "Started
 * flows"; fails with its output otherwise. The packed install a user does is
 * test/hardware/pack.test.ts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../history/influx-server.js';
import { ROOT } from '../nodes/build.js';

export interface NodeRedProcess {
  readonly url: string;
  readonly userDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** An example flow of the nodes package (nodes/examples/<name>.json), as Import > Examples reads it. */
export function exampleFlow(name: string): object[] {
  return JSON.parse(readFileSync(join(ROOT, 'nodes', 'examples', `${name}.json`), 'utf8')) as object[];
}

/** Several flows deployed together: a config node they share (same id) is kept once, as the editor's import does. */
export function mergeFlows(...flows: object[][]): object[] {
  const seen = new Set<string>();
  return flows.flat().filter((n) => {
    const id = (n as { id: string }).id;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Node-RED settings for a test process: loopback, a free port, no telemetry, no palette catalogue. */
export function nodeRedSettings(port: number, editor: boolean): string {
  return `module.exports = ${JSON.stringify({
    uiPort: port,
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    disableEditor: !editor,
    httpAdminRoot: editor ? '/' : false,
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
    externalModules: { palette: { allowInstall: false } },
    logging: { console: { level: 'info' } },
  })};\n`;
}

export async function startNodeRed(flows: object[], opts: { editor?: boolean } = {}): Promise<NodeRedProcess> {
  const userDir = mkdtempSync(join(tmpdir(), 'es-nr-proc-'));
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1' }));
  // A developer's install from a checkout: both path installs become links into <userDir>/node_modules.
  await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--offline', ROOT, join(ROOT, 'nodes')], { cwd: userDir });
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
  const port = await freePort();
  writeFileSync(join(userDir, 'settings.js'), nodeRedSettings(port, opts.editor ?? false));
  const proc: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/node-red/red.js'), '--userDir', userDir, '--settings', join(userDir, 'settings.js')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const t0 = Date.now();
  while (!out.includes('Started flows')) {
    if (proc.exitCode !== null || Date.now() - t0 > 60_000) {
      proc.kill('SIGKILL');
      throw new Error(`Node-RED did not start its flows:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    userDir,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGINT');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** The flow JSON with every occurrence of `from` replaced (unique topics, ports per test run). */
export function rewrite(flows: object[], pairs: Array<[string, string]>): object[] {
  let text = JSON.stringify(flows);
  for (const [from, to] of pairs) text = text.split(from).join(to);
  return JSON.parse(text) as object[];
}

/**
 * Feeds a flow until `seen()` holds: rounds of 40 normal samples and then an 8-sample fault, each fault
 * sample 20 ms apart (further apart than alerts.instantMs, as a real scan delivers them). Repeating the
 * round makes the test independent of how long the baseline fit takes on a loaded machine: a fault that
 * arrives while the asset is still fitting is simply followed by another one once it detects.
 */
export async function faultUntil(
  send: (kind: 'normal' | 'fault') => Promise<void>,
  seen: () => boolean | Promise<boolean>,
  what: string,
  ms = 90_000,
): Promise<void> {
  const t0 = Date.now();
  const pause = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));
  while (!(await seen())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    for (let i = 0; i < 40; i++) await send('normal');
    for (let i = 0; i < 8; i++) {
      await send('fault');
      await pause(20);
    }
    await pause(300);
  }
}
