"""The server a user writes by hand: FastAPI + uvicorn around a scikit-learn pipeline loaded
with joblib, as FastAPI's tutorials show it (a pydantic request model, a plain `def` route,
a dict answer). The same JSON as `lrnn serve` in and out: {"instances": [...]} ->
{"predictions": [{"label", "probabilities"}]}; text/csv bodies too (pandas.read_csv).

    python -m benchmarks.peers.sklearn_serve MODEL.joblib --kind image|table --port PORT

`fit_image_pipeline` and `fit_table_pipeline` build the pipelines that benchmarks/serve.py
saves for it: pixels / 255 into MLPClassifier, and ColumnTransformer (median imputing and
scaling for numbers, one-hot encoding with a missing level for categories) into one."""

# No `from __future__ import annotations`: FastAPI reads the route's annotations, whose
# request models are defined inside build_app.
import argparse
import io
from typing import Any

import numpy as np


def scale_pixels(X):
    """0..255 pixels as 0..1 (a module function, so that joblib saves it by name)."""
    return np.asarray(X, dtype=np.float64) / 255


def fit_image_pipeline(X, y, hidden, epochs: int):
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    mlp = MLPClassifier(hidden_layer_sizes=hidden, max_iter=epochs, batch_size=200,
                        random_state=0)
    return make_pipeline(FunctionTransformer(scale_pixels), mlp).fit(X.reshape(len(X), -1), y)


def fit_table_pipeline(frame, y, numeric, categorical, hidden):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from sklearn.preprocessing import FunctionTransformer

    columns = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("categories", make_pipeline(
            FunctionTransformer(categories_as_text),
            SimpleImputer(strategy="constant", fill_value="(missing)"),
            OneHotEncoder(handle_unknown="ignore")), categorical)])
    mlp = MLPClassifier(hidden_layer_sizes=hidden, max_iter=200, random_state=0)
    return make_pipeline(columns, mlp).fit(frame, y)


def categories_as_text(frame):
    """Category cells as text (numbers such as 175000 too), missing ones (None or NaN) as NaN:
    the encoder takes one type per column."""
    return frame.apply(lambda column: column.map(
        lambda v: np.nan if v is None or v != v else str(v)))


def build_app(model, kind: str):
    import pandas as pd
    from fastapi import FastAPI, Request
    from pydantic import BaseModel

    classes = [str(c) for c in model.classes_]
    app = FastAPI()

    def answer(proba):
        labels = proba.argmax(axis=1)
        return {"predictions": [{"label": classes[i], "probabilities": dict(zip(classes, p))}
                                for i, p in zip(labels.tolist(), proba.tolist())]}

    if kind == "image":
        class Images(BaseModel):
            instances: list[list[list[float]]]

        @app.post("/predict")
        def predict(request: Images):
            X = np.asarray(request.instances).reshape(len(request.instances), -1)
            return answer(model.predict_proba(X))
    else:
        class Rows(BaseModel):
            instances: list[dict[str, Any]]

        @app.post("/predict")
        async def predict(request: Request):
            if request.headers.get("content-type", "").startswith("text/csv"):
                frame = pd.read_csv(io.BytesIO(await request.body()))
            else:
                frame = pd.DataFrame(Rows.model_validate_json(await request.body()).instances)
            return answer(model.predict_proba(frame))

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app


def main() -> None:
    import joblib
    import uvicorn

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="a pipeline written by joblib.dump")
    p.add_argument("--kind", choices=("image", "table"), required=True)
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args()
    app = build_app(joblib.load(args.model), args.kind)
    # the access log off, as lrnn serve has it by default: both servers do the same work
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
