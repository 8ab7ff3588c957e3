"""Two builds of the same inputs give the same bytes; a rebuild with no change
re-executes nothing; a data problem stops the build before anything is published.

The first build is the session's shared `built` fixture (conftest.py); the
second goes into another temporary folder, so an absolute path leaking into
an output would make the two differ, and starts its kernels from scratch
rather than warm, so a difference made by the warm kernels would show too.
"""

import json
import re
import subprocess
import sys

import pytest

from conftest import PROBLEM_LINE, set_cell
from police_lists.contract.problems import ProblemError
from police_lists.pipeline import build

COMPARED = ("tables", "figures", "html", "notebooks")
# Text that must never reach an appendix or an executed notebook.
NOISE = re.compile(
    r"IPKernelApp|Kernel is running over TCP|Traceback|UserWarning|FutureWarning|DeprecationWarning"
    r"|RuntimeWarning|/tmp/|/home/|/root/|/work/"
)


def _files(root):
    found = {}
    for kind in COMPARED:
        for path in sorted((root / kind).rglob("*")):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    found["manifest.json"] = (root / "manifest.json").read_bytes()
    return found


@pytest.fixture(scope="module")
def second_build(tmp_path_factory):
    """The suite's only other full build. Its kernels start from scratch, where the
    shared build's are forked warm (pipeline/warmkernel.py), so comparing the two
    also shows that warm kernels change no byte of any output."""
    out = tmp_path_factory.mktemp("outputs_again")
    mp = pytest.MonkeyPatch()
    mp.setenv("POLICE_LISTS_WARM_KERNELS", "0")
    try:
        build.build(output_dir=str(out), force=True, log=lambda *_: None)
    finally:
        mp.undo()
    return out


def test_two_builds_are_byte_identical(built, second_build):
    first, second = _files(built[0]), _files(second_build)
    assert sorted(first) == sorted(second)
    assert any(k.startswith("figures/") for k in first) and any(k.startswith("html/") for k in first)
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, f"outputs differ between two builds of the same inputs: {differ}"


def test_no_machine_path_or_kernel_noise_in_outputs(built):
    out = built[0]
    for path in sorted((out / "html").glob("*.html")) + sorted((out / "notebooks").glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert str(out) not in text, f"{path.name} names the build folder"
        hit = NOISE.search(text)
        assert not hit, f"{path.name}: {text[max(0, hit.start() - 80) : hit.end() + 80]!r}"
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        streams = [o.get("name") for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "stream"]
        assert "stderr" not in streams, path.name
        assert [c["id"] for c in nb["cells"]] == [f"cell-{i:03d}" for i in range(len(nb["cells"]))]
        assert nb["metadata"]["papermill"]["parameters"]["output_dir"] == build.OUTSIDE


def test_rebuild_without_change_executes_nothing(second_build):
    out = second_build
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    lines = []
    build.build(output_dir=str(out), log=lines.append)
    names = [p.stem for p in build.discover_notebooks()]
    assert sorted(lines) == sorted(f"{n}: unchanged, not re-executed" for n in names)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    assert after == before  # not one file rewritten, not even the manifest or the index


def test_show_code_reconverts_without_executing(second_build):
    out = second_build
    pima = out / "html" / "01_operation_pima.html"
    hidden = pima.read_bytes()
    assert b"globals" not in hidden
    figures = {p.name: p.stat().st_mtime_ns for p in (out / "figures").glob("*.png")}
    lines = []
    build.build(output_dir=str(out), names=["01_operation_pima"], show_code=True, log=lines.append)
    assert lines == ["01_operation_pima: execution unchanged, re-converted"]
    assert "globals" in pima.read_text(encoding="utf-8")  # the code, syntax-highlighted
    assert {p.name: p.stat().st_mtime_ns for p in (out / "figures").glob("*.png")} == figures
    build.build(output_dir=str(out), names=["01_operation_pima"], log=lambda *_: None)
    assert pima.read_bytes() == hidden  # and back, byte for byte


def test_invalid_data_stops_the_build_and_publishes_nothing(tmp_path, data_copy):
    out = tmp_path / "out"
    claims = data_copy / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    assert ",not_applicable,,V," in text
    claims.write_text(
        text.replace(",not_applicable,,V,", ",not_applicable,,maybe,", 1), encoding="utf-8"
    )  # enum V/V2/U
    with pytest.raises(ProblemError):
        build.build(output_dir=str(out), data_dir=str(data_copy), names=["01_operation_pima"], log=lambda *_: None)
    published = [p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts] if out.exists() else []
    assert published == []


def test_the_build_command_refuses_invalid_data_in_one_line(tmp_path, data_copy):
    # Its kernels are stopped the moment validation fails; nbclient used to log that
    # ("Kernel died before replying to kernel_info", "Kernel died while waiting for
    # execute reply") on stderr before the problem line.
    # (A process of its own: in this one pytest would catch nbclient's log lines.)
    line = set_cell(data_copy / "claims.csv", "PD1", "evidence", "maybe")
    run = subprocess.run(
        [sys.executable, "-m", "police_lists", "build", "--data-dir", data_copy, "--output-dir", tmp_path / "out"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and run.stdout == ""
    err = run.stderr
    problem, summary = err.splitlines()
    assert PROBLEM_LINE.match(problem).groupdict() == {
        "file": "data/claims.csv",  # as validate names a file of the data folder given
        "line": str(line),
        "column": "evidence",
        "value": "'maybe'",
        "rule": "Constraint Error: constraint \"enum\" is \"['V', 'V2', 'U']\"",
    }
    assert summary == "validation failed: 1 problem(s); nothing was built"
