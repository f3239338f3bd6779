#!/usr/bin/python3
"""Generate the (alert facts -> delexicalised text) corpus for the explain LM (prompt facts-v2).

Reproducible: the same --seed gives the same file, byte for byte.

Each line of the output is JSON: {"prompt": [feature tokens], "target": "text
with <PLACEHOLDERS>", "shape": "<id of the phrase choices>"}. The model never
sees a name or a number: the prompt holds categorical facts only and the target
writes placeholders that the runtime fills from the facts
(agent/explain/prompt.ts must encode prompts exactly as prompt_tokens() does;
test/explain/prompt.test.ts checks the fixture).

Two tasks share the model:
- summary (<task_sum>): state, severity, pattern, how many signals moved (4 = more
  than 3), the directions of the first three, whether the top signal has a
  meaningful ratio, whether it is back inside its normal band (resolved only),
  and how many stayed steady (2 = plural, for verb agreement);
- check (<task_check>): how many playbook checks there are; the model words the
  frame, the checks themselves are filled in from the playbook (<CHECKS>).

Rules the phrase banks keep (the verifier, agent/explain/verify.ts, rejects
text that breaks them): severity is always stated for warning and critical and
never for info; every moved signal is named (up to 3) or counted (<NMORE>);
"also"/"too"/"as well" only when the signal moved the same way as the one named
before it; "near"/"settled"/"normal" claims only when the signal is in band;
verbs agree with the number of steady signals; durations read "for <DUR>" or
"lasted <DUR>" (they may be "under 1 s"); no detail beyond the facts.
"""
import argparse
import json
import os
import random

STATES = ["open", "update", "resolved"]
SEVERITIES = ["info", "warning", "critical"]
PATTERNS = ["spike", "level_shift", "drift", "variance_change", "stuck", "dropout", "oscillation", "unknown"]


def prompt_tokens(f):
    """Categorical facts -> prompt tokens. Mirror of agent/explain/prompt.ts factsPromptTokens."""
    if f.get("task") == "check":
        return ["<bos>", "<task_check>", "<nchk_%d>" % min(f["checks"], 3), "<sep>"]
    n = len(f["moved"])
    t = ["<bos>", "<task_sum>", "<st_%s>" % f["state"], "<sev_%s>" % f["severity"], "<pat_%s>" % f["pattern"], "<moved_%d>" % min(n, 4)]
    for i, m in enumerate(f["moved"][:3]):
        t.append("<d%d_%s>" % (i + 1, m["direction"]))
        if i == 0:
            t.append("<r1_%s>" % ("yes" if m["ratio"] is not None else "no"))
            if f["state"] == "resolved":
                t.append("<band_%s>" % ("in" if m["inBand"] else "out"))
    t.append("<steady_%d>" % min(len(f["steady"]), 2))
    t.append("<sep>")
    return t


# --- phrase banks (tokens separated by single spaces; punctuation is its own token) ---

UP = ["rose to", "climbed to", "increased to", "went up to", "is up at", "has risen to", "moved up to"]
DOWN = ["fell to", "decreased to", "went down to", "is down at", "has fallen to", "sank to", "moved down to"]

RATIO = [
    " , <RATIO_1> its learned normal of <BASE_1> <UNIT_1>",
    " , <RATIO_1> the usual <BASE_1> <UNIT_1>",
    " ( <RATIO_1> its normal of <BASE_1> <UNIT_1> )",
    " , about <RATIO_1> its baseline of <BASE_1> <UNIT_1>",
    " against a learned normal of <BASE_1> <UNIT_1> ( <RATIO_1> )",
]
NORATIO = [
    " against a learned normal of <BASE_1> <UNIT_1>",
    " , versus a usual <BASE_1> <UNIT_1>",
    " ( normal is <BASE_1> <UNIT_1> )",
    " , away from its baseline of <BASE_1> <UNIT_1>",
]
DUR = ["for <DUR>", "for <DUR> now", "for <DUR> so far"]
STEADY = ["while <STEADY> stayed normal", "while <STEADY> held steady", "with <STEADY> unaffected", "while <STEADY> stayed within normal"]
STEADY_SENT = {
    1: ["<STEADY> looks normal .", "<STEADY> is unaffected .", "No change on <STEADY> .", "<STEADY> held steady ."],
    2: ["<STEADY> look normal .", "<STEADY> are unaffected .", "No change on <STEADY> .", "<STEADY> held steady ."],
}
PATTERN_TAIL = {
    "spike": ["— pattern : sudden spike", "— this looks like a sudden spike", "; the shape is a sudden spike"],
    "level_shift": ["— pattern : level shift", "— it looks like a level shift", "; the shape is a level shift"],
    "drift": ["— pattern : gradual drift", "— this looks like a gradual drift", "; the shape is a gradual drift"],
    "variance_change": ["— pattern : change in variability", "— this looks like a change in variability", "; the shape is a change in variability"],
    "stuck": ["— pattern : stuck sensor", "— this looks like a stuck sensor", "; the shape is a stuck sensor"],
    "dropout": ["— pattern : signal dropout", "— this looks like a signal dropout", "; the shape is a signal dropout"],
    "oscillation": ["— pattern : oscillation", "— this looks like an oscillation", "; the shape is an oscillation"],
    "unknown": ["— pattern : unclassified deviation", "— the shape does not match a known pattern", "; the shape is an unclassified deviation"],
}
PATTERN_LEAD = {
    "spike": "Sudden spike", "level_shift": "Level shift", "drift": "Gradual drift", "variance_change": "Change in variability",
    "stuck": "Stuck sensor", "dropout": "Signal dropout", "oscillation": "Oscillation", "unknown": "Unclassified deviation",
}
SEV_OPEN = {
    "info": ["<ASSET> :", "On <ASSET> ,", "<ASSET> —", "Note for <ASSET> :"],
    "warning": ["<ASSET> ( warning ) :", "Warning on <ASSET> :", "<ASSET> , warning :", "Warning for <ASSET> :"],
    "critical": ["<ASSET> ( critical ) :", "Critical alert on <ASSET> :", "Critical : on <ASSET> ,", "<ASSET> , critical :"],
}
UPDATE_OPEN = {
    "info": ["<ASSET> , still abnormal :", "Update on <ASSET> , still abnormal :", "<ASSET> is still out of normal :", "Still active on <ASSET> :"],
    "warning": ["<ASSET> ( warning ) , still abnormal :", "Warning still active on <ASSET> :", "<ASSET> is still out of normal ( warning ) :"],
    "critical": ["<ASSET> ( critical ) , still abnormal :", "Critical alert still active on <ASSET> :", "<ASSET> is still out of normal ( critical ) :"],
}
SAME_UP = ["<S> also rose to <V> <U>", "<S> is up too , at <V> <U>", "<S> climbed as well , to <V> <U>"]
SAME_DOWN = ["<S> also fell to <V> <U>", "<S> is down too , at <V> <U>", "<S> decreased as well , to <V> <U>"]
OTHER_UP = ["<S> rose to <V> <U>", "<S> went up to <V> <U>", "<S> is up at <V> <U>"]
OTHER_DOWN = ["<S> fell to <V> <U>", "<S> went down to <V> <U>", "<S> is down at <V> <U>"]
MORE = ["<NMORE> moved as well .", "Beyond these , <NMORE> moved .", "<NMORE> also moved ."]
CHECK = ["Check <CHECKS> .", "What to check : <CHECKS> .", "Suggested checks : <CHECKS> .", "Worth checking : <CHECKS> .", "Check first : <CHECKS> ."]


def choose(rng, bank, key, shape):
    i = rng.randrange(len(bank))
    shape.append("%s%d" % (key, i))
    return bank[i]


def main_clause(rng, f, shape):
    m = f["moved"][0]
    verb = choose(rng, UP if m["direction"] == "up" else DOWN, "v", shape)
    rel = choose(rng, RATIO if m["ratio"] is not None else NORATIO, "r" if m["ratio"] is not None else "n", shape)
    return "<SIGNAL_1> %s <VALUE_1> <UNIT_1>%s" % (verb, rel)


def other_signal(rng, f, i, shape):
    """Clause for moved signal i (1-based 2 or 3); 'also' only when it moved like the one before."""
    d, prev = f["moved"][i - 1]["direction"], f["moved"][i - 2]["direction"]
    if d == prev and rng.random() < 0.6:
        bank = SAME_UP if d == "up" else SAME_DOWN
    else:
        bank = OTHER_UP if d == "up" else OTHER_DOWN
    return choose(rng, bank, "b%d" % i, shape).replace("<S>", "<SIGNAL_%d>" % i).replace("<V>", "<VALUE_%d>" % i).replace("<U>", "<UNIT_%d>" % i)


def cap(s):
    return s if s.startswith("<") else s[0].upper() + s[1:]


def steady_plural(f):
    return 2 if len(f["steady"]) >= 2 else 1


def active_summary(rng, f, shape):
    sev, upd = f["severity"], f["state"] == "update"
    opener_bank = UPDATE_OPEN[sev] if upd else SEV_OPEN[sev]
    if not f["moved"]:
        opener = choose(rng, opener_bank, "o", shape)
        text = "%s %s %s , but no single signal stands out ." % (opener, PATTERN_LEAD[f["pattern"]].lower(), choose(rng, DUR, "d", shape))
        if f["steady"] and rng.random() < 0.5:
            text += " " + choose(rng, STEADY_SENT[steady_plural(f)], "t", shape)
        return text
    order = rng.randrange(3)
    shape.append("k%d" % order)
    main = main_clause(rng, f, shape)
    dur = choose(rng, DUR, "d", shape)
    steady, steady_sent = "", ""
    if f["steady"]:
        if rng.random() < 0.6:
            steady = " " + choose(rng, STEADY, "s", shape)
        else:
            steady_sent = " " + choose(rng, STEADY_SENT[steady_plural(f)], "t", shape)
    if order == 2:  # Pattern first: "Gradual drift ( warning ) on <ASSET> : <SIGNAL_1> rose ..."
        lead = PATTERN_LEAD[f["pattern"]]
        if upd:
            lead += " continues"
        if sev != "info":
            lead += " ( %s )" % sev
        text = "%s on <ASSET> : %s , %s%s ." % (lead, main, dur, steady)
    else:
        opener = choose(rng, opener_bank, "o", shape)
        tail = choose(rng, PATTERN_TAIL[f["pattern"]], "p", shape)
        if order == 0:
            text = "%s %s , %s%s %s ." % (opener, main, dur, steady, tail)
        else:
            text = "%s %s , %s%s %s ." % (opener, dur, main, steady, tail)
    n = len(f["moved"])
    if n >= 2:
        second = other_signal(rng, f, 2, shape)
        if n >= 3:
            text += " %s , and %s ." % (cap(second), other_signal(rng, f, 3, shape))
        else:
            text += " %s ." % cap(second)
    if n >= 4:
        text += " " + choose(rng, MORE, "m", shape)
    return text + steady_sent


RES_OPEN = [
    "<ASSET> is back to normal ; the alert lasted <DUR>", "<ASSET> : resolved , the alert lasted <DUR>",
    "Resolved on <ASSET> ; the alert lasted <DUR>", "<ASSET> has recovered ; the alert lasted <DUR>",
    "<ASSET> : the alert cleared ; it lasted <DUR>",
]
RES_IN = [
    "<SIGNAL_1> is at <VALUE_1> <UNIT_1> , near its normal of <BASE_1> <UNIT_1>",
    "<SIGNAL_1> now reads <VALUE_1> <UNIT_1> , near its normal of <BASE_1> <UNIT_1>",
    "<SIGNAL_1> has settled at <VALUE_1> <UNIT_1> ( normal <BASE_1> <UNIT_1> )",
]
RES_OUT = [
    "<SIGNAL_1> reads <VALUE_1> <UNIT_1> against a learned normal of <BASE_1> <UNIT_1>",
    "<SIGNAL_1> was last at <VALUE_1> <UNIT_1> ( learned normal <BASE_1> <UNIT_1> )",
    "<SIGNAL_1> is at <VALUE_1> <UNIT_1> , not yet near its normal of <BASE_1> <UNIT_1>",
]
RES_PAT = ["( pattern was %s )", "; the pattern was %s", ", ending the %s"]


def resolved_summary(rng, f, shape):
    head = choose(rng, RES_OPEN, "e", shape)
    pat = choose(rng, RES_PAT, "q", shape) % PATTERN_LEAD[f["pattern"]].lower()
    text = "%s %s ." % (head, pat)
    if f["moved"]:
        bank = RES_IN if f["moved"][0]["inBand"] else RES_OUT
        text += " " + cap(choose(rng, bank, "w", shape)) + " ."
    return text


def random_facts(rng):
    if rng.random() < 0.1:
        return {"task": "check", "checks": rng.choice([1, 2, 3])}
    n = rng.choices([0, 1, 2, 3, 4, 5], weights=[1, 10, 6, 4, 2, 1])[0]
    moved = [
        {"direction": rng.choice(["up", "down"]), "ratio": None if rng.random() < 0.3 else 1.0, "inBand": rng.random() < 0.5}
        for _ in range(n)
    ]
    return {
        "state": rng.choices(STATES, weights=[5, 3, 3])[0],
        "severity": rng.choice(SEVERITIES),
        "pattern": rng.choice(PATTERNS),
        "moved": moved,
        "steady": ["s"] * rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0],
    }


def target(rng, f, shape):
    if f.get("task") == "check":
        return choose(rng, CHECK, "c", shape)
    return resolved_summary(rng, f, shape) if f["state"] == "resolved" else active_summary(rng, f, shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--out", default="models/lm/build/corpus.jsonl")
    ap.add_argument("--fixture", default="")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    longest = 0
    with open(a.out, "w") as fh:
        for _ in range(a.n):
            f = random_facts(rng)
            shape = []
            text = " ".join(target(rng, f, shape).split())
            p = prompt_tokens(f)
            longest = max(longest, len(p) + len(text.split()) + 1)
            fh.write(json.dumps({"prompt": p, "target": text, "shape": ".".join(shape)}) + "\n")
    print("longest row %d tokens" % longest)
    if a.fixture:
        frng = random.Random(a.seed + 1)
        cases = [random_facts(frng) for _ in range(60)]
        with open(a.fixture, "w") as fh:
            json.dump([{"facts": c, "prompt": prompt_tokens(c)} for c in cases], fh, indent=0)


if __name__ == "__main__":
    main()
