"""`make profile`: read and validate one list or many, compute each one's published
(disclosure-controlled) profile in this process, execute
notebooks/05_list_profile.ipynb on those published values in a private scratch
folder (pipeline.scratch), then publish into OUT file by file (pipeline.outdir).

Fixed costs are paid once and overlapped with reading (issue 14):
  * the kernels are started before the first list is read (they boot in their
    own processes while this one reads), with the notebook's imports loaded into
    them at once: one for one list; in many-list mode one per core (at most
    MAX_KERNELS), each driven by its own thread, taking the notebooks (the
    comparison first) as it frees up;
  * a kernel runs all its notebooks on one client (execute.run_papermill's kc:
    a new client pauses 0.2 s), and is reset between them (namespace cleared,
    execution count back to 1), so every notebook it runs is what a fresh
    kernel gives, whichever kernel runs it; what it imported at the start is
    frozen out of garbage collection (WARM_KERNEL), so each reset's collection
    walks only what the last notebook made;
  * papermill and the statistics are imported in a thread while the list is read
    (pandas' parser releases the GIL), and the converter thread compiles the page
    template meanwhile;
  * a list is read in pieces (readers.listinput), so its size sets the time,
    not the memory;
  * each page is converted to HTML in that converter thread while the kernels
    run the next notebooks.
The notebook is still executed for every list, so OUT/notebook.ipynb stays the
executed record of what the page shows.

Many lists (run_many): OUT/<stem>/ holds exactly what a single-list run into
OUT/<stem> writes (its own manifest.json included) and OUT/compare/ the
comparison page, notebook COMPARE_NOTEBOOK executed with `published_dir` set to
a private folder holding one <stem>.json per list (analyses.profile.Published),
so its kernel never reads a list. OUT as a whole is owned, checked and switched
like a single profile's OUT (one manifest listing every file, one journal).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from police_lists.contract.problems import ProblemError
from police_lists.pipeline.outdir import KIND

# analyses.profile and methods.sdc (pandas, and on first use statsmodels and scipy) are
# imported where they are used, after the kernel has been started, so that its boot
# overlaps their import.
if TYPE_CHECKING:
    from police_lists.analyses.profile import Published

NOTEBOOK = "05_list_profile.ipynb"
# The many-list comparison page: helper F's notebook 06 (issue 16). Its parameters
# include published_dir (a folder of <stem>.json, analyses.profile.Published) and
# output_dir; tests point this at a stand-in in tests/fixtures/. When the notebook
# is not in the checkout, OUT/compare/ holds plain tables only (compare_tables).
COMPARE_NOTEBOOK = "06_forces.ipynb"
COMPARE_DIR = "compare"
COMPARE_PARAMETERS = (
    "threshold",
    "disclosure_control",
    "confidence",
    "ci_method",
    "ratio_method",
    "benchmarks",
    "force",
    "data_dir",
)
LIST_SUFFIXES = (".csv", ".xlsx")
MAX_KERNELS = 4  # kernels side by side in many-list mode (_kernels_for)
PROFILE_KIND = KIND  # what a profile's manifest.json says it is (police_lists.pipeline.outdir)
OUTPUT_FILES = ("profile.html", "notebook.ipynb", "manifest.json")
SET_BY_RUN = ("list_path", "output_dir", "table_prefix", "published_profile")
# Loaded into the kernel as soon as it starts (silently, outside the history), then frozen
# out of garbage collection (gc.freeze): the imported objects live as long as the kernel, and
# the full collection of each reset (IPython's displayhook) no longer walks them (the reset
# between two notebooks: 0.15 s -> 0.06 s; twenty lists: about 3 s less kernel time in all,
# 1.9 s in the resets and 1 s in the cells' own collections).
# The names the imports bind are deleted: the first notebook sees what a new kernel shows.
WARM_KERNEL = (
    "import matplotlib.pyplot\n"
    "import police_lists.pipeline.params, police_lists.analyses.profile, police_lists.present.profile, "
    "police_lists.present.appendix, police_lists.readers.listinput\n"
    "import gc\n"
    "gc.freeze()\n"
    "del matplotlib, police_lists, gc"
)
# Between two notebooks in the same kernel: what a fresh kernel would hold.
RESET_KERNEL = (  # a new history session too, so execution counts restart at 1 without a clash
    "get_ipython().reset(new_session=True)\n"
    "import matplotlib.pyplot\n"
    "matplotlib.pyplot.close('all')\n"
    "del matplotlib\n"
    "get_ipython().execution_count = 1"
)


READ_PARAMETERS = (
    "ethnicity_column",
    "officer_ethnicity_column",
    "age_column",
    "gender_column",
    "harm_column",
    "id_column",
    "age_bands",
    "harm_bands",
    "harm_labels",
)
PUBLISH_PARAMETERS = ("threshold", "disclosure_control", "confidence", "ci_method", "ratio_method", "benchmarks")


class Kernel:
    """One of a run's kernels (see the module docstring), numbered from 0. Its log,
    its handed published.json and its papermill folder are in the run's private
    scratch folder, its sockets in a short folder of their own. Its notebooks run
    on one client, made by the thread that first runs one (its event loop is that
    thread's), so every notebook after the first skips a new client's start."""

    def __init__(self, private: Path, number: int = 0):
        from jupyter_core.utils import run_sync

        from police_lists.contract.paths import notebooks_dir
        from police_lists.pipeline.execute import KERNEL, _ipc_kernel_manager, _socket_parent

        suffix = f"-{number}" if number else ""
        self.private = private
        self.handed = private / f"published{suffix}.json"  # the published values of the notebook it runs
        self.run_dir = private / f"run{suffix}"
        self.log = open(private / f"kernel{suffix}.log", "w+b")  # noqa: SIM115 - closed in close()
        # The sockets get a short folder of their own (0700), named as execute.execute names
        # its kernels': a Unix socket's path is at most 107 bytes, and TMPDIR can be long.
        self.sockets = Path(tempfile.mkdtemp(prefix="plk-", dir=_socket_parent()))
        self.ready = None
        try:
            self.km = _ipc_kernel_manager(str(self.sockets / "kernel"), self.log)(kernel_name=KERNEL)
            run_sync(self.km.start_kernel)(cwd=str(notebooks_dir()))
            self.kc = self.km.blocking_client()
            self.kc.start_channels()
            self.kc.execute(WARM_KERNEL, silent=True, store_history=False)  # runs while the list is read
        except BaseException:
            self.release()
            raise
        self.used = False

    def execute(self, notebook: Path, parameters: dict, staging: Path):
        """Run one notebook with papermill in this kernel; return it executed (not yet cleaned)."""
        from jupyter_core.utils import run_sync

        from police_lists.pipeline.execute import run_papermill

        if self.ready is None:
            self.ready = self.km.client()
            self.ready.allow_stdin = False
            self.ready.start_channels()
            run_sync(self.ready.wait_for_ready)(timeout=60)
        if self.used:
            run_sync(self._reset)()
        self.used = True
        return run_papermill(notebook, parameters, staging, self.log, km=self.km, kc=self.ready)

    async def _reset(self) -> None:
        """RESET_KERNEL on the client; a kernel that dies meanwhile (stopped on Ctrl-C)
        is an error within a second, not at the timeout."""
        import time
        from queue import Empty

        msg_id = self.ready.execute(RESET_KERNEL, silent=True, store_history=False)
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = await self.ready.get_shell_msg(timeout=1)
            except Empty:
                if not await self.ready.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("the kernel could not be reset between two notebooks") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"].get("status") != "ok":
            raise RuntimeError("the kernel could not be reset between two notebooks")

    def hang_up(self) -> None:
        """In the thread that ran its notebooks: stop the client and close the thread's
        event loop (jupyter_core's run_sync makes one per thread and never closes it:
        an epoll and two sockets a thread)."""
        from jupyter_core.utils import ensure_event_loop

        if self.ready is not None:
            self.ready.stop_channels()
            self.ready = None
        ensure_event_loop().close()

    def close(self, stopped: bool = False) -> None:
        """Stop the warm-up client and the kernel, and close the manager's sockets and zmq
        context, then release(). `stopped`: the run failed and its kernels were stopped
        already (scratch.stop_children); nothing here may hide that run's error."""
        from jupyter_core.utils import run_sync

        try:
            self.kc.stop_channels()
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            if not stopped:
                raise
        finally:
            self.release()

    def release(self) -> None:
        """Close the log and remove the sockets' folder (the kernel is stopped by then)."""
        self.log.close()
        shutil.rmtree(self.sockets, ignore_errors=True)


def _kernels_for(notebooks: int) -> int:
    """How many kernels run a run's `notebooks` side by side: one per core, at most
    MAX_KERNELS (each holds its own imports, about 150 MiB), never more than notebooks."""
    return max(1, min(notebooks, os.cpu_count() or 1, MAX_KERNELS))


def _in_kernels(kernels: list[Kernel], tasks: list) -> tuple[list, list[threading.Thread]]:
    """Run tasks (each a function of a kernel) in order on whichever kernel is free:
    one thread per kernel, which drives it from its own event loop. Returns a
    future per task and the threads; cancel the futures and stop the kernels to
    end them early (a running notebook fails within a second of its kernel's end).
    concurrent.futures' pool cannot pin a kernel to a thread, hence these threads."""
    import queue
    from concurrent.futures import Future

    todo: queue.SimpleQueue = queue.SimpleQueue()
    futures = []
    for task in tasks:
        futures.append(Future())
        todo.put((futures[-1], task))

    def work(kernel: Kernel) -> None:
        try:
            while True:
                try:
                    future, task = todo.get_nowait()
                except queue.Empty:
                    return
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(task(kernel))
                except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                    future.set_exception(exc)
        finally:
            kernel.hang_up()

    threads = [
        threading.Thread(target=work, args=(kernel,), name=f"police-lists-kernel-{i}", daemon=True)
        for i, kernel in enumerate(kernels)
    ]
    for thread in threads:
        thread.start()
    return futures, threads


def _warm() -> threading.Thread:
    """Import papermill, analyses.profile and what it and methods.sdc import only
    on first use (statsmodels, scipy.optimize), in a thread while the list is read
    (pandas' parser releases the GIL); the converter thread compiles the page
    template meanwhile (_profile_all).
    The census tables are loaded after the list is read, not beside it: together
    they would double the peak memory (errors are left for the real call to report)."""

    def work():
        try:
            import papermill  # noqa: F401
            import scipy.optimize  # noqa: F401 (sdc's audit, imported where it is used)

            import police_lists.analyses.profile  # noqa: F401
            import police_lists.methods.stats  # noqa: F401 (statsmodels: imported on first use)
        except Exception:  # noqa: BLE001,S110 - warming only
            pass

    thread = threading.Thread(target=work, name="police-lists-warm", daemon=True)
    thread.start()
    return thread


@dataclass
class _Job:
    """One list of a run, read, checked and profiled (in memory: only published values leave)."""

    src: Path
    values: dict
    keep: list[Path]
    pub: Published
    shown_list: str
    shown_params: dict
    inputs: dict
    files: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)


def _check_parameters(given: dict) -> None:
    for fixed in SET_BY_RUN:
        if fixed in given:
            raise ProblemError([f"parameter {fixed} is set by make profile (LIST=, OUT=), not with -p"])


def _read(src: Path, given: dict, data_dir: str) -> tuple[dict, list, object, object]:
    """Check the parameters for one list and read (and validate) it and its previous snapshot."""
    from police_lists.pipeline import params as params_mod
    from police_lists.readers import listinput

    values = {"data_dir": data_dir, "list_path": str(src), **given, "table_prefix": ""}
    if values.get("previous_path"):
        values["previous_path"] = str(Path(values["previous_path"]).expanduser().resolve())
    try:
        params_mod.check_given(NOTEBOOK.removesuffix(".ipynb"), values)
    except params_mod.ParameterError as exc:
        raise ProblemError([str(exc)]) from None
    read_args = {k: values[k] for k in READ_PARAMETERS if k in values}
    data = listinput.read_list(src, data_dir=data_dir, **read_args)
    previous = (
        listinput.read_list(values["previous_path"], data_dir=data_dir, **read_args)
        if values.get("previous_path")
        else None
    )
    keep = [src] + ([Path(values["previous_path"])] if previous is not None else [])
    return values, keep, data, previous


def _job(src: Path, values: dict, keep: list, data, previous, data_dir: str) -> _Job:
    """The whole profile, with its LP audit on the true counts, in this process's memory."""
    from police_lists.analyses.profile import publish
    from police_lists.contract.files import sha256_file
    from police_lists.contract.paths import display_path, notebooks_dir
    from police_lists.pipeline import build
    from police_lists.readers import listinput

    pub = publish(data, previous, data_dir=data_dir, **{k: values[k] for k in PUBLISH_PARAMETERS if k in values})
    shown_list = display_path(src)
    shown_params = {
        k: (display_path(v) if k in ("list_path", "previous_path") and v else v)
        for k, v in {**values, "output_dir": "OUT"}.items()
    }
    inputs = {shown_list: sha256_file(src)}
    if previous is not None:
        inputs[display_path(values["previous_path"])] = sha256_file(Path(values["previous_path"]))
    inputs[f"notebooks/{NOTEBOOK}"] = sha256_file(notebooks_dir() / NOTEBOOK)
    inputs[f"data/{listinput.MAPPING}"] = sha256_file(Path(build.resolve(data_dir)) / listinput.MAPPING)
    return _Job(src, values, keep, pub, shown_list, shown_params, inputs)


def _manifest(job: _Job, versions: dict, commit: str) -> dict:
    from police_lists.methods import sdc
    from police_lists.pipeline.manifest import provenance_fields

    pub = job.pub
    return {
        "kind": PROFILE_KIND,
        "format": pub.format,
        "synthetic": pub.synthetic,
        "sensitivity": pub.sensitivity,
        "disclosure_control": {
            "on": pub.disclosure_control,
            "threshold": pub.threshold,
            "rounding_base": sdc.DEFAULT_BASE,
            "weaker_than_ons_10_5": pub.weak,
        },
        "ethnicity_mapping_version": pub.mapping_version,
        **provenance_fields(versions, commit),
        "inputs": job.inputs,
        "parameters": job.shown_params,
        "outputs": _outputs(job.files, job.labels),
    }


def _outputs(files: dict[str, bytes], labels: dict[str, str]) -> dict:
    """A manifest's `outputs` for files still in memory (pipeline.manifest.output_entries)."""
    import hashlib

    from police_lists.pipeline.manifest import output_entries

    return output_entries({rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}, labels)


def run(
    list_path: str,
    output_dir: str,
    parameters: dict | None = None,
    data_dir: str = "data",
    show_code: bool = False,
    shown_out: str | None = None,
) -> dict:
    """`make profile`: validate the list, compute the profile (with its LP audit)
    in this process, run notebooks/05 on the published values in a private
    scratch folder, and publish OUT/{profile.html, notebook.ipynb, manifest.json,
    tables/, figures/} file by file (police_lists.pipeline.outdir).

    Everything is checked before anything is created under OUT; on any error
    or interrupt OUT is left exactly as it was. Exact counts never touch a disk."""
    from police_lists.pipeline import outdir

    src = Path(list_path).expanduser().resolve()
    done = _profile_all([src], output_dir, parameters, data_dir, show_code, shown_out, compare=False)
    (job,) = done.jobs
    return outdir.publish(done.plan, job.files, _manifest(job, done.versions, done.commit), done.keep)


@dataclass
class _Done:
    """A run's profiles, made and checked, ready to publish."""

    plan: object
    keep: list
    jobs: list
    versions: dict
    commit: str
    compare: tuple = ()


def _profile_all(lists, output_dir, parameters, data_dir, show_code, shown_out, compare: bool) -> _Done:
    """Everything before publishing, for one list or many: read and check every
    list, check OUT, compute each published profile, run the notebooks in the
    warm kernels (_in_kernels), convert each page (while the kernels run the next
    notebooks), and with `compare` make OUT/compare/'s files. The kernels and their
    threads are stopped and the scratch folder removed on every way out."""
    from concurrent.futures import ThreadPoolExecutor

    from police_lists.pipeline import build, convert, outdir, scratch

    scratch.sweep_stale()  # scratch folders of killed runs go first, whatever happens next
    given = dict(parameters or {})
    _check_parameters(given)
    out = Path(output_dir).expanduser().resolve()
    shown_out = shown_out or str(output_dir)
    before = scratch.children()
    with scratch.private_folder() as private:
        kernels, futures, threads = [], [], []
        converter = ThreadPoolExecutor(max_workers=1)  # HTML while the kernels run the next notebooks
        try:
            for number in range(_kernels_for(len(lists) + int(compare))):  # they boot while the lists are read
                kernels.append(Kernel(private, number))
            warm = _warm()
            converter.submit(convert.exporter, show_code)  # its page exporter, while the lists are read
            # Every list (and previous snapshot) is read and validated here, once, before anything else.
            read, problems = [], []
            for src in lists:
                try:
                    read.append((src, *_read(src, given, data_dir)))
                except ProblemError as exc:  # every list's problems, each line once (a bad parameter is one)
                    problems += [line for line in exc.problems if line not in problems]
            if problems:
                raise ProblemError(problems)
            keep = [k for _, _, ks, _, _ in read for k in ks]
            outdir.writable(out, shown_out)
            if out.is_dir():
                outdir.recover(out)
            plan = outdir.check(out, shown_out, keep)
            warm.join()
            jobs = []
            while read:  # the exact counts of each list are dropped as soon as it is published
                src, values, ks, data, previous = read.pop(0)
                jobs.append(_job(src, values, ks, data, previous, data_dir))
                del data, previous
            versions, commit = build.package_versions(), build.git_commit()

            def page(i: int, job: _Job):
                def task(kernel: Kernel):
                    staging = private / f"out-{i}"
                    nb = _execute(kernel, job, staging)
                    return converter.submit(_page, nb, job, versions, commit, show_code, staging)

                return task

            tasks = [page(i, job) for i, job in enumerate(jobs)]
            if compare:  # first: the longest notebook, so the kernels finish close together
                stems = {j.src.stem: j for j in jobs}
                tasks.insert(
                    0, lambda kernel: _compare(kernel, stems, private, given, data_dir, show_code, versions, commit)
                )
            futures, threads = _in_kernels(kernels, tasks)
            made = futures.pop(0).result() if compare else ()
            for job, pending in zip(jobs, futures):
                job.files, job.labels = pending.result().result()
            for thread in threads:  # each has stopped its client and closed its event loop
                thread.join()
            converter.shutdown()
            for kernel in kernels:
                kernel.close()
            kernels = []
        except BaseException:
            for future in futures:
                future.cancel()
            converter.shutdown(wait=False, cancel_futures=True)
            scratch.stop_children(before)  # the kernels, before the scratch folder goes
            for thread in threads:  # their notebooks fail as their kernels end
                thread.join(timeout=10)
            converter.shutdown(wait=True)
            raise
        finally:
            for kernel in kernels:  # stopped by now: their clients and managers still hold sockets
                kernel.close(stopped=True)
    return _Done(plan, keep, jobs, versions, commit, made)


def _execute(kernel: Kernel, job: _Job, staging: Path):
    """Run the notebook on the published values in the scratch folder."""
    from police_lists.contract.paths import notebooks_dir

    handed = kernel.handed  # one at a time per kernel
    job.pub.save(handed)
    try:
        return kernel.execute(
            notebooks_dir() / NOTEBOOK,
            {**job.values, "output_dir": str(staging), "published_profile": str(handed)},
            kernel.run_dir,
        )
    except Exception as exc:  # papermill's error carries the notebook's own one-line reason
        raise ProblemError([f"{job.shown_list}: the profile notebook failed: {_reason(exc)}"]) from None
    finally:
        handed.unlink(missing_ok=True)


def _reason(exc: Exception) -> str:
    return getattr(exc, "evalue", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[-1]


def _page(nb, job: _Job, versions: dict, commit: str, show_code: bool, staging: Path):
    """The files to publish (relative path -> bytes) and the tables' sensitivity labels."""
    import nbformat
    from papermill.translators import PythonTranslator

    from police_lists.contract.paths import display_path
    from police_lists.pipeline import build

    values = job.values
    shown_paths = {"list_path": job.shown_list}
    if values.get("previous_path"):
        shown_paths["previous_path"] = display_path(values["previous_path"])
    for cell in nb.cells:  # before clean_executed, which rewrites the scratch folder
        if "injected-parameters" in cell.metadata.get("tags", []):
            lines = []
            for line in cell.source.splitlines():
                name = line.split(" = ", 1)[0]
                if name == "published_profile":
                    continue
                if name in shown_paths:  # no machine path in the published notebook
                    line = f"{name} = {PythonTranslator.translate_str(shown_paths[name])}"
                lines.append(line)
            cell.source = "\n".join(lines)
    build.clean_executed(nb, "OUT", str(staging))
    pm = nb.metadata.get("papermill", {}).get("parameters", {})
    for key in ("list_path", "previous_path"):
        if pm.get(key):
            pm[key] = display_path(pm[key])
    pm.pop("published_profile", None)
    page = build.to_html(
        nb,
        "profile",
        build.provenance_html("profile", job.shown_params, job.inputs, versions, commit),
        show_code,
    )
    files = {"profile.html": page.encode("utf-8"), "notebook.ipynb": nbformat.writes(nb).encode("utf-8")}
    staged, labels = _collect(staging)
    return {**files, **staged}, labels


def _collect(staging: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """The tables and figures a notebook wrote into its staging folder (relative
    path -> bytes), and the tables' sensitivity labels; the folder is removed."""
    import shutil

    labels = {}
    for label in sorted((staging / "tables" / ".labels").glob("*.json")):
        info = json.loads(label.read_text())
        labels[f"tables/{info['table']}"] = info["sensitivity"]
    files = {}
    for path in sorted(p for p in staging.rglob("*") if p.is_file() and ".labels" not in p.parts):
        files[path.relative_to(staging).as_posix()] = path.read_bytes()
    shutil.rmtree(staging, ignore_errors=True)
    return files, labels


# ---------------------------------------------------------------- many lists


def lists_in(names: list[str]) -> list[Path]:
    """The lists named: files as given, and a folder's .csv and .xlsx files (not
    hidden, not in sub-folders), in name order. Refuses a missing path, a folder
    without lists, and two lists with the same stem (OUT/<stem>/ would clash)."""
    from police_lists.contract.paths import display_path
    from police_lists.contract.problems import problem

    found: list[Path] = []
    for name in names:
        p = Path(name).expanduser().resolve()
        if p.is_dir():
            inside = sorted(
                q
                for q in p.iterdir()
                if q.is_file() and not q.name.startswith(".") and q.suffix.lower() in LIST_SUFFIXES
            )
            if not inside:
                raise ProblemError(
                    [problem(display_path(p), "-", "-", name, "a folder of lists holds .csv or .xlsx files")]
                )
            found += inside
        else:
            found.append(p)
    problems, seen = [], {}
    for p in found:
        stem = p.stem
        rule = None
        if stem == COMPARE_DIR or stem.startswith("."):
            rule = (
                f"a list's name gives its folder OUT/<name>/; '{COMPARE_DIR}' "
                "and names starting with '.' are taken: rename the file"
            )
        elif stem in seen:
            rule = f"each list needs its own name (OUT/<name>/): {seen[stem].name} has the same one"
        if rule:
            problems.append(problem(display_path(p), "-", "-", p.name, rule))
        seen.setdefault(stem, p)
    if problems:
        raise ProblemError(problems)
    return found


def run_many(
    lists: list[Path],
    output_dir: str,
    *,
    parameters: dict | None = None,
    data_dir="data",
    show_code=False,
    shown_out=None,
) -> dict:
    """Profile several lists in one process, its kernels side by side: OUT/<stem>/
    for each (exactly a single-list run's files) and OUT/compare/ (module
    docstring); the options are run's. Every list is read and checked before
    anything is written; a refusal names each bad list's problems, and OUT is
    left as it was."""
    from police_lists.pipeline import outdir

    if (parameters or {}).get("previous_path"):
        raise ProblemError(["parameter previous_path names one earlier snapshot, so it takes one list, not several"])
    done = _profile_all(lists, output_dir, parameters, data_dir, show_code, shown_out, compare=True)
    compare, compare_labels, compare_note = done.compare
    files: dict[str, bytes] = {}
    labels: dict[str, str] = {}
    for job in done.jobs:
        stem = job.src.stem
        files.update({f"{stem}/{rel}": data for rel, data in job.files.items()})
        files[f"{stem}/{outdir.MANIFEST}"] = outdir.manifest_bytes(_manifest(job, done.versions, done.commit))
        labels.update({f"{stem}/{rel}": label for rel, label in job.labels.items()})
    files.update({f"{COMPARE_DIR}/{rel}": data for rel, data in compare.items()})
    labels.update({f"{COMPARE_DIR}/{rel}": label for rel, label in compare_labels.items()})
    manifest = _many_manifest(done, files, labels, dict(parameters or {}), data_dir, compare_note)
    return outdir.publish(done.plan, files, manifest, done.keep)


def combined_sensitivity(labels) -> str:
    """The label of a page built from several lists: the most restrictive of theirs."""
    from police_lists.contract import standards as report

    order = (report.NOT_FOR_PUBLICATION, report.RECORD_LEVEL, report.AGGREGATE, report.SYNTHETIC, report.PUBLISHED)
    labels = set(labels)
    return next(label for label in order if label in labels)


def _compare(kernel, jobs: dict[str, _Job], private: Path, given: dict, data_dir, show_code, versions, commit):
    """OUT/compare/: the comparison notebook (COMPARE_NOTEBOOK) executed on the
    published profiles, or, when it is not in this checkout, plain tables.
    Returns (files, table labels, a note saying which)."""
    import papermill

    from police_lists.contract.paths import notebooks_dir
    from police_lists.pipeline import build

    sensitivity = combined_sensitivity(job.pub.sensitivity for job in jobs.values())
    staging = private / "out-compare"
    notebook = Path(COMPARE_NOTEBOOK) if Path(COMPARE_NOTEBOOK).is_absolute() else notebooks_dir() / COMPARE_NOTEBOOK
    if not notebook.is_file():
        files, labels = compare_tables({stem: job.pub for stem, job in jobs.items()}, staging, sensitivity)
        return files, labels, f"{COMPARE_NOTEBOOK} is not in this checkout: plain comparison tables only, no page"
    published = private / "published"
    published.mkdir()
    for stem, job in jobs.items():
        job.pub.save(published / f"{stem}.json")
    values = {
        "data_dir": data_dir,
        "lists_dir": "",  # published_dir says where the profiles are: the kernel never reads a list
        "published_dir": str(published),
        "output_dir": str(staging),
        "table_prefix": "",
        **{k: given[k] for k in COMPARE_PARAMETERS if k in given},
    }
    declared = papermill.inspect_notebook(str(notebook))
    values = {k: v for k, v in values.items() if k in declared}
    try:
        nb = kernel.execute(notebook, values, kernel.run_dir)
    except Exception as exc:  # noqa: BLE001 - the notebook's own one-line reason
        raise ProblemError([f"{notebook.name}: the comparison notebook failed: {_reason(exc)}"]) from None
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("published_dir ="))
    build.clean_executed(nb, "OUT", str(staging))
    nb.metadata.get("papermill", {}).get("parameters", {}).pop("published_dir", None)
    shown = {k: v for k, v in {**values, "output_dir": "OUT"}.items() if k != "published_dir"}
    from police_lists.contract.files import sha256_file

    inputs = {job.shown_list: job.inputs[job.shown_list] for job in jobs.values()}
    inputs[f"notebooks/{notebook.name}"] = sha256_file(notebook)
    page = build.to_html(
        nb, "comparison", build.provenance_html("comparison", shown, inputs, versions, commit), show_code
    )
    import nbformat

    staged, labels = _collect(staging)
    files = {"comparison.html": page.encode("utf-8"), "notebook.ipynb": nbformat.writes(nb).encode("utf-8"), **staged}
    return files, labels, f"comparison page: {notebook.name}"


def compare_tables(published: dict[str, Published], staging: Path, sensitivity: str):
    """Plain comparison tables (no page): each list's published summary,
    ethnicity and disproportionality tables one under another, with the list's
    name in front. Published values only; nothing is computed again."""
    import pandas as pd

    from police_lists.analyses.profile import stamp
    from police_lists.present.appendix import Appendix

    app = Appendix(str(staging), "compare")
    sizes = pd.DataFrame(
        [[stem, pub.format, pub.n_published, pub.sensitivity, pub.stamp or ""] for stem, pub in published.items()],
        columns=["list", "format", "people (published)", "sensitivity", "label"],
    )
    app.table(sizes, "lists", "every list: its format, size (as published) and label", sensitivity, display=False)
    for name, caption in (
        ("ethnicity", "every list's ethnicity table, as published"),
        ("disproportionality", "every list's shares against the same benchmarks, as published"),
    ):
        frames = []
        for stem, pub in published.items():
            table = stamp(pub.tables[name] if name in pub.tables else getattr(pub, name), pub.stamp)
            frames.append(table.assign(list=stem)[["list", *table.columns]])
        both = pd.concat(frames, ignore_index=True)
        app.table(both.astype(object).where(both.notna(), ""), name, caption, sensitivity, display=False)
    return _collect(staging)


def _many_manifest(done: _Done, files, labels, given, data_dir, note) -> dict:
    from police_lists.pipeline.manifest import provenance_fields

    return {
        "kind": PROFILE_KIND,
        "format": "many lists",
        "lists": {job.src.stem: {"list": job.shown_list, "sensitivity": job.pub.sensitivity} for job in done.jobs},
        "comparison": note,
        "sensitivity": combined_sensitivity(job.pub.sensitivity for job in done.jobs),
        **provenance_fields(done.versions, done.commit),
        "parameters": {**given, "data_dir": data_dir, "output_dir": "OUT"},
        "outputs": _outputs(files, labels),
    }
