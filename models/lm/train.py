#!/usr/bin/python3
"""Train the explain LM (a tiny decoder-only transformer) and export it to ONNX.

Output folder (Hugging Face Optimum layout, so the same runtime loads a user's
own exported model): config.json, tokenizer.json, onnx/model.onnx.

ONNX I/O (Optimum decoder-with-past layout):
  inputs  input_ids [b,s] int64, attention_mask [b,past+s] int64, position_ids [b,s] int64,
          past_key_values.N.key / .value [b,heads,past,head_dim] float32
  outputs logits [b,s,vocab] float32, present.N.key / .value [b,heads,past+s,head_dim]

torch 1.13 has no scaled_dot_product_attention, so attention is written by hand.
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SPECIALS = ["<pad>", "<bos>", "<sep>", "<eos>", "<unk>"]


def feature_tokens():
    """Every prompt token gen_corpus.prompt_tokens() can emit (facts-v2), in a fixed order."""
    t = ["<task_sum>", "<task_check>"] + ["<nchk_%d>" % i for i in range(1, 4)]
    t += ["<st_%s>" % s for s in ["open", "update", "resolved"]]
    t += ["<sev_%s>" % s for s in ["info", "warning", "critical"]]
    t += ["<pat_%s>" % p for p in ["spike", "level_shift", "drift", "variance_change", "stuck", "dropout", "oscillation", "unknown"]]
    t += ["<moved_%d>" % i for i in range(5)]
    t += ["<d%d_%s>" % (i, d) for i in range(1, 4) for d in ("up", "down")]
    t += ["<r1_yes>", "<r1_no>", "<band_in>", "<band_out>"]
    t += ["<steady_%d>" % i for i in range(3)]
    return t


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.h, self.hd = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(self, x, past_k, past_v, bias):
        b, s, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q = q.view(b, s, self.h, self.hd).transpose(1, 2)
        k = torch.cat([past_k, k.view(b, s, self.h, self.hd).transpose(1, 2)], dim=2)
        v = torch.cat([past_v, v.view(b, s, self.h, self.hd).transpose(1, 2)], dim=2)
        att = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(self.hd)) + bias
        y = torch.matmul(torch.softmax(att, dim=-1), v).transpose(1, 2).reshape(b, s, d)
        x = x + self.proj(y)
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x))))
        return x, k, v


class TinyLM(nn.Module):
    def __init__(self, vocab, d, layers, heads, ff, max_pos):
        super().__init__()
        self.cfg = dict(vocab=vocab, d=d, layers=layers, heads=heads, ff=ff, max_pos=max_pos)
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(max_pos, d)
        self.blocks = nn.ModuleList([Block(d, heads, ff) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        for mod in self.modules():  # GPT-2 style small init; N(0,1) tied embeddings give huge initial logits
            if isinstance(mod, (nn.Linear, nn.Embedding)):
                nn.init.normal_(mod.weight, std=0.02)
            if isinstance(mod, nn.Linear):
                nn.init.zeros_(mod.bias)

    def forward(self, input_ids, attention_mask, position_ids, past):
        """past: list of (k, v) per layer, each [b,h,past,hd] (past may be 0 long)."""
        b, s = input_ids.shape
        p = past[0][0].shape[2]
        # Causal + padding mask as an additive bias [b,1,s,p+s]: key j visible to query i iff j <= p+i and not padding.
        qi = torch.arange(s).unsqueeze(1) + p
        kj = torch.arange(p + s).unsqueeze(0)
        causal = (kj <= qi).unsqueeze(0).unsqueeze(0)
        keep = causal & (attention_mask > 0).unsqueeze(1).unsqueeze(1)
        bias = (1.0 - keep.float()) * -1e9
        x = self.tok(input_ids) + self.pos(position_ids)
        presents = []
        for blk, (pk, pv) in zip(self.blocks, past):
            x, k, v = blk(x, pk, pv, bias)
            presents.append((k, v))
        logits = torch.matmul(self.ln(x), self.tok.weight.t())  # tied embeddings keep the file small
        return logits, presents

    def empty_past(self, b):
        h, hd = self.cfg["heads"], self.cfg["d"] // self.cfg["heads"]
        return [(torch.zeros(b, h, 0, hd), torch.zeros(b, h, 0, hd)) for _ in self.blocks]


class OnnxWrapper(nn.Module):
    """Flat positional I/O for torch.onnx.export in the Optimum order."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents = self.m(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def load(corpus, stoi, max_len):
    rows = []
    for line in open(corpus):
        d = json.loads(line)
        ids = [stoi[t] for t in d["prompt"]] + [stoi.get(w, stoi["<unk>"]) for w in d["target"].split()] + [stoi["<eos>"]]
        rows.append((ids[:max_len], len(d["prompt"])))
    return rows


def batchify(rows, idx):
    L = max(len(rows[i][0]) for i in idx)
    x = torch.zeros(len(idx), L, dtype=torch.long)
    loss_mask = torch.zeros(len(idx), L)
    att = torch.zeros(len(idx), L, dtype=torch.long)
    for r, i in enumerate(idx):
        ids, plen = rows[i]
        x[r, : len(ids)] = torch.tensor(ids)
        att[r, : len(ids)] = 1
        loss_mask[r, plen - 1 : len(ids) - 1] = 1  # predict target tokens (and <eos>) only
    return x, att, loss_mask


@torch.no_grad()
def greedy(model, prompt_ids, eos, cap=80):
    ids = list(prompt_ids)
    past = model.empty_past(1)
    cur = torch.tensor([ids])
    out = []
    for _ in range(cap):
        n = past[0][0].shape[2]
        logits, past = model(cur, torch.ones(1, n + cur.shape[1], dtype=torch.long), torch.arange(n, n + cur.shape[1]).unsqueeze(0), past)
        nxt = int(logits[0, -1].argmax())
        if nxt == eos:
            break
        out.append(nxt)
        cur = torch.tensor([[nxt]])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="models/lm/build/corpus.jsonl")
    ap.add_argument("--out", default="models/lm/explain-lm")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--steps", type=int, default=700)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--d", type=int, default=128)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ff", type=int, default=384)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--export-every", type=int, default=0, help="also export every N steps (a usable model if training is cut short)")
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    random.seed(a.seed)

    words = sorted({w for line in open(a.corpus) for w in json.loads(line)["target"].split()})
    itos = SPECIALS + feature_tokens() + words
    stoi = {t: i for i, t in enumerate(itos)}
    max_pos = 128
    rows = load(a.corpus, stoi, max_pos)
    model = TinyLM(len(itos), a.d, a.layers, a.heads, a.ff, max_pos)
    nparams = sum(p.numel() for p in model.parameters())
    print("vocab %d, params %d, rows %d" % (len(itos), nparams, len(rows)), flush=True)

    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01, betas=(0.9, 0.98))
    order = list(range(len(rows)))
    random.shuffle(order)
    t0, pos = time.time(), 0
    model.train()
    for step in range(a.steps):
        lr = a.lr * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * step / a.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        if pos + a.batch > len(order):
            random.shuffle(order)
            pos = 0
        idx = order[pos : pos + a.batch]
        pos += a.batch
        x, att, lm = batchify(rows, idx)
        logits, _ = model(x, att, torch.arange(x.shape[1]).unsqueeze(0).expand_as(x), model.empty_past(x.shape[0]))
        loss_tok = F.cross_entropy(logits[:, :-1].reshape(-1, len(itos)), x[:, 1:].reshape(-1), reduction="none")
        loss = (loss_tok * lm[:, :-1].reshape(-1)).sum() / lm.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == a.steps - 1:
            print("step %d loss %.4f lr %.5f %.0fs" % (step, loss.item(), lr, time.time() - t0), flush=True)
        if a.export_every and step > 0 and step % a.export_every == 0 and step < a.steps - 1:
            model.eval()
            export(model, itos, stoi, a, nparams, step)
            model.train()
            print("exported at step %d" % step, flush=True)

    model.eval()
    for i in range(4):
        ids, plen = rows[order[i]]
        print(" ".join(itos[t] for t in ids[:plen]), "=>", " ".join(itos[t] for t in greedy(model, ids[:plen], stoi["<eos>"])))
    export(model, itos, stoi, a, nparams)
    print("done in %.0fs" % (time.time() - t0))


def export(model, itos, stoi, a, nparams, step=None):
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    L, h, hd = a.layers, a.heads, a.d // a.heads
    b, s, p = 1, 2, 3
    past = []
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(L):
        for kv in ("key", "value"):
            past.append(torch.zeros(b, h, p, hd))
            names_in.append("past_key_values.%d.%s" % (i, kv))
            names_out.append("present.%d.%s" % (i, kv))
            dyn[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[names_out[-1]] = {0: "batch_size", 2: "total_sequence_length"}
    args = (torch.ones(b, s, dtype=torch.long), torch.ones(b, p + s, dtype=torch.long), torch.arange(p, p + s).unsqueeze(0), *past)
    path = os.path.join(a.out, "onnx", "model.onnx")
    torch.onnx.export(OnnxWrapper(model), args, path, input_names=names_in, output_names=names_out, dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    cfg = {
        "model_type": "edge-sentinel-explain", "architectures": ["EdgeSentinelExplainLM"], "vocab_size": len(itos),
        "hidden_size": a.d, "num_hidden_layers": L, "num_attention_heads": h, "num_key_value_heads": h, "head_dim": hd,
        "intermediate_size": a.ff, "max_position_embeddings": model.cfg["max_pos"],
        "bos_token_id": stoi["<bos>"], "eos_token_id": stoi["<eos>"], "pad_token_id": stoi["<pad>"],
        "edge_sentinel": {"prompt": "facts-v2", "delexicalised": True, "version": "2.0.0", "parameters": nparams,
                          "train": {"seed": a.seed, "steps": a.steps if step is None else step, "batch": a.batch, "lr": a.lr}},
    }
    json.dump(cfg, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": stoi[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True} for t in SPECIALS + feature_tokens()],
        "normalizer": None, "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": None, "decoder": None,
        "model": {"type": "WordLevel", "vocab": stoi, "unk_token": "<unk>"},
    }
    json.dump(tok, open(os.path.join(a.out, "tokenizer.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
