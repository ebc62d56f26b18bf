"""A small builder over onnx.helper: nodes, constants and fresh names for one graph.

The graph is built directly from the saved weights and the preprocessing JSON rather than
traced with torch.onnx.export: the networks are a few MatMul/Add layers, the preprocessing has
no torch form to trace at all, and not importing torch keeps export within its 2 s (torch's
import alone takes ~1.7 s on a 2-core machine), free of the exporter's own dependencies
(onnxscript) and of its version-to-version changes.
"""

from __future__ import annotations

import numpy as np

# Names made inside the graph start with this, so that they never meet a column's name.
INTERNAL = "lrnn/"
ML_DOMAIN = "ai.onnx.ml"
BATCH = "N"  # the name of the dynamic batch dimension


class Graph:
    def __init__(self, onnx):
        self.onnx = onnx
        self.nodes, self.initializers = [], []
        self.inputs, self.outputs = [], []
        self.uses_ml = False
        self._count = 0
        self._shared: dict[tuple, str] = {}

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{INTERNAL}{hint}{self._count}"

    def node(self, op: str, inputs: list[str], hint: str | None = None, *,
             output: str | None = None, domain: str = "", **attributes) -> str:
        """Adds one node; returns the name of its (single) output."""
        out = output or self.fresh(hint or op.lower())
        # nodes stay unnamed (a name is optional): the output's name says which node it is
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [out], domain=domain,
                                                     **attributes))
        self.uses_ml |= domain == ML_DOMAIN
        return out

    def const(self, value, hint: str, dtype=None) -> str:
        """An initializer holding `value` (a numpy array or a number of `dtype`)."""
        array = np.asarray(value, dtype=dtype)
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def shared(self, value, dtype) -> str:
        """A scalar constant, stored once however often it is used."""
        key = (value, np.dtype(dtype).str)
        if key not in self._shared:
            self._shared[key] = self.const(value, "scalar", dtype)
        return self._shared[key]

    def add_input(self, name: str, elem_type: int, shape: list, doc: str) -> str:
        info = self.onnx.helper.make_tensor_value_info(name, elem_type, shape)
        info.doc_string = doc
        self.inputs.append(info)
        return name

    def add_output(self, name: str, elem_type: int, shape: list, doc: str) -> None:
        info = self.onnx.helper.make_tensor_value_info(name, elem_type, shape)
        info.doc_string = doc
        self.outputs.append(info)

    def build(self, name: str, doc: str):
        return self.onnx.helper.make_graph(self.nodes, name, self.inputs, self.outputs,
                                           self.initializers, doc_string=doc)
