"""Build every appendix: validate data, execute notebooks with papermill's
Python API (two at a time, in this process), convert them in-process with
nbconvert, write an index page and the manifest.

Outputs (under output_dir, default outputs/):
  notebooks/<name>.ipynb   executed copy, timestamps and stderr stripped
  html/<name>.html         offline appendix (code hidden unless show_code)
  html/index.html          every appendix with its title, data vintage, build details
  tables/*.csv, figures/*.png  written by the notebooks themselves
  manifest.json            sha256 of every input and output, parameters,
                           package versions, git commit
A notebook runs in a staging folder and its files are moved into place only
when every notebook succeeded, so a failed build leaves the previous outputs
untouched. A content hash of everything a notebook depends on (data, package
code, pins, the notebook, its parameters) lets a rebuild with no change skip
it; force=True re-executes. The same bytes come out of two builds of the same
inputs: no timestamps, no random ids, no absolute paths, no kernel noise.

This module imports nothing heavy at the top (nbformat alone costs two
seconds, through jsonschema), so a no-change rebuild stays well under two
seconds; papermill, nbformat and nbconvert are imported only when needed.
"""

from __future__ import annotations

import platform
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from police_lists.contract.files import sha256_file, write_if_changed
from police_lists.contract.paths import PROJECT_ROOT, display_path, notebooks_dir, resolve  # noqa: F401
from police_lists.pipeline.cache import key, outputs_intact, read_record, write_record
from police_lists.pipeline.convert import provenance_html, to_html
from police_lists.pipeline.execute import clean_executed, execute, notebook_parameters, warm_kernels  # noqa: F401
from police_lists.pipeline.index import data_vintage, index_html, notebook_title
from police_lists.pipeline.ledger import full_ledger, write_ledger
from police_lists.pipeline.manifest import write_manifest
from police_lists.pipeline.provenance import (  # noqa: F401 (the names the profile runner uses)
    OUTSIDE,
    code_inputs,
    data_inputs,
    git_commit,
    package_versions,
    shown_path,
)
from police_lists.pipeline.publish import publish, staged_outputs, staging_area


def discover_notebooks() -> list[Path]:
    """Top-level appendices, in order (teaching notebooks are built separately)."""
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


class Context:
    """What every step of one build shares: folders, input hashes, versions, commit."""

    def __init__(self, output_dir: str, data_dir: str, show_code: bool):
        self.output_dir, self.data_dir, self.show_code = output_dir, data_dir, show_code
        self.out = resolve(output_dir)
        self.cache = self.out / ".cache"
        self.data = data_inputs(data_dir)
        self.code = code_inputs()
        self.inputs = {**self.data, **self.code}
        self.versions = package_versions()
        self.commit = git_commit()
        self.python = platform.python_version()
        self.params = {"data_dir": shown_path(data_dir), "output_dir": shown_path(output_dir)}

    def page(self, nb, job: dict, all_params: dict) -> str:
        footer = provenance_html(job["name"], all_params, job["inputs"], self.versions, self.commit, self.python)
        return to_html(nb, job["name"], footer, self.show_code, index_href="index.html")


def plan(ctx: Context, notebooks: list[Path], force: bool, log) -> tuple[list[dict], list[dict]]:
    """(notebooks to execute, notebooks only to re-convert), by content hash:
    execution depends on data, code, pins, the notebook and its parameters;
    conversion also on show_code, the commit, package versions and Python."""
    to_execute, to_convert = [], []
    for nb_path in notebooks:
        name = nb_path.stem
        exec_key = key(ctx.inputs, sha256_file(nb_path), ctx.params)
        job = {
            "path": nb_path,
            "name": name,
            "exec_key": exec_key,
            "html_key": key(exec_key, ctx.show_code, ctx.commit, ctx.versions, ctx.python),
            "inputs": {**ctx.data, display_path(nb_path): sha256_file(nb_path), **ctx.code},
        }
        record = read_record(ctx.cache / f"{name}.json")
        executed_ok = (
            not force
            and record.get("exec_key") == exec_key
            and (ctx.out / "notebooks" / f"{name}.ipynb").is_file()
            and outputs_intact(ctx.out, record.get("outputs", {}))
        )
        if not executed_ok:
            to_execute.append(job)
        elif record.get("html_key") != job["html_key"] or not (ctx.out / "html" / f"{name}.html").is_file():
            to_convert.append({**job, "record": record})
        else:
            log(f"{name}: unchanged, not re-executed")
    return to_execute, to_convert


def run_notebook(ctx: Context, job: dict, staging: Path, warm=None) -> dict:
    """Execute one notebook into its staging folder and convert it; nothing is published."""
    staging_param = display_path(staging) if staging.resolve().is_relative_to(PROJECT_ROOT.resolve()) else str(staging)
    nb = execute(job["path"], {"data_dir": ctx.data_dir, "output_dir": staging_param}, staging, warm=warm)
    removed = clean_executed(
        nb, ctx.params["output_dir"], staging_param, data_dir=(ctx.data_dir, ctx.params["data_dir"])
    )
    all_params = notebook_parameters(job["path"], ctx.params)
    staged = staged_outputs(staging)
    return {
        **job,
        "nb": nb,
        "page": ctx.page(nb, job, all_params),
        "staged": staged,
        "stderr": removed,
        "vintage": data_vintage(job["path"], [p for p, _ in staged]),
        "all_params": all_params,
        "outputs": {rel: sha256_file(p) for p, rel in staged},
    }


def execute_all(
    ctx: Context, jobs: list[dict], staging: Path, workers: int, validate_first: bool, force: bool, warm=None
):
    """Run the notebooks in worker threads (their kernels are separate processes,
    forked by the warm-kernel server `warm` when given) while this thread
    validates the data and computes the full ledger. Returns (results, ledger
    bytes or None); any failure raises before anything is published. Longest
    first (the notebook's size stands in for its run time), so the workers
    finish close together; the order does not change any output."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    futures = [
        pool.submit(run_notebook, ctx, job, staging / job["name"], warm)
        for job in sorted(jobs, key=lambda j: -j["path"].stat().st_size)
    ]
    try:
        if validate_first:
            from police_lists.contract import validate

            validate.validate(ctx.data_dir)
        ledger = full_ledger(ctx.out, ctx.data_dir, cache_key=key(ctx.inputs), reuse=not force)
        results = [f.result() for f in futures]
    except BaseException:
        for f in futures:
            f.cancel()
        if warm is not None:
            warm.stop()  # the running notebooks' kernels end now: their results would be dropped
        pool.shutdown(wait=True)
        raise
    pool.shutdown()
    return results, ledger


def publish_results(ctx: Context, results: list[dict], reconvert: list[dict], log) -> None:
    """Everything executed: only now touch the published folders."""
    import nbformat

    for res in results:
        name = res["name"]
        publish(
            ctx.out,
            {
                f"notebooks/{name}.ipynb": nbformat.writes(res["nb"]).encode("utf-8"),
                f"html/{name}.html": res["page"].encode("utf-8"),
            },
            res["staged"],
        )
        write_record(
            ctx.cache / f"{name}.json",
            {
                "exec_key": res["exec_key"],
                "html_key": res["html_key"],
                "params": res["all_params"],
                "title": notebook_title(res["path"]),
                "vintage": res["vintage"],
                "outputs": res["outputs"],
            },
        )
        for text in res["stderr"]:
            log(f"{name}: stderr (kept out of the appendix): {text.strip()[:500]}")
        log(f"{name}: executed and converted")
    for job in reconvert:
        name = job["name"]
        nb = nbformat.read(ctx.out / "notebooks" / f"{name}.ipynb", as_version=4)
        all_params = notebook_parameters(job["path"], ctx.params)  # in the notebook's order, as when executed
        publish(ctx.out, {f"html/{name}.html": ctx.page(nb, job, all_params).encode("utf-8")})
        write_record(
            ctx.cache / f"{name}.json",
            {**job["record"], "html_key": job["html_key"], "title": notebook_title(job["path"])},
        )
        log(f"{name}: execution unchanged, re-converted")


def appendices_present(ctx: Context) -> dict:
    """Every appendix whose page is in the output folder, not only those built now."""
    appendices = {}
    for nb_path in discover_notebooks():
        record = read_record(ctx.cache / f"{nb_path.stem}.json")
        if record and (ctx.out / "html" / f"{nb_path.stem}.html").is_file():
            made = sorted(rel for rel in record.get("outputs", {}) if "/." not in rel)  # not the .labels
            appendices[nb_path.stem] = {
                "title": record.get("title", nb_path.stem),
                "vintage": record.get("vintage"),
                "html": f"html/{nb_path.stem}.html",
                "parameters": record.get("params", {}),
                "tables": [r for r in made if r.startswith("tables/")],
                "figures": [r for r in made if r.startswith("figures/")],
            }
    return appendices


def build(
    output_dir: str = "outputs",
    data_dir: str = "data",
    names: list[str] | None = None,
    force: bool = False,
    jobs: int = 2,
    show_code: bool = False,
    log=print,
) -> dict:
    """Validate, then execute and convert every notebook whose inputs changed.

    Three levels of reuse, each keyed by a content hash: validation (data and
    code), execution (data, code, pins, notebook, parameters) and conversion
    (execution plus show_code, commit, package versions). An appendix whose
    execution is unchanged but whose commit changed is re-converted from its
    executed copy, never re-executed."""
    ctx = Context(output_dir, data_dir, show_code)
    notebooks = [p for p in discover_notebooks() if names is None or p.stem in names]
    missing = sorted(set(names or ()) - {p.stem for p in notebooks})
    if missing:
        raise FileNotFoundError(f"no notebook named {missing} in notebooks/")
    # Validation is cached by the hash of data and code (its result depends on
    # nothing else); FORCE re-runs it too. It runs while the notebooks execute,
    # and a failure stops the build before anything is published.
    validate_key = key(ctx.inputs)
    stamp = ctx.cache / "validate.key"
    must_validate = force or not stamp.exists() or stamp.read_text() != validate_key
    to_execute, to_convert = plan(ctx, notebooks, force, log)
    if to_execute or to_convert:
        # Import once in this thread: the worker threads then share the modules.
        import nbconvert  # noqa: F401
        import nbformat  # noqa: F401
        import papermill  # noqa: F401

    # The warm-kernel server starts importing what the notebooks import now, while
    # this process validates; leaving the block ends it and any kernel still running
    # (so a failed validation does not wait for notebooks whose results are dropped).
    with (
        warm_kernels([job["path"] for job in to_execute] if to_execute else []) as warm,
        staging_area(ctx.out, "appendices") as staging,
    ):
        results, ledger = execute_all(ctx, to_execute, staging, jobs, must_validate, force, warm)
        if must_validate:
            write_if_changed(stamp, validate_key.encode())
        publish_results(ctx, results, to_convert, log)
    if ledger is not None:
        write_ledger(ctx.out, *ledger)

    appendices = appendices_present(ctx)
    built = [notebooks_dir() / f"{n}.ipynb" for n in appendices]
    if data_inputs(data_dir) != ctx.data:  # the cache keys hold the old hashes, so the next build redoes this
        log("warning: files in data/ changed during the build; run it again")
    # The data hashes recorded are those taken when the build started (what it used).
    manifest = write_manifest(
        ctx.out,
        data_dir,
        built,
        ctx.versions,
        ctx.commit,
        output_dir,
        appendices=appendices,
        write=False,
        data=ctx.data,
    )
    write_if_changed(ctx.out / "html" / "index.html", index_html(manifest).encode("utf-8"))
    return write_manifest(
        ctx.out, data_dir, built, ctx.versions, ctx.commit, output_dir, appendices=appendices, data=ctx.data
    )
