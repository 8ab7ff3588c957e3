"""The package's layers, read from its import graph (ast, no third-party tool),
and the rule that human decisions live in data/, not in the code.

Layers, lowest first; a module imports only from its own layer or lower ones:
  contract   standards, paths, files, problem lines, validation of data/
  methods    rounding, statistics, bands, formats, disclosure control (pure functions)
  readers    claims index, census and homicide tables, data/manual, list input
  analyses   ledger, Pima, Matrix, benchmarks, profile tables, synthetic list, lesson checks
  present    the Appendix sink (tables, figures, prose)
  pipeline   parameters, execution (papermill), conversion (nbconvert), build, command line
with one exception by design: contract.validate reads the claims and census
ids (readers) and parses check expressions (methods), since checking the
references between data files is what validation is.

Notebooks: an appendix imports only analyses, readers and present, plus
pipeline.params for its first-cell parameter check; a teaching lesson may also
import methods (it teaches the methods themselves). Only pipeline imports
papermill, nbconvert or nbclient.
"""

import ast
import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "police_lists"
LAYERS = ("contract", "methods", "readers", "analyses", "present", "pipeline")
EXCEPTIONS = {("contract.validate", "readers"), ("contract.validate", "methods")}
EXECUTION = ("papermill", "nbconvert", "nbclient")


def imports_of(source: str) -> list[str]:
    """Every module named by an import statement anywhere in the source (lazy imports too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # from a.b import c: c may be a module (a.b.c) or a name in a.b; a.b.c covers both
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "police_lists" and parts[1] in LAYERS else None


def package_modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_violations() -> list[str]:
    bad = []
    for name, path in package_modules().items():
        mine = layer(name)
        short = name.removeprefix("police_lists.")
        for target in imports_of(path.read_text(encoding="utf-8")):
            if target.split(".")[0] in EXECUTION and mine != "pipeline":
                bad.append(f"{name} imports {target}: only pipeline runs or converts notebooks")
            theirs = layer(target)
            if mine is None or theirs is None or (short, theirs) in EXCEPTIONS:
                continue
            if LAYERS.index(theirs) > LAYERS.index(mine):
                bad.append(f"{name} ({mine}) imports {target} ({theirs}), a higher layer")
    return bad


def test_every_module_is_in_a_layer():
    loose = [
        name
        for name in package_modules()
        if layer(name) is None and name not in ("police_lists", "police_lists.__init__", "police_lists.__main__")
    ]
    assert loose == []


def test_no_module_imports_a_higher_layer():
    assert layer_violations() == []


def test_analyses_never_import_present_or_pipeline():
    for name, path in package_modules().items():
        if layer(name) == "analyses":
            assert {layer(t) for t in imports_of(path.read_text(encoding="utf-8"))} & {
                "present",
                "pipeline",
            } == set(), name


def test_the_graph_check_catches_an_upward_import():
    assert imports_of("def f():\n    from police_lists.pipeline import build\n") == ["police_lists.pipeline.build"]
    assert imports_of("import papermill\nfrom police_lists import claims\n") == ["papermill", "police_lists.claims"]
    assert layer("police_lists.pipeline.build") == "pipeline" and layer("pandas") is None


NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


def notebook_imports(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    return [m for m in imports_of(code) if m.startswith("police_lists")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_import_only_what_tells_the_story(path):
    allowed = ["police_lists.analyses", "police_lists.readers", "police_lists.present", "police_lists.pipeline.params"]
    if path.parent.name == "teaching":
        allowed.append("police_lists.methods")
    found = notebook_imports(path)
    assert found, f"{path.name} imports nothing from the package"
    for module in found:
        assert any(module == a or module.startswith(a + ".") for a in allowed), f"{path.name} imports {module}"


# ---------------------------------------------------------------- decisions as data
CLAIM_ID = json.loads((ROOT / "data/schemas/claims.schema.json").read_text())["fields"][0]["constraints"]["pattern"]


def known_ids() -> set[str]:
    with open(ROOT / "data/claims.csv", encoding="utf-8") as fh:
        ids = {row["claim_id"] for row in csv.DictReader(fh)}
    with open(ROOT / "data/manual/conflicts.csv", encoding="utf-8") as fh:
        return ids | {row["conflict_id"] for row in csv.DictReader(fh)}


def ids_in(text: str, ids: set[str]) -> list[str]:
    """Tokens in code, comments or docstrings that have the claim-id pattern and name a claim or conflict."""
    token = re.compile(r"(?<![A-Za-z0-9_])" + CLAIM_ID.strip("^$") + r"(?![A-Za-z0-9_])")
    return [m.group(0) for m in token.finditer(text) if m.group(0) in ids]


def test_no_claim_or_conflict_id_in_the_package():
    ids = known_ids()
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        hits = ids_in(path.read_text(encoding="utf-8"), ids)
        if hits:
            found[rel] = sorted(set(hits))
    assert found == {}, "claim or conflict ids belong in data/manual/, not in the code"


def test_the_scan_finds_an_id():
    ids = known_ids()
    assert ids_in('FUNNEL = [("P8", "planned")]  # see C1', ids) == ["P8", "C1"]
    assert ids_in("E402 TS021 E09000 V2 BM9b", ids) == ["BM9b"]
