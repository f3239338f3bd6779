/**
 * Argument parsing shared by every bench entry point (`npm run bench:* -- ...`).
 * node:util parseArgs in strict mode, so a misspelt or unknown flag stops the
 * bench with exit code 2 instead of being ignored (a typo would otherwise run
 * the default workload and report it as if the flag had applied), and numeric
 * flags are checked where they are read (`--nice abc` is an error, not NaN).
 *
 *   const a = parseBenchArgs('bench:x', process.argv.slice(2), {
 *     json: { type: 'boolean', help: 'last stdout line is one JSON object' },
 *     n: { type: 'string', help: 'cases per pattern (default 30)' },
 *   });
 *   const n = a.num('n', 30, { min: 1, integer: true });
 *
 * Wrap the bench's main in benchMain() so usage errors print the message and
 * the flag list without a stack trace.
 */
import { parseArgs } from 'node:util';

/** One flag: string flags carry a value (`--data DIR`), boolean flags do not (`--json`). */
export interface BenchFlag {
  type: 'string' | 'boolean';
  short?: string;
  /** One line for the usage text. */
  help: string;
}

export type BenchFlags = Record<string, BenchFlag>;

type Values<S extends BenchFlags> = { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string };

/** A bad command line: unknown flag, missing value, or a value of the wrong kind. Exit code 2. */
export class BenchUsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

/** Range and kind checks for a numeric flag. */
export interface NumberCheck {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** Parsed flags plus typed readers that fail with the flag's name and the bad value. */
export interface ParsedBenchArgs<S extends BenchFlags> {
  values: Values<S>;
  positionals: string[];
  /** True when a boolean flag was given. */
  flag(name: keyof S & string): boolean;
  /** A string flag, or `dflt` when absent. */
  str<D extends string | undefined>(name: keyof S & string, dflt: D): string | D;
  /** A numeric flag, or `dflt` when absent (`dflt` itself is not checked, so Infinity works as "no limit"). */
  num(name: keyof S & string, dflt: number, check?: NumberCheck): number;
  /** A comma-separated list of numbers, or `dflt` when absent. */
  nums(name: keyof S & string, dflt: number[], check?: NumberCheck): number[];
  /** A string flag restricted to `choices`. */
  oneOf<C extends string>(name: keyof S & string, choices: readonly C[], dflt: C): C;
}

/** The usage text: the command, then one line per flag. */
export function benchUsage(command: string, flags: BenchFlags, positionals?: string): string {
  const lines = Object.entries(flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : ''}--${name}${f.type === 'string' ? ' VALUE' : ''}`;
    return `  ${left.padEnd(28)} ${f.help}`;
  });
  return [
    `usage: npm run ${command} -- [flags]${positionals ? ` ${positionals}` : ''}`,
    ...lines,
    `  ${'--help'.padEnd(28)} this text`,
  ].join('\n');
}

/**
 * Parses `argv` against `flags`. Throws BenchUsageError for an unknown flag, a
 * string flag without a value, or a positional argument when none is expected.
 * `--help` prints the usage and exits 0.
 */
export function parseBenchArgs<S extends BenchFlags>(
  command: string,
  argv: string[],
  flags: S,
  opts: { positionals?: string } = {},
): ParsedBenchArgs<S> {
  const usage = benchUsage(command, flags, opts.positionals);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, f.short ? { type: f.type, short: f.short } : { type: f.type }]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: opts.positionals !== undefined }) as typeof parsed;
  } catch (err) {
    throw new BenchUsageError(`${command}: ${shortParseError(err)}`, usage);
  }
  const values = parsed.values as Values<S>;
  const fail = (msg: string): never => {
    throw new BenchUsageError(`${command}: ${msg}`, usage);
  };
  const checked = (name: string, text: string, check: NumberCheck): number => {
    const v = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(v)) fail(`--${name} wants a number, got ${JSON.stringify(text)}`);
    if (check.integer && !Number.isInteger(v)) fail(`--${name} wants an integer, got ${JSON.stringify(text)}`);
    if (check.min !== undefined && v < check.min) fail(`--${name} must be >= ${check.min}, got ${v}`);
    if (check.max !== undefined && v > check.max) fail(`--${name} must be <= ${check.max}, got ${v}`);
    return v;
  };
  const raw = (name: string): string | undefined => {
    const v = parsed.values[name];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    values,
    positionals: parsed.positionals,
    flag: (name) => parsed.values[name] === true,
    str: (name, dflt) => raw(name) ?? dflt,
    num: (name, dflt, check = {}) => {
      const v = raw(name);
      return v === undefined ? dflt : checked(name, v, check);
    },
    nums: (name, dflt, check = {}) => {
      const v = raw(name);
      return v === undefined ? dflt : v.split(',').map((x) => checked(name, x, check));
    },
    oneOf: (name, choices, dflt) => {
      const v = raw(name);
      if (v === undefined) return dflt;
      if (!(choices as readonly string[]).includes(v)) fail(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
      return v as (typeof choices)[number];
    },
  };
}

/** parseArgs' messages end in advice about `--`; the first sentence says what is wrong. */
function shortParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag ${/'([^']+)'/.exec(msg)?.[1] ?? msg}`;
  return msg.split('. ')[0] ?? msg;
}

/**
 * Runs a bench's main: a usage error prints its message and the flag list and
 * exits 2; any other error prints its stack and exits 1.
 */
export function benchMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`${err.message}\n\n${err.usage}\n`);
      process.exit(2);
    }
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
