"""kepu-tracker: a campaign tracker for science-popularisation staff.

pandas keeps its strings as Python objects here even though pyarrow is installed (the
columnar reader needs it). With pyarrow present pandas 3 would store every ``str`` column in
Arrow, and the ranking converts ids and names between object arrays and strings dozens of
times: measured at a million works, 9.2 s against 7.4 s per ranking. The Arrow reads convert
their columns once, on the way in.

The option is set the moment pandas has finished importing, whichever module imports it, and
not by importing pandas here: pandas takes about half a second to import, and many ``tracker``
processes never build a frame (``init``, ``config check``, ``schedule --dry-run``,
``dashboard-passwd``, every ``--help``). A module that imports pandas gets it back already
configured, so no frame is ever built without the option.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

STRING_STORAGE = "python"
"""``mode.string_storage`` in every process that imports ``tracker``."""


def _configure(pandas: ModuleType) -> None:
    pandas.set_option("mode.string_storage", STRING_STORAGE)


class _ConfigurePandasOnImport(MetaPathFinder):
    """Finds no module itself: for ``pandas`` it returns pandas' own spec, whose loader then
    sets the option right after running the package (before the importer gets it back)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != "pandas":
            return None
        sys.meta_path.remove(self)  # needed once; and the look-up below must not find itself
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run_package = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_package(module)
            _configure(module)

        # Only this step changes: the loader keeps serving pandas' files and resources.
        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _install() -> None:
    if "pandas" in sys.modules:
        _configure(sys.modules["pandas"])
    elif not any(isinstance(f, _ConfigurePandasOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _ConfigurePandasOnImport())


_install()
