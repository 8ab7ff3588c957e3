"""Warm kernels (pipeline/warmkernel.py): each notebook gets a fresh kernel.

tests/test_determinism.py shows the whole build's outputs are byte-identical
with warm kernels and with kernels started from scratch; here, that a kernel
forked after another notebook ran sees nothing of it, and that the server
really did import what the notebooks import before forking.
"""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from police_lists.pipeline import warmkernel
from police_lists.pipeline.execute import execute, notebook_imports, warm_kernels

pytestmark = pytest.mark.slow


def _notebook(path, *sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _text(nb, i):
    return "".join(o.get("text", "") for o in nb.cells[i].outputs if o["output_type"] == "stream")


def test_each_notebook_gets_a_fresh_namespace_from_a_warm_server(tmp_path):
    first = _notebook(tmp_path / "a.ipynb", "import statistics\nleft_behind = 41\nstatistics.__name__")
    second = _notebook(
        tmp_path / "b.ipynb",
        "import sys, os\nprint('left_behind' in globals(), 'statistics' in sys.modules, os.getppid() != 1)",
        "print(sorted(k for k in globals() if not k.startswith('_')))",
    )
    assert notebook_imports([first, second]) == ["statistics", "sys", "os"]
    with warm_kernels([first, second]) as warm:
        assert warm is not None
        a = execute(first, {}, tmp_path / "run-a", warm=warm)
        b = execute(second, {}, tmp_path / "run-b", warm=warm)
    assert a.cells[0].execution_count == 1 and b.cells[0].execution_count == 1
    # The module was imported by the server (so the fork has it) but no variable crossed over.
    assert _text(b, 0) == "False True True\n"
    assert _text(b, 1) == "['In', 'Out', 'exit', 'get_ipython', 'open', 'os', 'quit', 'sys']\n"


def test_warm_kernels_can_be_switched_off(monkeypatch, tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", "1")
    monkeypatch.setenv("POLICE_LISTS_WARM_KERNELS", "0")
    with warm_kernels([nb]) as warm:
        assert warm is None
    monkeypatch.delenv("POLICE_LISTS_WARM_KERNELS")
    with warm_kernels([]) as warm:
        assert warm is None  # nothing to run: no server started


def test_a_stopped_server_refuses_launchers_at_once(tmp_path, capsys):
    # A build whose validation fails stops its server at once, sometimes before the
    # server process has run a line. The socket was then not yet made, and each
    # launcher polled for it for a minute: such a build took 62 s to say its one
    # line (measured). The socket now listens before the server starts, so a
    # stopped server is a refused connection, and the launcher exits 1 at once.
    nb = _notebook(tmp_path / "a.ipynb", "1")
    with warm_kernels([nb]) as warm:
        warm.stop()
        assert Path(warm.socket).is_socket()
        assert warmkernel.launch(warm.socket, ["-f", str(tmp_path / "kernel.json")]) == 1
        with pytest.raises(Exception, match="Kernel died before replying"):
            execute(nb, {}, tmp_path / "run", warm=warm)
    assert capsys.readouterr().err.splitlines()[0] == f"warm kernel server {warm.socket} is not answering (stopped)"
