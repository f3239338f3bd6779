import { blocking } from '../doctor/finding.js';
import { runDoctor } from '../doctor/doctor.js';
import { renderJson, renderTable } from '../doctor/report.js';
import { VERSION } from '../version.js';
import { args } from './args.js';

/**
 * `edge-sentinel doctor [--config FILE] [--json] [--timeout MS]`: checks the
 * host before the agent runs. Exit 0 when nothing blocks (warnings allowed),
 * 1 when something does, 2 on a usage error.
 */
export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = args(argv, {
    config: { type: 'string', short: 'c' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  const timeout = values.timeout === undefined ? 3000 : Number(values.timeout);
  const opts = {
    brokerTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 3000,
    ...(values.config ? { configFile: values.config } : {}),
  };
  const findings = await runDoctor(opts);
  process.stdout.write(
    values.json
      ? renderJson(findings, VERSION)
      : renderTable(findings, `edge-sentinel ${VERSION} doctor (node ${process.version}, ${process.platform}/${process.arch})`),
  );
  return blocking(findings) ? 1 : 0;
}
