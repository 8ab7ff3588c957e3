"""Every notebook is paired with a jupytext percent-format .py file beside it,
so a change reads as text in a diff; the two must say the same thing.

After editing either side, `make sync` (jupytext --sync) brings the other in step.
"""

from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


def test_every_notebook_is_paired():
    assert len(NOTEBOOKS) >= 8
    scripts = {p.with_suffix(".ipynb") for p in (ROOT / "notebooks").rglob("*.py")}
    assert scripts == set(NOTEBOOKS), "a .py with no notebook, or a notebook with no .py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_pair_says_the_same(path):
    nb = jupytext.read(path)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    expected = jupytext.writes(nb, fmt="py:percent")
    assert path.with_suffix(".py").read_text(encoding="utf-8") == expected, (
        f"{path.name} and its .py differ: run `make sync`"
    )


def test_a_changed_pair_is_caught(tmp_path):
    path = NOTEBOOKS[0]
    edited = (
        path.with_suffix(".py").read_text(encoding="utf-8").replace("# %% [markdown]", "# %% [markdown]\n# typo", 1)
    )
    assert edited != jupytext.writes(jupytext.read(path), fmt="py:percent")
