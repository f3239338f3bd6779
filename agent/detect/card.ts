import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { EdgeError } from '../errors.js';
import { PACKAGE_ROOT } from '../version.js';

const ioSchema = z.object({
  name: z.string(),
  dtype: z.literal('float32'),
  shape: z.array(z.union([z.string(), z.number()])),
  meaning: z.string().optional(),
});

/**
 * A model card: what a detector ONNX file takes and gives, how its inputs are
 * normalised, and its sha256 (checked at start-up, so a corrupt or swapped
 * file fails before the first sample).
 * kind "pca-scorer": the built-in graph (learned parameters are inputs).
 * kind "feature-scorer": a user's model taking standardised features `x`
 * [batch, features] and returning `score` [batch]; its threshold is learned on
 * the device from the learning-phase scores like the built-in one.
 */
export const modelCardSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  kind: z.enum(['pca-scorer', 'feature-scorer']),
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64-hex-digit sha256 of the ONNX file'),
  description: z.string().optional(),
  inputs: z.array(ioSchema).min(1),
  outputs: z.array(ioSchema).min(1),
  features: z.string().optional(),
  normalisation: z.string().optional(),
  training: z.string().optional(),
  command: z.string().optional(),
});

export type ModelCard = z.infer<typeof modelCardSchema> & { path: string; dir: string };

const REQUIRED: Record<ModelCard['kind'], { inputs: string[]; outputs: string[] }> = {
  'pca-scorer': { inputs: ['x', 'mu', 'sd', 'P', 'lam', 'w'], outputs: ['score', 'z'] },
  'feature-scorer': { inputs: ['x'], outputs: ['score'] },
};

/** The built-in detector's card, shipped in models/detector/. */
export function builtinCardPath(): string {
  return resolve(PACKAGE_ROOT, 'models/detector/pca-t2q.card.json');
}

/** Reads and checks a card and the file it names (exists, sha256). Throws EdgeError E_MODEL_CARD / E_MODEL_LOAD. */
export function loadCard(path: string): ModelCard & { bytes: Buffer } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EdgeError('E_MODEL_CARD', `model card ${path}: ${(err as Error).message}`);
  }
  const res = modelCardSchema.safeParse(raw);
  if (!res.success) {
    const msg = res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new EdgeError('E_MODEL_CARD', `model card ${path}: ${msg}`);
  }
  const card = res.data;
  const req = REQUIRED[card.kind];
  const names = (xs: Array<{ name: string }>) => new Set(xs.map((x) => x.name));
  for (const n of req.inputs)
    if (!names(card.inputs).has(n)) throw new EdgeError('E_MODEL_CARD', `model card ${path}: kind ${card.kind} needs input "${n}"`);
  for (const n of req.outputs)
    if (!names(card.outputs).has(n)) throw new EdgeError('E_MODEL_CARD', `model card ${path}: kind ${card.kind} needs output "${n}"`);
  const dir = dirname(resolve(path));
  const file = resolve(dir, card.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new EdgeError('E_MODEL_LOAD', `model file ${file} (from card ${path}): ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== card.sha256) {
    throw new EdgeError(
      'E_MODEL_LOAD',
      `model file ${file} is corrupt or was replaced: sha256 ${sha} does not match the card's ${card.sha256}`,
    );
  }
  return { ...card, path, dir, bytes };
}

/** Names a card requires of its kind (used to check the session's real I/O). */
export function requiredIo(kind: ModelCard['kind']): { inputs: string[]; outputs: string[] } {
  return REQUIRED[kind];
}
