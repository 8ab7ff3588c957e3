"""Fixtures and helpers every test module may use.

Sharing an expensive result between tests (read this before adding a slow fixture)
----------------------------------------------------------------------------------
`make test` runs the suite in several processes (pytest-xdist, `-n 2`), and a
`scope="session"` fixture is made once *per process*, not once per run. To make
something once per run, wrap it in `shared()`:

    @pytest.fixture(scope="session")
    def my_thing(tmp_path_factory):
        folder, value = shared(tmp_path_factory, "my_thing", make_it_into)  # make_it_into(folder) -> value
        return ...

The first process that asks calls make(folder) with a fresh directory while
holding a file lock; the others wait for it and get the same folder and the
same return value, which must therefore be JSON-serialisable. A failure is
recorded too, so the other processes fail at once with the same message
instead of trying again. Without xdist (`pytest tests/test_x.py`) it simply
makes it into a temporary folder. Treat the folder as read-only.

What is shared, read-only:
  built   (output folder, manifest) of one full forced build of every appendix
          with default parameters: tables/, figures/, html/, notebooks/,
          manifest.json. Tests read it and never change it (a test that must
          change outputs makes its own copy or build). A test that needs the
          default run of one notebook reads its tables here rather than
          running the notebook again.
  taught  (output folder, pages written) of one `make teaching` build: the
          teaching pages, tables/teaching/ and the classroom bundle teaching/.

Markers (pyproject.toml): `slow` marks a test that executes a notebook, a build,
`derive`, the browser or the profile command; `make test-fast` runs the others
(the package and schema tests). Marked here, so a module need not say it: every
test in SLOW_MODULES and every test using a fixture in SLOW_FIXTURES; a slow
test in another module carries `@pytest.mark.slow` itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

import police_lists  # noqa: F401 (before any test module imports jsonschema: see police_lists/__init__.py)

ROOT = Path(__file__).resolve().parents[1]

# Modules whose every test runs a notebook, a build, the browser or the profile command.
SLOW_MODULES = {
    "test_browser",
    "test_build",
    "test_determinism",
    "test_pima_notebook",
    "test_police_uk_vintages",
    "test_profile",
    "test_profile_safety",
    "test_teaching",
    "test_grading",
}
# Fixtures whose users are slow tests whatever their module.
SLOW_FIXTURES = {"built", "taught", "many"}
# Single slow tests in modules owned elsewhere (module::name).
SLOW_TESTS = {
    "test_profile_property::test_the_command_gives_a_whole_profile_or_a_one_line_refusal",
    "test_profile_many::test_without_the_comparison_notebook_plain_tables_are_written",
    "test_profile_many::test_one_bad_list_refuses_the_run_naming_it_and_nothing_is_written",
    "test_profile_many::test_many_lists_into_an_out_with_user_files_is_refused",
    "test_profile_many::test_make_profile_takes_several_files_and_refuses_in_one_line_each",
    "test_forces::test_forces_notebook_from_lists_and_from_published_profiles_agree",
    "test_schema::test_failed_validation_writes_nothing",  # the build starts its kernels while it validates
}


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        slow_fixture = SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        if module in SLOW_MODULES or slow_fixture or f"{module}::{item.originalname}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


def shared(tmp_path_factory, name: str, make: Callable[[Path], object]) -> tuple[Path, object]:
    """make(folder) once per test run, however many xdist workers ask; see the module doc.

    Follows pytest-xdist's documented pattern (a file lock in the folder shared
    by all workers, tmp_path_factory.getbasetemp().parent)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        return folder, make(folder)
    root = tmp_path_factory.getbasetemp().parent
    folder, done, failed = root / name, root / f"{name}.json", root / f"{name}.failed"
    with FileLock(str(root / f"{name}.lock")):
        if done.is_file():
            return folder, json.loads(done.read_text(encoding="utf-8"))["value"]
        if failed.is_file():
            pytest.fail(f"shared fixture {name!r} failed in another worker:\n{failed.read_text(encoding='utf-8')}")
        if folder.exists():  # a half-made folder from a worker that crashed
            shutil.rmtree(folder)
        folder.mkdir()
        try:
            value = make(folder)
        except BaseException as exc:
            failed.write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
            raise
        done.write_text(json.dumps({"value": value}, default=str), encoding="utf-8")
    return folder, json.loads(done.read_text(encoding="utf-8"))["value"]  # the same value in every worker


def _build_into(folder: Path) -> dict:
    from police_lists.pipeline import build

    return build.build(output_dir=str(folder), force=True, log=lambda *_: None)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(output folder, manifest) of one full build, made once per test run; read-only."""
    return shared(tmp_path_factory, "built", _build_into)


def _teach_into(folder: Path) -> list[str]:
    from police_lists.pipeline import teaching

    return [str(p) for p in teaching.build_teaching(output_dir=str(folder), log=lambda *_: None)]


@pytest.fixture(scope="session")
def taught(tmp_path_factory):
    """(output folder, pages written) of one `make teaching` build, made once per test
    run and shared by test_teaching and test_grading; read-only."""
    folder, written = shared(tmp_path_factory, "taught", _teach_into)
    return folder, [Path(p) for p in written]


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ a test may break."""
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    for p in dest.rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    return dest


# A refusal of bad data: one line naming file, row, column, value and rule.
PROBLEM_LINE = re.compile(
    r"^(?P<file>\S+): row (?P<line>\S+), column '(?P<column>[^']*)': value (?P<value>.*) breaks rule: (?P<rule>.+)$"
)


def validation_problems(data_dir: Path) -> list[dict]:
    """The problems `validate` refuses data_dir with (it must refuse it), each parsed
    from its one line into file, line, column, value and rule."""
    from police_lists.contract import validate
    from police_lists.contract.problems import ProblemError

    with pytest.raises(ProblemError) as info:
        validate.validate(str(data_dir))
    parsed = []
    for line in info.value.problems:
        assert "\n" not in line
        m = PROBLEM_LINE.match(line)
        assert m, f"not in the one-line format: {line}"
        parsed.append(m.groupdict())
    return parsed


def read_rows(path: Path) -> list[dict]:
    """The rows of a data CSV, as dicts."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict]) -> None:
    """Write rows back as the data CSVs are written (header first, \\n line ends)."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def set_cell(path: Path, key: str, column: str, value: str, key_column: str = "claim_id") -> int:
    """Set one cell of a data CSV (the row whose key_column is key), keeping the rest;
    return that row's line in the file (the header is line 1), as validation names it."""
    rows = read_rows(path)
    (index,) = [i for i, r in enumerate(rows) if r[key_column] == key]  # exactly one row, or the test is wrong
    rows[index][column] = value
    write_rows(path, rows)
    return index + 2


def drop_rows(path: Path, keys, key_column: str = "claim_id") -> None:
    """Remove the rows whose key_column is in keys (each must be there)."""
    rows = read_rows(path)
    assert set(keys) <= {r[key_column] for r in rows}, keys
    write_rows(path, [r for r in rows if r[key_column] not in keys])


_WARM: dict = {}  # this process's warm-kernel server: {"server": WarmKernels, "stack": ExitStack}


def _warm_server():
    """This process's warm-kernel server (pipeline/warmkernel.py), importing what every
    notebook imports, made on first use; stopped at the end of the session."""
    if not _WARM:
        from contextlib import ExitStack

        from police_lists.pipeline.execute import warm_kernels

        stack = ExitStack()
        _WARM["server"] = stack.enter_context(warm_kernels(sorted((ROOT / "notebooks").glob("*.ipynb"))))
        _WARM["stack"] = stack
    return _WARM["server"]


def pytest_sessionfinish(session):
    if _WARM:
        _WARM.pop("stack").close()
        _WARM.clear()


def run_notebook(name: str, tmp_path: Path, **params) -> Path:
    """Execute notebooks/<name>.ipynb with papermill into tmp_path/run.ipynb (from
    tmp_path, so relative paths must resolve from the project root); return its output
    folder.

    The build's own way (execute.execute), with the kernel forked by this process's
    warm-kernel server with the notebooks' imports loaded: each run saves the two
    seconds of CPU a kernel spends importing. test_determinism shows warm and cold
    kernels give the same bytes; the kernel a reader gets from plain papermill runs in
    test_teaching (the wheel test) and in the determinism test's second build."""
    from police_lists.pipeline.execute import execute

    out = tmp_path / "out"
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    execute(notebook, {"output_dir": str(out), **params}, tmp_path, warm=_warm_server(), cwd=tmp_path)
    (tmp_path / notebook.name).replace(tmp_path / "run.ipynb")
    return out


def profile_argv(src, out, **params) -> list[str]:
    """`police_lists profile --list SRC --output-dir OUT -p name value ...` as cli.main's argv."""
    return [
        "profile",
        "--list",
        str(src),
        "--output-dir",
        str(out),
        *(x for k, v in params.items() for x in ("-p", k, str(v))),
    ]
