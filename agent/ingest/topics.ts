/**
 * Topic patterns with captures: `plant/{asset}/{signal}` captures one level
 * each; `+` and `#` are the MQTT wildcards [MQTT-4.7.1]. A pattern compiles to
 * the subscription filter (captures become `+`) and a matcher.
 */
export interface TopicPattern {
  /** The MQTT subscription filter. */
  filter: string;
  captures: string[];
  /** Returns the captured values, or undefined when the topic does not match. */
  match(topic: string): Record<string, string> | undefined;
}

type Level = { kind: 'lit'; text: string } | { kind: 'cap'; name: string } | { kind: 'plus' } | { kind: 'hash' };

export function parseTopicPattern(pattern: string): TopicPattern {
  if (pattern.length === 0) throw new Error('topic pattern is empty');
  const parts = pattern.split('/');
  const levels: Level[] = parts.map((p, i) => {
    const cap = /^\{([a-zA-Z_][a-zA-Z0-9_]*)\}$/.exec(p);
    if (cap) return { kind: 'cap', name: cap[1]! };
    if (p === '+') return { kind: 'plus' };
    if (p === '#') {
      if (i !== parts.length - 1) throw new Error('"#" must be the last level');
      return { kind: 'hash' };
    }
    if (/[{}+#]/.test(p)) throw new Error(`bad level "${p}": use {name}, + or # as a whole level`);
    return { kind: 'lit', text: p };
  });
  const captures = levels.flatMap((l) => (l.kind === 'cap' ? [l.name] : []));
  if (new Set(captures).size !== captures.length) throw new Error('a capture name is used twice');
  const filter = levels.map((l) => (l.kind === 'lit' ? l.text : l.kind === 'hash' ? '#' : '+')).join('/');
  return {
    filter,
    captures,
    match(topic: string) {
      const t = topic.split('/');
      const out: Record<string, string> = {};
      for (let i = 0; i < levels.length; i++) {
        const l = levels[i]!;
        if (l.kind === 'hash') return out;
        const v = t[i];
        if (v === undefined) return undefined;
        if (l.kind === 'lit' && v !== l.text) return undefined;
        if (l.kind === 'cap') {
          if (v === '') return undefined;
          out[l.name] = v;
        }
      }
      return t.length === levels.length ? out : undefined;
    },
  };
}
