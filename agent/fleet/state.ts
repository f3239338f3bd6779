/**
 * What remote management keeps on disk, under `<stateDir>/fleet/`:
 *
 *   state.json            versions: highest accepted, current, previous; a trial in progress
 *   config/v<N>.json      the config of each kept version (as signed: ${ENV} resolved at each start)
 *   model/v<N>/…          the card and ONNX file of each kept model version
 *
 * Every write is a temp file + fsync + rename, so a power cut leaves the old
 * state or the new one, never half of one. Only the current and previous
 * versions are kept; older ones are pruned after each change.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeAtomic } from '../atomic-file.js';
import { EdgeError } from '../errors.js';
import { BUNDLE_KINDS, type BundleKind } from './bundle.js';

const appliedSchema = z
  .object({
    version: z.number().int().min(1),
    sha256: z.string(),
    keyId: z.string(),
    appliedAt: z.string(),
    /** For a model: the card's `name@version`, as the detector reports it. */
    label: z.string().optional(),
  })
  .strict();

const kindStateSchema = z
  .object({
    /** Highest version ever accepted (also when later refused as invalid or rolled back): replay protection. */
    highest: z.number().int().min(0),
    /** sha256 of that version's signed payload: the same retained bundle seen again is a duplicate, not a replay. */
    highestSha: z.string().nullable(),
    /** null = the local config file / the built-in model. */
    current: appliedSchema.nullable(),
    previous: appliedSchema.nullable(),
  })
  .strict();

const trialSchema = z
  .object({
    kind: z.enum(BUNDLE_KINDS),
    version: z.number().int(),
    startedAt: z.string(),
    /**
     * Set when the supervisor stopped cleanly during the trial (a restart resumes it). A trial found at
     * start-up without it means the agent died while trying the version: that version is rolled back.
     */
    cleanStop: z.boolean(),
  })
  .strict();

const docSchema = z.object({ v: z.literal(1), config: kindStateSchema, model: kindStateSchema, trial: trialSchema.nullable() }).strict();

export type Applied = z.infer<typeof appliedSchema>;
export type KindState = z.infer<typeof kindStateSchema>;
export type Trial = z.infer<typeof trialSchema>;
export type FleetStateDoc = z.infer<typeof docSchema>;

const EMPTY: FleetStateDoc = {
  v: 1,
  config: { highest: 0, highestSha: null, current: null, previous: null },
  model: { highest: 0, highestSha: null, current: null, previous: null },
  trial: null,
};

/** The persisted fleet state and the version artifacts beside it. */
export class FleetState {
  readonly dir: string;
  private readonly baselines: string;
  private readonly snapshot: string;
  private doc: FleetStateDoc = structuredClone(EMPTY);

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'fleet');
    this.baselines = join(stateDir, 'baselines');
    this.snapshot = join(this.dir, 'baselines-before-model');
  }

  /**
   * Keep the learned baselines as they were before a model trial (call with the agent stopped):
   * the new model relearns and overwrites them, and a rollback should not cost a relearn.
   */
  snapshotBaselines(): void {
    rmSync(this.snapshot, { recursive: true, force: true });
    if (existsSync(this.baselines)) cpSync(this.baselines, this.snapshot, { recursive: true });
  }

  /** Put the pre-trial baselines back (agent stopped); false when there is no snapshot. */
  restoreBaselines(): boolean {
    if (!existsSync(this.snapshot)) return false;
    rmSync(this.baselines, { recursive: true, force: true });
    renameSync(this.snapshot, this.baselines);
    return true;
  }

  dropBaselinesSnapshot(): void {
    rmSync(this.snapshot, { recursive: true, force: true });
  }

  /** Read state.json (absent = nothing applied yet). A damaged file is an error, not a silent reset: it holds replay protection. */
  load(): FleetStateDoc {
    mkdirSync(this.dir, { recursive: true });
    const f = join(this.dir, 'state.json');
    if (!existsSync(f)) return (this.doc = structuredClone(EMPTY));
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(f, 'utf8'));
    } catch (err) {
      throw new EdgeError(
        'E_STATE',
        `fleet state ${f} is not readable JSON (${(err as Error).message}); restore it or remove it to reset versions`,
      );
    }
    const r = docSchema.safeParse(raw);
    if (!r.success) throw new EdgeError('E_STATE', `fleet state ${f} is not valid: ${r.error.issues[0]?.message ?? 'invalid'}`);
    return (this.doc = r.data);
  }

  get(): Readonly<FleetStateDoc> {
    return this.doc;
  }

  /** Change the state and persist it atomically before returning. */
  update(fn: (d: FleetStateDoc) => void): void {
    const next = structuredClone(this.doc);
    fn(next);
    writeAtomic(join(this.dir, 'state.json'), JSON.stringify(next, null, 2));
    this.doc = next;
  }

  /** Where version N of a kind keeps its files. */
  versionPath(kind: BundleKind, version: number): string {
    return kind === 'config' ? join(this.dir, 'config', `v${version}.json`) : join(this.dir, 'model', `v${version}`);
  }

  /** Remove the artifacts of every version that is neither current nor previous. */
  prune(): void {
    for (const kind of BUNDLE_KINDS) {
      const keep = new Set([this.doc[kind].current?.version, this.doc[kind].previous?.version].filter((v) => v !== undefined));
      const dir = join(this.dir, kind);
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir)) {
        const m = /^v(\d+)(\.json)?$/.exec(name);
        if (m && !keep.has(Number(m[1]))) rmSync(join(dir, name), { recursive: true, force: true });
      }
    }
  }
}
