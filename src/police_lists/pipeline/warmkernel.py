"""Warm kernels: one process imports what the notebooks import, once, then forks
a fresh IPython kernel for each notebook.

A notebook kernel spends most of its start-up importing pandas, scipy,
statsmodels, matplotlib and this package (about two seconds of CPU each time,
before the first cell does any work). Here a server process does those imports
once and forks a kernel per notebook: the child starts with the modules already
loaded and nothing else, a new IPython shell with an empty namespace and
execution count 1, exactly as a kernel started by ipykernel would. Modules are
imported, never run: no notebook code, no data, no cached result lives in the
server, so what a notebook computes cannot depend on another notebook.

jupyter_client still manages every kernel: its kernel command is a small
launcher (`python -m police_lists.pipeline.warmkernel launch SOCKET -f
CONNECTION_FILE`), which hands its standard streams, working folder and
environment to the server over a Unix socket, receives the kernel's pid,
forwards SIGINT and SIGTERM to it and exits with the kernel's status. If the
launcher is killed, the server kills its kernel; if the server dies, ipykernel's
parent poller ends the kernels (their parent, JPY_PARENT_PID, is the server).

The server's socket is bound and listening before the server starts (the build
makes it, execute.warm_kernels, and hands it over as an inherited descriptor),
so a launcher connects at once or not at all: refused means the server is gone
(stopped by a build whose validation failed, say), and the launcher exits 1 at
once. It used to poll for the socket for up to a minute, and a build stopped
before its server had bound one waited that minute for nothing.

Why by hand: jupyter_client and ipykernel have no pre-forking kernel provider
(jupyter_client's provisioners start a new process per kernel), and the
forking is about a hundred lines of standard library.

This module imports only the standard library at the top: the launcher runs
once per kernel and must start in milliseconds.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys


def _send(sock: socket.socket, payload: bytes, fds: list[int] | None = None) -> None:
    data = struct.pack("!I", len(payload)) + payload
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.sendall(data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


# ----------------------------------------------------------------- launcher


def launch(server: str, argv: list[str]) -> int:
    """Ask the server for a kernel with ipykernel arguments `argv`; wait for it to end.
    The server's socket listens from before the server starts (module docstring): if
    it cannot be reached, or closes before handing a kernel's pid, the server is gone."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(server)
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        _send(sock, json.dumps(request).encode("utf-8"), [0, 1, 2])
        pid = struct.unpack("!i", _recv_exact(sock, 4))[0]
    except (OSError, EOFError):
        print(f"warm kernel server {server} is not answering (stopped)", file=sys.stderr)
        return 1

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        status = struct.unpack("!i", _recv_exact(sock, 4))[0]
    except EOFError:  # the server died; its kernels end with it
        return 1
    return status


# ------------------------------------------------------------------- server


def _child(conn: socket.socket, fds: list[int], request: dict, others: list[socket.socket]) -> None:
    """In the forked process: become an ipykernel with the launcher's streams."""
    try:
        for s in others:
            s.close()
        conn.close()
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig in (signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=request["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 (streams may already be closed; the exit code says what matters)
            pass
    os._exit(code)


def listen(path: str) -> socket.socket:
    """The server's socket, bound and listening at `path` (made by the build, then
    inherited by the server: serve's `fd`)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        listener.listen(64)
    except BaseException:
        listener.close()
        raise
    return listener


def serve(fd: int, modules: list[str]) -> None:
    """Take the listening socket `fd` (listen), import `modules`, then fork a kernel
    for each launcher (launchers that connect meanwhile wait in its backlog)."""
    import importlib
    import select

    listener = socket.socket(fileno=fd)

    # What a kernel started by ipykernel would have: the inline matplotlib backend
    # (ipykernel sets MPLBACKEND the same way), our pid as the kernel's parent.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the shell puts the kernel's folder back
    # Some libraries look at their surroundings when first imported: pandas, for one,
    # sets display.max_columns to 20 inside a Jupyter kernel (found by calling
    # get_ipython(), which IPython puts in builtins, and seeing a `kernel`) and to the
    # terminal's width elsewhere. Import them as inside a kernel, so a forked kernel's
    # outputs are byte for byte those of a kernel started by ipykernel.
    import builtins

    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401

    class _KernelShell:
        kernel = True

    builtins.get_ipython = lambda: _KernelShell()
    try:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 (the notebook's own import reports it, in its cell)
                pass
    finally:
        del builtins.get_ipython

    kids: dict[int, socket.socket] = {}  # pid -> launcher connection
    conns: dict[socket.socket, int] = {}
    parent = os.getppid()
    while True:
        if os.getppid() != parent:  # the build is gone
            for pid in kids:
                _kill(pid)
            return
        ready, _, _ = select.select([listener, *conns], [], [], 0.05)
        for s in ready:
            if s is listener:
                conn, _ = listener.accept()
                size = 4
                msg, fds, _flags, _addr = socket.recv_fds(conn, size, 3)
                length = struct.unpack("!I", msg)[0]
                request = json.loads(_recv_exact(conn, length).decode("utf-8"))
                pid = os.fork()
                if pid == 0:
                    _child(conn, list(fds), request, [listener, *conns])
                for fd in fds:
                    os.close(fd)
                conn.sendall(struct.pack("!i", pid))
                kids[pid], conns[conn] = conn, pid
            else:  # a launcher closed its end (it was killed): end its kernel
                try:
                    gone = not s.recv(1)
                except OSError:
                    gone = True
                if gone:
                    _kill(conns.pop(s))
                    s.close()
        while kids:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = kids.pop(pid, None)
            if conn is not None and conn in conns:
                conns.pop(conn)
                try:
                    conn.sendall(struct.pack("!i", os.waitstatus_to_exitcode(status)))
                except OSError:
                    pass
                conn.close()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main(argv: list[str]) -> int:
    if argv[:1] == ["launch"]:
        return launch(argv[1], argv[2:])
    if argv[:1] == ["serve"]:
        serve(int(argv[1]), argv[2:])
        return 0
    print("usage: warmkernel launch SOCKET IPYKERNEL-ARGS... | serve FD MODULE...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
