"""A static-files finder for the Plotly JavaScript bundle (ADR 0021).

The ``plotly`` wheel, a dependency, ships ``plotly/package_data/plotly.min.js``. This
finder serves that one file as ``vendor/plotly/plotly.min.js`` — to ``collectstatic``
(production, WhiteNoise with hashed names) and to WhiteNoise's finders mode (development
and tests) alike — so the bundle comes from our own origin without being committed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal, overload

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor/plotly"
NAME = "plotly.min.js"
#: The URL path under STATIC_URL that templates use: ``{% static PLOTLY %}``.
PLOTLY = f"{PREFIX}/{NAME}"


def package_data() -> Path | None:
    """The installed plotly package's ``package_data`` folder (without importing plotly)."""
    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "package_data"
    return folder if (folder / NAME).is_file() else None


def bundle_version(path: Path) -> str | None:
    """The plotly.js version in the bundle's licence header (``* plotly.js v4.1.1``)."""
    with path.open(encoding="utf-8") as bundle:
        head = bundle.read(400)
    for line in head.splitlines():
        if "plotly.js v" in line:
            return line.split("plotly.js v", 1)[1].strip()
    return None


@cache
def inline_style_ids() -> tuple[str, ...]:
    """Ids of the ``<style>`` elements plotly.js adds when its bundle loads unless an element
    with that id exists (the map library's CSS, unused here). A page that places an
    element with each id keeps the bundle from breaking the CSP (``style-src 'self'``)."""
    folder = package_data()
    if folder is None:
        return ()
    text = (folder / NAME).read_text(encoding="utf-8")
    return tuple(dict.fromkeys(re.findall(r'getElementById\("([0-9a-f]{40,})"\)', text)))


class PlotlyFinder(BaseFinder):
    """Finds ``vendor/plotly/plotly.min.js`` in the installed plotly wheel, nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        folder = package_data()
        self.storage: FileSystemStorage | None = None
        if folder is not None:
            self.storage = FileSystemStorage(location=str(folder))
            # collectstatic and WhiteNoise put a storage's files under its prefix.
            self.storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if self.storage is None:
            return [
                Error(
                    "The plotly package (with plotly/package_data/plotly.min.js) is not "
                    "installed; the patient analytics page needs it.",
                    hint="Install the project's dependencies (pip install -e .).",
                    id="analytics.E001",
                )
            ]
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        if "all" in kwargs:  # Django 5.2 still accepts the old name
            find_all = bool(kwargs["all"])
        if self.storage is None or path != PLOTLY:
            return [] if find_all else None
        found = self.storage.path(NAME)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        if self.storage is not None:
            yield NAME, self.storage
