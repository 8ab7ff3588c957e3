import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ a test may break."""
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    for p in dest.rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One full build into a temporary output folder, shared by the tests that read outputs."""
    from police_lists.pipeline import build

    out = tmp_path_factory.mktemp("outputs")
    manifest = build.build(output_dir=str(out), force=True, log=lambda *_: None)
    return out, manifest


def run_notebook(name: str, tmp_path: Path, **params) -> Path:
    """Execute notebooks/<name>.ipynb with papermill into tmp_path (from tmp_path, so
    relative paths must resolve from the project root); return its output folder."""
    import papermill

    out = tmp_path / "out"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{name}.ipynb"),
        str(tmp_path / "run.ipynb"),
        parameters={"output_dir": str(out), **params},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    return out
