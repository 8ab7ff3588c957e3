"""`make test` provisions the browser it needs: the Makefile's `chromium` step.

Run against stand-ins on PATH (`apt-get`, `id`, `sudo`) and a CHROMIUM path that
does not exist, so the machine's own Chromium and packages are never touched.
The stand-in apt-get records each call (its arguments, the user it ran as, and
DEBIAN_FRONTEND) and, on `install`, creates the CHROMIUM file as Debian's package
would create /usr/bin/chromium.
"""

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _setup(tmp_path, uid: int, sudo: str | None, apt_fails: bool = False) -> dict:
    bin_dir, chromium, calls = tmp_path / "bin", tmp_path / "usr" / "bin" / "chromium", tmp_path / "apt-calls"
    bin_dir.mkdir()
    _script(
        bin_dir / "apt-get",
        f'echo "$* | as=${{AS_USER:-self}} | frontend=$DEBIAN_FRONTEND" >> "{calls}"\n'
        + ('echo "E: Unable to locate package chromium" >&2; exit 100\n' if apt_fails else "")
        + f'case "$1" in install) mkdir -p "{chromium.parent}"; printf "#!/bin/sh\\n" > "{chromium}"; '
        f'chmod +x "{chromium}";; esac\n',
    )
    _script(bin_dir / "id", f'[ "$1" = "-u" ] && echo {uid} || echo "uid={uid}"\n')
    if sudo == "works":  # sudo -n CMD...: runs CMD as root without asking
        _script(bin_dir / "sudo", '[ "$1" = "-n" ] && shift; AS_USER=sudo; export AS_USER; exec "$@"\n')
    elif sudo == "asks":  # sudo would ask for a password: -n refuses
        _script(bin_dir / "sudo", 'echo "sudo: a password is required" >&2; exit 1\n')
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "CHROMIUM")}
    # No sudo stand-in: a PATH where no sudo can be found at all.
    system = "/usr/bin:/bin" if sudo else _dirs_without("sudo", tmp_path / "system")
    env["PATH"] = f"{bin_dir}:{system}"
    return {"env": env, "chromium": chromium, "calls": calls, "log": tmp_path / "log" / "chromium-install.log"}


def _dirs_without(name: str, d: Path) -> str:
    """A stand-in for /usr/bin and /bin holding what make and the recipe use, but no `name`."""
    d.mkdir()
    for tool in ("sh", "make", "env", "cat", "mkdir", "dirname", "printf", "chmod", "test", "[", "find"):
        for where in ("/usr/bin", "/bin"):
            if (Path(where) / tool).exists() and tool != name:
                (d / tool).symlink_to(Path(where) / tool)
                break
    return str(d)


def _make(setup: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "chromium",
            f"CHROMIUM={setup['chromium']}",
            f"CHROMIUM_LOG={setup['log']}",
        ],
        cwd=ROOT,
        env=setup["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _calls(setup: dict) -> list[str]:
    return setup["calls"].read_text().splitlines() if setup["calls"].exists() else []


def test_present_chromium_is_left_alone(tmp_path):
    s = _setup(tmp_path, uid=0, sudo=None)
    s["chromium"].parent.mkdir(parents=True)
    _script(s["chromium"], "")
    result = _make(s)
    assert result.returncode == 0, result.stderr
    assert _calls(s) == [] and result.stdout == "" and result.stderr == ""


def test_missing_chromium_is_installed_as_root_without_questions(tmp_path):
    s = _setup(tmp_path, uid=0, sudo=None)
    result = _make(s)
    assert result.returncode == 0, result.stderr
    assert _calls(s) == [
        "update -q | as=self | frontend=noninteractive",
        "install -y -q chromium | as=self | frontend=noninteractive",
    ]
    assert os.access(s["chromium"], os.X_OK)
    # One progress line; apt-get's own output went to the log.
    assert result.stdout.splitlines() == [
        f"installing Debian's chromium for the browser test (about a minute; log: {s['log']})..."
    ]
    assert s["log"].is_file()


def test_missing_chromium_is_installed_through_sudo_when_it_asks_no_password(tmp_path):
    s = _setup(tmp_path, uid=1000, sudo="works")
    result = _make(s)
    assert result.returncode == 0, result.stderr
    assert _calls(s) == [
        "update -q | as=sudo | frontend=noninteractive",
        "install -y -q chromium | as=sudo | frontend=noninteractive",
    ]


def test_without_root_or_sudo_it_stops_naming_the_one_command(tmp_path):
    for case, sudo in (("asks", "asks"), ("none", None)):
        (tmp_path / case).mkdir()
        s = _setup(tmp_path / case, uid=1000, sudo=sudo)
        result = _make(s)
        assert result.returncode != 0, case
        assert _calls(s) == [], case  # nothing was attempted
        assert "    sudo apt-get install -y chromium" in result.stderr.splitlines(), (case, result.stderr)
        assert "Traceback" not in result.stderr


def test_a_failed_install_shows_its_log_and_fails(tmp_path):
    s = _setup(tmp_path, uid=0, sudo=None, apt_fails=True)
    result = _make(s)
    assert result.returncode != 0
    assert "E: Unable to locate package chromium" in result.stderr
    assert f"failed: apt-get install -y chromium (the log above is kept in {s['log']})" in result.stderr
