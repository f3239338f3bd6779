/**
 * node-red-node-test-helper with the real Node-RED 4 runtime, plus the small
 * things every node test needs: our node modules loaded the way Node-RED
 * loads them (require() of the CommonJS shims), a temp userDir, and a way to
 * await a message on a helper node that fails the test instead of timing out.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ensureBuilt, ROOT } from './build.js';

const require = createRequire(import.meta.url);

export interface Msg {
  topic?: string;
  payload?: unknown;
  [k: string]: unknown;
}

/** The parts of a Node-RED node instance the tests touch. */
export interface TestNode {
  id: string;
  receive(msg: Msg): void;
  on(event: string, fn: (arg: never) => void): void;
  once(event: string, fn: (arg: never) => void): void;
  removeAllListeners(event?: string): void;
}

export interface Helper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  settings(s: Record<string, unknown>): Record<string, unknown>;
  load(nodes: unknown[], flow: object[]): Promise<void>;
  setFlows(flow: object[], type?: string): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(done: () => void): void;
  stopServer(done: () => void): void;
}

export const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));

export const NODE_NAMES = ['sentinel-config', 'sentinel-score', 'sentinel-alert', 'sentinel-explain', 'sentinel-sparkplug-in'] as const;
/** The node modules, required as Node-RED requires them. */
export const nodeModules: unknown[] = NODE_NAMES.map((n) => require(join(ROOT, 'nodes', n, `${n}.js`)));

/**
 * The compiled adapter module the nodes run (for its `live` counters). Taken
 * from the shims' own loader: a plain import() here would go through vitest's
 * module graph and give a second instance with its own counters.
 */
export async function adapterModule(): Promise<typeof import('../../nodes/src/index.js')> {
  const bridge = require(join(ROOT, 'nodes/lib/bridge.js')) as { loadAdapterModule(): Promise<typeof import('../../nodes/src/index.js')> };
  return bridge.loadAdapterModule();
}

export function tempUserDir(): string {
  return mkdtempSync(join(tmpdir(), 'es-nr-'));
}

/**
 * The hooks of a node test file: build dist/ if stale, one Node-RED runtime with a fresh userDir for the
 * file, the flow unloaded after each test. Call once at the top level of the file.
 */
export function useNodeRed(): void {
  beforeAll(async () => {
    await ensureBuilt();
    helper.settings({ userDir: tempUserDir() });
    await startServer();
  }, 120_000);
  afterEach(async () => {
    await helper.unload();
  });
  afterAll(async () => {
    await stopServer();
  });
}

export function startServer(): Promise<void> {
  return new Promise((r) => helper.startServer(r));
}
export function stopServer(): Promise<void> {
  return new Promise((r) => helper.stopServer(r));
}

/** Collects messages arriving at a helper node. */
export function collect(id: string): Msg[] {
  const got: Msg[] = [];
  helper.getNode(id).on('input', ((m: Msg) => got.push(m)) as (arg: never) => void);
  return got;
}

/** Resolves when `pred()` is true; rejects with `what` after `ms` (so a missing message fails with a reason). */
export async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A deterministic noise source for test signals. */
export function lcg(seed = 1): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}
