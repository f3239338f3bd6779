import { z } from 'zod';

/** Alert summaries (owned by the explain stage). */
export const explainSection = z
  .object({
    /** "lm": local language model with template fallback; "template": templates only. */
    mode: z.enum(['lm', 'template']).default('template'),
    /** Model folder in the Optimum layout (config.json, tokenizer.json, onnx/model.onnx); empty = the built-in model. */
    modelDir: z.string().default(''),
    /** Longest an alert waits for its summary, ms; past it the alert goes with the template text. */
    budgetMs: z.number().int().min(1).max(60_000).default(250),
    /** Token cap per generated summary. */
    maxTokens: z.number().int().min(8).max(512).default(72),
    /** Base sampling seed; each alert's seed is derived from it and the facts, so output is reproducible. */
    seed: z.number().int().min(0).default(7),
    /** Top-k sampling (1 = greedy). */
    topK: z.number().int().min(1).max(100).default(3),
    /** Sampling temperature (ignored when topK is 1). */
    temperature: z.number().positive().max(2).default(0.7),
    /** Retry once with another seed when the verifier rejects the first text. */
    retry: z.boolean().default(true),
    /** ONNX Runtime intra-op threads of the LM session (it runs in its own worker thread). */
    threads: z.number().int().min(1).max(8).default(1),
    /**
     * Prompt for a bring-your-own model that writes plain text (not placeholders).
     * Variables: {asset} {state} {severity} {pattern} {duration} {moved} {steady} {facts}.
     */
    promptTemplate: z.string().optional(),
    /** Extra stop strings for bring-your-own models, e.g. "<|im_end|>". */
    stop: z.array(z.string()).default([]),
  })
  .strict();

export type ExplainConfig = z.infer<typeof explainSection>;
