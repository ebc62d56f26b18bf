"""The page at / (page.html, page.css and page.js in this folder, put into one document with
the run's metadata: no CDN, works offline) and the /docs page, whose Swagger UI files come
from the fastapi-offline package, read once at start-up."""

from __future__ import annotations

import html
import json
from importlib import resources
from urllib.parse import quote

SWAGGER_FILES = {"swagger-ui-bundle.js": "application/javascript",
                 "swagger-ui.css": "text/css", "favicon.png": "image/png"}


def _text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _script_json(value) -> str:
    """JSON that cannot end the <script> element holding it, whatever the column names."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_html(model, limits) -> str:
    meta = dict(model.metadata(), max_rows=limits.max_rows)
    meta.pop("test_metrics", None)
    accuracy = (model.metrics or {}).get("accuracy")
    subtitle = f"{meta['model']} on {meta['dataset']}" + (
        f", test accuracy {accuracy:.2%}" if isinstance(accuracy, float) else "")
    return (_text("page.html")
            .replace("{{TITLE}}", html.escape(f"lrnn: {model.name}"))
            .replace("{{SUBTITLE}}", html.escape(subtitle))
            .replace("{{CSS}}", _text("page.css"))
            .replace("{{META}}", _script_json(meta))
            .replace("{{JS}}", _text("page.js")))


def docs_assets() -> dict[str, tuple[bytes, str]]:
    """Swagger UI's files by name, or {} without fastapi-offline (then /docs loads them from
    the CDN FastAPI names)."""
    try:
        static = resources.files("fastapi_offline").joinpath("static")
        return {name: (static.joinpath(name).read_bytes(), kind)
                for name, kind in SWAGGER_FILES.items()}
    except (ModuleNotFoundError, FileNotFoundError):
        return {}


def docs_page(title: str, token: str | None, offline: bool = True) -> str:
    from fastapi.openapi.docs import get_swagger_ui_html

    spec = "/openapi.json" + (f"?token={quote(token)}" if token else "")
    files = {"swagger_js_url": "/docs/assets/swagger-ui-bundle.js",
             "swagger_css_url": "/docs/assets/swagger-ui.css",
             "swagger_favicon_url": "/docs/assets/favicon.png"} if offline else {}
    return get_swagger_ui_html(openapi_url=spec, title=f"{title}: API", **files,
                               swagger_ui_parameters={"persistAuthorization": True}
                               ).body.decode("utf-8")
