"""onnx and onnxruntime (the `export` extra), and the opset a graph is stamped with."""

from __future__ import annotations

from ._lrnn import InputError

EXTRA_HINT = "needs the export extra: pip install 'lrnn[export]'"
# Opset 18 (onnx 1.13, onnxruntime 1.14, late 2022): recent enough for every operator the graph
# uses, old enough that the runtimes people deploy to (Java, C#, onnxruntime-web, mobile) read it.
DEFAULT_OPSET = 18
# Softmax and ArgMax took their present meaning (one axis) in opset 13.
MIN_OPSET = 13


def require():
    """(onnx, onnxruntime), or a one-line error naming the pip command."""
    try:
        import onnx
        import onnxruntime
    except ModuleNotFoundError:
        raise InputError(EXTRA_HINT) from None
    except ImportError as exc:  # installed but broken (a missing shared library, say)
        raise InputError(f"{EXTRA_HINT} ({exc})") from None
    return onnx, onnxruntime


def resolve_opset(onnx, opset: int | None) -> tuple[int, int]:
    """(ai.onnx opset, ai.onnx.ml opset released with it)."""
    newest = onnx.defs.onnx_opset_version()
    if opset is None:
        opset = min(DEFAULT_OPSET, newest)
    if not MIN_OPSET <= opset <= newest:
        raise InputError(f"--opset {opset}: expected {MIN_OPSET} to {newest} (the newest the "
                         f"installed onnx {onnx.__version__} knows)")
    ml = max(row[3] for row in onnx.helper.VERSION_TABLE if row[2] <= opset)
    return opset, ml
