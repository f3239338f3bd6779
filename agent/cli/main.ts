#!/usr/bin/env node
// First import: ONNX Runtime telemetry off before anything loads it.
import '../no-telemetry.js';
import { ConfigError } from '../config/load.js';
import { isEdgeError } from '../errors.js';
import { VERSION } from '../version.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { fleetCommand } from './fleet.js';
import { keygenCommand } from './keygen.js';
import { runCommand } from './run.js';
import { refitCommand } from './refit.js';
import { replayCommand } from './replay.js';
import { schemaCommand } from './schema.js';
import { signCommand } from './sign.js';
import { validateCommand } from './validate.js';

const USAGE = `edge-sentinel ${VERSION}: on-device anomaly detection for plant telemetry

usage: edge-sentinel <command> [options]

  run [--config FILE]                    run the agent (default config: plant broker 127.0.0.1:1883)
  demo [--duration S] [--json] [--config FILE] [--history URL]
                                         embedded broker + simulated plant + the agent, printing detections and alerts
  refit ASSET [--url http://127.0.0.1:9464] [--config FILE] [--token T]
                                         make the running agent relearn an asset's baseline (needs observe.http.token:
                                         --token, $EDGE_SENTINEL_HTTP_TOKEN, or the config file's token)
  validate FILE                          check a config file; exit 2 with every problem
  schema [--alert]                       print the JSON Schema of the config (or of the alert payload)
  replay FILE.csv --report OUT.html [--config F] [--learn ROWS]  replay a recorded CSV (NAB/SKAB/generic) into an HTML report
  doctor [--config FILE] [--json]        check this host (node, ONNX Runtime, disk, clock, broker); exit 1 if blocked
  keygen --id NAME [--out DIR]           new Ed25519 key for signing config and model bundles (remote management)
  sign --key F --key-id ID --site S --agent A --version N (--config FILE | --model CARD) [--out F] [--publish URL]
                                         sign a config or model bundle for one agent (and publish it retained)
  fleet --url URL [--prefix P] [--json]  list the agents under a (central) broker: online, health, open alerts, versions
  --version                              print the version
`;

type Command = (argv: string[]) => Promise<number> | number;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  demo: demoCommand,
  validate: validateCommand,
  schema: schemaCommand,
  replay: replayCommand,
  doctor: doctorCommand,
  refit: refitCommand,
  keygen: keygenCommand,
  sign: signCommand,
  fleet: fleetCommand,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    process.stderr.write(`unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    } else if (isEdgeError(err, 'E_USAGE')) {
      process.stderr.write(`${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`edge-sentinel: ${isEdgeError(err) ? `[${err.code}] ` : ''}${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
