"""How a figure is made and becomes a PNG: matplotlib Figure objects without pyplot, drawn once
onto a roomy canvas and cropped to what was drawn.

Why not `savefig(bbox_inches="tight")`: it draws the figure twice (once to measure, once to
render), ~35 % of each figure's time (measured on MNIST's seven figures: 1.81 s of CPU with it,
1.17 s drawn once and cropped). Cropping to the drawn pixels gives the same picture: each figure
is laid out as before, with MARGIN_IN more room on every side so that long labels still fall on
the canvas; only when something comes near the canvas's edge (a label longer than that room)
is the figure measured and drawn again with room enough."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

# report.html is at most 1,132 px wide (html.py): an 11-inch figure at 100 dpi about fills it.
DPI = 100
MARGIN_IN = 2.5  # room added on every side before drawing
PAD_IN = 0.1  # white kept around the drawing, as savefig's pad_inches
WHITE = 0xFFFFFFFF  # an opaque white RGBA pixel read as one uint32
# zlib level 3 rather than PIL's 6: ~30 % less time to encode MNIST's figures (~4 ms each),
# files ~5 % larger
PNG_COMPRESSION = 3
# Glyphs drawn without FreeType's hinting: it fits each glyph to the pixel grid, which a
# 100-dpi figure does not need (the text looks the same), and it was ~10 % of each figure's
# time (MNIST's seven figures: 767 -> 675-692 ms of CPU, warm, best of 3).
RENDERING = {"text.hinting": "none"}

# A title's height given, for axes that have nothing above them that it could cover (no ticks
# on top, no offset text: categories, or limits fixed to [0, 1]): matplotlib then skips
# measuring every y tick label again to place it (~4 % of those figures' time), and draws it
# where it would have placed it.
FIXED_TITLE = 1.0


class _Figures:
    """The few pyplot calls the plot modules use, made without pyplot: importing pyplot with a
    file-only backend would switch the whole process (in Jupyter, later plt.show() cells would
    show nothing), and these figures never need a window."""

    @staticmethod
    def subplots(*args, figsize=None, **kwargs):
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize)
        return fig, fig.subplots(*args, **kwargs)

    @staticmethod
    def close(fig) -> None:
        """Nothing to release: no pyplot registry holds these figures."""

    @staticmethod
    def get_cmap(name: str):
        import matplotlib

        return matplotlib.colormaps[name]


def figures() -> type[_Figures]:
    return _Figures


def save_figure(fig, path: Path) -> None:
    """Render to a temporary name and rename, like every other artifact."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.png")
    tmp.write_bytes(png_bytes(fig))
    tmp.replace(path)


def png_bytes(fig, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, cropped to its drawing plus PAD_IN (the same bytes for the same
    figure, in any process)."""
    import matplotlib

    with matplotlib.rc_context(RENDERING):  # for this figure only: a notebook's own stay as set
        return _cropped_png(fig, dpi)


def _cropped_png(fig, dpi: int) -> bytes:
    room = MARGIN_IN
    for _ in range(2):
        _add_room(fig, room)
        pixels = _render(fig, dpi)
        box = ink_box(pixels, round(PAD_IN * dpi))
        if box is not None:
            top, bottom, left, right = box
            return _encode(pixels[top:bottom, left:right])
        # the drawing reaches beyond the canvas: measure by how much, draw again with room
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
        width, height = fig.get_size_inches()
        room = max(-bbox.x0, -bbox.y0, bbox.x1 - width, bbox.y1 - height, 0.0) + MARGIN_IN
    return _encode(pixels)  # nothing drawn


def _render(fig, dpi: int) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _encode(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels[..., :3])).save(
        buffer, format="png", compress_level=PNG_COMPRESSION)
    return buffer.getvalue()


def ink_box(pixels: np.ndarray, pad: int) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the non-white pixels of an RGBA image, `pad` pixels wider
    on each side; None when there are none, or when they come closer than `pad` to an edge:
    the drawing may go on beyond it (a line of text can cross the edge between two words)."""
    ink = pixels.view(np.uint32)[..., 0] != WHITE
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height, width = ink.shape
    if not len(rows) or min(rows[0], cols[0]) < pad or rows[-1] + pad >= height or \
            cols[-1] + pad >= width:
        return None
    return rows[0] - pad, rows[-1] + pad + 1, cols[0] - pad, cols[-1] + pad + 1


def _add_room(fig, margin: float) -> None:
    """Grow the figure by `margin` inches on every side, keeping every axes and figure text
    where it was relative to the others (their sizes in inches unchanged)."""
    w, h = fig.get_size_inches()
    new_w, new_h = w + 2 * margin, h + 2 * margin

    def moved(x: float, y: float) -> tuple[float, float]:
        return (x * w + margin) / new_w, (y * h + margin) / new_h

    boxes = [(ax, ax.get_position(original=True)) for ax in fig.axes]
    fig.set_size_inches(new_w, new_h)
    for ax, box in boxes:
        ax.set_position([*moved(box.x0, box.y0), box.width * w / new_w, box.height * h / new_h])
    for text in fig.texts:  # the suptitle
        text.set_position(moved(*text.get_position()))
