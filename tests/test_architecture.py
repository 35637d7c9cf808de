"""The package structure docs/architecture.md describes is the one the code has.

- Every import between carebacklog's packages (read from the source with ``ast``, imports inside functions
  and under ``TYPE_CHECKING`` included) is an arrow of the "Package dependencies" table, and every arrow of
  the table is an import somewhere: the document can neither miss nor invent one.
- Domain packages never import ``web`` or ``store`` (the flow is one-way), and there are no cycles.
- Every package face (``__init__.py``) lists its names once, in ``__init__.pyi``; each listed name imports;
  importing a face costs no Polars, NumPy or pydantic until a name is used.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "carebacklog"
DOC = ROOT / "docs" / "architecture.md"

#: The domain packages: pure computation, files only at their edges, never a database or the web app.
DOMAIN = ("rtt", "published", "equity", "spc", "synth", "forecast", "booking")
#: Package faces that must not load the heavy libraries when imported.
HEAVY = ("polars", "numpy", "pydantic", "pandas", "scipy", "matplotlib", "sqlalchemy", "fastapi")


def _packages() -> list[str]:
    return sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file())


def _foundation() -> list[str]:
    """Top-level modules other than the CLI: shared foundations (errors, atomic files, lazy faces...)."""
    return sorted(p.stem for p in SRC.glob("*.py") if p.stem not in {"__init__", "__main__", "cli"})


def _unit(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_units(path: Path, units: set[str]) -> set[str]:
    """The carebacklog packages and top-level modules that one source file imports."""
    rel = path.relative_to(SRC)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["carebacklog", *rel.parts[:-1]]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # ``from carebacklog import rtt`` imports the sub-package rtt
            names = [f"{module}.{alias.name}" for alias in node.names] if module == "carebacklog" else [module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "carebacklog" and len(parts) > 1 and parts[1] in units:
                found.add(parts[1])
    return found


def _real_dependencies() -> dict[str, set[str]]:
    units = {*_packages(), *_foundation(), "cli"}
    deps: dict[str, set[str]] = {unit: set() for unit in units}
    for path in SRC.rglob("*.py"):
        unit = _unit(path)
        if unit == "__init__":
            continue
        deps[unit] |= _imported_units(path, units) - {unit}
    return deps


def _documented_dependencies() -> dict[str, set[str]]:
    """The "Package dependencies" table of docs/architecture.md: ``| `pkg` | `a`, `b` | ... |``."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Package dependencies", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"`\w+`", cells[0]):
            table[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
    return table


def test_every_package_has_a_row_in_the_dependency_table() -> None:
    documented = _documented_dependencies()
    missing = sorted({*_packages(), "cli"} - set(documented))
    assert not missing, f"docs/architecture.md 'Package dependencies' has no row for: {missing}"
    unknown = sorted(set(documented) - {*_packages(), "cli"})
    assert not unknown, f"docs/architecture.md lists packages that do not exist: {unknown}"


def test_documented_package_dependencies_are_the_real_imports() -> None:
    documented = _documented_dependencies()
    real = _real_dependencies()
    foundation = set(_foundation())
    problems = []
    for unit in sorted(documented):
        imports = real[unit] - foundation
        for extra in sorted(imports - documented[unit]):
            problems.append(f"{unit} imports {extra}, which the table does not show")
        for ghost in sorted(documented[unit] - imports):
            problems.append(f"the table shows {unit} -> {ghost}, but {unit} never imports {ghost}")
    assert not problems, "docs/architecture.md 'Package dependencies' is out of date:\n" + "\n".join(problems)


def test_domain_packages_never_import_web_or_store() -> None:
    real = _real_dependencies()
    for package in DOMAIN:
        assert not real[package] & {"web", "store", "cli"}, f"{package} imports {real[package] & {'web', 'store'}}"
    assert "web" not in real["store"], "store imports web: the flow is web -> store, never back"


def test_foundation_modules_import_no_package() -> None:
    real = _real_dependencies()
    for module in _foundation():
        assert real[module] <= set(_foundation()), f"{module}.py imports {real[module]}: foundations stay below"


def test_packages_have_no_import_cycles() -> None:
    real = _real_dependencies()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in real.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cyclic = [unit for unit in real if reaches(unit, unit, {unit})]
    assert not cyclic, f"import cycle through {cyclic}"


# --- package faces -------------------------------------------------------------------------------------

#: Faces still in another style (owned elsewhere; to be moved to an ``__init__.pyi`` stub).
NOT_YET_STUBBED = {"store", "web"}
FACES = [pkg for pkg in _packages() if pkg not in NOT_YET_STUBBED]


def test_top_level_names_every_public_package() -> None:
    import carebacklog

    assert set(_packages()) <= set(carebacklog.__all__)
    assert set(_packages()) <= set(dir(carebacklog))
    assert "__version__" in carebacklog.__all__
    for pkg in _packages():  # after a bare ``import carebacklog``, each is loaded on first use
        assert getattr(carebacklog, pkg).__name__ == f"carebacklog.{pkg}"


def test_every_face_lists_its_names_once_in_a_stub() -> None:
    for pkg in FACES:
        init = SRC / pkg / "__init__.py"
        assert (SRC / pkg / "__init__.pyi").is_file(), f"{pkg}/__init__.pyi missing"
        code = ast.parse(init.read_text(encoding="utf-8"))
        assigns = [node for node in code.body if isinstance(node, ast.Assign)]
        assert "attach_stub(__name__, __file__)" in init.read_text(), f"{pkg}/__init__.py does not attach its stub"
        assert len(assigns) == 1, f"{pkg}/__init__.py keeps a list of its own besides __init__.pyi"


@pytest.mark.parametrize("pkg", FACES)
def test_every_public_name_imports(pkg: str) -> None:
    face = importlib.import_module(f"carebacklog.{pkg}")
    stub = ast.parse((SRC / pkg / "__init__.pyi").read_text(encoding="utf-8"))
    homes = {
        alias.asname or alias.name: node.module
        for node in stub.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert sorted(homes) == face.__all__
    for name in homes:
        assert getattr(face, name) is not None
        assert name in dir(face)
    with pytest.raises(AttributeError, match="no attribute"):
        _ = face.no_such_name


@pytest.mark.parametrize("pkg", ["", *FACES])
def test_importing_a_face_loads_no_heavy_library(pkg: str) -> None:
    module = f"carebacklog.{pkg}" if pkg else "carebacklog"
    code = (
        f"import sys, {module}; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"import {module} loaded {out.strip()}"


def test_a_public_name_survives_the_import_of_a_same_named_module() -> None:
    # forecast.calibrate is a function (forecast/inputs.py) and forecast/calibrate.py a module
    code = (
        "import carebacklog.forecast.calibrate\n"
        "from carebacklog.forecast import calibrate, sweep\n"
        "import carebacklog.forecast.sweep\n"
        "import carebacklog.forecast as f\n"
        "print(callable(calibrate), callable(sweep), callable(f.sweep), type(f.calibrate).__name__)\n"
        "import polars\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True", "function"]


# --- the repository stands alone -----------------------------------------------------------------------

#: Files that still cite documents outside the repository, owned by colleagues whose branches replace the
#: citations with docs/rules-rtt.md sections. Empty this set as they merge; nothing may be added to it.
STILL_CITING: set[str] = set()  # every file now cites the repository's own docs


def test_no_file_cites_documents_outside_the_repository() -> None:
    outside = re.compile(r"\b(design|domain)\.md\b|\.\./shared")
    citing = set()
    for folder in ("src", "tests", "docs", "benchmarks", "scripts"):
        for path in (ROOT / folder).rglob("*"):
            text_file = path.suffix in {".py", ".pyi", ".md", ".txt", ".toml", ".html"} and path.is_file()
            if text_file and outside.search(path.read_text(encoding="utf-8", errors="replace")):
                citing.add(path.relative_to(ROOT).as_posix())
    for name in ("README.md", "CHANGELOG.md", "pyproject.toml", "run"):
        if outside.search((ROOT / name).read_text(encoding="utf-8")):
            citing.add(name)
    citing.discard("tests/test_architecture.py")  # this test names the pattern it looks for
    new = sorted(citing - STILL_CITING)
    assert not new, f"cite docs/rules-rtt.md (or another file of the repository) instead, in: {new}"
