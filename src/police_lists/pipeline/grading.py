"""Marking students' notebooks: `make grade SUBMISSIONS=<folder> OUT=<dir>`.

For each submitted .ipynb (a student notebook of the classroom bundle, with the
answer_N cells filled in), in turn:
  1. a folder inside a private temporary folder gets a copy of it, and nothing
     else (so '..' is that private folder, empty but for it); the lesson is read
     from the notebook's metadata (or its file name);
  2. a fresh kernel runs it there (nbclient, in a child process of its own): every
     cell gets TIME_LIMIT seconds and is interrupted after that; a cell that fails
     does not stop the others; the child is killed, with its kernel, if the whole
     notebook takes longer than a cell limit per cell. With two submissions or more,
     the kernels are forked by a warm-kernel server (pipeline/warmkernel.py) that has
     imported what the lesson notebooks import (never what a submission names): each
     is a new process with an empty namespace, as a kernel started from scratch, less
     its two seconds of importing;
  3. a last cell added by the grader prints the answer_N values as JSON; the grader,
     in its own process, judges each against the reference computed from data/ with
     the lesson's checks (analyses.teaching: written once, in the lesson notebook next
     to each exercise). The student's kernel never decides a grade: a submission that
     redefines `check` changes nothing.
Results: OUT/grades.csv (one row per student file and exercise: right, not right,
not answered or error, and a note) and OUT/feedback/<file>.html (one short page per
student: escaped, with the Content-Security-Policy of every page, no script).

Why not otter-grader: its assignment format (otter assign) would replace the
lesson notebooks' own student/instructor build and their checks, which compute
references from data/ rather than from tests with outputs written into them; its
batch grading (otter grade) runs submissions in Docker containers, which this
project cannot assume (no Docker engine here, none in many classrooms), and its
non-container mode has the same limits as this module; and it would add a large
unpinned dependency tree. What this module does by hand is small: run a notebook
with nbclient, read variables, compare with the checks the lessons already have.

Isolation is a temporary folder, a fresh kernel, a child process and time limits,
not a sandbox: a submission runs with the teacher's user rights. It cannot touch
another submission's row or any file the grader writes, but a deliberately hostile
notebook could read or change files elsewhere; grade untrusted work in a container
or as a user with no other rights. The grader deletes only the temporary folders it
made.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from police_lists.analyses import teaching
from police_lists.contract import safety
from police_lists.contract.files import atomic_write
from police_lists.contract.paths import data_dir as data_folder
from police_lists.pipeline.convert import CSP

RESULTS = {teaching.RIGHT: "right", teaching.WRONG: "not right", teaching.UNANSWERED: "not answered"}
ERROR = "error"
MARKER = "police-lists-answers:"
DEFAULT_TIME_LIMIT = 60  # seconds per cell
MAX_NOTEBOOK_BYTES = 20_000_000


class GradeError(ValueError):
    """The grading run itself cannot start (a bad folder or parameter)."""


@dataclass
class Row:
    student_file: str
    lesson: str
    exercise: int | str
    result: str
    note: str = ""


# --- one submission --------------------------------------------------------------


def lesson_of(nb, filename: str, known: list[str]) -> str | None:
    """The lesson a submission answers: its metadata (the bundle's notebooks carry it), else its file name."""
    meta = nb.get("metadata", {}).get("police_lists", {})
    name = meta.get("lesson") if isinstance(meta, dict) else None
    if name in known:
        return name
    found = [k for k in known if k in filename]
    return found[0] if len(found) == 1 else None


def prepared(path: Path, numbers: list[int], data_dir: str, work: Path):
    """The submission as the grader runs it: read by papermill's own loader (which gives
    every cell the metadata papermill needs), its parameters set by papermill's injection
    (student role, the project's data, outputs in the private folder), and a last cell
    printing the answers."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(
        load_notebook_node(str(path)),
        {"data_dir": str(data_folder(data_dir)), "output_dir": str(work / "outputs"), "role": "student"},
        kernel_name="python3",
        language="python",
    )
    collect = (
        "from police_lists.analyses.teaching import answers_json as _answers_json\n"
        f"print({MARKER!r} + _answers_json(globals(), {numbers!r}))"
    )
    nb.cells.append(nbformat.v4.new_code_cell(collect, metadata={"tags": ["grader"]}))
    return nb


def _run_child(argv: list[str]) -> int:
    """In the child process: execute notebook argv[0] into argv[1], argv[2] seconds a cell.
    The kernel's pid goes to argv[3] first, so the parent can stop it by its id."""
    import nbformat
    from nbclient import NotebookClient

    from police_lists.pipeline.execute import KERNEL, _ipc_kernel_manager

    src, dest, limit, pidfile = Path(argv[0]), Path(argv[1]), int(argv[2]), Path(argv[3])
    warm = argv[4] if len(argv) > 4 else None  # a warm-kernel server's socket (grade)
    nb = nbformat.read(src, as_version=4)
    with open(src.parent / "kernel.log", "w+b") as log:
        client = NotebookClient(
            nb,
            timeout=limit,
            interrupt_on_timeout=True,
            allow_errors=True,
            kernel_name=KERNEL,
            resources={"metadata": {"path": str(src.parent)}},
            # relative to the folder both this child and the kernel start in: a Unix socket's
            # path has at most 107 bytes, and the system's temporary folder can be deep
            kernel_manager_class=_ipc_kernel_manager("kernel", log, warm),
        )

        def started(**_):  # a warm kernel's launcher: killing it ends its kernel (warmkernel.serve)
            pidfile.write_text(str(client.km.provisioner.pid))

        client.on_notebook_start = started
        try:
            client.execute()
        finally:
            nbformat.write(nb, dest)
    return 0


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def execute_submission(nb, work: Path, time_limit: int, warm: str | None = None):
    """Run the prepared notebook in a child process, its kernel forked by the warm-kernel
    server listening at `warm` when given; return (executed notebook or None, problem)."""
    import nbformat

    src, dest, pidfile = work / "submission.ipynb", work / "executed.ipynb", work / "kernel.pid"
    nbformat.write(nb, src)
    budget = time_limit * (len(nb.cells) + 2) + 60  # every cell at its limit, plus kernel start
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "police_lists.pipeline.grading",
            *(str(a) for a in (src, dest, time_limit, pidfile)),
            *([warm] if warm else []),
        ],
        cwd=work,
        env={**os.environ, "HOME": str(work), "MPLCONFIGDIR": str(work / ".matplotlib")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    problem = ""
    try:
        _, err = child.communicate(timeout=budget)
        if child.returncode != 0:
            last = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            problem = f"the notebook could not be run: {last[0]}"
    except subprocess.TimeoutExpired:
        _stop(child.pid)
        child.wait()
        problem = f"stopped: the notebook ran longer than {budget} seconds"
    finally:
        if pidfile.is_file():  # the kernel this submission started, and nothing else
            try:
                _stop(int(pidfile.read_text().strip()))
            except ValueError:
                pass
    try:
        return nbformat.read(dest, as_version=4), problem
    except Exception:  # noqa: BLE001 - no executed notebook: the problem says why
        return None, problem or "the notebook could not be run"


def _errors_by_exercise(executed, numbers: list[int], time_limit: int) -> dict[int, str]:
    """Exercise number -> one-line note, for each exercise whose cells raised."""
    found: dict[int, str] = {}
    for cell in executed.cells:
        if cell.cell_type != "code" or "grader" in cell.metadata.get("tags", []):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        ename, evalue = str(errors[0].get("ename", "")), str(errors[0].get("evalue", ""))
        if ename == "KeyboardInterrupt":
            note = f"stopped after the time limit ({time_limit} s a cell)"
        else:
            note = f"{ename}: {evalue}"
        for n in {int(m) for m in re.findall(r"\banswer_(\d+)\b", cell.source)}:
            if n in numbers and n not in found:
                found[n] = note
    return found


def _answers(executed) -> dict[int, object] | None:
    cell = executed.cells[-1] if executed and executed.cells else None
    if cell is None or "grader" not in cell.metadata.get("tags", []):
        return None
    for out in cell.get("outputs", []):
        for line in str(out.get("text", "")).splitlines():
            if line.startswith(MARKER):
                try:
                    data = json.loads(line[len(MARKER) :])
                    return {int(k): teaching.from_plain(v) for k, v in data.items()}
                except (ValueError, TypeError, KeyError, AttributeError):
                    return None
    return None


def grade_one(path: Path, data_dir: str, time_limit: int, references: dict, warm: str | None = None) -> list[Row]:
    """Every row of one submission (`warm`: see execute_submission). Nothing it does
    reaches another submission's rows."""
    import nbformat

    name = path.name
    known = sorted(references)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return [Row(name, "", "", ERROR, f"larger than {MAX_NOTEBOOK_BYTES:,} bytes")]
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one row, not a crash
        return [Row(name, "", "", ERROR, f"not a notebook: {type(exc).__name__}")]
    lesson = lesson_of(nb, name, known)
    if lesson is None:
        return [Row(name, "", "", ERROR, f"cannot tell which lesson this answers (known: {', '.join(known)})")]
    exercises = teaching.lesson_exercises(lesson)
    numbers = sorted(exercises)
    with tempfile.TemporaryDirectory(prefix="police-lists-grade-") as tmp:
        # one level down: a submission's '..' is then this empty private folder, not the
        # system's temporary folder with the teacher's other files in it
        work = Path(tmp) / "run"
        work.mkdir()
        try:
            run = prepared(path, numbers, data_dir, work)
        except Exception as exc:  # noqa: BLE001
            return [
                Row(name, lesson, n, ERROR, f"cannot prepare the notebook: {type(exc).__name__}: {exc}")
                for n in numbers
            ]
        executed, problem = execute_submission(run, work, time_limit, warm)
    answers = _answers(executed) if executed is not None else None
    errors = _errors_by_exercise(executed, numbers, time_limit) if executed is not None else {}
    rows = []
    for n in numbers:
        if n in errors:
            rows.append(Row(name, lesson, n, ERROR, errors[n]))
        elif answers is None:
            rows.append(Row(name, lesson, n, ERROR, problem or "the notebook stopped before its answers were read"))
        else:
            verdict, detail = teaching.judge(exercises[n], answers.get(n), references[lesson][n])
            rows.append(Row(name, lesson, n, RESULTS[verdict], detail))
    return rows


# --- the whole folder ---------------------------------------------------------------


def feedback_page(student_file: str, lesson: str, rows: list[Row], title: str) -> str:
    """One short page for one student: each exercise's result, the hint when it is not right."""
    e = safety.html_text
    hints = {n: ex.hint for n, ex in teaching.lesson_exercises(lesson).items()} if lesson else {}
    items = []
    for r in rows:
        say = f"<strong>{e(r.result)}</strong>"
        if r.note:
            say += f" ({e(safety.one_line(r.note)[:300])})"
        if r.result != "right" and r.exercise in hints:
            say += f"<br>Hint: {e(hints[r.exercise])}"
        label = f"Exercise {e(r.exercise)}" if r.exercise != "" else "Notebook"
        items.append(f"<li>{label}: {say}</li>")
    right = sum(r.result == "right" for r in rows)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feedback: {e(student_file)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40em;margin:1em auto;padding:0 1em;line-height:1.5}}</style>
</head><body><h1>Feedback on <code>{e(student_file)}</code></h1>
<p>Lesson: {e(title or lesson or "unknown")}. Right: {right} of {len(rows)}.</p>
<ul>{"".join(items)}</ul>
<p>Marked by <code>make grade</code>: each answer was compared with a value computed from the
lesson's sourced data, in a fresh run of your notebook.</p></body></html>
"""


def _page_name(student_file: str, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(student_file).stem).strip("._") or "submission"
    name, i = f"{stem[:80]}.html", 1
    while name in taken:
        i += 1
        name = f"{stem[:80]}-{i}.html"
    taken.add(name)
    return name


def grades_csv(rows: list[Row]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_file", "lesson", "exercise", "result", "note"])
    for r in rows:
        w.writerow(
            [safety.csv_cell(safety.one_line(v)) for v in (r.student_file, r.lesson, r.exercise, r.result)]
            + [safety.csv_cell(safety.one_line(r.note))]
        )
    return buf.getvalue().encode("utf-8")


def grade(
    submissions: str,
    output_dir: str,
    data_dir: str = "data",
    time_limit: int = DEFAULT_TIME_LIMIT,
    jobs: int = 2,
    log=print,
) -> list[Row]:
    """Grade every .ipynb in `submissions`; write OUT/grades.csv and OUT/feedback/*.html."""
    folder, out = Path(submissions).expanduser(), Path(output_dir).expanduser()
    if not folder.is_dir():
        raise GradeError(f"SUBMISSIONS: {safety.quoted(str(folder))} is not a folder")
    if time_limit < 1:
        raise GradeError(f"TIME_LIMIT: {time_limit} must be a whole number of seconds, at least 1")
    files = sorted(p for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file() and not p.is_symlink())
    if not files:
        raise GradeError(f"SUBMISSIONS: no .ipynb file in {safety.quoted(str(folder))}")
    if out.resolve() == folder.resolve() or folder.resolve() in out.resolve().parents:
        raise GradeError("OUT must not be inside SUBMISSIONS")
    from police_lists.pipeline.execute import warm_kernels
    from police_lists.pipeline.teaching import lesson_path

    exercises = teaching.all_exercises()
    # The lessons' own imports, warm, when there are two submissions or more (for one,
    # the server's imports would cost what a kernel's own do). Never a submission's. The
    # server starts first, so its imports overlap the references' computing.
    lessons = [p for p in map(lesson_path, sorted(exercises)) if p.is_file()] if len(files) > 1 else []
    with warm_kernels(lessons) as warm:
        references = {lesson: {n: ex.expected(data_dir) for n, ex in exs.items()} for lesson, exs in exercises.items()}
        titles = _titles()
        socket = warm.socket if warm else None
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            per_file = list(pool.map(lambda p: grade_one(p, data_dir, time_limit, references, socket), files))
    rows = [r for rows in per_file for r in rows]
    atomic_write(out / "grades.csv", grades_csv(rows))
    taken: set[str] = set()
    for path, file_rows in zip(files, per_file):
        lesson = file_rows[0].lesson if file_rows else ""
        page = feedback_page(path.name, lesson, file_rows, titles.get(lesson, ""))
        atomic_write(out / "feedback" / _page_name(path.name, taken), page.encode("utf-8"))
        right = sum(r.result == "right" for r in file_rows)
        log(f"{safety.one_line(path.name)}: {right} of {len(file_rows)} right")
    log(f"grades: {out / 'grades.csv'}")
    return rows


def _titles() -> dict[str, str]:
    import nbformat

    from police_lists.pipeline.teaching import lesson_title

    return {n: lesson_title(nbformat.read(p, as_version=4)) for n, p in teaching.lesson_notebooks().items()}


def main_from_environment(environ=os.environ) -> int:
    """`make grade`: SUBMISSIONS, OUT and TIME_LIMIT from the environment (never through a shell)."""
    submissions, out = environ.get("SUBMISSIONS", ""), environ.get("OUT", "")
    limit_text = environ.get("TIME_LIMIT", "") or str(DEFAULT_TIME_LIMIT)
    try:
        if not submissions or not out:
            raise GradeError("usage: make grade SUBMISSIONS=<folder of .ipynb> OUT=<folder> [TIME_LIMIT=seconds]")
        if not limit_text.isdigit():
            raise GradeError(f"TIME_LIMIT: {safety.quoted(limit_text)} must be a whole number of seconds")
        grade(submissions, out, time_limit=int(limit_text))
    except GradeError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # the child process of execute_submission
    sys.exit(_run_child(sys.argv[1:]))
