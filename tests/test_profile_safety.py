"""`make profile` on hostile files and in hostile situations (issue 10): OUT
belongs to the user, no exact count is left on disk, every string from a file
is escaped for where it goes, protection cannot be weakened silently, and an
interrupt or a kill never leaves half a profile. Each test writes its own input."""

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path

import pandas as pd
import pytest

from conftest import profile_argv
from police_lists.analyses import profile
from police_lists.contract import safety
from police_lists.contract.problems import ProblemError
from police_lists.pipeline import cli, outdir, params, scratch
from police_lists.pipeline import profile as profile_pipeline
from police_lists.present import appendix as report
from police_lists.present import profile as profile_page
from police_lists.readers import listinput
from police_lists.readers.listinput import ListData

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "data" / "examples" / "pima_synthetic_list.csv"
POLICE_UK = ROOT / "tests" / "fixtures" / "police_uk_stop_search.csv"


def tree(folder: Path) -> dict:
    """Every file under folder (hidden ones too) with its sha256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def whole_numbers(record) -> set[int]:
    """Every whole number anywhere in a JSON record."""
    if isinstance(record, dict):
        return set().union(*map(whole_numbers, record.values())) if record else set()
    if isinstance(record, list):
        return set().union(*map(whole_numbers, record)) if record else set()
    return {record} if isinstance(record, int) and not isinstance(record, bool) else set()


def tempfile_dir() -> str:
    import tempfile

    return tempfile.gettempdir() + "/"


def small_list(path: Path, n_black: int = 23, n_white: int = 57, extra: str = "") -> Path:
    """A record-level list with exact counts that rounding changes (23 -> 25, 57 -> 55)."""
    rows = ["ethnicity,age,gender,harm band"]
    rows += [f"Black,{17 + i % 9},Male,{('Red', 'Amber', 'Green')[i % 3]}" for i in range(n_black)]
    rows += [f"White,{20 + i % 30},{'Female' if i % 4 else 'Male'},Green" for i in range(n_white)]
    path.write_text("\n".join(rows) + "\n" + extra)
    return path


# ---------------------------------------------------------------- OUT belongs to the user


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """A genuine profile (with a previous snapshot, so it also has tables/changes.csv)."""
    folder = tmp_path_factory.mktemp("earlier")
    src = small_list(folder / "list.csv")
    prev = small_list(folder / "previous.csv", n_black=30, n_white=40)
    out = folder / "OUT"
    assert cli.main(profile_argv(src, out, previous_path=prev, harm_labels="Red,Amber,Green")) == 0
    return folder, out


def copy_of(earlier, tmp_path) -> Path:
    out = tmp_path / "OUT"
    shutil.copytree(earlier[1], out)
    return out


def test_rerun_refuses_when_out_holds_user_files(earlier, tmp_path, capsys):
    # seen: a second run deleted notes or tables a user had added, and the list itself stored in OUT
    out = copy_of(earlier, tmp_path)
    (out / "notes.txt").write_text("my notes")
    (out / "tables" / "mine.csv").write_text("a,b\n1,2\n")
    shutil.copy(earlier[0] / "list.csv", out / "list.csv")
    before = tree(out)
    rc = cli.main(
        ["profile", "--list", str(out / "list.csv"), "--output-dir", str(out), "-p", "harm_labels", "Red,Amber,Green"]
    )
    err = capsys.readouterr().err
    assert rc == 1 and "Traceback" not in err
    assert "list.csv (the list being profiled), notes.txt, tables/mine.csv" in err
    assert tree(out) == before


def test_rerun_replaces_exactly_its_own_files(earlier, tmp_path, capsys):
    out = copy_of(earlier, tmp_path)
    old = json.loads((out / "manifest.json").read_text())
    assert "tables/changes.csv" in old["outputs"]
    assert cli.main(profile_argv(earlier[0] / "list.csv", out, harm_labels="Red,Amber,Green")) == 0
    new = json.loads((out / "manifest.json").read_text())
    assert "tables/changes.csv" not in new["outputs"] and not (out / "tables" / "changes.csv").exists()
    files = tree(out)
    assert set(files) == set(new["outputs"]) | {"manifest.json"}  # nothing else, no temporary files
    assert all(files[rel] == info["sha256"] for rel, info in new["outputs"].items())
    assert outdir.manifest_bytes(new) == (out / "manifest.json").read_bytes()


def test_changed_file_of_the_earlier_profile_is_refused(earlier, tmp_path, capsys):
    out = copy_of(earlier, tmp_path)
    with open(out / "tables" / "age.csv", "a") as fh:
        fh.write("my own row\n")
    before = tree(out)
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(out)]) == 1
    assert (
        "value 'tables/age.csv' breaks rule: files of the earlier profile in OUT were changed"
        in capsys.readouterr().err
    )
    assert tree(out) == before


@pytest.mark.parametrize("forgery", ["claims", "lists_user_file", "self_hash_but_escapes"])
def test_a_manifest_that_merely_claims_a_profile_owns_nothing(tmp_path, capsys, forgery):
    out = tmp_path / "OUT"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    (tmp_path / "outside.txt").write_text("also precious")
    sha = hashlib.sha256(b"precious").hexdigest()
    if forgery == "claims":
        manifest = json.dumps({"kind": outdir.KIND, "outputs": {}}).encode()
    elif forgery == "lists_user_file":  # the right hash, but not a manifest this program wrote (no self hash)
        manifest = json.dumps({"kind": outdir.KIND, "outputs": {"thesis.docx": {"sha256": sha}}}).encode()
    else:  # a well-formed manifest naming a file outside OUT
        manifest = outdir.manifest_bytes(
            {
                "kind": outdir.KIND,
                "outputs": {"../outside.txt": {"sha256": hashlib.sha256(b"also precious").hexdigest()}},
            }
        )
    (out / "manifest.json").write_bytes(manifest)
    before, outside = tree(out), (tmp_path / "outside.txt").read_bytes()
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(out)]) == 1
    err = capsys.readouterr().err
    assert "manifest.json, thesis.docx" in err
    assert tree(out) == before and (tmp_path / "outside.txt").read_bytes() == outside


def test_the_list_is_never_replaced_even_as_a_file_of_the_profile(tmp_path):
    # a list that IS one of the earlier profile's files (tables/...) would be overwritten by the new table
    out = tmp_path / "OUT"
    plan = outdir.Plan(out, "OUT")
    outdir.publish(
        plan,
        {"tables/ethnicity.csv": b"dimension,category,count\nethnicity,White,12\n"},
        {
            "kind": outdir.KIND,
            "outputs": {
                "tables/ethnicity.csv": {
                    "sha256": hashlib.sha256(b"dimension,category,count\nethnicity,White,12\n").hexdigest()
                }
            },
        },
    )
    with pytest.raises(ProblemError) as info:
        outdir.check(out, "OUT", keep=[out / "tables" / "ethnicity.csv"])
    assert "tables/ethnicity.csv (the list being profiled)" in str(info.value)


# ---------------------------------------------------------------- kills and interrupts


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_switch_killed_half_way_is_finished_by_the_next_run(tmp_path, monkeypatch):
    """A SIGKILL during the renames (after the journal is written) leaves a journal;
    the next run completes the switch: the new profile, never a mix."""
    out = tmp_path / "OUT"
    old_files = {"profile.html": b"old page", "tables/a.csv": b"old a", "tables/gone.csv": b"old gone"}
    new_files = {"profile.html": b"new page", "tables/a.csv": b"new a", "tables/b.csv": b"new b"}

    def manifest(files):
        return {
            "kind": outdir.KIND,
            "outputs": {r: {"sha256": hashlib.sha256(d).hexdigest()} for r, d in files.items()},
        }

    outdir.publish(outdir.Plan(out, "OUT"), old_files, manifest(old_files))
    plan = outdir.check(out, "OUT")
    assert set(plan.owned) == set(old_files)

    class Killed(BaseException):
        pass

    real_replace, calls = os.replace, []

    def dying_replace(a, b):
        calls.append(b)
        if len(calls) == 3:  # journal, then one file moved: killed before the second
            raise Killed()
        return real_replace(a, b)

    monkeypatch.setattr(outdir.os, "replace", dying_replace)
    with pytest.raises(Killed):
        outdir.publish(plan, new_files, manifest(new_files))
    monkeypatch.setattr(outdir.os, "replace", real_replace)
    assert (out / outdir.JOURNAL).exists()  # what a SIGKILL leaves
    assert outdir.recover(out) is True
    assert tree(out) == {
        **{r: hashlib.sha256(d).hexdigest() for r, d in new_files.items()},
        "manifest.json": hashlib.sha256(outdir.manifest_bytes(manifest(new_files))).hexdigest(),
    }
    assert outdir.check(out, "OUT").owned == {r: hashlib.sha256(d).hexdigest() for r, d in new_files.items()}


def test_incoming_folder_of_a_killed_run_is_cleared(tmp_path):
    out = tmp_path / "OUT"
    out.mkdir()
    stale = out / f"{outdir.INCOMING_PREFIX}{_dead_pid()}-abcd1234"
    (stale / "tables").mkdir(parents=True)
    (stale / "tables" / "x.csv").write_text("category,count\nBlack,[c]\n")
    alive = out / f"{outdir.INCOMING_PREFIX}{os.getpid()}-abcd1234"  # a run still going: left alone
    alive.mkdir()
    assert outdir.recover(out) is False
    assert not stale.exists() and alive.exists()


def test_sweep_removes_only_dead_runs_scratch_folders(tmp_path):
    dead = tmp_path / f"{scratch.PREFIX}{_dead_pid()}-abcd_123"
    live = tmp_path / f"{scratch.PREFIX}{os.getpid()}-abcd_123"
    lookalike = tmp_path / f"{scratch.PREFIX}{_dead_pid()}-abcd_123-mine"
    not_a_folder = tmp_path / f"{scratch.PREFIX}{_dead_pid()}-zzzz_999"
    target = tmp_path / "elsewhere"
    link = tmp_path / f"{scratch.PREFIX}{_dead_pid()}-link_123"
    for d in (dead, live, lookalike, target):
        d.mkdir()
        (d / "published.json").write_text("{}")
    not_a_folder.write_text("a file")
    link.symlink_to(target)
    assert scratch.sweep_stale(tmp_path) == [dead]
    assert all(p.exists() for p in (live, lookalike, not_a_folder, target, link))


def test_signals_are_held_while_out_is_switched_over():
    # the handlers the process had (SIGINT is ignored in a job started in the background
    # by a shell without job control, as CI may do): they must be the ones put back
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    with scratch.interruptible():
        with pytest.raises(scratch.Interrupted) as info:
            with scratch.critical(completed=True):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)
                finished = True  # the step ran to its end despite the signal
        assert finished and info.value.completed and info.value.exit_status == 130
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal while stopping is ignored: the clean-up finishes
        time.sleep(0.05)
    with scratch.interruptible():
        with pytest.raises(scratch.Interrupted) as info:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        assert not info.value.completed and info.value.exit_status == 143
    assert {sig: signal.getsignal(sig) for sig in before} == before  # handlers restored


def _start(args, tmpdir: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        [sys.executable, "-m", "police_lists", "profile", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _wait_for_scratch(tmpdir: Path, proc: subprocess.Popen, timeout: float = 120) -> Path:
    """The scratch folder, once the published values are in it (a kernel is starting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(tmpdir.glob(f"{scratch.PREFIX}*/published*.json"))
        if found:
            return found[0].parent
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the run never reached its scratch folder")


def _kill_tree(pids) -> None:
    import psutil

    for pid in pids:
        try:
            psutil.Process(pid).kill()
        except psutil.Error:
            pass


@pytest.mark.parametrize(
    "sig,status,lists",
    [(signal.SIGINT, 130, 1), (signal.SIGTERM, 143, 1), (signal.SIGINT, 130, 3)],
    ids=["SIGINT", "SIGTERM", "SIGINT-three-lists"],
)
def test_interrupt_mid_run_writes_nothing(tmp_path, sig, status, lists):
    """One list, or three in one command (kernels side by side, each driven by its own
    thread): the signal stops every kernel and thread, and nothing is left."""
    import psutil

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    parent = tmp_path / "work"
    parent.mkdir()
    out = parent / "OUT"
    given = POLICE_UK
    if lists > 1:
        given = tmp_path / "lists"
        given.mkdir()
        for i in range(lists):
            (given / f"list{i}.csv").write_bytes(POLICE_UK.read_bytes())
    proc = _start(["--list", str(given), "--output-dir", str(out)], tmpdir)
    try:
        _wait_for_scratch(tmpdir, proc)  # the first notebook is starting: the kernels are all running
        children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        # a kernel per core in many-list mode (the lists and the comparison page), one for one list
        kernels = 1 if lists == 1 else min(lists + 1, os.cpu_count() or 1, profile_pipeline.MAX_KERNELS)
        assert len(children) == kernels, children
        # into the notebook's run, well before it ends: a one-list run exits about 1.5 s after
        # its published values are handed over, and stops its kernel before publishing (after
        # a whole second here, a fresh clone's run once had no kernel left to count)
        time.sleep(0.2)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, err
    assert "Traceback" not in err and "Error" not in err, err
    assert err.strip().splitlines() == [
        f"profile interrupted ({'Ctrl-C' if sig == signal.SIGINT else 'SIGTERM'}): nothing was written to {out}"
    ]
    assert not out.exists() and list(parent.iterdir()) == []
    assert not list(tmpdir.glob(f"{scratch.PREFIX}*"))  # the scratch folder went too
    time.sleep(0.5)
    assert not [pid for pid in children if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]


def test_sigkill_mid_run_leaves_nothing_beside_out_and_no_exact_counts(tmp_path):
    # seen: staging folders beside OUT, one holding validated_counts.json with exact counts
    import psutil

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    parent = tmp_path / "work"
    parent.mkdir()
    src = small_list(parent / "list.csv")  # 23 Black and 57 White: exact counts no output may hold
    out = parent / "OUT"
    proc = _start(["--list", str(src), "--output-dir", str(out), "-p", "harm_labels", "Red,Amber,Green"], tmpdir)
    try:
        folder = _wait_for_scratch(tmpdir, proc)
        time.sleep(0.1)  # into the notebook's run: the published values stay there 0.7-0.9 s
        children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        _kill_tree(children)  # the kernel it started (it would also exit on its own, its parent gone)
    assert sorted(p.name for p in parent.iterdir()) == ["list.csv"]  # nothing beside OUT, no OUT
    # the scratch folder is private and holds published values only
    assert (folder.stat().st_mode & 0o777) == 0o700
    pub = profile.Published.load(folder / "published.json")
    for table in pub.tables.values():
        for count in table["count"]:
            assert count == "[c]" or int(count) % 5 == 0, count
    assert not {23, 57} & whole_numbers(json.loads((folder / "published.json").read_text()))
    # the next run (even one refused at once) clears it
    again = _start(["--list", str(src), "--output-dir", str(out), "-p", "threshold", "0"], tmpdir)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 1 and "threshold" in err
    assert not folder.exists()


def _without_write_permission(args, tmpdir) -> subprocess.CompletedProcess:
    """Run the command line so that file permissions bind even for root (no CAP_DAC_OVERRIDE)."""
    command = [sys.executable, "-m", "police_lists", "profile", *args]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    return subprocess.run(
        command, cwd=ROOT, env={**os.environ, "TMPDIR": str(tmpdir)}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("where", ["OUT", "parent"])
def test_read_only_out_or_parent_is_named_and_nothing_is_left(tmp_path, where):
    # seen: a traceback, and a .<name>.old-* folder left behind
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    parent = tmp_path / "work"
    parent.mkdir()
    out = parent / "OUT"
    locked = out if where == "OUT" else parent
    if where == "OUT":
        out.mkdir()
    locked.chmod(0o555)
    try:
        result = _without_write_permission(["--list", str(SYNTHETIC), "--output-dir", str(out)], tmpdir)
        listing = sorted(p.name for p in parent.iterdir())
        inside = sorted(p.name for p in out.iterdir()) if out.exists() else None
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and len(lines) == 2
    assert f"value '{locked}' breaks rule: OUT must be writable (permission denied" in lines[0]
    assert listing == (["OUT"] if where == "OUT" else []) and inside in ([], None)


# ---------------------------------------------------------------- escaping


NASTY_LIST = "bt`<img src=x onerror=alert(1)>`.csv"
NASTY_PREVIOUS = 'prev"><svg onload=alert(2)>.csv'
FORMULA_COLUMNS = {
    "ethnicity": '=HYPERLINK("http://example.invalid","click")',
    "age": "+cmd|' /C calc'!A0",
    "gender": "@SUM(1+1)",
    "harm": "-2+3",
}


def _nasty_list(path: Path, n: int) -> Path:
    cols = FORMULA_COLUMNS
    rows = [[cols["ethnicity"], cols["age"], cols["gender"], cols["harm"]]]
    for i in range(n):
        rows.append(
            [
                ("Black", "White", "B2")[i % 3],
                str(16 + i % 20),
                ("Male", "Female")[i % 2],
                ("Red", "amber", "GREEN")[i % 3],
            ]
        )
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    src = _nasty_list(folder / NASTY_LIST, 90)
    prev = _nasty_list(folder / NASTY_PREVIOUS, 70)
    out = folder / "OUT"
    columns = {f"{dim}_column": FORMULA_COLUMNS[dim] for dim in ("ethnicity", "age", "gender", "harm")}
    args = profile_argv(src, out, previous_path=prev, **columns, harm_labels="Red,Amber,Green", threshold=3)
    assert cli.main(args) == 0
    return out


def test_file_names_reach_html_only_escaped(hostile):
    # seen: a backtick in the file name closed its markdown code span and the <img> ran; previous_path too
    page = (hostile / "profile.html").read_text()
    notebook = json.loads((hostile / "notebook.ipynb").read_text())
    shown = [page] + [
        "".join(output.get("data", {}).get(kind, ""))
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        for kind in ("text/html", "text/markdown")
    ]
    for text in shown:
        assert "<img src=x" not in text and "<svg onload" not in text
    injected = "".join(
        next(c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", []))["source"]
    )
    for machine in (str(hostile.parent), scratch.PREFIX, tempfile_dir()):  # no machine or scratch path either
        assert machine not in injected and machine not in page and machine not in json.dumps(notebook)
    assert "bt`&lt;img src=x onerror=alert(1)&gt;`.csv" in page  # shown, as text
    assert 'previous snapshot <code>prev"&gt;&lt;svg onload=alert(2)&gt;.csv</code>' in page
    assert (
        "\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\" http-equiv=\"Content-Security-Policy\""
        in page
    )


def test_formula_column_names_and_labels_are_neutralised_in_csv(hostile):
    # seen: column names and harm labels starting with = + - @ reached tables/*.csv as formulas
    with open(hostile / "tables" / "summary.csv", newline="", encoding="utf-8") as fh:
        summary = {row["dimension"]: row for row in csv.DictReader(fh)}
    for dim, name in FORMULA_COLUMNS.items():
        assert summary[dim]["column"] == "'" + name, dim
    for path in (hostile / "tables").glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(safety.FORMULA_START) or safety._NUMBER.fullmatch(cell), (path, cell)
    harm = pd.read_csv(hostile / "tables" / "harm.csv", dtype=str, keep_default_na=False)
    assert set(harm["category"]) <= {
        "Red",
        "Amber",
        "Green",
        "Total",
        "all categories (suppressed)",
    }  # declared spellings


def test_threshold_below_ten_stamps_every_output(hostile):
    # seen: -p threshold 3 published counts as "disclosure-controlled" with no stamp
    manifest = json.loads((hostile / "manifest.json").read_text())
    assert manifest["sensitivity"] == report.NOT_FOR_PUBLICATION
    assert manifest["disclosure_control"] == {
        "on": True,
        "threshold": 3,
        "rounding_base": 5,
        "weaker_than_ons_10_5": True,
    }
    for rel, info in manifest["outputs"].items():
        if rel.startswith("tables/"):
            assert info["sensitivity"] == report.NOT_FOR_PUBLICATION
            table = pd.read_csv(hostile / rel, dtype=str, keep_default_na=False)
            assert (table["label"] == "NOT FOR PUBLICATION").all(), rel
    assert "NOT FOR PUBLICATION: the threshold was set to 3" in (hostile / "profile.html").read_text()


def test_hostile_profile_page_renders_in_a_browser_with_no_script(hostile):
    from playwright.sync_api import sync_playwright

    from test_browser import ARGS, CHROMIUM

    seen = {"blocked": [], "errors": [], "dialogs": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page()
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith("file://")
                else (seen["blocked"].append(r.request.url), r.abort())
            ),
        )
        page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.goto((hostile / "profile.html").as_uri(), wait_until="load")
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.getAttribute('src').slice(0, 22), i.naturalWidth])"
        )
        text = page.locator("body").inner_text()
        toc = page.locator("nav#toc a").count()
        browser.close()
    assert seen == {"blocked": [], "errors": [], "dialogs": []}
    assert images and all(src == "data:image/png;base64," and width > 0 for src, width in images)
    assert NASTY_LIST in text and toc >= 5 and "Disclosure control and its audit" in text


def test_every_page_template_carries_a_policy_that_allows_no_script():
    import nbformat

    from police_lists.pipeline import convert
    from police_lists.pipeline import index as site_index

    assert convert.CSP == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    appendix = convert.to_html(nbformat.v4.new_notebook(), "x", "<p>provenance</p>")  # appendices, profiles, lessons
    index = site_index.index_html({"appendices": {}, "outputs": {}, "packages": {}, "git_commit": "c", "python": "3"})
    for page in (appendix, index):
        head = page.split("</head>")[0]
        assert (
            "Content-Security-Policy" in head and "default-src 'none'; img-src data:; style-src 'unsafe-inline'" in head
        )
        assert "<script" not in page


def test_csv_cells_are_neutralised_owasp_style():
    assert safety.csv_cell("=1+1") == "'=1+1"
    assert safety.csv_cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert safety.csv_cell("-2+3") == "'-2+3"
    assert safety.csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safety.csv_cell("\t=1") == "'\t=1" and safety.csv_cell("\r=1") == "'\r=1"
    for number in ("-3", "-0.5", "+7", "-1e-5", "12"):
        assert safety.csv_cell(number) == number
    assert safety.csv_cell(-3) == -3 and safety.csv_cell("White") == "White"


def test_harm_labels_parameter_cannot_itself_be_a_formula():
    with pytest.raises(params.ParameterError):
        params.check_given("05_list_profile", {"harm_labels": "=1+1,Amber"})
    params.check_given("05_list_profile", {"harm_labels": "Red,Amber,Green"})


# ---------------------------------------------------------------- no free text


@pytest.mark.parametrize("labels", ["", "Red,Amber,Green"])
def test_a_harm_value_that_is_a_name_is_refused(tmp_path, capsys, labels):
    # seen: a person's name in the harm column passed the "short label" rule and was published
    src = tmp_path / "list.csv"
    src.write_text("ethnicity,harm band\nBlack,Red\nWhite,John Smith\nBlack,Amber\n" + "White,Green\n" * 20)
    out = tmp_path / "OUT"
    args = ["profile", "--list", str(src), "--output-dir", str(out)] + (["-p", "harm_labels", labels] if labels else [])
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "row 3, column 'harm band': value 'John Smith' breaks rule:" in err
    assert not out.exists()


def test_published_values_carry_no_true_count(tmp_path):
    data = listinput.read_list(small_list(tmp_path / "list.csv"), harm_labels="Red,Amber,Green")
    assert dict(data.counts["ethnicity"]) == {"Black": 23, "White": 57}
    pub = profile.publish(data)
    record = json.loads(pub.to_json())
    assert record["tables"]["ethnicity"]["rows"][0][:2] == ["White", 55]
    assert record["tables"]["ethnicity"]["rows"][1][:2] == ["Black", 25]
    assert not {23, 57} & whole_numbers(record)  # the exact counts are nowhere in what crosses to the notebook
    again = profile.Published.from_json(pub.to_json())
    for dim, table in pub.tables.items():
        assert again.tables[dim].to_csv() == table.to_csv(), dim


# ---------------------------------------------------------------- group disclosure, single groups


def _data(counts: dict, n=None, kind="record") -> ListData:
    series = {d: pd.Series(c, dtype="int64") for d, c in counts.items()}
    return ListData("x.csv", kind, "record-level list", n or int(series["ethnicity"].sum()), series)


def test_one_person_list_discloses_nothing():
    # seen: a list of one person passed the audit, though the page told a reader the person's group
    pub = profile.publish(_data({"ethnicity": {"Black": 1}, "age": {"18-24": 1}, "gender": {"Male": 1}}))
    for dim, table in pub.tables.items():
        assert table["category"].tolist() == [profile.WHOLE, "Total"], dim
        assert table["count"].tolist() == ["[c]", "[c]"], dim
    assert set(pub.audit["group_disclosure_check"]) == {"suppressed whole"}
    assert all(x is True for x in pub.audit["audit_passed"])
    assert pub.disproportionality.empty
    assert "Black" not in pub.to_json() and "Male" not in pub.to_json() and "18-24" not in pub.to_json()


def test_everyone_known_in_one_group_is_suppressed_whole():
    pub = profile.publish(_data({"ethnicity": {"Black": 40, "Unknown": 3}, "gender": {"Male": 30, "Female": 13}}))
    eth = pub.tables["ethnicity"]
    assert eth["category"].tolist() == [profile.WHOLE, "Total"] and eth["count"].tolist() == ["[c]", 45]
    audit = pub.audit.set_index("dimension")
    assert audit.loc["ethnicity", "group_disclosure_check"] == "suppressed whole"
    assert audit.loc["gender", "group_disclosure_check"] == "passed"
    assert "Black" not in json.dumps(json.loads(pub.to_json())["tables"])
    assert "suppressed whole" in profile_page.say_largest(eth, "ethnic group", "95%")


def test_single_group_ratio_is_not_computable_not_a_crash():
    # seen: "float division by zero" when every known person is in one group; and then
    # statsmodels' two divide-by-zero RuntimeWarnings on the terminal of `make profile`
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pub = profile.publish(_data({"ethnicity": {"Black": 40, "Unknown": 3}}), disclosure_control=False)
    assert [str(w.message) for w in caught] == []
    disp = pub.disproportionality
    assert set(disp["ratio"]) == {profile.NOT_COMPUTABLE} and set(disp["category"]) == {"Black"}
    assert "not computable" in profile_page.say_disproportionality(disp, "95%", pub.disproportionality_notes)
    assert pub.audit.iloc[0]["group_disclosure_check"].startswith("fails: one group holds everyone")


def test_aggregate_tables_are_labelled_aggregate():
    pub = profile.publish(_data({"ethnicity": {"Black": 40, "White": 30}}, kind="aggregate"))
    assert pub.sensitivity == report.AGGREGATE and "record-level" not in pub.sensitivity
    assert profile.sensitivity(False, True, 10, "record") == report.RECORD_LEVEL
    assert profile.sensitivity(False, True, 9, "aggregate") == report.NOT_FOR_PUBLICATION


def test_threshold_two_never_shows_a_group_of_two_as_zero():
    pub = profile.publish(_data({"ethnicity": {"Black": 2, "White": 40, "Asian": 31}}), threshold=2)
    assert dict(zip(pub.tables["ethnicity"]["category"], pub.tables["ethnicity"]["count"]))["Black"] == "[c]"
    assert pub.stamp == "NOT FOR PUBLICATION"


# ---------------------------------------------------------------- one computation, two routes


def test_make_profile_publishes_what_the_notebook_computes_on_its_own(built, tmp_path):
    # `make all` runs notebook 05 standalone (it reads the SYNTHETIC list itself);
    # `make profile` computes in its own process and hands the published values over
    out_dir, _ = built
    out = tmp_path / "OUT"
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(out)]) == 0
    for name in ("ethnicity", "age", "gender", "disproportionality", "disclosure_audit", "summary"):
        assert (out / "tables" / f"{name}.csv").read_bytes() == (
            out_dir / "tables" / f"profile_{name}.csv"
        ).read_bytes()


# ---------------------------------------------------------------- the Makefile


def test_make_passes_list_out_and_params_without_evaluating_them(tmp_path):
    # seen: make profile LIST='...`cmd`...' ran the command in backticks
    marker = f"i10-marker-{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "in"
    folder.mkdir()
    name = f"x`touch {marker}-1`$(touch {marker}-2)$(shell touch {marker}-3)${{shell touch {marker}-4}}.csv"
    src = folder / name
    shutil.copy(SYNTHETIC, src)
    out = tmp_path / "OUT $(shell touch x) `y`"
    env = {k: v for k, v in os.environ.items() if k not in ("LIST", "OUT", "PARAMS", "MAKEFLAGS", "MFLAGS")}
    try:
        result = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "profile",
                f"LIST={src}",
                f"OUT={out}",
                "PARAMS=-p benchmarks \"london_all_ages\" -p confidence 0.9 -p ethnicity_column 'ethnicity'",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        markers = [p for d in (ROOT, folder, tmp_path, Path.cwd()) for p in d.glob(f"{marker}*")]
    finally:
        for d in (ROOT, folder, tmp_path):
            for p in d.glob(f"{marker}*"):
                p.unlink()
    assert markers == []
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["list_path"] == name and manifest["parameters"]["confidence"] == 0.9
    assert manifest["parameters"]["benchmarks"] == "london_all_ages"


def test_make_profile_without_list_prints_usage(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("LIST", "OUT", "PARAMS", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "profile"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0 and "usage: make profile LIST=<file> OUT=<dir>" in result.stderr
    bad = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "profile",
            f"LIST={SYNTHETIC}",
            f"OUT={tmp_path / 'o'}",
            "PARAMS=-p threshold '3",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bad.returncode != 0 and "PARAMS: No closing quotation" in bad.stderr and "Traceback" not in bad.stderr


def test_a_deep_temporary_folder_does_not_break_the_kernel(tmp_path):
    """A Unix socket's path is at most 107 bytes: with TMPDIR 85 bytes deep the
    profile's kernel sockets once went there and the run failed ('File name too
    long'); they go where every other kernel's go (execute._socket_parent)."""
    deep = Path("/tmp") / ("deep" * 20)  # /tmp, so its length does not depend on pytest's basetemp
    deep = deep.with_name(f"{deep.name}-{os.getpid()}")
    deep.mkdir()
    try:
        assert len(str(deep).encode()) > 85
        proc = _start(["--list", str(SYNTHETIC), "--output-dir", str(tmp_path / "OUT")], deep)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert (tmp_path / "OUT" / "profile.html").is_file()
        assert list(deep.iterdir()) == []  # the run left nothing in it
    finally:
        shutil.rmtree(deep, ignore_errors=True)
