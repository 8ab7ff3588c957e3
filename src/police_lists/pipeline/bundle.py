"""The classroom bundle, <out>/teaching/: what a teacher hands to a class that
does not have this repository.

  <lesson>.ipynb                     the student notebooks (pipeline.teaching.handout_version)
  police_lists-<version>-py3-none-any.whl
                                     the package with the data the lessons read inside it
                                     (police_lists/_bundle/data/ and the lessons' exercise checks,
                                     _bundle/teaching/exercises.json), so nothing reads the repository
  README.md                          one page for students (notebooks/teaching/for_students.md)

The wheel is built by setuptools through `pip wheel --no-deps --no-build-isolation`
from a copy of the package in a temporary folder (the repository's src/ is never
touched): offline, with the build backend pinned in requirements.txt, and
byte-identical between builds (SOURCE_DATE_EPOCH fixes every timestamp in the zip;
setuptools writes the files in sorted order). Its dependencies are the runtime
packages the lessons import, at the versions pinned in constraints.txt; the extra
`[notebook]` adds a kernel and papermill for a bare Python (Colab and JupyterHub have them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from police_lists import __version__
from police_lists.contract.paths import BUNDLE, PROJECT_ROOT
from police_lists.contract.paths import data_dir as data_folder
from police_lists.pipeline.publish import publish

# What a lesson imports at run time (the rest of requirements.txt builds and tests the project).
RUNTIME = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "jinja2")  # jinja2: pandas' Styler
NOTEBOOK = ("ipykernel", "papermill")
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest date a zip file can hold: no build time leaks
STUDENT_README = "for_students.md"


class BundleError(RuntimeError):
    """The classroom wheel could not be built."""


def wheel_filename() -> str:
    return f"police_lists-{__version__}-py3-none-any.whl"


def pinned(names: tuple[str, ...], constraints: Path | None = None) -> list[str]:
    """'name==version' for each name, from constraints.txt (every pin, direct or not; one place for versions)."""
    text = (constraints or PROJECT_ROOT / "constraints.txt").read_text(encoding="utf-8")
    pins = {m[1].lower(): m[0] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==\S+", text, re.M)}
    missing = [n for n in names if n.lower() not in pins]
    if missing:
        raise BundleError(f"constraints.txt pins no version of {missing}")
    return [pins[n.lower()] for n in names]


def _pyproject_for_wheel(text: str) -> str:
    """The project's pyproject.toml with the wheel's dependencies filled in (the
    repository's own installs its pins from requirements.txt and lists none)."""
    deps = ", ".join(json.dumps(p) for p in pinned(RUNTIME))
    extra = ", ".join(json.dumps(p) for p in pinned(NOTEBOOK))
    new, n = re.subn(r"^dependencies = \[\]$", f"dependencies = [{deps}]", text, count=1, flags=re.M)
    if n != 1:
        raise BundleError("pyproject.toml: no 'dependencies = []' line to fill in for the classroom wheel")
    return new + f"\n[project.optional-dependencies]\nnotebook = [{extra}]\n"


def build_wheel(work: Path, data_dir: str, exercises: dict) -> Path:
    """Build the classroom wheel in `work` (a staging folder) and return its path."""
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="police-lists-wheel-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(
            PROJECT_ROOT / "src",
            project / "src",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", BUNDLE),
        )
        shutil.copy2(PROJECT_ROOT / "README.md", project / "README.md")
        text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
        (project / "pyproject.toml").write_text(_pyproject_for_wheel(text), encoding="utf-8")
        packaged = project / "src" / "police_lists" / BUNDLE
        shutil.copytree(data_folder(data_dir), packaged / "data", ignore=shutil.ignore_patterns(".*"))
        specs = {lesson: {str(n): asdict(ex) for n, ex in exs.items()} for lesson, exs in exercises.items()}
        (packaged / "teaching").mkdir(parents=True)
        (packaged / "teaching" / "exercises.json").write_text(json.dumps(specs, indent=1, sort_keys=True) + "\n")
        dist = Path(tmp) / "dist"
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        run = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
            + ["--wheel-dir", str(dist), str(project)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            tail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
            raise BundleError(f"pip wheel failed: {tail[0]}")
        built = dist / wheel_filename()
        if not built.is_file():
            raise BundleError(f"pip wheel wrote {sorted(p.name for p in dist.iterdir())}, not {wheel_filename()}")
        return Path(shutil.move(str(built), work / built.name))


def student_readme(titles: list[tuple[str, str, dict]]) -> str:
    """README.md of the bundle: notebooks/teaching/for_students.md with the wheel's
    name and the list of lessons filled in."""
    template = (PROJECT_ROOT / "notebooks" / "teaching" / STUDENT_README).read_text(encoding="utf-8")
    lessons = "\n".join(f"- `{name}.ipynb`: {title} (about {info['minutes']} minutes)" for name, title, info in titles)
    return template.replace("{wheel}", wheel_filename()).replace("{lessons}", lessons)


def publish_bundle(out: Path, wheel: Path, handouts: dict[str, bytes], titles) -> list[Path]:
    """Write <out>/teaching/: the student notebooks, the wheel and the students' README."""
    files = {f"teaching/{name}.ipynb": data for name, data in handouts.items()}
    files["teaching/README.md"] = student_readme(titles).encode("utf-8")
    files[f"teaching/{wheel.name}"] = wheel.read_bytes()
    publish(out, files)
    return [Path(out) / rel for rel in sorted(files)]
