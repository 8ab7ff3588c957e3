"""Teaching pack: every instructor solution passes its check, no student
version contains solution code or solution output, checks say right / wrong /
not answered, and a wrong solution fails the build."""

import html
import json
import re

import nbformat
import pytest

from police_lists.analyses import teaching
from police_lists.methods.rounding import consistent_counts
from police_lists.pipeline import teaching as teaching_build
from police_lists.pipeline.cli import main as cli_main

LESSONS = list(teaching.LESSONS)


@pytest.fixture(scope="module")
def taught(tmp_path_factory):
    """`make teaching`'s builder, run once into a temporary output folder."""
    out = tmp_path_factory.mktemp("teaching-out")
    written = teaching_build.build_teaching(output_dir=str(out), log=lambda *_: None)
    return out, written


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
    numbers = {ex.number for ex in teaching.LESSONS[lesson]["exercises"]}
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
    numbers = {ex.number for ex in teaching.LESSONS[lesson]["exercises"]}
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
    assert lines[0] == "Exercise 2: right. Reference answer: 459–466"
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
        teaching_build.build_teaching(str(out), lessons=[lesson], validate_first=False, log=lambda *_: None)
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
            str(tmp_path / "out"), lessons=[lesson], validate_first=False, log=lambda *_: None
        )


def test_cli_unknown_lesson_is_one_line_and_non_zero(capsys):
    assert cli_main(["teaching", "--lesson", "no_such_lesson", "--output-dir", "/tmp/unused-teaching"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_such_lesson" in err[0]
