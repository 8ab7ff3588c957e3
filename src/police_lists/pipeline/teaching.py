"""Teaching pack build: the student and instructor version of every lesson
(the checks themselves are analyses.teaching).

Each lesson in notebooks/teaching/ is ONE parameterised notebook whose cells
may be tagged "exercise" (the blank student answer) or "solution". The student
version has the solution cells removed BEFORE execution, and every check must
print "not answered yet"; the instructor version has the exercise cells
removed, and every check must print "right". Both are published only when all
versions succeeded: <out>/html/teaching/<lesson>_<role>.html and
<out>/notebooks/teaching/<lesson>_<role>.ipynb.
"""

from __future__ import annotations

import copy
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from police_lists.analyses.teaching import LESSONS, RIGHT, ROLES, UNANSWERED
from police_lists.contract.files import sha256_file
from police_lists.contract.paths import PROJECT_ROOT, display_path, notebooks_dir, resolve
from police_lists.pipeline.convert import provenance_html, to_html
from police_lists.pipeline.execute import clean_executed, execute
from police_lists.pipeline.provenance import data_inputs, git_commit, package_versions
from police_lists.pipeline.publish import publish, staged_outputs, staging_area

SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
VERDICT = re.compile(r"Exercise (\d+): (right|not right yet|not answered yet)")


class TeachingBuildError(RuntimeError):
    """A lesson could not be built, or a version broke the student/instructor contract."""


def teaching_dir() -> Path:
    return notebooks_dir() / "teaching"


def lesson_path(lesson: str) -> Path:
    return teaching_dir() / f"{lesson}.ipynb"


def version_for(nb, role: str):
    """The notebook a role sees: the other role's tagged cells removed."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}; got {role!r}")
    drop = SOLUTION_TAG if role == "student" else EXERCISE_TAG
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if drop not in c.metadata.get("tags", [])]
    return out


def solution_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if SOLUTION_TAG in c.metadata.get("tags", [])]


def verdicts(nb) -> dict[int, str]:
    """Exercise number -> verdict printed by its check in an executed notebook."""
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            for number, verdict in VERDICT.findall(text):
                found[int(number)] = verdict
    return found


def _run(lesson: str, role: str, data_dir: str, staging: Path, shown_out: str):
    import nbformat

    source = nbformat.read(lesson_path(lesson), as_version=4)
    nb = version_for(source, role)
    src_dir, run_dir, out_dir = staging / "source", staging / "run", staging / "outputs"
    src_dir.mkdir(parents=True, exist_ok=True)
    path = src_dir / f"{lesson}_{role}.ipynb"
    nbformat.write(nb, path)
    staging_param = display_path(out_dir) if out_dir.resolve().is_relative_to(PROJECT_ROOT.resolve()) else str(out_dir)
    try:
        executed = execute(path, {"data_dir": data_dir, "output_dir": staging_param, "role": role}, run_dir)
    except Exception as exc:  # papermill's error carries the whole traceback; keep one line
        reason = f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"
        raise TeachingBuildError(f"{lesson} ({role}): {reason}".splitlines()[0]) from exc
    clean_executed(executed, shown_out, staging_param)

    expected_numbers = {ex.number for ex in LESSONS[lesson]["exercises"]}
    found = verdicts(executed)
    if set(found) != expected_numbers:
        raise TeachingBuildError(
            f"{lesson} ({role}): checks ran for exercises {sorted(found)}, the registry has {sorted(expected_numbers)}"
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


def build_teaching(
    output_dir: str = "outputs",
    data_dir: str = "data",
    lessons: list[str] | None = None,
    jobs: int = 1,
    validate_first: bool = True,
    log=print,
) -> list[Path]:
    """Validate data, render the student and instructor version of every lesson,
    and publish them only when all succeeded. Returns the HTML files written."""
    import nbformat

    from police_lists.contract import validate

    names = list(LESSONS) if lessons is None else lessons
    unknown = sorted(set(names) - set(LESSONS))
    if unknown:
        raise TeachingBuildError(f"no lesson named {unknown}; known: {sorted(LESSONS)}")
    for name in names:
        if not lesson_path(name).is_file():
            raise TeachingBuildError(f"{display_path(lesson_path(name))}: lesson notebook missing")
    if validate_first:
        validate.validate(data_dir)

    out = resolve(output_dir)
    shown_out = display_path(out)
    versions, commit = package_versions(), git_commit()
    jobs_todo = [(name, role) for name in names for role in ROLES]

    def run(job, staging_root):
        name, role = job
        staging = staging_root / f"{name}_{role}"
        nb = _run(name, role, data_dir, staging, shown_out)
        inputs = {**data_inputs(data_dir), display_path(lesson_path(name)): sha256_file(lesson_path(name))}
        params = {"data_dir": data_dir, "output_dir": shown_out, "role": role}
        footer = provenance_html(f"{name}_{role}", params, inputs, versions, commit)
        return name, role, nb, to_html(nb, f"{name}_{role}", footer, show_code=True), staging

    written = []
    with staging_area(out, "teaching") as staging_root:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(lambda job: run(job, staging_root), jobs_todo))
        # Everything executed and passed its checks: only now touch the published folders.
        for name, role, nb, page, staging in results:
            html_rel = f"html/teaching/{name}_{role}.html"
            # Tables and figures come from non-solution cells, the same in both runs: the student's are published.
            staged = [(path, rel.replace("/", "/teaching/", 1)) for path, rel in staged_outputs(staging / "outputs")]
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
    return written
