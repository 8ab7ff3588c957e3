"""Teaching pack build: the student and instructor version of every lesson
(the checks themselves are analyses.teaching), the teaching index, and the
classroom bundle (pipeline.bundle).

Each lesson in notebooks/teaching/ is ONE parameterised notebook whose cells
may be tagged "exercise" (the blank student answer, with the exercise's check
in its metadata) or "solution". The student version has the solution cells
removed BEFORE execution, and every check must print "not answered yet"; the
instructor version has the exercise cells removed, and every check must print
"right". Versions run in parallel (each kernel on its own sockets, execute.py), in
kernels forked warm by the server of pipeline/warmkernel.py, as the build's are.
Everything is published only when all versions succeeded:
  <out>/html/teaching/index.html                  lessons with goals, timing, prerequisites
  <out>/html/teaching/<lesson>_<role>.html        the pages (student: a worksheet)
  <out>/notebooks/teaching/<lesson>_<role>.ipynb  the executed versions
  <out>/teaching/                                 the classroom bundle (pipeline.bundle)
"""

from __future__ import annotations

import copy
import html
import os
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from police_lists.analyses.teaching import (
    EXERCISE_TAG,
    RIGHT,
    ROLES,
    UNANSWERED,
    all_exercises,
    lesson_notebooks,
)
from police_lists.contract.files import sha256_file
from police_lists.contract.paths import PROJECT_ROOT, display_path, notebooks_dir, resolve
from police_lists.pipeline.convert import CSP, provenance_html, to_html
from police_lists.pipeline.execute import clean_executed, execute, warm_kernels
from police_lists.pipeline.provenance import data_inputs, git_commit, package_versions
from police_lists.pipeline.publish import publish, staged_outputs, staging_area

SOLUTION_TAG = "solution"
INJECTED_TAG = "injected-parameters"
VERDICT = re.compile(r"Exercise (\d+): (right|not right yet|not answered yet)")
CHECK_CALL = re.compile(r"^\s*check\.exercise_\d+\(", re.M)
COMMAND = "make teaching"
# Teaching pages show code; long lines wrap instead of running off the page (the
# appendix template scrolls them, which hides the end of a hint on a phone or in print).
WRAP_CODE = "<style>pre, code { white-space: pre-wrap; overflow-wrap: anywhere; }</style>"


class TeachingBuildError(RuntimeError):
    """A lesson could not be built, or a version broke the student/instructor contract."""


def teaching_dir() -> Path:
    return notebooks_dir() / "teaching"


def lesson_path(lesson: str) -> Path:
    return teaching_dir() / f"{lesson}.ipynb"


def lesson_title(nb) -> str:
    """The lesson's title: the first level-one heading of its notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^# (.+)$", cell.source, re.M)
            if m:
                return m[1].strip()
    return nb.metadata.get("title", "")


def _tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def version_for(nb, role: str):
    """The notebook a role sees: the other role's tagged cells removed, the role
    written into the parameters cell, and each exercise cell carrying its hint as
    a comment (the check itself stays in the source notebook and the package)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}; got {role!r}")
    drop = SOLUTION_TAG if role == "student" else EXERCISE_TAG
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if drop not in _tags(c)]
    for cell in out.cells:
        if "parameters" in _tags(cell):
            cell.source = re.sub(r'^(role: str = )"[a-z]+"', rf'\1"{role}"', cell.source, flags=re.M)
        spec = cell.metadata.pop(EXERCISE_TAG, None)
        if spec:
            cell.source = f"# Hint: {spec['hint']}\n{cell.source}"
    return out


def solution_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if SOLUTION_TAG in _tags(c)]


def verdicts(nb) -> dict[int, str]:
    """Exercise number -> verdict printed by its check in an executed notebook."""
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            for number, verdict in VERDICT.findall(text):
                found[int(number)] = verdict
    return found


def _run(lesson: str, role: str, data_dir: str, staging: Path, shown_out: str, expected_numbers: set[int], warm=None):
    import nbformat

    source = nbformat.read(lesson_path(lesson), as_version=4)
    nb = version_for(source, role)
    src_dir, run_dir, out_dir = staging / "source", staging / "run", staging / "outputs"
    src_dir.mkdir(parents=True, exist_ok=True)
    path = src_dir / f"{lesson}_{role}.ipynb"
    nbformat.write(nb, path)
    staging_param = display_path(out_dir) if out_dir.resolve().is_relative_to(PROJECT_ROOT.resolve()) else str(out_dir)
    try:
        executed = execute(path, {"data_dir": data_dir, "output_dir": staging_param, "role": role}, run_dir, warm)
    except Exception as exc:  # papermill's error carries the whole traceback; keep one line
        reason = f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"
        raise TeachingBuildError(f"{lesson} ({role}): {reason}".splitlines()[0]) from exc
    clean_executed(executed, shown_out, staging_param)

    found = verdicts(executed)
    if set(found) != expected_numbers:
        raise TeachingBuildError(
            f"{lesson} ({role}): checks ran for exercises {sorted(found)}, the notebook defines {sorted(expected_numbers)}"
        )
    want = RIGHT if role == "instructor" else UNANSWERED
    bad = {n: v for n, v in found.items() if v != want}
    if bad:
        raise TeachingBuildError(f"{lesson} ({role}): checks printed {bad}, every one should be {want!r}")
    if role == "student":
        code = "\n".join(c.source for c in executed.cells)
        leaked = [s for s in solution_sources(source) if s.strip() and s.strip() in code]
        if leaked:
            raise TeachingBuildError(f"{lesson} (student): solution code found: {leaked[0][:60]!r}")
    return executed


# --- what people see ---------------------------------------------------------


def lesson_info(nb) -> dict:
    """Goals, timing and prerequisites: the notebook's own metadata ("lesson")."""
    info = nb.metadata.get("lesson", {})
    missing = [k for k in ("minutes", "prerequisites", "timing", "goals") if k not in info]
    if missing:
        raise TeachingBuildError(f"lesson notebook metadata 'lesson' lacks {missing}")
    return info


def _info_markdown(info: dict, role: str, lesson: str) -> str:
    goals = "\n".join(f"- {g}" for g in info["goals"])
    if role == "student":
        how = (
            "**Worksheet.** Each exercise below comes with a hint. Work in the notebook "
            f"`{lesson}.ipynb` of the classroom bundle: it checks your answers as you go."
        )
    else:
        how = "**Instructor version.** Each solution is shown with its check and the reference answer."
    return (
        f"{how}\n\n**Time:** about {info['minutes']} minutes ({info['timing']}).\n\n"
        f"**Before this lesson:** {info['prerequisites']}\n\n**By the end, students can:**\n\n{goals}"
    )


def page_version(executed, role: str, lesson: str, info: dict):
    """The notebook as a page shows it: one parameters cell (papermill's injected
    copy removed; the typed cell already holds the role), the lesson's goals, timing
    and prerequisites under its title, and, for students, a worksheet: no check
    output ("not answered yet" for every exercise) and no banner meant for a notebook."""
    import nbformat

    nb = copy.deepcopy(executed)
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in _tags(c)]
    for cell in nb.cells:
        if cell.cell_type == "code" and "start_lesson(" in cell.source:
            cell.outputs = []  # the notebook banner; the page's own words come next
        if role == "student" and cell.cell_type == "code" and CHECK_CALL.search(cell.source):
            cell.outputs = []
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(_info_markdown(info, role, lesson), id="lesson-info"))
    return nb


SETUP_CELL = """# Setup for Colab or a JupyterHub: put the .whl file of the classroom bundle next to this
# notebook; this cell installs it when the package is missing (nothing happens when it is there).
import importlib.util

if importlib.util.find_spec("police_lists") is None:
    %pip install --quiet {wheel}"""


def handout_version(executed, lesson: str, wheel: str):
    """The student notebook of the classroom bundle: the executed student version
    without papermill's injected cell or check output, a setup cell that installs
    the bundle's wheel where the package is missing, and the lesson's name in its
    metadata (the grader reads it)."""
    import nbformat

    nb = copy.deepcopy(executed)
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in _tags(c)]
    for cell in nb.cells:
        if cell.cell_type == "code" and CHECK_CALL.search(cell.source):
            cell.outputs = []
            cell.execution_count = None
    nb.cells.insert(1, nbformat.v4.new_code_cell(SETUP_CELL.format(wheel=wheel), id="setup"))
    nb.metadata.pop("papermill", None)
    nb.metadata["police_lists"] = {"lesson": lesson}
    return nb


def _page_html(nb, name: str, footer: str) -> str:
    page = to_html(nb, name, footer, show_code=True, index_href="index.html")
    page = page.replace("All appendices</a>", "All lessons</a>", 1)
    return page.replace("</head>", WRAP_CODE + "</head>", 1)


def _footer(name: str, params: dict, inputs: dict, versions: dict, commit: str) -> str:
    footer = provenance_html(name, params, inputs, versions, commit)
    return footer.replace("<code>make all</code>", f"<code>{COMMAND}</code>", 1)


def index_page(lessons: list[tuple[str, str, dict]], wheel: str) -> str:
    """outputs/html/teaching/index.html: every lesson with its goals, timing and
    prerequisites, its two pages, and where the classroom bundle is."""
    e = html.escape
    items = []
    for name, title, info in lessons:
        goals = "".join(f"<li>{e(g)}</li>" for g in info["goals"])
        items.append(
            f'<section><h2 id="{e(name)}">{e(title)}</h2>'
            f"<p><strong>Time:</strong> about {int(info['minutes'])} minutes ({e(info['timing'])}).</p>"
            f"<p><strong>Before this lesson:</strong> {e(info['prerequisites'])}</p>"
            f"<p><strong>Students can, by the end:</strong></p><ul>{goals}</ul>"
            f'<p><a href="{e(name)}_student.html">Student worksheet</a> · '
            f'<a href="{e(name)}_instructor.html">Instructor version with answers</a> · '
            f"notebook <code>outputs/teaching/{e(name)}.ipynb</code></p></section>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Teaching pack: police lists in London</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48em;margin:1em auto;padding:0 1em;line-height:1.5}}
code{{white-space:pre-wrap;overflow-wrap:anywhere}}</style></head>
<body><header><p><a href="../index.html">All appendices</a></p>
<h1>Teaching pack: police lists in London</h1>
<p>Lessons for a data-journalism class on two London police lists, Operation Pima and the Gangs
Violence Matrix. Each lesson has a student worksheet (exercises with hints) and an instructor
version (solutions, checked against values computed from the project's sourced data). Students work
in the lesson notebooks of the classroom bundle, <code>outputs/teaching/</code>: the notebooks, the
Python package with the data inside (<code>{e(wheel)}</code>) and a README for students. Their
finished notebooks are marked with <code>make grade SUBMISSIONS=folder OUT=folder</code>.</p></header>
<main>{"".join(items)}</main>
<footer><p>Built by <code>{COMMAND}</code>. The teacher's guide is
<code>notebooks/teaching/README.md</code>.</p></footer></body></html>
"""


# --- the build -----------------------------------------------------------------


@contextmanager
def _papermill_state_restored():
    """papermill runs each notebook inside os.chdir(its folder) and keeps the folder of its
    local file handler in a module global, both process-wide: threads interleaving leave
    them pointing at another run's staging folder, deleted afterwards, and the next build
    in the same process then fails to read its notebook. Put both back as they were."""
    from papermill.iorw import papermill_io

    start = os.getcwd()
    handler = papermill_io.get_handler("local")
    before = handler.cwd(None)
    handler.cwd(before)
    try:
        yield
    finally:
        os.chdir(start)
        handler.cwd(before)


def build_teaching(
    output_dir: str = "outputs",
    data_dir: str = "data",
    lessons: list[str] | None = None,
    jobs: int = 2,
    validate_first: bool = True,
    bundle: bool = True,
    log=print,
) -> list[Path]:
    """Validate data, render the student and instructor version of every lesson
    (`jobs` at once), and publish them, the teaching index and the classroom
    bundle only when all succeeded. Returns the HTML files written."""
    import nbformat

    from police_lists.contract import validate
    from police_lists.pipeline import bundle as classroom

    known = lesson_notebooks()
    names = list(known) if lessons is None else lessons
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise TeachingBuildError(f"no lesson named {unknown}; known: {sorted(known)}")
    for name in names:
        if not lesson_path(name).is_file():
            raise TeachingBuildError(f"{display_path(lesson_path(name))}: lesson notebook missing")
    try:
        exercises = all_exercises()
    except ValueError as exc:
        raise TeachingBuildError(str(exc)) from None
    sources = {name: nbformat.read(lesson_path(name), as_version=4) for name in names}
    infos = {name: lesson_info(nb) for name, nb in sources.items()}
    # The warm-kernel server (pipeline/warmkernel.py) imports what the lessons import while
    # data/ is validated, then forks each lesson's kernel with them loaded, as the build does.
    with warm_kernels([lesson_path(name) for name in names]) as warm:
        if validate_first:
            validate.validate(data_dir)

        out = resolve(output_dir)
        shown_out = display_path(out)
        versions, commit = package_versions(), git_commit()
        jobs_todo = [(name, role) for name in names for role in ROLES]
        wheel_name = classroom.wheel_filename()

        def run(job, staging_root):
            name, role = job
            staging = staging_root / f"{name}_{role}"
            nb = _run(name, role, data_dir, staging, shown_out, set(exercises[name]), warm)
            inputs = {**data_inputs(data_dir), display_path(lesson_path(name)): sha256_file(lesson_path(name))}
            params = {"data_dir": data_dir, "output_dir": shown_out, "role": role}
            footer = _footer(f"{name}_{role}", params, inputs, versions, commit)
            page = _page_html(page_version(nb, role, name, infos[name]), f"{name}_{role}", footer)
            return name, role, nb, page, staging

        written = []
        with staging_area(out, "teaching") as staging_root:
            with _papermill_state_restored(), ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                results = list(pool.map(lambda job: run(job, staging_root), jobs_todo))
            handouts = {
                name: nbformat.writes(handout_version(nb, name, wheel_name)).encode("utf-8")
                for name, role, nb, _, _ in results
                if role == "student"
            }
            wheel = classroom.build_wheel(staging_root / "wheel", data_dir, exercises) if bundle else None
            # Everything executed and passed its checks: only now touch the published folders.
            for name, role, nb, page, staging in results:
                html_rel = f"html/teaching/{name}_{role}.html"
                # Tables and figures come from non-solution cells, the same in both runs: the student's are published.
                staged = [
                    (path, rel.replace("/", "/teaching/", 1)) for path, rel in staged_outputs(staging / "outputs")
                ]
                publish(
                    out,
                    {
                        f"notebooks/teaching/{name}_{role}.ipynb": nbformat.writes(nb).encode("utf-8"),
                        html_rel: page.encode("utf-8"),
                    },
                    staged if role == "student" else [],
                )
                written.append(out / html_rel)
                log(f"{name}: {role} version built")
            titles = [(name, lesson_title(sources[name]), infos[name]) for name in names]
            publish(out, {"html/teaching/index.html": index_page(titles, wheel_name).encode("utf-8")})
            log(f"teaching index: {display_path(out / 'html/teaching/index.html')}")
            if wheel is not None:
                for path in classroom.publish_bundle(out, wheel, handouts, titles):
                    log(f"classroom bundle: {display_path(path)}")
    return written
