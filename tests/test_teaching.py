"""Teaching pack: every instructor solution passes its check, no student
version contains solution code or solution output, checks say right / wrong /
not answered, and a wrong solution fails the build; the pages a teacher hands
out; the classroom bundle installed in a fresh virtual environment outside the
repository (issue 15). Grading is in test_grading.py; both read conftest.taught."""

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest

from police_lists.analyses import teaching
from police_lists.methods.rounding import consistent_counts
from police_lists.pipeline import bundle
from police_lists.pipeline import teaching as teaching_build
from police_lists.pipeline.cli import main as cli_main

EXERCISES = teaching.all_exercises()
LESSONS = list(EXERCISES)
ROOT = Path(__file__).resolve().parents[1]


def _nb(out, lesson, role):
    return nbformat.read(out / "notebooks" / "teaching" / f"{lesson}_{role}.ipynb", as_version=4)


def _html_text(path) -> str:
    """Visible text of an nbconvert page (syntax highlighting splits code into spans)."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _solution_only_lines(source_nb) -> list[str]:
    """Distinctive lines of solution cells: not also in any other cell of the source."""
    other = {
        line.strip()
        for c in source_nb.cells
        if teaching_build.SOLUTION_TAG not in c.metadata.get("tags", [])
        for line in c.source.splitlines()
    }
    lines = [line.strip() for src in teaching_build.solution_sources(source_nb) for line in src.splitlines()]
    return [line for line in lines if len(line) > 12 and line not in other]


def _outputs_text(cells) -> list[str]:
    texts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out["text"])
            for value in out.get("data", {}).values():
                texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def test_both_versions_of_every_lesson_are_published(taught):
    out, written = taught
    assert len(LESSONS) >= 3
    expected = {out / "html" / "teaching" / f"{lesson}_{role}.html" for lesson in LESSONS for role in teaching.ROLES}
    assert set(written) == expected
    for path in expected:
        text = path.read_text(encoding="utf-8")
        assert 'id="provenance"' in text and str(out) not in text
    assert (out / "tables" / "teaching" / "teaching_l1_claims.csv").is_file()


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_solution_passes_its_check(taught, lesson):
    out, _ = taught
    numbers = set(EXERCISES[lesson])
    instructor = _nb(out, lesson, "instructor")
    assert teaching_build.verdicts(instructor) == {n: teaching.RIGHT for n in numbers}
    assert not [c for c in instructor.cells if teaching_build.EXERCISE_TAG in c.metadata.get("tags", [])]
    text = _html_text(out / "html" / "teaching" / f"{lesson}_instructor.html")
    for n in numbers:
        assert f"Exercise {n}: right. Reference answer:" in text


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_version_has_no_solution_code_or_output(taught, lesson):
    out, _ = taught
    source = nbformat.read(teaching_build.lesson_path(lesson), as_version=4)
    student, instructor = _nb(out, lesson, "student"), _nb(out, lesson, "instructor")
    student_html = _html_text(out / "html" / "teaching" / f"{lesson}_student.html")
    instructor_html = _html_text(out / "html" / "teaching" / f"{lesson}_instructor.html")

    # Solution code: every distinctive solution line is in the instructor version and in no student file.
    lines = _solution_only_lines(source)
    assert lines, f"{lesson}: no solution code found"
    student_code = {line.strip() for c in student.cells for line in c.source.splitlines()}
    for line in lines:
        assert line in instructor_html, line
        assert line not in student_code, line
        assert line not in student_html, line
    assert not [c for c in student.cells if teaching_build.SOLUTION_TAG in c.metadata.get("tags", [])]

    # Solution output: what the instructor's solution cells and checks printed never reaches a student.
    solution_cells = [c for c in instructor.cells if teaching_build.SOLUTION_TAG in c.metadata.get("tags", [])]
    instructor_only = [t.strip() for t in _outputs_text(solution_cells) if len(t.strip()) >= 5]
    instructor_only += [
        m.group(0)
        for t in _outputs_text(instructor.cells)
        for m in re.finditer(r"Exercise \d+: right\. Reference answer: [^\n]+", t)
    ]
    assert instructor_only
    student_outputs = "\n".join(_outputs_text(student.cells))
    for text in instructor_only:
        assert text in instructor_html or text.startswith("<") or text.startswith("{"), text
        assert text not in student_outputs, text
        assert text not in student_html, text
    # Every check was reached and reported a blank answer, not a failure.
    numbers = set(EXERCISES[lesson])
    assert teaching_build.verdicts(student) == {n: teaching.UNANSWERED for n in numbers}
    assert "Reference answer" not in student_html


def test_reference_answers_match_the_methods_spec():
    # methods.md section 3 and 7: "61% of 758" allows 459-466; "61.0%" of 758 is impossible;
    # Wilson interval for 462 of 758 starts at 0.574299; DR 4.69; SYV benchmark DR 2.89;
    # 24.2% of one-decimal percentages are impossible at n = 758.
    assert teaching.expected("lesson1_reading_a_statistic", 2) == range(459, 467)
    assert teaching.expected("lesson1_reading_a_statistic", 3) == 0
    assert teaching.one_more_decimal("61") == "61.0"
    assert teaching.expected("lesson2_shares_and_ratios", 1).low == pytest.approx(0.574299, abs=1e-6)
    assert teaching.expected("lesson2_shares_and_ratios", 2) == pytest.approx(4.69, abs=0.005)
    assert teaching.expected("lesson2_shares_and_ratios", 3) == pytest.approx(10.4, abs=0.05)
    assert teaching.expected("lesson3_choosing_a_benchmark", 4) == pytest.approx(2.89, abs=0.005)
    assert teaching.expected("lesson4_checking_figures", 5) / 1001 == pytest.approx(0.242, abs=0.0005)
    # The Matrix peak conflict (claims M6, M7, M12b notes): 3,811 gives 29.8%, 3,881 gives 31.0%.
    assert teaching.expected("lesson4_checking_figures", 1) == pytest.approx(29.78, abs=0.005)
    assert teaching.expected("lesson4_checking_figures", 2) == pytest.approx(31.05, abs=0.005)
    assert teaching.expected("lesson4_checking_figures", 3) == "M7"
    assert teaching.expected("lesson4_checking_figures", 4) == "M6"


def test_checker_says_right_wrong_and_not_answered(capsys):
    student = teaching.Checker("lesson1_reading_a_statistic", "student")
    student.exercise_2(consistent_counts("61", 758))
    student.exercise_2((459, 465))
    student.exercise_2("459-466")
    student.exercise_2(None)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Exercise 2: right. Reference answer: 459 to 466"
    assert lines[1].startswith("Exercise 2: not right yet. Hint:") and "466" not in lines[1]
    assert lines[2].startswith("Exercise 2: not right yet (expected (lowest, highest)). Hint:")
    assert lines[3].startswith("Exercise 2: not answered yet. Hint:")
    assert student.results == {2: teaching.UNANSWERED}

    instructor = teaching.Checker("lesson1_reading_a_statistic", "instructor")
    with pytest.raises(teaching.ExerciseCheckError, match="exercise 1: the solution is not right yet"):
        instructor.exercise_1(462)
    with pytest.raises(teaching.ExerciseCheckError, match="not answered yet"):
        instructor.exercise_3(None)
    instructor.exercise_3(0)
    with pytest.raises(KeyError):
        instructor.exercise_9(0)


def _broken_copy(tmp_path, lesson, edit):
    nb = nbformat.read(teaching_build.lesson_path(lesson), as_version=4)
    edit(nb)
    path = tmp_path / f"{lesson}.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_wrong_solution_fails_the_instructor_build(tmp_path, monkeypatch):
    lesson = "lesson1_reading_a_statistic"

    def wrong_solution(nb):
        cell = next(c for c in nb.cells if "answer_3 =" in c.source and teaching_build.SOLUTION_TAG in c.metadata.tags)
        cell.source = "answer_3 = 1\nanswer_3"

    path = _broken_copy(tmp_path, lesson, wrong_solution)
    monkeypatch.setattr(teaching_build, "lesson_path", lambda name: path)
    out = tmp_path / "out"
    with pytest.raises(teaching_build.TeachingBuildError, match=r"\(instructor\): ExerciseCheckError: .*exercise 3"):
        teaching_build.build_teaching(
            str(out), lessons=[lesson], validate_first=False, bundle=False, log=lambda *_: None
        )
    assert not (out / "html").exists() and not (out / "notebooks").exists()
    assert not (out / ".staging" / "teaching").exists()


def test_an_answer_given_away_fails_the_student_build(tmp_path, monkeypatch):
    lesson = "lesson1_reading_a_statistic"

    def leak(nb):
        cell = next(c for c in nb.cells if "answer_1 = None" in c.source)
        cell.source = 'answer_1 = float(teaching.value("PD3", data_dir)) * teaching.count("P3", data_dir) / 100'

    path = _broken_copy(tmp_path, lesson, leak)
    monkeypatch.setattr(teaching_build, "lesson_path", lambda name: path)
    with pytest.raises(teaching_build.TeachingBuildError, match=r"\(student\): checks printed \{1: 'right'\}"):
        teaching_build.build_teaching(
            str(tmp_path / "out"), lessons=[lesson], validate_first=False, bundle=False, log=lambda *_: None
        )


def test_cli_unknown_lesson_is_one_line_and_non_zero(capsys):
    assert cli_main(["teaching", "--lesson", "no_such_lesson", "--output-dir", "/tmp/unused-teaching"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_such_lesson" in err[0]


# ---------------------------------------------------------------- pages a teacher hands out


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_page_reads_as_a_worksheet(taught, lesson):
    out, _ = taught
    text = _html_text(out / "html" / "teaching" / f"{lesson}_student.html")
    assert "not answered yet" not in text and "Fill in each" not in text and "Student version" not in text
    for ex in EXERCISES[lesson].values():
        assert f"Hint: {ex.hint}" in text  # each exercise with its hint, written once in the notebook
    info = nbformat.read(teaching_build.lesson_path(lesson), as_version=4).metadata["lesson"]
    assert f"about {info['minutes']} minutes" in text and info["prerequisites"] in text
    assert all(goal in text for goal in info["goals"])


@pytest.mark.parametrize("role", teaching.ROLES)
def test_pages_show_one_parameters_cell_wrapped_code_and_the_real_command(taught, role):
    out, _ = taught
    for lesson in LESSONS:
        page = (out / "html" / "teaching" / f"{lesson}_{role}.html").read_text(encoding="utf-8")
        text = _html_text(out / "html" / "teaching" / f"{lesson}_{role}.html")
        assert text.count("role: str =") == 1 and f'role: str = "{role}"' in text
        assert not re.search(r"^role = ", text, re.M)  # papermill's injected copy is not shown
        assert teaching_build.WRAP_CODE in page
        assert "built by make teaching" in text and "make all" not in text
        assert '<a href="index.html">All lessons</a>' in page
        if role == "instructor":  # answers written for people, never a repr
            assert not re.search(r"Estimate\(value=|\brange\(\d+, \d+\)|Decimal\('", text)


def test_teaching_index_lists_every_lesson_with_goals_timing_and_prerequisites(taught):
    out, _ = taught
    page = (out / "html" / "teaching" / "index.html").read_text(encoding="utf-8")
    assert f'content="{html.escape(teaching_build.CSP)}"' in page
    for lesson in LESSONS:
        nb = nbformat.read(teaching_build.lesson_path(lesson), as_version=4)
        info = nb.metadata["lesson"]
        assert html.escape(teaching_build.lesson_title(nb)) in page
        assert f"about {info['minutes']} minutes" in page and html.escape(info["prerequisites"]) in page
        assert f'href="{lesson}_student.html"' in page and f'href="{lesson}_instructor.html"' in page


def test_no_check_or_hint_is_written_twice():
    # The hint lives in the exercise cell's metadata only; no cell repeats it as a comment.
    for lesson in LESSONS:
        nb = nbformat.read(teaching_build.lesson_path(lesson), as_version=4)
        code = "\n".join(c.source for c in nb.cells)
        for ex in EXERCISES[lesson].values():
            assert ex.hint not in code
            assert "Hint" not in code


# ---------------------------------------------------------------- the classroom bundle


def _answered(handout, lesson):
    """A handout notebook with each `answer_N = None` replaced by the lesson's solution cell:
    what a student who got everything right hands in."""
    source = nbformat.read(teaching_build.lesson_path(lesson), as_version=4)
    solutions = {}
    for cell in source.cells:
        if teaching_build.SOLUTION_TAG in cell.metadata.get("tags", []):
            solutions[int(re.search(r"^answer_(\d+) =", cell.source, re.M)[1])] = cell.source
    nb = nbformat.from_dict(json.loads(json.dumps(handout)))
    for cell in nb.cells:
        m = re.search(r"^answer_(\d+) = None$", cell.source, re.M)
        if m:
            cell.source = solutions[int(m[1])]
    return nb


def _handout(out, lesson):
    return nbformat.read(out / "teaching" / f"{lesson}.ipynb", as_version=4)


def test_bundle_holds_notebooks_a_wheel_with_the_data_and_a_readme(taught):
    out, _ = taught
    folder = out / "teaching"
    wheel = folder / bundle.wheel_filename()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([*(f"{lesson}.ipynb" for lesson in LESSONS), "README.md", wheel.name])
    with zipfile.ZipFile(wheel) as z:
        files = set(z.namelist())
        assert "police_lists/_bundle/data/datapackage.json" in files
        assert "police_lists/_bundle/data/claims.csv" in files
        specs = json.loads(z.read("police_lists/_bundle/teaching/exercises.json"))
        assert {z.getinfo(n).date_time for n in files} == {(1980, 1, 1, 0, 0, 0)}
        wheel_text = "\n".join(z.read(n).decode("utf-8", "replace") for n in files)
    assert set(specs) == set(LESSONS)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert wheel.name in readme and all(f"{lesson}.ipynb" in readme for lesson in LESSONS)
    for lesson in LESSONS:
        handout = _handout(out, lesson)
        assert handout.metadata["police_lists"] == {"lesson": lesson}
        assert wheel.name in handout.cells[1].source and "%pip install" in handout.cells[1].source
        assert not [c for c in handout.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert "not answered yet" not in json.dumps(handout)
        # no solution code in any file of the bundle (the package's own source shares generic
        # lines such as imports with the solutions; every line that computes an answer is checked)
        source = nbformat.read(teaching_build.lesson_path(lesson), as_version=4)
        lines = _solution_only_lines(source)
        assert [line for line in lines if "answer_" in line]
        for line in lines:
            assert line not in json.dumps(handout), line
            assert "answer_" not in line or line not in wheel_text, line


def test_the_wheel_is_byte_identical_between_builds(taught, tmp_path):
    out, _ = taught
    again = bundle.build_wheel(tmp_path, "data", EXERCISES)
    built = out / "teaching" / bundle.wheel_filename()
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(built.read_bytes()).hexdigest()


def _fresh_venv(where: Path, *requirements: str) -> dict:
    """A virtual environment in `where` (outside the clone) with only `requirements`
    installed by pip (from the package index pip is configured with); the environment
    variables that make its `python`, `papermill` and kernel the ones used."""
    assert not where.resolve().is_relative_to(ROOT.resolve())
    venv.EnvBuilder(with_pip=True).create(where)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("POLICE_LISTS_ROOT", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    }
    # pip byte-compiles every module it installs (about 5,000 files for the wheel's
    # dependencies: 60% of the install's CPU, measured); the kernels compile on first
    # import the few hundred they use and keep them. `PIP_COMPILE=0` is pip's
    # `--no-compile` (pip sets an option's destination to the variable's value, so
    # PIP_NO_COMPILE=1 would mean compile). It reaches the lesson's `%pip install` too.
    env["PIP_COMPILE"] = "0"
    env["PATH"] = f"{where / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_PATH"] = str(where / "share" / "jupyter")
    subprocess.run([where / "bin" / "python", "-m", "pip", "install", "--quiet", *requirements], check=True, env=env)
    return env


def _run_in(env: dict, venv_dir: Path, folder: Path, name: str) -> nbformat.NotebookNode:
    subprocess.run(
        [venv_dir / "bin" / "papermill", name, f"done_{name}", "-p", "role", "instructor", "--no-progress-bar"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    return nbformat.read(folder / f"done_{name}", as_version=4)


def test_the_wheel_alone_runs_every_lesson_outside_the_repository_first_as_on_colab(taught, tmp_path):
    """One fresh virtual environment outside the clone, holding only a kernel and
    papermill (the wheel's `[notebook]` extra), as on Colab or a JupyterHub:
      1. the first lesson's setup cell runs `%pip install <wheel>` from the notebook's
         folder (the wheel's dependencies come from the package index pip is configured
         with; on the reference machine that is PyPI through a local cache), and the
         lesson runs;
      2. the package so installed knows it is not in a repository;
      3. every student notebook, answered with the lesson's solutions, then runs from
         an empty folder in the instructor role, where a check that is not right stops
         the run, and its outputs land where it runs.
    One environment for both (it was two): the second install is what the first left."""
    out, _ = taught
    wheel = out / "teaching" / bundle.wheel_filename()
    assert bundle.pinned(bundle.NOTEBOOK) == [f"{n}=={v}" for n, v in _extra_pins(wheel, "notebook")]
    env = _fresh_venv(tmp_path / "venv", *bundle.pinned(bundle.NOTEBOOK))
    python = tmp_path / "venv" / "bin" / "python"
    missing = subprocess.run([python, "-c", "import police_lists"], cwd=tmp_path, env=env, capture_output=True)
    assert missing.returncode == 1  # the kernel has no package before the setup cell

    lesson = LESSONS[0]
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(wheel, folder)
    nbformat.write(_answered(_handout(out, lesson), lesson), folder / f"{lesson}.ipynb")
    done = _run_in(env, tmp_path / "venv", folder, f"{lesson}.ipynb")
    assert teaching_build.verdicts(done) == {n: teaching.RIGHT for n in EXERCISES[lesson]}

    check = subprocess.run(
        [python, "-c", "import police_lists.contract.paths as p; print(p.IN_REPOSITORY)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip() == "False"  # the package knows it is not in a repository
    for lesson in LESSONS:
        folder = tmp_path / f"class_{lesson}"
        folder.mkdir()
        nbformat.write(_answered(_handout(out, lesson), lesson), folder / f"{lesson}.ipynb")
        done = _run_in(env, tmp_path / "venv", folder, f"{lesson}.ipynb")
        assert teaching_build.verdicts(done) == {n: teaching.RIGHT for n in EXERCISES[lesson]}
        assert (folder / "outputs" / "tables").is_dir()  # outputs land where the notebook runs


def _extra_pins(wheel: Path, extra: str) -> list[tuple[str, str]]:
    """(name, version) of each requirement the wheel's METADATA gives for `extra`."""
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode("utf-8")
    return re.findall(rf"^Requires-Dist: ([A-Za-z0-9_.\-]+)==(\S+); extra == \"{extra}\"$", text, re.M)
