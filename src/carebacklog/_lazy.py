"""Package faces loaded on first use, from one list: the package's ``__init__.pyi`` stub.

Every sub-package of carebacklog declares its public API once, in ``__init__.pyi``, as re-exports::

    from .reader import read_events as read_events     # a name and the module it lives in
    from . import pipeline as pipeline                 # a public sub-module
    __version__: str                                   # a name ``__init__.py`` defines itself

Type checkers read the stub (so ``from carebacklog.rtt import read_events`` is fully typed) and
``__init__.py`` turns the same lines into ``__getattr__``, ``__dir__`` and ``__all__`` (PEP 562)::

    from carebacklog._lazy import attach_stub
    __getattr__, __dir__, __all__ = attach_stub(__name__, __file__)

so importing a package costs no Polars, NumPy or pydantic until one of its names is used, and
``carebacklog --help`` stays fast. The names are the single list: there is no separate ``__all__`` or
name-to-module map to keep in step.

A public name that is also the name of a sub-module (``forecast.calibrate`` is a function in
``forecast/inputs.py`` and a module ``forecast/calibrate.py``) keeps meaning the public name: importing
the sub-module does not overwrite it on the package.
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["attach_stub"]


class _Face(types.ModuleType):
    """A package whose public names are not overwritten by the import of a same-named sub-module."""

    __lazy_public__: frozenset[str]

    def __setattr__(self, name: str, value: Any) -> None:
        public = self.__dict__.get("__lazy_public__", frozenset())
        if name in public and value is sys.modules.get(f"{self.__name__}.{name}"):
            return  # the import system binding a sub-module: the public name wins
        super().__setattr__(name, value)


def _read_stub(stub: Path) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """``{public name: (module, name there)}`` and the names ``__init__.py`` defines, from a stub."""
    tree = ast.parse(stub.read_text(encoding="utf-8"), filename=str(stub))
    homes: dict[str, tuple[str, str]] = {}
    own: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                if alias.name == "*":
                    raise ValueError(f"{stub}:{node.lineno}: a package face lists its names (no '*')")
                public = alias.asname or alias.name
                # ``from . import x``: the sub-module x; ``from .m import x``: x in sub-module m
                homes[public] = (node.module or alias.name, "" if node.module is None else alias.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            own.append(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            raise ValueError(f"{stub}:{node.lineno}: a package face imports only from its own modules")
    return homes, own


def attach_stub(
    package_name: str, init_file: str
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` of package ``package_name`` from its ``__init__.pyi``."""
    homes, own = _read_stub(Path(init_file).with_suffix(".pyi"))
    public = sorted({*homes, *own})
    package = sys.modules[package_name]
    if type(package) is types.ModuleType:
        package.__class__ = _Face
    package.__dict__["__lazy_public__"] = frozenset(name for name, (_, attr) in homes.items() if attr)

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package_name!r} has no attribute {name!r}")
        module_name, attribute = home
        module = importlib.import_module(f"{package_name}.{module_name}")
        value = getattr(module, attribute) if attribute else module
        package.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*public, *(name for name in package.__dict__ if name.startswith("__"))})

    return __getattr__, __dir__, public
