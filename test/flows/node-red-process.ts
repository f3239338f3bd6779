/**
 * A real Node-RED 4 process (node_modules/node-red/red.js) for flow and editor
 * tests: temp userDir, the node package installed into it the way a user does
 * (`npm install <path to edge-sentinel>/nodes`), the flow as its flows file,
 * a free port. Resolves once Node-RED logs "Started flows"; fails with its
 * output otherwise.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

export async function startNodeRed(flows: object[], opts: { editor?: boolean } = {}): Promise<NodeRedProcess> {
  const userDir = mkdtempSync(join(tmpdir(), 'es-nr-proc-'));
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1' }));
  // The user's install step: a path install links the package into <userDir>/node_modules.
  await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--offline', join(ROOT, 'nodes')], { cwd: userDir });
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
  const port = await freePort();
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiPort: port,
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: false,
      disableEditor: !opts.editor,
      httpAdminRoot: opts.editor ? '/' : false,
      diagnostics: { enabled: false, ui: false },
      telemetry: { enabled: false, updateNotification: false },
      editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
      externalModules: { palette: { allowInstall: false } },
      logging: { console: { level: 'info' } },
    })};\n`,
  );
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
