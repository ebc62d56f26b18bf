"""The datasets lrnn knows, whether each is present, and from where (`lrnn datasets`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import BUILTIN_DATASETS, DATASETS, IDX_DATASETS
from ..config.names import BUILTIN_CLASS_COUNTS
from ..errors import InputError


@dataclass(frozen=True)
class Entry:
    name: str
    classes: int
    present: bool
    where: str


def catalog() -> list[Entry]:
    from .idx.locate import where_is
    from .idx.registry import IDX_REGISTRY

    entries = []
    for name in DATASETS:
        if name in BUILTIN_DATASETS:
            entries.append(Entry(name, BUILTIN_CLASS_COUNTS[name], True,
                                 "built in (scikit-learn)"))
            continue
        folder, source = where_is(name)
        entries.append(Entry(name, len(IDX_REGISTRY[name].classes), folder is not None,
                             f"{folder} ({source})" if folder else source))
    return entries


def folder_of(name: str) -> str:
    """The folder where a file dataset's files are now (`lrnn datasets --folder NAME`)."""
    from .idx.locate import where_is

    if name not in IDX_DATASETS:
        kind = "is built into scikit-learn, with no files of its own" if name in DATASETS \
            else "is not a dataset lrnn knows"
        raise InputError(f"--folder {name}: {name} {kind}; expected one of "
                         f"{', '.join(IDX_DATASETS)}")
    folder, source = where_is(name)
    if folder is None:
        raise InputError(f"--folder {name}: not present yet ({source}); `lrnn train --dataset "
                         f"{name}` fetches it")
    return str(folder)
