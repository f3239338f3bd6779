#!/usr/bin/python3
"""Write model-card.json for an exported explain LM folder (I/O, version, sha256, how it was made)."""
import argparse
import hashlib
import json
import os

import onnx


def io(values):
    out = []
    for v in values:
        t = v.type.tensor_type
        dims = [d.dim_param or d.dim_value for d in t.shape.dim]
        out.append({"name": v.name, "type": onnx.TensorProto.DataType.Name(t.elem_type).lower(), "shape": dims})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="models/lm/explain-lm")
    ap.add_argument("--command", required=True)
    a = ap.parse_args()
    path = os.path.join(a.dir, "onnx", "model.onnx")
    data = open(path, "rb").read()
    m = onnx.load_from_string(data)
    cfg = json.load(open(os.path.join(a.dir, "config.json")))
    card = {
        "name": "explain-lm",
        "version": cfg["edge_sentinel"]["version"],
        "task": "alert facts (categorical prompt, facts-v2) -> delexicalised summary with <PLACEHOLDERS>; playbook check-sentence frames (<task_check>)",
        "architecture": "decoder-only transformer, pre-LN, learned positions, tied embeddings, hand-written attention",
        "parameters": cfg["edge_sentinel"]["parameters"],
        "layers": cfg["num_hidden_layers"], "heads": cfg["num_attention_heads"], "hidden": cfg["hidden_size"],
        "vocab": cfg["vocab_size"], "maxPositions": cfg["max_position_embeddings"],
        "file": "onnx/model.onnx", "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        "opset": m.opset_import[0].version,
        "inputs": io(m.graph.input), "outputs": io(m.graph.output),
        "tokenizer": "tokenizer.json (Hugging Face WordLevel, whitespace split)",
        "training": cfg["edge_sentinel"]["train"], "command": a.command,
        "limits": "Writes placeholders only; names and numbers come from the facts and every text is verified (agent/explain/verify.ts).",
    }
    json.dump(card, open(os.path.join(a.dir, "model-card.json"), "w"), indent=2)
    print(card["sha256"], card["bytes"])


if __name__ == "__main__":
    main()
