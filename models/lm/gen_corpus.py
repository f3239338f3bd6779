#!/usr/bin/python3
"""Generate the (alert facts -> delexicalised summary) corpus for the explain LM.

Reproducible: the same --seed gives the same file, byte for byte.

Each line of the output is JSON: {"prompt": [feature tokens], "target": "summary
with <PLACEHOLDERS>", "shape": "<id of the phrase choices>"}. The model never
sees a name or a number: the prompt holds categorical facts only (state,
severity, pattern, how many signals moved, their directions, whether a ratio
exists, how many stayed steady) and the target writes placeholders that the
runtime fills from the facts. That is what makes the numbers right by
construction; agent/explain/prompt.ts must encode prompts exactly as
prompt_tokens() does here (test/explain/prompt.test.ts checks the fixture).

Phrasing is composed from independent choices (opener, verb, ratio clause,
duration clause, steady clause, pattern clause, clause order), giving far more
than 20 distinct sentence shapes. Words that the verifier treats as facts
(direction verbs, pattern keywords, severity words, resolution words) are only
ever used when the facts say so.
"""
import argparse
import json
import os
import random

STATES = ["open", "update", "resolved"]
SEVERITIES = ["info", "warning", "critical"]
PATTERNS = ["spike", "level_shift", "drift", "variance_change", "stuck", "dropout", "oscillation", "unknown"]


def prompt_tokens(f):
    """Categorical facts -> prompt tokens. Mirror of agent/explain/prompt.ts."""
    n = len(f["moved"])
    t = ["<bos>", "<st_%s>" % f["state"], "<sev_%s>" % f["severity"], "<pat_%s>" % f["pattern"], "<moved_%d>" % min(n, 3)]
    if n >= 1:
        m = f["moved"][0]
        t.append("<d1_%s>" % m["direction"])
        t.append("<r1_%s>" % ("yes" if m["ratio"] is not None else "no"))
    if n >= 2:
        t.append("<d2_%s>" % f["moved"][1]["direction"])
    t.append("<steady_%d>" % min(len(f["steady"]), 2))
    t.append("<sep>")
    return t


# --- phrase banks (tokens separated by single spaces; punctuation is its own token) ---

UP = ["rose to", "climbed to", "increased to", "went up to", "is up at", "has risen to", "moved up to", "reached"]
DOWN = ["fell to", "decreased to", "went down to", "is down at", "has fallen to", "sank to", "moved down to", "slid to"]

RATIO = [
    " , <RATIO_1> its learned normal of <BASE_1> <UNIT_1>",
    " , <RATIO_1> the usual <BASE_1> <UNIT_1>",
    " ( <RATIO_1> its normal of <BASE_1> <UNIT_1> )",
    " , about <RATIO_1> its baseline of <BASE_1> <UNIT_1>",
    " against a learned normal of <BASE_1> <UNIT_1> ( <RATIO_1> )",
    " , <RATIO_1> what it normally reads ( <BASE_1> <UNIT_1> )",
]
NORATIO = [
    " against a learned normal of <BASE_1> <UNIT_1>",
    " , versus a usual <BASE_1> <UNIT_1>",
    " ( normal is <BASE_1> <UNIT_1> )",
    " , away from its baseline of <BASE_1> <UNIT_1>",
]
DUR = ["over the last <DUR>", "for <DUR> now", "within the past <DUR>", "during the last <DUR>", "in the last <DUR>"]
STEADY = [
    "while <STEADY> stayed normal",
    "while <STEADY> held steady",
    "with <STEADY> unaffected",
    "while <STEADY> remained within normal",
]
STEADY_SENT = ["<STEADY> looks normal .", "<STEADY> is unaffected .", "No change on <STEADY> ."]
PATTERN_TAIL = {
    "spike": ["— pattern : sudden spike", "— this looks like a sudden spike", "; the shape is a short spike", "— a spike rather than a trend"],
    "level_shift": ["— pattern : level shift", "— it looks like a step to a new level", "; the shape is a level shift", "— a level shift that has held"],
    "drift": ["— pattern : gradual drift", "— this looks like a slow drift", "; the shape is a gradual drift", "— a steady drift away from normal"],
    "variance_change": ["— pattern : change in variability", "— the readings have become erratic", "; the shape is a change in variability", "— the spread of readings has changed"],
    "stuck": ["— pattern : stuck sensor", "— the reading looks stuck", "; the sensor may be stuck on one value", "— a flat , stuck reading"],
    "dropout": ["— pattern : signal dropout", "— the signal looks like a dropout", "; the shape is a dropout with missing readings", "— readings dropped out"],
    "oscillation": ["— pattern : oscillation", "— the reading is oscillating", "; the shape is an oscillation", "— a regular oscillation around the setpoint"],
    "unknown": ["— pattern not classified", "— the shape does not match a known pattern", "; no clear pattern yet", "— unclassified deviation"],
}
PATTERN_LEAD = {
    "spike": "Sudden spike", "level_shift": "Level shift", "drift": "Gradual drift", "variance_change": "Change in variability",
    "stuck": "Stuck sensor", "dropout": "Signal dropout", "oscillation": "Oscillation", "unknown": "Unclassified deviation",
}
SEV_OPEN = {
    "info": ["<ASSET> :", "On <ASSET> ,", "<ASSET> —", "Note for <ASSET> :"],
    "warning": ["<ASSET> ( warning ) :", "Warning on <ASSET> :", "<ASSET> :", "On <ASSET> ,"],
    "critical": ["<ASSET> ( critical ) :", "Critical alert on <ASSET> :", "Critical : on <ASSET> ,", "<ASSET> needs attention now :"],
}
UPDATE_OPEN = ["<ASSET> , still abnormal :", "Update on <ASSET> :", "<ASSET> is still out of normal :", "Still active on <ASSET> :"]
SECOND_UP = ["<SIGNAL_2> also rose to <VALUE_2> <UNIT_2>", "<SIGNAL_2> is up too , at <VALUE_2> <UNIT_2>", "<SIGNAL_2> climbed as well , to <VALUE_2> <UNIT_2>"]
SECOND_DOWN = ["<SIGNAL_2> also fell to <VALUE_2> <UNIT_2>", "<SIGNAL_2> is down too , at <VALUE_2> <UNIT_2>", "<SIGNAL_2> decreased as well , to <VALUE_2> <UNIT_2>"]
MORE = ["Other signals moved as well .", "More signals are off normal ."]


def choose(rng, bank, key, shape):
    i = rng.randrange(len(bank))
    shape.append("%s%d" % (key, i))
    return bank[i]


def main_clause(rng, f, shape):
    m = f["moved"][0]
    verb = choose(rng, UP if m["direction"] == "up" else DOWN, "v", shape)
    rel = choose(rng, RATIO if m["ratio"] is not None else NORATIO, "r" if m["ratio"] is not None else "n", shape)
    return "<SIGNAL_1> %s <VALUE_1> <UNIT_1>%s" % (verb, rel)


def active_summary(rng, f, shape):
    sev = f["severity"]
    if not f["moved"]:
        opener = choose(rng, UPDATE_OPEN if f["state"] == "update" else SEV_OPEN[sev], "o", shape)
        return "%s %s detected %s , but no single signal stands out ." % (opener, PATTERN_LEAD[f["pattern"]].lower(), choose(rng, DUR, "d", shape))
    order = rng.randrange(3)
    shape.append("k%d" % order)
    main = main_clause(rng, f, shape)
    dur = choose(rng, DUR, "d", shape)
    steady = ""
    steady_sent = ""
    if f["steady"]:
        if rng.random() < 0.7:
            steady = " " + choose(rng, STEADY, "s", shape)
        else:
            steady_sent = " " + choose(rng, STEADY_SENT, "t", shape)
    if order == 2:  # Pattern first: "Gradual drift on <ASSET> : <SIGNAL_1> rose ..."
        lead = PATTERN_LEAD[f["pattern"]]
        if f["state"] == "update":
            lead += " continues"
        if sev != "info":
            lead += " ( %s )" % sev
        text = "%s on <ASSET> : %s %s%s ." % (lead, main, dur, steady)
    else:
        opener = choose(rng, UPDATE_OPEN if f["state"] == "update" else SEV_OPEN[sev], "o", shape)
        if f["state"] == "update" and sev != "info" and rng.random() < 0.5:
            opener = opener[:-2] + " ( %s ) :" % sev
            shape.append("us")
        tail = choose(rng, PATTERN_TAIL[f["pattern"]], "p", shape)
        if order == 0:  # "<ASSET> : sig rose to v , rel , over dur while steady — pattern ."
            text = "%s %s , %s%s %s ." % (opener, main, dur, steady, tail)
        else:  # "<ASSET> : over dur , sig rose to v ... — pattern ."
            text = "%s %s , %s%s %s ." % (opener, dur, main, steady, tail)
    if len(f["moved"]) >= 2:
        bank = SECOND_UP if f["moved"][1]["direction"] == "up" else SECOND_DOWN
        sec = choose(rng, bank, "b", shape)
        text += " " + sec[0].upper() + sec[1:] + " ." if not sec.startswith("<") else " " + sec + " ."
    if len(f["moved"]) >= 3 and rng.random() < 0.5:
        text += " " + choose(rng, MORE, "m", shape)
    return text + steady_sent


RES_OPEN = [
    "<ASSET> is back to normal after <DUR>", "<ASSET> : resolved after <DUR>", "Resolved on <ASSET> after <DUR>",
    "<ASSET> has recovered after <DUR>", "<ASSET> : the alert cleared after <DUR>",
]
RES_NOW = [
    "<SIGNAL_1> is at <VALUE_1> <UNIT_1> against a learned normal of <BASE_1> <UNIT_1>",
    "<SIGNAL_1> now reads <VALUE_1> <UNIT_1> , near its normal of <BASE_1> <UNIT_1>",
    "<SIGNAL_1> has settled at <VALUE_1> <UNIT_1> ( normal <BASE_1> <UNIT_1> )",
]
RES_PAT = ["( pattern was %s )", "; the pattern was %s", ", ending the %s"]


def resolved_summary(rng, f, shape):
    head = choose(rng, RES_OPEN, "e", shape)
    pat = choose(rng, RES_PAT, "q", shape) % PATTERN_LEAD[f["pattern"]].lower()
    text = "%s %s ." % (head, pat)
    if f["moved"]:
        text += " " + choose(rng, RES_NOW, "w", shape) + " ."
    return text


def random_facts(rng):
    n = rng.choices([0, 1, 2, 3, 4], weights=[1, 10, 6, 3, 1])[0]
    moved = [{"direction": rng.choice(["up", "down"]), "ratio": None if rng.random() < 0.25 else 1.0} for _ in range(n)]
    return {
        "state": rng.choices(STATES, weights=[5, 3, 3])[0],
        "severity": rng.choice(SEVERITIES),
        "pattern": rng.choice(PATTERNS),
        "moved": moved,
        "steady": ["s"] * rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--out", default="models/lm/build/corpus.jsonl")
    ap.add_argument("--fixture", default="")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as fh:
        for _ in range(a.n):
            f = random_facts(rng)
            shape = []
            text = resolved_summary(rng, f, shape) if f["state"] == "resolved" else active_summary(rng, f, shape)
            fh.write(json.dumps({"prompt": prompt_tokens(f), "target": " ".join(text.split()), "shape": ".".join(shape)}) + "\n")
    if a.fixture:
        frng = random.Random(a.seed + 1)
        cases = [random_facts(frng) for _ in range(40)]
        with open(a.fixture, "w") as fh:
            json.dump([{"facts": c, "prompt": prompt_tokens(c)} for c in cases], fh, indent=0)


if __name__ == "__main__":
    main()
