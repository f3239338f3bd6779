/**
 * The closed vocabulary of a summary: every word the built-in model can write
 * (its phrase banks, models/lm/gen_corpus.py) and the template uses. Names,
 * numbers and units come from the facts; any other word is invented detail
 * and the verifier rejects it. test/explain/vocab.test.ts checks that the
 * shipped tokenizer writes nothing outside this list.
 */
export const VOCAB = new Set(
  `a abnormal about active against alert also an and are as at away back baseline been beyond but change check checking
  checks cleared climbed closed continues critical data decreased deviation does down drift dropout edge ending fallen far fault
  fell first for from gradual has held in increased is it its kept known last lasted learned level like look looks match
  more moved near no node normal not note now of offline on open oscillation other out pattern persists reads recovered
  resolved risen rose sank sending sensor settled shape shift signal signals silent single so spike stale stands stayed
  steady still stopped stuck sudden suggested the these this to too unaffected unclassified under unknown up update usual
  variability versus warning was well went what whether while with within worth yet`.split(/\s+/),
);

/** Punctuation a summary may use. */
export const PUNCT = new Set([',', '.', ':', ';', '(', ')', '—', '-']);

export const UP_WORDS = new Set(['rose', 'risen', 'climbed', 'increased', 'up', 'higher', 'above']);
export const DOWN_WORDS = new Set(['fell', 'fallen', 'decreased', 'down', 'lower', 'below', 'sank']);
/** Claims that a signal is inside its normal band. */
export const IN_BAND_WORDS = new Set(['near', 'settled']);
/** Claims that a signal did not move: "stayed normal", "looks normal", "held steady", "unaffected", "within normal". */
export const STEADY_CLAIMS: ReadonlyArray<readonly string[]> = [
  ['stayed', 'normal'],
  ['stayed', 'within', 'normal'],
  ['looks', 'normal'],
  ['look', 'normal'],
  ['held', 'steady'],
  ['unaffected'],
];
export const SINGULAR_VERBS = new Set(['looks', 'is']);
export const PLURAL_VERBS = new Set(['look', 'are']);
export const RESOLVED_WORDS = new Set(['resolved', 'recovered', 'cleared', 'closed']);
export const ACTIVE_WORDS = new Set(['still', 'continues']);
export const SEVERITY_WORDS = new Set(['info', 'warning', 'critical']);
