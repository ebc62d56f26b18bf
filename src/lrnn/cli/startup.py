"""What the commands' processes import, and how: pandas refused where pyarrow would import it
only to probe for it, and torch imported with the cycle collector off."""

from __future__ import annotations

import sys
from contextlib import contextmanager


class _NoPandas:
    """An import finder and loader (importlib.abc's protocols; that module itself costs ~10 ms
    to import): it finds pandas, so that importlib.util.find_spec still answers (torch's
    compiler asks), and refuses to load it: `import pandas` raises ImportError."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "pandas":
            from importlib.machinery import ModuleSpec

            return ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        raise ModuleNotFoundError(f"No module named {spec.name!r} (not needed here)",
                                  name=spec.name)

    def exec_module(self, module) -> None:
        """Never reached: create_module refuses."""


# Set by cli.run_program, whose process is lrnn's alone: there the objects a command's imports
# made are frozen afterwards (later collections skip them). Not when main() runs in a caller's
# process, where a frozen object is never freed.
_freeze_imports = False


def own_process() -> None:
    global _freeze_imports
    _freeze_imports = True


@contextmanager
def no_cycle_collection():
    """Python's cycle collector off while a command imports what it needs (it walks the
    import's new objects again and again: 1.3 vs 1.5 s of CPU for `import torch`, best of 6 on
    2 busy cores; ~8 ms of a ~0.17 s `lrnn predict`, ~4 ms of it the first collection after
    the import when its objects are not frozen)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _freeze_imports:
            gc.freeze()
        if was_enabled:
            gc.enable()


@contextmanager
def without_pandas():
    """pyarrow imports pandas (~1 s, 1.3 s on a busy 2-core machine) the first time it converts
    any array or scalar, only to ask whether it was handed a pandas object; these commands
    hand it none. While one runs, pandas is not found, unless something imported it before
    (pyarrow then takes it as absent, and imports it only to convert a pandas object)."""
    if "pandas" in sys.modules:
        yield
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
