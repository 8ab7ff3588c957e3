"""OUT belongs to the user: `make profile` writes only into a folder that is
missing, empty, or holds an earlier profile exactly as it wrote it.

Ownership. A profile's manifest.json lists every file the profile wrote with
its sha256, and carries `self_sha256`, the sha256 of the manifest itself
(without that field), so a file that merely *claims* to be a manifest is not
one. A re-run may replace exactly the files listed there, and only while they
still have the listed hashes. Any other file in OUT (hidden files, links and
the input list included), or a listed file that was changed, makes the run
refuse with one line naming the first such files, and nothing changes. The
list being profiled, and the previous snapshot, are never replaced or
deleted, even when they sit inside OUT.

Publishing, so a kill at any moment leaves the old profile or the new one:
  1. every new file is written into OUT/.police-lists-incoming-<pid>-<random>/
     (published, disclosure-controlled content only), and fsynced;
  2. OUT is checked again, then the journal OUT/.police-lists-commit.json is
     written atomically: the commit point. It names the incoming folder and
     the old and new files with their hashes;
  3. each new file is renamed into place (manifest.json last), files of the
     old profile that the new one does not have are removed (only if their
     hash still matches), then the incoming folder and the journal go.
POSIX has no way to replace many files in a folder in one step, and nothing
may be staged beside OUT, so the journal makes the switch all-or-nothing for
every later run: a run that finds a journal completes it first (roll
forward; every file it needs is already inside OUT), and an incoming folder
without a journal (killed before step 2) is removed once its process is
gone. SIGINT and SIGTERM are held during steps 2-3 (scratch.critical), so
only a SIGKILL or a power cut can stop the switch half way, and the next run
then finishes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from police_lists.contract.files import sha256_file
from police_lists.contract.problems import ProblemError
from police_lists.contract.safety import one_line, quoted
from police_lists.pipeline import scratch

MANIFEST = "manifest.json"
KIND = "police_lists profile"
JOURNAL = ".police-lists-commit.json"
INCOMING_PREFIX = ".police-lists-incoming-"
_INCOMING = re.compile(rf"{re.escape(INCOMING_PREFIX)}(\d+)-[a-z0-9_]{{8}}")
MAX_NAMED = 3  # files named in a refusal


def _line(shown: str, value, rule: str) -> str:
    return f"{one_line(shown)}: row -, column -: value {quoted(value, 200)} breaks rule: {rule}"


def _sha256(path: Path) -> str:
    return sha256_file(path)


def canonical(record: dict) -> bytes:
    return (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8")


def manifest_bytes(manifest: dict) -> bytes:
    """The manifest as written, with its own sha256 (of the manifest without that field)."""
    body = {k: v for k, v in manifest.items() if k != "self_sha256"}
    return canonical({**body, "self_sha256": hashlib.sha256(canonical(body)).hexdigest()})


def safe_relative(rel) -> bool:
    """A plain relative path inside OUT: no absolute path, no '..', no empty or '.' parts."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        return False
    p = PurePosixPath(rel)
    return not p.is_absolute() and all(part not in ("", ".", "..") for part in rel.split("/"))


def read_manifest(out: Path) -> dict[str, str] | None:
    """{relative path: sha256} of the files an earlier profile in OUT wrote, or
    None when OUT has no genuine profile manifest (missing, unreadable, another
    kind, self hash wrong, or a listed path that leaves OUT)."""
    path = out / MANIFEST
    try:
        if not path.is_file() or path.is_symlink():
            return None
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("kind") != KIND:
        return None
    try:
        if manifest_bytes(record) != path.read_bytes():
            return None
        outputs = {rel: info["sha256"] for rel, info in record["outputs"].items()}
    except (OSError, KeyError, TypeError, AttributeError):
        return None
    if not all(safe_relative(rel) and rel != MANIFEST and isinstance(sha, str) for rel, sha in outputs.items()):
        return None
    return outputs


def _no_links(out: Path, rel: str) -> bool:
    """Every existing folder on the way from OUT to rel is a real folder (no symlink)."""
    p = out
    for part in rel.split("/")[:-1]:
        p = p / part
        if p.is_symlink() or (p.exists() and not p.is_dir()):
            return False
    return True


def _inventory(out: Path, limit: int = 10_000) -> list[tuple[str, bool]]:
    """(relative path, is a regular file) for everything in OUT that is not a folder;
    links are listed and never followed. Stops after `limit` entries (a profile has a
    dozen files; a folder holding thousands is refused either way)."""
    found = []

    def fail(exc):
        raise exc

    for dirpath, dirnames, filenames in os.walk(out, onerror=fail):
        for name in list(dirnames):
            full = Path(dirpath) / name
            if full.is_symlink():
                dirnames.remove(name)
                found.append((full.relative_to(out).as_posix(), False))
        for name in filenames:
            full = Path(dirpath) / name
            found.append((full.relative_to(out).as_posix(), full.is_file() and not full.is_symlink()))
        if len(found) > limit:
            break
    return sorted(found)


@dataclass
class Plan:
    """What OUT holds that this run may replace."""

    out: Path
    shown: str
    owned: dict[str, str] = field(default_factory=dict)  # earlier profile's files (manifest excluded)
    has_manifest: bool = False


def _keep_rels(out: Path, keep) -> dict[str, str]:
    rels = {}
    for k in keep:
        try:
            rels[Path(k).resolve().relative_to(out).as_posix()] = str(k)
        except ValueError:
            pass
    return rels


def check(out: Path, shown: str, keep=(), new=(), ignore: str | None = None) -> Plan:
    """Refuse (ProblemError) unless OUT is missing, empty, or an unchanged earlier profile.

    `keep`: files that must never be replaced (the list, the previous snapshot).
    `new`: relative paths this run will write (checked for clashes with folders).
    `ignore`: this run's own incoming folder (a top-level name), when checking again."""
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ProblemError([_line(shown, shown, "OUT must be a folder (or not exist yet)")])
    if not out.exists():
        return Plan(out, shown)
    try:
        owned = read_manifest(out)
        inventory = _inventory(out)
    except OSError as exc:
        raise ProblemError([_line(shown, exc.filename or shown, f"OUT must be readable ({exc.strerror})")]) from None
    plan = Plan(out, shown, dict(owned or {}), owned is not None)
    keep_rels = _keep_rels(out, keep)
    other, changed = [], []
    for rel, regular in inventory:
        if ignore and rel.split("/")[0] == ignore:
            continue
        if rel == MANIFEST and owned is not None:
            continue
        if regular and rel in plan.owned and rel not in keep_rels and _no_links(out, rel):
            try:
                if _sha256(out / rel) == plan.owned[rel]:
                    continue
            except OSError:
                pass
            changed.append(rel)
        else:
            other.append(rel + (" (the list being profiled)" if rel in keep_rels else ""))
    problems = []
    for files, rule in (
        (
            other,
            "OUT must be missing, empty or an earlier profile left as it was; these files were "
            "not written by it, so nothing was changed: move them or choose another OUT",
        ),
        (
            changed,
            "files of the earlier profile in OUT were changed since it wrote them, so it will not "
            "replace them: move them or choose another OUT",
        ),
    ):
        if files:
            more = f" and {len(files) - MAX_NAMED} more" if len(files) > MAX_NAMED else ""
            problems.append(_line(shown, ", ".join(files[:MAX_NAMED]) + more, rule))
    for rel in new:
        if not _no_links(out, rel) or (out / rel).is_dir() or (out / rel).is_symlink():
            problems.append(_line(shown, rel, "OUT has a folder or link where the profile writes this file"))
    # every folder a file is renamed into or removed from must be writable, so the switch cannot stop half way
    folders = {(out / rel).parent for rel in [*new, *plan.owned]} | {out}
    for folder in sorted(f for f in folders if f.is_dir()):
        if not os.access(folder, os.W_OK | os.X_OK):
            problems.append(
                _line(
                    shown, str(folder), "OUT and its folders must be writable (permission denied: nothing was written)"
                )
            )
            break
    if problems:
        raise ProblemError(problems)
    return plan


def writable(out: Path, shown: str) -> None:
    """Refuse early, naming the path, when OUT (or the folder it would be made in) is read-only."""
    target = out
    while not target.exists():
        if target.parent == target:
            break
        target = target.parent
    if not os.access(target, os.W_OK | os.X_OK):
        raise ProblemError([_line(shown, str(target), "OUT must be writable (permission denied: nothing was written)")])


def _clear_incoming(out: Path) -> None:
    """Remove incoming folders of killed runs (name matches exactly, real folder, process gone)."""
    try:
        entries = list(os.scandir(out))
    except OSError:
        return
    for entry in entries:
        m = _INCOMING.fullmatch(entry.name)
        if (
            m
            and entry.is_dir(follow_symlinks=False)
            and int(m[1]) != os.getpid()
            and not scratch._alive(int(m[1]), None)
        ):
            shutil.rmtree(entry.path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _roll_forward(out: Path, record: dict) -> None:
    """Step 3 of publishing (module docstring); safe to repeat after a kill."""
    incoming = out / record["incoming"]
    new, old = record["new"], record["old"]
    for rel in sorted(new, key=lambda r: (r == MANIFEST, r)):
        src = incoming / rel
        if src.is_file() and not src.is_symlink():
            dest = out / rel
            if not dest.parent.is_dir():
                dest.parent.mkdir(parents=True)
                for d in [dest.parent, *dest.parent.parents]:
                    if d == out:
                        break
                    os.chmod(d, 0o755)
            os.replace(src, dest)
    for rel, sha in old.items():
        path = out / rel
        if rel in new or not path.is_file() or path.is_symlink() or not _no_links(out, rel):
            continue
        if _sha256(path) == sha:
            path.unlink()
            parent = path.parent
            while parent != out:
                try:
                    parent.rmdir()  # only if empty: never a folder holding anything else
                except OSError:
                    break
                parent = parent.parent
    _fsync_dir(out)
    shutil.rmtree(incoming, ignore_errors=True)
    (out / JOURNAL).unlink(missing_ok=True)
    _fsync_dir(out)


def _valid_journal(record) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("incoming"), str)
        and bool(_INCOMING.fullmatch(record["incoming"]))
        and all(isinstance(record.get(k), dict) and all(safe_relative(r) for r in record[k]) for k in ("new", "old"))
    )


def recover(out: Path) -> bool:
    """Finish a switch a killed run had committed, and clear incoming folders of
    killed runs that had not. True when a switch was finished."""
    journal = out / JOURNAL
    finished = False
    if journal.is_file() and not journal.is_symlink():
        try:
            record = json.loads(journal.read_bytes())
        except (OSError, ValueError):
            record = None
        if _valid_journal(record):
            with scratch.critical():
                _roll_forward(out, record)
            finished = True
    if out.is_dir():
        _clear_incoming(out)
    return finished


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o644)  # published files are world-readable, whatever the umask


def publish(plan: Plan, files: dict[str, bytes], manifest: dict, keep=()) -> dict:
    """Write `files` (relative path -> bytes) and the manifest into OUT (module
    docstring); return the manifest as written. Raises ProblemError, naming the
    path, when OUT cannot be written; then nothing is left behind."""
    out, shown = plan.out, plan.shown
    if not all(safe_relative(rel) and rel != MANIFEST for rel in files):
        raise ValueError("profile files must be plain relative paths")
    created: list[Path] = []
    incoming = None
    committed = False
    try:
        missing = []
        p = out
        while not p.exists():
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            d.mkdir()
            created.append(d)
            os.chmod(d, 0o755)
        incoming = Path(tempfile.mkdtemp(prefix=f"{INCOMING_PREFIX}{os.getpid()}-", dir=out))
        for rel, data in files.items():
            _write(incoming / rel, data)
        record = manifest_bytes(manifest)
        _write(incoming / MANIFEST, record)
        with scratch.critical(completed=True):
            again = check(out, shown, keep, new=list(files), ignore=incoming.name)
            if again.owned != plan.owned:
                raise ProblemError([_line(shown, shown, "OUT changed while the profile was being made; run it again")])
            journal = {
                "incoming": incoming.name,
                "old": plan.owned,
                "new": {
                    **{rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()},
                    MANIFEST: hashlib.sha256(record).hexdigest(),
                },
            }
            tmp = incoming / ".journal"
            _write(tmp, canonical(journal))
            os.replace(tmp, out / JOURNAL)
            committed = True
            _fsync_dir(out)
            _roll_forward(out, journal)
        return json.loads(record)
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else out
        if incoming is not None and (where == incoming or incoming in where.parents):
            where = out  # name OUT, not this run's temporary folder inside it
        if committed:
            raise ProblemError(
                [
                    _line(
                        shown,
                        str(where),
                        f"OUT could not be switched over ({exc.strerror}); the next run into it finishes the switch",
                    )
                ]
            ) from None
        raise ProblemError(
            [_line(shown, str(where), f"OUT must be writable ({exc.strerror}); nothing was written")]
        ) from None
    finally:
        if not committed:
            if incoming is not None:
                shutil.rmtree(incoming, ignore_errors=True)
            for d in reversed(created):
                try:
                    d.rmdir()
                except OSError:
                    pass
