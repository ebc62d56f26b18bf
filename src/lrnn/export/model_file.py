"""One ONNX model from a saved run: the preprocessing graph of its kind, the network, the
outputs, and the run's description in metadata_props."""

from __future__ import annotations

import json

from ._lrnn import ArtifactError, InputError, __version__
from .graph import ML_DOMAIN, Graph
from .graph_images import image_features
from .graph_model import OUTPUTS, label_values, network, outputs
from .graph_tables import matrix_features, table_features

# protobuf cannot serialize a message of 2 GiB or more; the rest of the graph is small
MAX_WEIGHT_BYTES = 2**31 - 2**26


def build_model(onnx, predictor, opsets: tuple[int, int], sha256: dict[str, str]):
    """A checked onnx.ModelProto computing what `predictor` computes."""
    info = predictor.info
    threshold, layers = predictor.threshold, predictor.model.layers
    if layers[-1][1].shape[0] == 1 and not 0 < threshold < 1:
        raise ArtifactError(f"model.json: threshold {threshold!r}; expected a probability "
                            f"strictly between 0 and 1")
    size = sum(w.nbytes + b.nbytes for w, b in layers)
    if size > MAX_WEIGHT_BYTES:
        raise InputError(f"the weights take {size / 2**30:.1f} GiB; one ONNX file holds less "
                         f"than 2 GiB (protobuf's limit)")
    g = Graph(onnx)
    features, order = _features(g, predictor.preprocessor.state)
    n_features = layers[0][0].shape[0]
    if predictor.preprocessor.n_features != n_features or \
            (order is not None and sorted(order.tolist()) != list(range(n_features))):
        raise ArtifactError(f"model.json: the preprocessing makes "
                            f"{predictor.preprocessor.n_features} features, the weights take "
                            f"{n_features}")
    if order is not None:  # the graph's features in another order: the first layer follows
        layers = [(layers[0][0][order], layers[0][1]), *layers[1:]]
    arch = info["architecture"]
    logits = network(g, layers, arch.get("activation") if arch["model"] == "mlp" else None,
                     features)
    outputs(g, logits, layers[-1][1].shape[0], layers[-1][0].dtype, list(predictor.classes),
            threshold)
    graph = g.build("lrnn", f"lrnn {arch['model']} on {info.get('dataset', 'a table')}: raw "
                            f"inputs in, class probabilities and labels out")
    opset, ml = opsets
    imports = [onnx.helper.make_opsetid("", opset)]
    if g.uses_ml:
        imports.append(onnx.helper.make_opsetid(ML_DOMAIN, ml))
    model = onnx.helper.make_model(graph, opset_imports=imports, producer_name="lrnn",
                                   producer_version=__version__)
    # the oldest IR version that holds these opsets, so that older runtimes read the file too
    model.ir_version = onnx.helper.find_min_ir_version_for(list(imports))
    onnx.helper.set_model_props(model, metadata(info, predictor, sha256))
    onnx.checker.check_model(model, full_check=True)
    return model


def _features(g: Graph, state: dict):
    """(float32 features [N, n_features], the lrnn feature index of each, or None when in
    lrnn's order)."""
    kind = state.get("kind")
    if kind == "image":
        return image_features(g, state)
    if kind == "table":
        return table_features(g, state, OUTPUTS)
    if kind == "matrix":
        return matrix_features(g, state)
    raise ArtifactError(f"model.json: preprocessing kind {kind!r}; expected image, table or "
                        f"matrix")


def metadata(info: dict, predictor, sha256: dict[str, str]) -> dict[str, str]:
    labels = label_values(list(predictor.classes))
    return {
        "lrnn_version": __version__,
        "trained_with_lrnn": str(info.get("lrnn_version", "")),
        "classes": json.dumps(list(predictor.classes)),
        "label_type": "int64" if labels.dtype.kind == "i" else "string",
        "threshold": repr(predictor.threshold),
        "input_schema": json.dumps(info.get("input_schema"), separators=(",", ":")),
        "weights_sha256": sha256["weights"],
        "model_json_sha256": sha256["model_json"],
    }
