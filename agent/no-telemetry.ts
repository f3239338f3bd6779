/**
 * ONNX Runtime >= 1.29 (onnxruntime-node 1.30, Linux included) records 1DS
 * telemetry (SessionCreation, ModelLoad, SystemMetrics, ProcessInfo) into
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime and leaves /tmp/mat-debug-<pid>.log
 * files; a gateway with internet access would upload it. The native library
 * reads ORT_DISABLE_TELEMETRY when it initialises, so this module must be
 * evaluated before `onnxruntime-node` is: every module that imports ONNX
 * Runtime imports this one first (ESM evaluates imports in order).
 * Nothing but alerts leaves the site; see docs on sovereignty.
 */
process.env['ORT_DISABLE_TELEMETRY'] = '1';

export const ORT_TELEMETRY_DISABLED = true;
