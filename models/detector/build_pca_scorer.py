"""Build the built-in detector scoring graph: PCA T^2 + Q (squared prediction error).

The graph is fixed; its parameters (mean, spread, principal axes, eigenvalues,
score weights) are learned on the device per asset and fed in as inputs, so one
session scores a batch of different assets in one call.

Reproduce:  /usr/bin/python3 models/detector/build_pca_scorer.py
(writes models/detector/pca-t2q.onnx; the agent verifies its sha256 from the card)
"""
import hashlib
import json
import os

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "pca-t2q.onnx")

B, F, K = "batch", "features", "components"
inputs = [
    helper.make_tensor_value_info("x", TensorProto.FLOAT, [B, F]),
    helper.make_tensor_value_info("mu", TensorProto.FLOAT, [B, F]),
    helper.make_tensor_value_info("sd", TensorProto.FLOAT, [B, F]),
    helper.make_tensor_value_info("P", TensorProto.FLOAT, [B, F, K]),
    helper.make_tensor_value_info("lam", TensorProto.FLOAT, [B, K]),
    helper.make_tensor_value_info("w", TensorProto.FLOAT, [B, 2]),
]
outputs = [
    helper.make_tensor_value_info("score", TensorProto.FLOAT, [B]),
    helper.make_tensor_value_info("t2", TensorProto.FLOAT, [B]),
    helper.make_tensor_value_info("q", TensorProto.FLOAT, [B]),
    helper.make_tensor_value_info("z", TensorProto.FLOAT, [B, F]),
]
axes1 = helper.make_tensor("axes1", TensorProto.INT64, [1], [1])
idx0 = helper.make_tensor("idx0", TensorProto.INT64, [], [0])
idx1 = helper.make_tensor("idx1", TensorProto.INT64, [], [1])
nodes = [
    helper.make_node("Sub", ["x", "mu"], ["xc"]),
    helper.make_node("Div", ["xc", "sd"], ["z"]),
    helper.make_node("Unsqueeze", ["z", "axes1"], ["z3"]),           # [B,1,F]
    helper.make_node("MatMul", ["z3", "P"], ["t3"]),                 # [B,1,K]
    helper.make_node("Squeeze", ["t3", "axes1"], ["t"]),             # [B,K]
    helper.make_node("Mul", ["t", "t"], ["tt"]),
    helper.make_node("Div", ["tt", "lam"], ["ttl"]),
    helper.make_node("ReduceSum", ["ttl", "axes1"], ["t2"], keepdims=0),
    helper.make_node("Transpose", ["P"], ["Pt"], perm=[0, 2, 1]),    # [B,K,F]
    helper.make_node("MatMul", ["t3", "Pt"], ["r3"]),                # [B,1,F]
    helper.make_node("Squeeze", ["r3", "axes1"], ["recon"]),
    helper.make_node("Sub", ["z", "recon"], ["res"]),
    helper.make_node("Mul", ["res", "res"], ["res2"]),
    helper.make_node("ReduceSum", ["res2", "axes1"], ["q"], keepdims=0),
    helper.make_node("Gather", ["w", "idx0"], ["w0"], axis=1),       # [B]
    helper.make_node("Gather", ["w", "idx1"], ["w1"], axis=1),
    helper.make_node("Mul", ["t2", "w0"], ["s0"]),
    helper.make_node("Mul", ["q", "w1"], ["s1"]),
    helper.make_node("Add", ["s0", "s1"], ["score"]),
]
graph = helper.make_graph(nodes, "pca_t2q", inputs, outputs, initializer=[axes1, idx0, idx1])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edge-sentinel")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, OUT)
sha = hashlib.sha256(open(OUT, "rb").read()).hexdigest()
card_path = os.path.join(HERE, "pca-t2q.card.json")
card = json.load(open(card_path)) if os.path.exists(card_path) else {}
card["sha256"] = sha
json.dump(card, open(card_path, "w"), indent=2)
print(OUT, sha)
