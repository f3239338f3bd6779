/**
 * The explain worker thread: owns the ONNX session so generation never runs
 * on the agent's event loop. Speaks a small message protocol (protocol.ts);
 * every job gets exactly one reply, errors included, so the main side never
 * waits on a job that died.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errMessage, isEdgeError } from '../errors.js';
import { checkWithModel, explainWithModel } from './attempt.js';
import type { ToMain, ToWorker, WorkerInit } from './protocol.js';
import { LmRunner, nowMs } from './runner.js';

if (!parentPort) throw new Error('explain worker must run in a worker thread');
const port = parentPort; // a const of the narrowed type, so the closures below see it non-null
const init = workerData as WorkerInit;
let runner: LmRunner | undefined;
const send = (m: ToMain): void => port.postMessage(m);

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'close') {
    await runner?.release();
    runner = undefined;
    port.close();
    return;
  }
  if (init.fault === 'crash') process.exit(3); // test hook: the worker dies mid-job
  if (!runner) {
    send({ type: 'result', id: msg.id, text: null, tries: [], error: 'model not loaded' });
    return;
  }
  if (nowMs() >= msg.options.deadline) {
    // Queued past its budget: the main side already sent the template; skip the work.
    send({ type: 'result', id: msg.id, text: null, tries: [], skipped: true });
    return;
  }
  try {
    if (init.fault === 'throw') throw new Error('injected generation fault');
    const o = { ...msg.options, delayMsPerToken: init.delayMsPerToken };
    const r = await explainWithModel(runner, msg.facts, o);
    const check = r.text !== null && msg.checks.length ? await checkWithModel(runner, msg.facts, msg.checks, o) : null;
    send({ type: 'result', id: msg.id, text: r.text, check, tries: r.tries });
  } catch (err) {
    send({ type: 'result', id: msg.id, text: null, tries: [], error: errMessage(err) });
  }
}

// Jobs run one at a time, in order; the chain never rejects because handle() replies to every error.
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg)).catch((err: unknown) => send({ type: 'fatal', message: errMessage(err) }));
});

LmRunner.load(init.dir, init.threads).then(
  (r) => {
    runner = r;
    send({ type: 'ready', info: r.info });
  },
  (err: unknown) => send({ type: 'load-error', message: errMessage(err), code: isEdgeError(err) ? err.code : 'E_LM' }),
);
