"""Grading a folder of submissions with `make grade` (issue 15): every notebook runs in
a fresh kernel in its own folder, hostile names and code touch nothing, and the marks
and feedback pages say right / not right / error / not answered. Its own module, so
pytest-xdist (`--dist loadfile`) can run it beside test_teaching's classroom tests;
both read the one teaching build of the run (conftest.taught)."""

import csv
import html
import os
import re
import subprocess
import sys

import nbformat

from police_lists.pipeline import teaching as teaching_build
from test_teaching import EXERCISES, ROOT, _answered, _handout


def _submission(out, tmp, name, lesson, edit=None, right=True):
    nb = _answered(_handout(out, lesson), lesson) if right else _handout(out, lesson)
    if edit:
        edit(nb)
    nbformat.write(nb, tmp / name)


def _set_answer(n, code):
    def edit(nb):
        cell = next(c for c in nb.cells if re.search(rf"^answer_{n} =", c.source, re.M))
        cell.source = code

    return edit


def test_grading_a_folder_of_submissions(taught, tmp_path):
    out, _ = taught
    lesson = "lesson1_reading_a_statistic"
    subs = tmp_path / "handed in $(touch PWNED)"
    subs.mkdir()
    hostile = "=HYPERLINK(1)<img src=x onerror=alert(1)>.ipynb"
    _submission(out, subs, "all_right.ipynb", lesson)
    _submission(out, subs, hostile, lesson, right=False)
    _submission(out, subs, "one_wrong.ipynb", lesson, _set_answer(3, "answer_3 = 1"))
    _submission(out, subs, "raises.ipynb", lesson, _set_answer(2, "answer_2 = 1 / 0"))
    _submission(out, subs, "loops.ipynb", lesson, _set_answer(4, "while True:\n    pass\nanswer_4 = 0"))

    def deletes(nb):  # tries to delete every notebook where it runs, and the folder above
        nb.cells.append(
            nbformat.v4.new_code_cell(
                "import os, glob\nfor f in glob.glob('*.ipynb') + glob.glob('../*'):\n"
                "    try:\n        os.remove(f)\n    except OSError:\n        pass"
            )
        )

    _submission(out, subs, "deletes.ipynb", lesson, deletes)
    before = {p.name: p.read_bytes() for p in subs.iterdir()}
    marks = tmp_path / "marks"
    # the system's temporary folder, holding a file of the teacher's: the grader's private
    # folders are made in it, and 'deletes' must not reach it (it did: every run of this
    # test removed the files at the top of /tmp)
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    (system_tmp / "teachers_notes.txt").write_text("not the grader's\n")
    # The time limit is what 'loops' costs (its cell spins a core that long). The kernels
    # are forked warm (six submissions), so the slowest cell of the others takes 0.16 s on
    # a quiet machine (2.0 s in a kernel started from scratch, which imports as it goes).
    env = {**os.environ, "SUBMISSIONS": str(subs), "OUT": str(marks), "TIME_LIMIT": "4", "TMPDIR": str(system_tmp)}
    run = subprocess.run(["make", "-s", "grade"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert not list(ROOT.glob("PWNED")) and not list(tmp_path.glob("PWNED"))
    assert {p.name: p.read_bytes() for p in subs.iterdir()} == before  # nothing submitted was touched
    assert [p.name for p in system_tmp.iterdir()] == ["teachers_notes.txt"]  # untouched; no grader folder left

    with open(marks / "grades.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = {(r["student_file"], int(r["exercise"])): (r["result"], r["note"]) for r in rows}
    assert {r["lesson"] for r in rows} == {lesson}
    everything_right = {n: "right" for n in EXERCISES[lesson]}
    expected = {
        "all_right.ipynb": everything_right,
        "'" + hostile: {n: "not answered" for n in EXERCISES[lesson]},  # a formula-looking name is neutralised
        "one_wrong.ipynb": {**everything_right, 3: "not right"},
        "raises.ipynb": {**everything_right, 2: "error"},
        "loops.ipynb": {**everything_right, 4: "error"},
        "deletes.ipynb": everything_right,
    }
    assert {k: v[0] for k, v in got.items()} == {
        (f, n): result for f, results in expected.items() for n, result in results.items()
    }
    assert got[("raises.ipynb", 2)][1] == "ZeroDivisionError: division by zero"
    assert got[("loops.ipynb", 4)][1] == "stopped after the time limit (4 s a cell)"

    pages = sorted((marks / "feedback").iterdir())
    assert len(pages) == 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert f'content="{html.escape(teaching_build.CSP)}"' in text
        assert "<img" not in text and "<script" not in text
    wrong = (marks / "feedback" / "one_wrong.html").read_text(encoding="utf-8")
    assert "Exercise 3: <strong>not right</strong>" in wrong
    assert html.escape(EXERCISES[lesson][3].hint) in wrong


def test_grade_refuses_bad_input_in_one_line(tmp_path):
    env = {**os.environ, "SUBMISSIONS": str(tmp_path / "missing"), "OUT": str(tmp_path / "o")}
    run = subprocess.run(
        [sys.executable, "-m", "police_lists", "grade", "--from-environment"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 1 and len(run.stderr.strip().splitlines()) == 1 and "is not a folder" in run.stderr


def test_a_submission_runs_in_a_kernel_forked_warm_or_started_cold(tmp_path):
    """With a warm-kernel server (grade() starts one for two submissions or more), a
    submission's kernel is a child of that server, with the server's imports loaded and
    nothing of its own; without one, a kernel the grading child started from scratch."""
    from conftest import _warm_server
    from police_lists.pipeline import grading

    probe = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import os, sys\n"
                "print(open(f'/proc/{os.getppid()}/cmdline', 'rb').read().split(b'\\0')[2].decode())\n"
                "print('pandas' in sys.modules)\n"
                "print(sorted(k for k in globals() if not k.startswith('_')))"
            )
        ]
    )
    seen = {}
    # this test process's warm-kernel server (conftest), which imports what the notebooks
    # import, as grade()'s imports what the lessons import: the fork is the same either way
    for name, socket in (("warm", _warm_server().socket), ("cold", None)):
        work = tmp_path / name
        work.mkdir()
        executed, problem = grading.execute_submission(probe, work, 30, socket)
        assert problem == "", problem
        seen[name] = executed.cells[0].outputs[0]["text"].splitlines()
    assert [seen["warm"][:2], seen["cold"][:2]] == [
        ["police_lists.pipeline.warmkernel", "True"],
        ["police_lists.pipeline.grading", "False"],
    ]
    assert seen["warm"][2] == seen["cold"][2]  # the same names as a kernel started from scratch
    assert "'os'" in seen["warm"][2]
