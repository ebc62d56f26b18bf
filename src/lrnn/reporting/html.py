"""The pieces of lrnn's self-contained HTML pages (report.html, compare pages): one inline
style sheet, tables, and images embedded as base64 data URIs, so a page opens from disk with
no network and no other file."""

from __future__ import annotations

import base64
import math
from html import escape
from typing import Iterable

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232b;
       max-width: 1180px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 34px 0 10px;
     border-bottom: 1px solid #d8dee6; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.subtitle { color: #5a6573; margin: 0 0 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid #d8dee6; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card .value { font-size: 24px; font-weight: 600; } .card .name { color: #5a6573; font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 14px; }
th, td { border: 1px solid #d8dee6; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.best { font-weight: 700; background: #eaf5ea; }
figure { margin: 18px 0 26px; } figure img { max-width: 100%; height: auto;
       border: 1px solid #eef1f5; } figcaption { color: #5a6573; font-size: 14px; }
.note { color: #5a6573; font-size: 14px; }
code { background: #f3f5f8; padding: 1px 4px; border-radius: 3px; }
"""


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def number(value, digits: int = 4) -> str:
    """A metric or setting as text: floats rounded; None and NaN (not measured) as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 1e5 else f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(number(v, digits) for v in value)
    return str(value)


def cell(value, css: str = "", digits: int = 4) -> "Markup":
    """A <td>; numbers right-aligned. Strings are escaped; pass markup through `Markup`."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    classes = " ".join(c for c in ("num" if numeric else "", css) if c)
    text = value if isinstance(value, Markup) else escape(number(value, digits))
    return Markup(f'<td class="{classes}">{text}</td>' if classes else f"<td>{text}</td>")


class Markup(str):
    """Text already in HTML, inserted as it is."""


def table(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """rows: sequences of values or ready <td> strings (from `cell`)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(v if _is_cell(v) else cell(v) for v in row) + "</tr>\n"
                   for row in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}</table>\n"


def _is_cell(value) -> bool:
    return isinstance(value, Markup) and value.startswith("<td")


def image(png: bytes, alt: str, caption: str = "") -> str:
    data = base64.b64encode(png).decode("ascii")
    text = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">'
            f"{text}</figure>\n")


def section(title: str, content: str, anchor: str = "") -> str:
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f"<h2{ident}>{escape(title)}</h2>\n{content}"
