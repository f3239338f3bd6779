import { readFileSync } from 'node:fs';
// Before the dynamic import of ONNX Runtime below: no telemetry.
import '../no-telemetry.js';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../version.js';
import { finding, type Finding } from './finding.js';

/** The built-in detector model: every EP is tried on it, so a custom model's own problems do not mask the runtime's. */
export const BUILTIN_MODEL = resolve(PACKAGE_ROOT, 'models/detector/pca-t2q.onnx');

/** What `import ort from 'onnxruntime-node'` gives (CJS module namespace under esModuleInterop). */
type Ort = typeof import('onnxruntime-node');

/**
 * ONNX Runtime loads, which backends the installed binding was built with,
 * and whether a session can be created with each configured execution
 * provider. The agent falls back along the list to CPU (logged), so a
 * missing accelerator is a warning; only a runtime that cannot even run on
 * CPU blocks.
 */
export async function checkOnnx(executionProviders: string[], threads = 1): Promise<Finding[]> {
  let ort: Ort;
  try {
    // Dynamic, so a binding that cannot load becomes a finding, not a crash. Under some loaders the CJS
    // module arrives without a synthesized default export.
    const mod = (await import('onnxruntime-node')) as unknown as Ort & { default?: Ort };
    ort = mod.default ?? mod;
  } catch (err) {
    return [
      finding(
        'onnx',
        'ONNX Runtime',
        'fail',
        `onnxruntime-node does not load: ${(err as Error).message.split('\n')[0]}`,
        'reinstall the package on this machine (npm ci); onnxruntime-node ships linux x64 and arm64 binaries only, and needs glibc (not Alpine/musl)',
      ),
    ];
  }
  // The native side prints its own errors for a provider that does not load; our finding says it once.
  ort.env.logLevel = 'fatal';
  const backends =
    (ort as unknown as { listSupportedBackends?: () => Array<{ name: string; bundled: boolean }> }).listSupportedBackends?.() ?? [];
  const listed = backends.map((b) => `${b.name}${b.bundled ? '' : ' (needs extra libraries)'}`).join(', ');
  const out: Finding[] = [
    finding(
      'onnx',
      'ONNX Runtime',
      'ok',
      `onnxruntime-node ${ort.env.versions?.common ?? ''} loaded; backends: ${listed || 'not listed'}`.replace('  ', ' '),
    ),
  ];

  let bytes: Buffer;
  try {
    bytes = readFileSync(BUILTIN_MODEL);
  } catch (err) {
    out.push(
      finding(
        'onnx.model',
        'Built-in model',
        'fail',
        `${BUILTIN_MODEL}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        'the package is incomplete: reinstall it (models/ must be in the package)',
      ),
    );
    return out;
  }
  const eps = [...executionProviders];
  if (!eps.includes('cpu')) eps.push('cpu');
  let firstWorking: string | undefined;
  for (const ep of eps) {
    const t0 = performance.now();
    try {
      const s = await ort.InferenceSession.create(bytes, { executionProviders: [ep], intraOpNumThreads: threads });
      await s.release();
      firstWorking ??= ep;
      out.push(finding(`onnx.ep.${ep}`, `Execution provider ${ep}`, 'ok', `session created in ${Math.round(performance.now() - t0)} ms`));
    } catch (err) {
      const isCpu = ep === 'cpu';
      out.push(
        finding(
          `onnx.ep.${ep}`,
          `Execution provider ${ep}`,
          isCpu ? 'fail' : 'warn',
          (err as Error).message.split('\n')[0]!.slice(0, 160),
          isCpu
            ? 'ONNX Runtime cannot run on CPU here: reinstall onnxruntime-node for this OS/architecture'
            : `the agent will fall back to the next provider (logged). For ${ep}, install an ONNX Runtime build with ${ep} support and its libraries (see hardware/jetson-orin-nano/README.md), or remove it from detect.executionProviders`,
        ),
      );
    }
  }
  if (firstWorking) out.push(finding('onnx.effective', 'Effective provider', 'ok', `the detector will run on ${firstWorking}`));
  return out;
}
