"""Many lists in one command (issue 14 item 4) and the reader in pieces (item 3):
OUT/<stem>/ is exactly what a single-list run writes, OUT/compare/ is the
comparison page (a stand-in for notebook 06 here) or plain tables, every list is
checked before anything is written, and the reader's counts and refusals do not
depend on the size of the pieces it reads."""

import hashlib
import json
import os
import subprocess
import sys

import pytest

from police_lists.contract.problems import ProblemError
from police_lists.pipeline import cli, outdir
from police_lists.pipeline import profile as pipeline
from police_lists.readers import listinput
from test_profile_safety import POLICE_UK, ROOT, SYNTHETIC, tree

REAL = ROOT / "tests" / "fixtures" / "police_uk"
STANDIN = ROOT / "tests" / "fixtures" / "compare_standin.ipynb"
REFUSED = ROOT / "tests" / "bad_inputs" / "negative_age.csv"


def lists_folder(tmp_path):
    """Three lists of different shapes: the SYNTHETIC teaching list, a police.uk
    export (with officer-defined ethnicity) and the real 2016 City of London export."""
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "synthetic.csv").write_bytes(SYNTHETIC.read_bytes())
    (folder / "police_uk.csv").write_bytes(POLICE_UK.read_bytes())
    (folder / "city_2016.csv").write_bytes((REAL / "2016-06-city-of-london-stop-and-search.csv").read_bytes())
    (folder / "notes.txt").write_text("not a list: only .csv and .xlsx files are profiled\n")
    return folder


# Run in a process of its own, so that what other tests leave behind in a pytest
# worker cannot move the counts: in a full run one worker held 1,576 descriptors
# and gained twenty anon inodes across these runs, which five rounds of the same
# runs in a process of their own, with the garbage collector off, never do.
RUNS = """
import gc, json, os, re, sys, threading
from pathlib import Path
from police_lists.pipeline import profile as pipeline

folder, tmp, standin = sys.argv[1:4]  # and argv[4], a list to be refused
tmp = Path(tmp)
pipeline.COMPARE_NOTEBOOK = standin


def descriptors():
    # what each open descriptor is (a socket, an eventfd, a file), without inode numbers
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.append(re.sub(r"[0-9]+", "", os.readlink(f"/proc/self/fd/{fd}")))
        except OSError:  # the descriptor listdir itself used, closed by now
            pass
    return sorted(found)


manifest = pipeline.run_many(pipeline.lists_in([folder]), str(tmp / "OUT"))
gc.collect()  # after the first run: what a process sets up once (an event loop) is there by now
before = threading.active_count(), descriptors()
for path in sorted(Path(folder).glob("*.csv")):
    pipeline.run(str(path), str(tmp / "single" / path.stem))
pipeline.run_many(pipeline.lists_in([folder]), str(tmp / "OUT-again"))
try:  # and a refused list (read once the kernel has started)
    pipeline.run(sys.argv[4], str(tmp / "refused"))
except pipeline.ProblemError:
    pass
else:
    raise AssertionError("the bad list was profiled")
left = {"threads": (before[0], threading.active_count()), "descriptors": (before[1], descriptors())}
print(json.dumps({"manifest": manifest, "left": left}))
"""


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """In a fresh process: a many-list run (stand-in comparison notebook), a
    single-list run of each list, and the many-list run again; the threads and
    descriptors of that process before and after the last four runs."""
    tmp = tmp_path_factory.mktemp("many")
    folder = lists_folder(tmp)
    ran = subprocess.run(
        [sys.executable, "-c", RUNS, str(folder), str(tmp), str(STANDIN), str(REFUSED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    said = json.loads(ran.stdout.strip().splitlines()[-1])
    singles = {path.stem: tmp / "single" / path.stem for path in sorted(folder.glob("*.csv"))}
    return tmp / "OUT", said["manifest"], singles, said["left"]


def test_many_lists_give_exactly_the_single_list_outputs(many):
    out, manifest, singles, _ = many
    assert sorted(manifest["lists"]) == ["city_2016", "police_uk", "synthetic"]
    for stem, single in singles.items():
        tables = sorted((single / "tables").glob("*.csv"))
        assert len(tables) >= 6
        for table in tables:  # byte for byte, table by table
            assert (out / stem / "tables" / table.name).read_bytes() == table.read_bytes(), (stem, table.name)
        # and the whole folder: page, executed notebook (kernels reset between notebooks), figures, manifest
        assert tree(out / stem) == tree(single), stem


def test_a_second_many_list_run_writes_the_same_bytes(many):
    """The kernels take the notebooks in whatever order they free up: no output depends on it."""
    out = many[0]
    again = out.parent / "OUT-again"
    assert tree(again) == tree(out)


def test_runs_in_one_process_leave_no_kernel_client_behind(many):
    """Three single runs and a many-list run in a process that has already run one:
    every kernel client, thread and event loop a run makes is stopped and closed, so
    no zmq thread or socket outlives its run (a client made per notebook and left
    open: one thread and a dozen descriptors more per notebook; an event loop per
    kernel thread left open: an epoll and two sockets).
    Threads and descriptors may fall (the process closes what it no longer needs)
    but never grow."""
    left = many[3]
    before, after = left["descriptors"]
    assert left["threads"][1] <= left["threads"][0], (left["threads"], len(before), len(after))
    grown = {kind: after.count(kind) - before.count(kind) for kind in set(after)}
    assert len(after) <= len(before), {kind: n for kind, n in grown.items() if n > 0}


def test_many_lists_out_is_owned_as_one_profile(many):
    out, manifest, _, _ = many
    listed = set(outdir.read_manifest(out))
    on_disk = set(tree(out)) - {outdir.MANIFEST}
    assert listed == on_disk
    assert manifest["sensitivity"].startswith("disclosure-controlled")  # the real lists outrank SYNTHETIC
    assert manifest["lists"]["synthetic"]["sensitivity"].startswith("SYNTHETIC")


def test_comparison_notebook_gets_published_profiles_only(many):
    out, manifest, _, _ = many
    sizes = (out / "compare" / "tables" / "sizes.csv").read_text().splitlines()
    assert sizes[0] == "list,people"
    assert [line.split(",")[0] for line in sizes[1:]] == ["city_2016", "police_uk", "synthetic"]
    page = (out / "compare" / "comparison.html").read_text()
    assert "Stand-in comparison page" in page
    executed = (out / "compare" / "notebook.ipynb").read_text()
    assert "published_dir" not in executed.split('"parameters"', 1)[-1].split("source", 1)[0]
    assert "police-lists-profile-" not in executed and "police-lists-profile-" not in page  # no scratch path
    assert manifest["comparison"] == "comparison page: compare_standin.ipynb"


def test_without_the_comparison_notebook_plain_tables_are_written(tmp_path, monkeypatch):
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "one.csv").write_bytes(SYNTHETIC.read_bytes())
    (folder / "two.csv").write_bytes(POLICE_UK.read_bytes())
    monkeypatch.setattr(pipeline, "COMPARE_NOTEBOOK", "no_such_notebook.ipynb")
    manifest = pipeline.run_many(pipeline.lists_in([str(folder)]), str(tmp_path / "OUT"))
    assert "not in this checkout" in manifest["comparison"]
    compare = tmp_path / "OUT" / "compare"
    assert sorted(p.name for p in (compare / "tables").iterdir()) == [
        "disproportionality.csv",
        "ethnicity.csv",
        "lists.csv",
    ]
    ethnicity = (compare / "tables" / "ethnicity.csv").read_text().splitlines()
    assert ethnicity[0].startswith("list,category,")
    for stem in ("one", "two"):  # each list's own published table, under its name
        own = (tmp_path / "OUT" / stem / "tables" / "ethnicity.csv").read_text().splitlines()
        mine = [line for line in ethnicity[1:] if line.startswith(f"{stem},")]
        assert [line.rstrip(",") for line in mine] == [f"{stem},{x}".rstrip(",") for x in own[1:]]
    assert ethnicity[1].endswith(",SYNTHETIC - not real people")  # the teaching list's rows keep their stamp


def test_one_bad_list_refuses_the_run_naming_it_and_nothing_is_written(tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "good.csv").write_bytes(SYNTHETIC.read_bytes())
    (folder / "bad.csv").write_text("ethnicity,age\nWhite,20\nMartian,31\nMartian,40\n")
    (folder / "worse.csv").write_text("ethnicity,age\nWhite,20\nBlack,300\n")
    with pytest.raises(ProblemError) as info:
        pipeline.run_many(pipeline.lists_in([str(folder)]), str(tmp_path / "OUT"))
    lines = info.value.problems
    assert len(lines) == 2
    assert "bad.csv: rows 3, 4, column 'ethnicity': value 'Martian'" in lines[0]
    assert "worse.csv: row 3, column 'age': value '300'" in lines[1]
    assert not (tmp_path / "OUT").exists()


def test_two_lists_with_one_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "met.csv").write_bytes(SYNTHETIC.read_bytes())
    (tmp_path / "b" / "met.csv").write_bytes(SYNTHETIC.read_bytes())
    (tmp_path / "compare.csv").write_bytes(SYNTHETIC.read_bytes())
    with pytest.raises(ProblemError) as info:
        pipeline.lists_in(
            [str(tmp_path / "a" / "met.csv"), str(tmp_path / "b" / "met.csv"), str(tmp_path / "compare.csv")]
        )
    assert len(info.value.problems) == 2
    assert "each list needs its own name" in info.value.problems[0]
    assert "'compare'" in info.value.problems[1]


def test_many_lists_into_an_out_with_user_files_is_refused(tmp_path):
    out = tmp_path / "OUT"
    out.mkdir()
    (out / "my notes.txt").write_text("mine")
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "one.csv").write_bytes(SYNTHETIC.read_bytes())
    with pytest.raises(ProblemError) as info:
        pipeline.run_many(pipeline.lists_in([str(folder)]), str(out))
    assert "my notes.txt" in info.value.problems[0]
    assert tree(out) == {"my notes.txt": hashlib.sha256(b"mine").hexdigest()}


def test_list_from_the_environment_is_one_name_or_several():
    assert cli._lists_from_environment(str(SYNTHETIC)) == [str(SYNTHETIC)]
    assert cli._lists_from_environment(f"{SYNTHETIC} '{POLICE_UK}'") == [str(SYNTHETIC), str(POLICE_UK)]
    assert cli._lists_from_environment("") == []
    # a name that is not there is split like a command line; each part is then refused as missing
    assert cli._lists_from_environment("no such file.csv") == ["no", "such", "file.csv"]


def test_make_profile_takes_several_files_and_refuses_in_one_line_each(tmp_path):
    bad = tmp_path / "bad list.csv"  # a name with a space, quoted in LIST
    bad.write_text("ethnicity\nWhite\nMartian\n")
    env = {**os.environ, "LIST": f"'{SYNTHETIC}' '{bad}'", "OUT": str(tmp_path / "OUT"), "PARAMS": ""}
    done = subprocess.run(
        [sys.executable, "-m", "police_lists", "profile", "--from-environment"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert "bad list.csv: row 3, column 'ethnicity': value 'Martian' breaks rule:" in lines[0]
    assert lines[-1].startswith("profile refused: 1 problem(s)")
    assert "Traceback" not in done.stderr and not (tmp_path / "OUT").exists()


# ---------------------------------------------------------------- the reader in pieces


def counts(path, **kw):
    data = listinput.read_list(path, **kw)
    return data.n, {dim: dict(series) for dim, series in data.counts.items()}


@pytest.mark.parametrize(
    "path",
    [SYNTHETIC, POLICE_UK, *sorted(REAL.glob("*.csv"))],
    ids=lambda p: p.name,
)
def test_tiny_pieces_give_identical_counts(path):
    whole = counts(path)
    assert whole[0] > 0
    for size in (64, 1000, 4096):
        assert counts(path, chunk_bytes=size) == whole


def test_tiny_pieces_with_quoted_line_ends_and_blank_rows(tmp_path):
    p = tmp_path / "quoted.csv"
    rows = ['"White","a note\nover two lines, with a comma",20'] * 30 + ['"Black","""quoted""",31'] * 20
    p.write_text("ethnicity,notes,age\r\n" + "\r\n".join(rows) + "\r\n,,\r\n\r\n")
    whole = counts(p)
    assert whole == (50, {"ethnicity": {"White": 30, "Black": 20}, "age": {"18-24": 30, "25-34": 20}})
    for size in (7, 64, 333):
        assert counts(p, chunk_bytes=size) == whole


def refusal(path, **kw) -> list[str]:
    with pytest.raises(ProblemError) as info:
        listinput.read_list(path, **kw)
    return info.value.problems


@pytest.mark.parametrize(
    "text",
    [
        "ethnicity,age\n" + "White,20\n" * 40 + "Martian,20\n" + "White,20\n" * 40 + "Martian,31\n",
        "ethnicity,age\n" + "White,20\n" * 40 + "White,20,extra\n",
        "ethnicity,age\n" + "White,20\n" * 40 + "\n" + "Black,20\n",
        "ethnicity,age\n" + "White,20\n" * 40 + "White,10-17\n" + "White,18-24\n",
        "ethnicity,age\n" + "White,20\n" * 40 + '"White,20\n',
        "ethnicity,age\n" + "White,20\n" * 40 + "Wh\u00efte,20\n",
    ],
    ids=["value", "fields", "blank", "mixed-age", "open-quote", "latin1"],
)
def test_refusals_name_the_same_rows_whatever_the_piece_size(tmp_path, text):
    p = tmp_path / "list.csv"
    raw = text.encode("utf-8")
    if "\u00ef" in text:
        raw = raw.replace("\u00ef".encode(), b"\xef")  # a Latin-1 byte: not UTF-8
    p.write_bytes(raw)
    whole = refusal(p)
    assert len(whole) == 1 and "row" in whole[0]
    for size in (16, 100, 1000):
        assert refusal(p, chunk_bytes=size) == whole


def test_refused_value_rows_are_found_from_the_codes(tmp_path):
    p = tmp_path / "list.csv"
    p.write_text("ethnicity,age\n" + "White,20\n" * 40 + "Martian,20\n" + "White,20\n" * 40 + "Martian,31\n")
    (line,) = refusal(p, chunk_bytes=50)
    assert line.startswith("list.csv: rows 42, 83, column 'ethnicity': value 'Martian' breaks rule:")


@pytest.mark.slow
def test_a_kernel_running_several_notebooks_gives_each_a_fresh_namespace(tmp_path):
    # A run's kernels are warmed with the profile's imports, then run notebook after
    # notebook (reset between them): each must see what a new kernel shows. The warm-up
    # used to leave `matplotlib` and `police_lists` in the first notebook's globals.
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("print(sorted(k for k in globals() if not k.startswith('_')))\nx = 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "globals.ipynb"
    nbformat.write(nb, path)
    kernel = pipeline.Kernel(tmp_path)
    try:
        runs = [kernel.execute(path, {}, tmp_path / f"run{i}") for i in range(2)]
    finally:
        kernel.hang_up()
        kernel.close()
    shown = [run.cells[-1].outputs[0]["text"] for run in runs]
    assert shown == ["['In', 'Out', 'exit', 'get_ipython', 'open', 'quit']\n"] * 2
