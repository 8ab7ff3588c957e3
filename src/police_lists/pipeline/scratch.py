"""A private scratch folder for one `make profile` run, and clean interrupts.

The profile notebook runs in a kernel, which writes its tables and figures to
a folder; `make profile` gives it one made here: mode 0700 inside the system
temporary folder, named police-lists-profile-<pid>-<random>, and removed on
every way out of the run (normal return, exception, Ctrl-C, SIGTERM). Nothing
is ever staged beside OUT. Only published (disclosure-controlled) values are
written into it; the exact counts stay in the memory of the parent process.

A SIGKILL cannot be caught, so each run first sweeps folders left by killed
runs: a folder is removed only when its name matches the pattern exactly, it
is a real folder (not a link) owned by this user, and the process whose id is
in its name is gone (or is a different process that reused the id: the start
time recorded in the folder's `owner` file no longer matches). Nothing else
in the temporary folder is ever touched.

interruptible() turns SIGINT and SIGTERM into an Interrupted exception in the
main thread, so every `finally` runs; a second signal during the clean-up is
ignored, and critical() defers signals while OUT is being switched over.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

PREFIX = "police-lists-profile-"
# mkdtemp's random part is 8 characters from a-z, 0-9 and _ (tempfile._RandomNameSequence)
_NAME = re.compile(rf"{re.escape(PREFIX)}(\d+)-[a-z0-9_]{{8}}")
OWNER = "owner"


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException so ordinary `except Exception` lets it through."""

    def __init__(self, signum: int, completed: bool = False):
        self.signum = signum
        self.completed = completed  # True: it arrived while OUT was switched over, which finished first
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_status(self) -> int:
        return 128 + self.signum  # 130 for Ctrl-C, 143 for SIGTERM, as a shell reports them


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc); None where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, and not ours to judge
    except (OverflowError, ValueError):
        return False
    return started is None or _start_time(pid) in (None, started)


def sweep_stale(root: str | os.PathLike | None = None) -> list[Path]:
    """Remove scratch folders left by killed runs (see the module docstring); return them."""
    root = Path(root if root is not None else tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        m = _NAME.fullmatch(entry.name)
        if not m:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        pid = int(m[1])
        try:
            started = (Path(entry.path) / OWNER).read_text().split()[1]
        except (OSError, IndexError):
            started = None
        if pid == os.getpid() or _alive(pid, started):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


@contextmanager
def private_folder(root: str | os.PathLike | None = None):
    """A fresh 0700 folder in the system temporary folder, removed on exit (see module docstring)."""
    sweep_stale(root)
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))
    try:
        os.chmod(path, 0o700)
        (path / OWNER).write_text(f"{os.getpid()} {_start_time(os.getpid()) or '-'}\n")
        yield path
    finally:
        with critical():  # a signal now would leave half the folder behind: hold it until it is gone
            shutil.rmtree(path, ignore_errors=True)


class _State:
    def __init__(self):
        self.signum: int | None = None  # the first signal received
        self.critical = 0
        self.deferred: int | None = None


_state: _State | None = None


@contextmanager
def interruptible():
    """SIGINT/SIGTERM raise Interrupted in the main thread (once); yields the state.

    Outside the main thread (where Python cannot install handlers) it does nothing."""
    global _state
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    state = _State()

    def handler(signum, frame):
        if state.signum is not None:
            return  # already stopping: let the clean-up finish
        if state.critical:
            state.deferred = signum
            return
        state.signum = signum
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    outer, _state = _state, state
    try:
        yield state
    finally:
        _state = outer
        for s, h in previous.items():
            signal.signal(s, h)


@contextmanager
def critical(completed: bool = False):
    """Defer SIGINT/SIGTERM through a step that must not stop half way; raise
    Interrupted afterwards if one arrived (`completed`: the step was the switch of OUT)."""
    state = _state
    if state is None:
        yield
        return
    state.critical += 1
    try:
        yield
    finally:
        state.critical -= 1
    if not state.critical and state.deferred is not None and state.signum is None:
        state.signum = state.deferred
        raise Interrupted(state.deferred, completed=completed)


def stop_children(before: set[int]) -> None:
    """Stop the child processes this run started (their ids are not in `before`):
    the notebook's kernel, so it cannot write into the scratch folder being removed."""
    try:
        import psutil
    except ImportError:  # psutil comes with ipykernel; without it the kernel exits with its parent
        return
    me = psutil.Process()
    mine = [p for p in me.children(recursive=True) if p.pid not in before]
    for p in mine:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(mine, timeout=3)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass


def children() -> set[int]:
    try:
        import psutil
    except ImportError:
        return set()
    return {p.pid for p in psutil.Process().children(recursive=True)}
