"""Executing a notebook: papermill's Python API, each kernel on its own local
sockets (a new kernel per notebook, or a running one and its connected client:
run_papermill's km and kc), and the cleaning that makes an executed notebook
byte-identical between two runs. Only pipeline modules run notebooks."""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

KERNEL = "python3"  # the interpreter running the build (ipykernel's native kernel)
# Options for every ipykernel kernel started here (_ipc_kernel_manager). IPython's history
# is kept in memory only: by default each cell's source goes to the SQLite file
# ~/.ipython/profile_default/history.sqlite in the user's home, so a profile's injected
# parameters left the list's path there (and every notebook its code; on the reference
# machine the file had grown to 78 MB). A trivial cell's round trip also drops from
# 12.7-13.5 ms to 6.2-8.5 ms (100 cells), though no run measured faster as a whole.
# In, Out and %history still work within the kernel.
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)


def clean_executed(nb, final_output_dir: str, staging_dir: str, data_dir: tuple[str, str] | None = None) -> list[str]:
    """Strip run-dependent noise so executed notebooks diff cleanly: papermill
    timestamps and paths, nbclient timing, random cell ids, the staging folder
    (and data_dir=(as passed, as shown) when it was given as a machine path),
    and stderr streams (library warnings carry absolute paths and are not part
    of an appendix). Returns the stderr texts removed, for the build log."""
    pm = nb.metadata.get("papermill", {})
    for field in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
        pm.pop(field, None)
    if "parameters" in pm and "output_dir" in pm["parameters"]:
        pm["parameters"]["output_dir"] = final_output_dir
    swaps = [(staging_dir, final_output_dir)] if staging_dir else []
    if data_dir and data_dir[0] != data_dir[1]:
        swaps.append(data_dir)
        if pm.get("parameters", {}).get("data_dir") == data_dir[0]:
            pm["parameters"]["data_dir"] = data_dir[1]
    removed = []
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            for machine, shown in swaps:  # papermill quotes with ", so replace the bare path
                cell.source = cell.source.replace(machine, shown)
        if cell.cell_type == "code":
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    removed.append(output.get("text", ""))
                else:
                    kept.append(output)
            cell.outputs = kept
    return removed


def _ipc_kernel_manager(socket_prefix: str, stderr, warm: str | None = None):
    """A kernel manager talking to its kernel over local Unix sockets rather
    than TCP on localhost: nothing listens on a port, and ipykernel does not
    print its 'running over TCP without encryption' warning. Each kernel gets
    its own socket prefix (the default, 'kernel-ipc' in the working directory,
    would make two parallel kernels share sockets). The kernel process's own
    stderr (shutdown chatter, not cell output) goes to `stderr`, a file shown
    only when the notebook fails. With `warm` (a warm-kernel server's socket,
    see warm_kernels), the kernel is forked by that server instead of started
    from scratch."""
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            return socket_prefix

        async def start_kernel(self, **kw):
            kw.setdefault("stderr", stderr)
            return await super().start_kernel(**kw)

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            if cmd[1:3] != ["-m", "ipykernel_launcher"]:
                return cmd
            cmd = [*cmd, *KERNEL_OPTIONS]
            if warm:
                return [sys.executable, "-m", "police_lists.pipeline.warmkernel", "launch", warm, *cmd[3:]]
            return cmd

    return IPCKernelManager


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The modules the notebooks' code cells import, in order of first use."""
    found: dict[str, None] = {}
    for path in notebooks:
        for cell in json.loads(Path(path).read_text(encoding="utf-8")).get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell.get("source", ""))
            try:
                tree = ast.parse(
                    "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
                )
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update((a.name, None) for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found[node.module] = None
                    found.update((f"{node.module}.{a.name}", None) for a in node.names)  # submodules
    return list(found)


# A Unix socket's path has at most 107 bytes (sun_path). Kernel sockets are named
# <folder>/plk-XXXXXXXX/kernel-<port>; a deep temporary folder (a test's TMPDIR under
# pytest-xdist's basetemp, say) would pass that, so such sockets go to /tmp instead.
_SOCKET_ROOM = 107 - len("/plk-XXXXXXXX/kernel-65535")


def _socket_parent() -> str | None:
    """The folder for a private socket folder: the temporary folder, or /tmp when it is too deep."""
    return None if len(tempfile.gettempdir().encode()) <= _SOCKET_ROOM else "/tmp"


class WarmKernels:
    """A running warm-kernel server: `socket` for execute(warm=...), stop() to end it
    and every kernel it forked (they share its process group)."""

    def __init__(self, socket: str, process: subprocess.Popen):
        self.socket, self.process = socket, process

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextlib.contextmanager
def warm_kernels(notebooks: list[Path]):
    """A warm-kernel server (pipeline/warmkernel.py) that imports what `notebooks`
    import; yields a WarmKernels, or None when there is nothing to run or
    POLICE_LISTS_WARM_KERNELS=0 (then every kernel starts from scratch). It starts
    importing at once, while the caller does other work."""
    if not notebooks or os.environ.get("POLICE_LISTS_WARM_KERNELS", "1") == "0":
        yield None
        return
    from police_lists.pipeline import warmkernel

    with tempfile.TemporaryDirectory(prefix="plw-", dir=_socket_parent()) as private:
        path = str(Path(private) / "server")
        with open(Path(private) / "server.log", "w+b") as log, warmkernel.listen(path) as listener:
            # Listening before the server starts: a launcher is never left waiting for a
            # socket that a stopped server will not make (warmkernel's docstring).
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "police_lists.pipeline.warmkernel",
                    "serve",
                    str(listener.fileno()),
                    *notebook_imports(notebooks),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=[listener.fileno()],
                start_new_session=True,  # its own process group, with its kernels; Ctrl-C reaches only the build
            )
            listener.close()  # the server's copy is the only one: when it ends, launchers are refused
            warm = WarmKernels(path, process)
            try:
                yield warm
            finally:
                warm.stop()


def execute(notebook: Path, parameters: dict, staging: Path, warm: WarmKernels | None = None, cwd: Path | None = None):
    """Run one notebook with papermill; return the executed notebook (not yet cleaned).
    `warm`: a warm-kernel server (warm_kernels) to fork the kernel, or None for a fresh kernel;
    `cwd`: the folder it runs in (run_papermill)."""
    # A private folder for this kernel's sockets and log, removed afterwards.
    with tempfile.TemporaryDirectory(prefix="plk-", dir=_socket_parent()) as private:
        with open(Path(private) / "kernel.log", "w+b") as kernel_log:
            manager = _ipc_kernel_manager(str(Path(private) / "kernel"), kernel_log, warm.socket if warm else None)
            return run_papermill(notebook, parameters, staging, kernel_log, cwd=cwd, kernel_manager_class=manager)


ENGINE = "police-lists"


@functools.cache  # once per process
def _register_engine() -> None:
    """The papermill engine every notebook here runs with: papermill's own
    (NBClientEngine.execute_managed_notebook's body) with two changes, for which
    papermill has no argument (engines are its extension point):
      * a kernel client already connected can be handed in (run_papermill(kc=...)).
        papermill's engine always has nbclient make a new client, and a new
        client's wait_for_ready ends by waiting 0.2 s for IOPub to fall quiet: a
        fixed pause per notebook that a kernel running many notebooks
        (pipeline.profile.Kernel) pays only once this way;
      * nbclient logs to a silent logger. Its lines are a second, unformatted copy
        of an error raised to the caller anyway, and when a build stops its kernels
        because validation failed, or a run is stopped by Ctrl-C, they are spurious
        ("Kernel died before replying to kernel_info") and came before the one line
        per problem the command prints."""
    import logging

    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    quiet = logging.getLogger("police_lists.notebook_client")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            kc=None,
            **kwargs,
        ):
            kwargs = remove_args(["input_path"], **kwargs)
            final = merge_kwargs(
                remove_args(["timeout", "startup_timeout"], **kwargs),
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=quiet,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, **final)
            if kc is not None:
                client.kc = kc  # nbclient makes no client of its own, and leaves this one open
            return client.execute()

    papermill_engines.register(ENGINE, Engine)


def run_papermill(notebook: Path, parameters: dict, staging: Path, kernel_log, cwd: Path | None = None, **kernel):
    """papermill.execute_notebook of `notebook` into staging/<its name> in the project's
    kernel, quietly, in `cwd` (default: the notebook's folder); `kernel` says which kernel (papermill's
    kernel_manager_class for a new one, km for a running one). On failure the tail of
    `kernel_log` (the kernel's stderr) is added to the exception. Returns the executed
    notebook (not yet cleaned)."""
    import nbformat
    import papermill

    staging.mkdir(parents=True, exist_ok=True)
    executed = staging / Path(notebook).name
    _register_engine()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL,
            cwd=str(cwd or Path(notebook).parent),
            progress_bar=False,
            log_output=False,
            engine_name=ENGINE,
            # written once, when it ends (or fails), not at every cell's start and end
            # (about 40 writes of the whole notebook for 20 cells)
            request_save_on_cell_execute=False,
            **kernel,
        )
    except BaseException as exc:
        kernel_log.seek(0)
        tail = kernel_log.read().decode("utf-8", "replace").strip()[-2000:]
        if tail:
            exc.add_note(f"kernel stderr ({Path(notebook).name}):\n{tail}")
        raise
    return nbformat.read(executed, as_version=4)


def notebook_parameters(nb_path: Path, overrides: dict) -> dict:
    """Every parameter the notebook ran with: the defaults of its `parameters`
    cell (read by papermill) with the build's values on top, for the footer."""
    import papermill

    values = {}
    for name, info in papermill.inspect_notebook(str(nb_path)).items():
        try:
            values[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            values[name] = info["default"]  # not a literal: keep its source text
    return {**values, **overrides}
