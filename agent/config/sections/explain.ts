import { z } from 'zod';

/** Alert summaries (owned by the explain stage). */
export const explainSection = z
  .object({
    mode: z
      .enum(['lm', 'template'])
      .default('template')
      .describe('"lm": local language model with template fallback; "template": templates only.'),
    modelDir: z
      .string()
      .default('')
      .describe('Model folder in the Optimum layout (config.json, tokenizer.json, onnx/model.onnx); empty = the built-in model.'),
    budgetMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(250)
      .describe('Longest an alert waits for its summary, ms; past it the alert goes with the template text.'),
    maxTokens: z.number().int().min(8).max(512).default(72).describe('Token cap per generated summary.'),
    seed: z
      .number()
      .int()
      .min(0)
      .default(7)
      .describe("Base sampling seed; each alert's seed is derived from it and the facts, so output is reproducible."),
    topK: z.number().int().min(1).max(100).default(3).describe('Top-k sampling (1 = greedy).'),
    temperature: z.number().positive().max(2).default(0.7).describe('Sampling temperature (ignored when topK is 1).'),
    retry: z.boolean().default(true).describe('Retry once with another seed when the verifier rejects the first text.'),
    threads: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(1)
      .describe('ONNX Runtime intra-op threads of the LM session (it runs in its own worker thread).'),
    promptTemplate: z
      .string()
      .optional()
      .describe(
        'Prompt for a bring-your-own model that writes plain text (not placeholders). Variables: {asset} {state} {severity} {pattern} {duration} {moved} {steady} {facts}.',
      ),
    stop: z.array(z.string()).default([]).describe('Extra stop strings for bring-your-own models, e.g. "<|im_end|>".'),
    playbook: z
      .string()
      .default('')
      .describe(
        'YAML playbook (asset kind x pattern x signal -> checks) for the "what to check" sentence; empty = the built-in one (models/lm/playbook.yaml), "off" = no check sentence.',
      ),
    digest: z
      .object({
        windowS: z
          .number()
          .min(0)
          .max(3600)
          .default(60)
          .describe('Alert-storm digest window, s: alerts opened within it are summarised in one digest sentence (0 = no digests).'),
        minAssets: z
          .number()
          .int()
          .min(2)
          .max(1000)
          .default(3)
          .describe('Distinct assets that must open alerts within the window before a digest is written.'),
      })
      .strict()
      .default({ windowS: 60, minAssets: 3 })
      .describe('Digest for alert storms: one sentence grouping the same asset kind and pattern.'),
  })
  .strict();

export type ExplainConfig = z.infer<typeof explainSection>;
