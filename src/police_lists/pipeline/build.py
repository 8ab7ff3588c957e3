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

import csv
import hashlib
import html
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

# jsonschema (under nbformat and frictionless) imports the optional rfc3987_syntax
# for its "iri" format checker, compiling ~40 grammars: two seconds of CPU on
# every start. Neither nbformat nor frictionless checks formats, so it is never
# used; marking it absent makes jsonschema skip it (it tolerates ImportError).
sys.modules.setdefault("rfc3987_syntax", None)

from police_lists.contract.files import atomic_write, sha256_file, write_if_changed  # noqa: E402,F401 (build.sha256_file)
from police_lists.contract.paths import PROJECT_ROOT, display_path, notebooks_dir, resolve  # noqa: E402

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/police_lists: every module of the package
TEMPLATES = PACKAGE_DIR / "templates"
KERNEL = "python3"  # the interpreter running the build (ipykernel's native kernel)
OUTPUT_KINDS = ("tables", "figures")
OUTSIDE = "<outside the project>"  # how a folder outside the project is shown (no machine paths)


def discover_notebooks() -> list[Path]:
    """Top-level appendices, in order (teaching notebooks are built separately)."""
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def data_inputs(data_dir: str = "data") -> dict[str, str]:
    """sha256 of every file under data/."""
    root = resolve(data_dir)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {display_path(p): sha256_file(p) for p in files}


def code_inputs() -> dict[str, str]:
    """sha256 of the package code, templates and pins (they change what a notebook produces)."""
    files = sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and p.suffix in {".py", ".j2", ".json", ".css"} and "__pycache__" not in p.parts
    )
    files += [PROJECT_ROOT / "requirements.txt", PROJECT_ROOT / "constraints.txt"]
    return {display_path(p): sha256_file(p) for p in files if p.exists()}


def package_versions() -> dict[str, str]:
    names = [
        line.split("==")[0]
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]
    return {name: metadata.version(name) for name in sorted(names, key=str.lower)}


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + (" with uncommitted changes" if dirty else "")


def shown_path(path: str) -> str:
    """A folder as recorded in outputs: relative to the project root when inside
    it; otherwise a fixed placeholder, so a build into /tmp/x and one into /tmp/y
    give the same bytes and no machine path leaks into an appendix."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return OUTSIDE


def _key(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True).encode())
    return h.hexdigest()


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


def _toc(body: str) -> str:
    """A static table of contents from the h2/h3 ids nbconvert generated."""
    items = re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', body)
    if not items:
        return body.replace("<!--TOC-->", "", 1)
    lines = ['<nav id="toc" aria-label="Contents"><strong>Contents</strong><ul>']
    for level, anchor, text in items:
        indent = ' style="margin-left:1.2em"' if level == "3" else ""
        lines.append(f'<li{indent}><a href="#{anchor}">{text}</a></li>')
    lines.append("</ul></nav>")
    return body.replace("<!--TOC-->", "\n".join(lines), 1)


def provenance_html(
    name: str,
    parameters: dict,
    inputs: dict[str, str],
    versions: dict[str, str],
    commit: str,
    python: str | None = None,
) -> str:
    """The appendix footer: what produced it (commit, Python, packages), with
    which parameters, from which inputs (each with its sha256)."""
    rows = "".join(f"<li><code>{html.escape(p)}</code> sha256 <code>{h}</code></li>" for p, h in inputs.items())
    shown = {k: (shown_path(v) if k.endswith("_dir") and isinstance(v, str) else v) for k, v in parameters.items()}
    params = "".join(f"<li><code>{html.escape(k)} = {html.escape(repr(v))}</code></li>" for k, v in shown.items())
    pkgs = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in versions.items())
    return (
        f"<h2>Provenance</h2><p>Appendix <code>{html.escape(name)}</code>, built by "
        f"<code>make all</code> from git commit <code>{html.escape(commit)}</code> with Python "
        f"{html.escape(python or platform.python_version())}.</p><p>Parameters:</p><ul>{params}</ul>"
        f"<p>Packages: {pkgs}.</p><details><summary>Inputs and their sha256 ({len(inputs)} files)</summary>"
        f"<ul>{rows}</ul></details>"
    )


def to_html(nb, name: str, provenance: str, show_code: bool = False, index_href: str | None = None) -> str:
    """One self-contained offline page (template templates/appendix); index_href,
    when given, adds a link back to the index of appendices."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="appendix", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(
        nb, resources={"provenance_html": provenance, "index_href": index_href, "metadata": {"name": name}}
    )
    return _toc(body)


def _ipc_kernel_manager(socket_prefix: str, stderr):
    """A kernel manager talking to its kernel over local Unix sockets rather
    than TCP on localhost: nothing listens on a port, and ipykernel does not
    print its 'running over TCP without encryption' warning. Each kernel gets
    its own socket prefix (the default, 'kernel-ipc' in the working directory,
    would make two parallel kernels share sockets). The kernel process's own
    stderr (shutdown chatter, not cell output) goes to `stderr`, a file shown
    only when the notebook fails."""
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

    return IPCKernelManager


def execute(notebook: Path, parameters: dict, staging: Path):
    """Run one notebook with papermill; return the executed notebook (not yet cleaned)."""
    import nbformat
    import papermill

    staging.mkdir(parents=True, exist_ok=True)
    executed_path = staging / Path(notebook).name
    # A private folder for this kernel's sockets and log, removed afterwards.
    with tempfile.TemporaryDirectory(prefix="police-lists-kernel-") as private:
        with open(Path(private) / "kernel.log", "w+b") as kernel_log:
            try:
                papermill.execute_notebook(
                    str(notebook),
                    str(executed_path),
                    parameters=parameters,
                    kernel_name=KERNEL,
                    cwd=str(Path(notebook).parent),
                    progress_bar=False,
                    log_output=False,
                    kernel_manager_class=_ipc_kernel_manager(str(Path(private) / "kernel"), kernel_log),
                )
            except BaseException as exc:
                kernel_log.seek(0)
                tail = kernel_log.read().decode("utf-8", "replace").strip()[-2000:]
                if tail:
                    exc.add_note(f"kernel stderr ({Path(notebook).name}):\n{tail}")
                raise
    return nbformat.read(executed_path, as_version=4)


def _staged_files(staging: Path) -> list[tuple[Path, str]]:
    """(file in staging, its path relative to the output folder) for each table and figure."""
    found = []
    for kind in OUTPUT_KINDS:
        src = staging / kind
        if src.exists():
            found += [(p, f"{kind}/{p.relative_to(src).as_posix()}") for p in sorted(src.rglob("*")) if p.is_file()]
    return found


def _promote(staging: Path, out: Path) -> None:
    """Move a successful notebook's tables and figures into the output folder."""
    for path, rel in _staged_files(staging):
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        path.replace(dest)


def notebook_title(nb_path: Path) -> str:
    meta = json.loads(Path(nb_path).read_text(encoding="utf-8")).get("metadata", {})
    return meta.get("title") or Path(nb_path).stem


def notebook_parameters(nb_path: Path, overrides: dict) -> dict:
    """Every parameter the notebook ran with: the defaults of its `parameters`
    cell (read by papermill) with the build's values on top, for the footer."""
    import ast

    import papermill

    values = {}
    for name, info in papermill.inspect_notebook(str(nb_path)).items():
        try:
            values[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            values[name] = info["default"]  # not a literal: keep its source text
    return {**values, **overrides}


def data_vintage(nb_path: Path, tables: list[Path]) -> str:
    """The data vintage shown in the index: the notebook's metadata.vintage when
    set, else the span of the `ref_date` values (claims, census years) in the
    tables the notebook wrote, e.g. 'reference dates 2011 to 2021 (latest 2021-05)'."""
    meta = json.loads(Path(nb_path).read_text(encoding="utf-8")).get("metadata", {})
    if meta.get("vintage"):
        return str(meta["vintage"])
    dates = set()
    for table in tables:
        if table.suffix != ".csv":
            continue
        with open(table, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if "ref_date" not in (reader.fieldnames or []):
                continue
            for row in reader:
                dates.update(
                    part.strip() for part in (row["ref_date"] or "").split("/") if re.match(r"^\d{4}", part.strip())
                )
    if not dates:
        return "not stated"
    years = sorted(d[:4] for d in dates)
    return f"reference dates {years[0]} to {years[-1]} (latest {max(dates)})"


def _read_record(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _outputs_intact(out: Path, files: dict[str, str]) -> bool:
    """Every file a cached step wrote is still there with the same bytes."""
    return all((out / rel).is_file() and sha256_file(out / rel) == sha for rel, sha in files.items())


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
    out = resolve(output_dir)
    cache = out / ".cache"
    data = data_inputs(data_dir)
    code = code_inputs()
    inputs = {**data, **code}
    # Validation is cached by the hash of data and code (its result depends on
    # nothing else); FORCE re-runs it too. It runs while the notebooks execute,
    # and a failure stops the build before anything is published.
    validate_key = _key(inputs)
    must_validate = (
        force or not (cache / "validate.key").exists() or (cache / "validate.key").read_text() != validate_key
    )

    notebooks = [p for p in discover_notebooks() if names is None or p.stem in names]
    if names:
        missing = sorted(set(names) - {p.stem for p in notebooks})
        if missing:
            raise FileNotFoundError(f"no notebook named {missing} in notebooks/")
    versions = package_versions()
    commit = git_commit()
    python = platform.python_version()

    to_execute, to_convert = [], []
    for nb_path in notebooks:
        name = nb_path.stem
        params = {"data_dir": shown_path(data_dir), "output_dir": shown_path(output_dir)}
        nb_inputs = {**data, display_path(nb_path): sha256_file(nb_path), **code}
        exec_key = _key(inputs, sha256_file(nb_path), params)
        html_key = _key(exec_key, show_code, commit, versions, python)
        job = {
            "path": nb_path,
            "name": name,
            "params": params,
            "inputs": nb_inputs,
            "exec_key": exec_key,
            "html_key": html_key,
        }
        record = _read_record(cache / f"{name}.json")
        executed_ok = (
            not force
            and record.get("exec_key") == exec_key
            and (out / "notebooks" / f"{name}.ipynb").is_file()
            and _outputs_intact(out, record.get("outputs", {}))
        )
        if not executed_ok:
            to_execute.append(job)
        elif record.get("html_key") != html_key or not (out / "html" / f"{name}.html").is_file():
            to_convert.append({**job, "record": record})
        else:
            log(f"{name}: unchanged, not re-executed")

    if to_execute or to_convert:
        # Import once in this thread: the worker threads then share the modules.
        import nbconvert  # noqa: F401
        import nbformat
        import papermill  # noqa: F401

    def run(job):
        name = job["name"]
        staging = out / ".staging" / name
        shutil.rmtree(staging, ignore_errors=True)
        staging_param = (
            display_path(staging) if staging.resolve().is_relative_to(PROJECT_ROOT.resolve()) else str(staging)
        )
        nb = execute(job["path"], {"data_dir": data_dir, "output_dir": staging_param}, staging)
        removed = clean_executed(
            nb, job["params"]["output_dir"], staging_param, data_dir=(data_dir, job["params"]["data_dir"])
        )
        all_params = notebook_parameters(job["path"], job["params"])
        page = to_html(
            nb,
            name,
            provenance_html(name, all_params, job["inputs"], versions, commit, python),
            show_code,
            index_href="index.html",
        )
        staged = _staged_files(staging)
        vintage = data_vintage(job["path"], [p for p, _ in staged])
        return {
            **job,
            "nb": nb,
            "page": page,
            "staging": staging,
            "stderr": removed,
            "vintage": vintage,
            "all_params": all_params,
            "outputs": {rel: sha256_file(p) for p, rel in staged},
        }

    # The notebooks start at once, in worker threads (their kernels are separate
    # processes); meanwhile this thread validates the data and computes the full
    # ledger. Nothing is published unless validation and every notebook succeed.
    # Longest first (the notebook's size stands in for its run time), so the two
    # workers finish close together; the order does not change any output.
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = [pool.submit(run, job) for job in sorted(to_execute, key=lambda j: -j["path"].stat().st_size)]
    try:
        if must_validate:
            from police_lists.contract import validate

            validate.validate(data_dir)
        ledger = full_ledger(out, data_dir, cache_key=_key(inputs), reuse=not force)
        results = [f.result() for f in futures]
    except BaseException:
        for f in futures:
            f.cancel()
        pool.shutdown(wait=True)
        shutil.rmtree(out / ".staging", ignore_errors=True)
        raise
    pool.shutdown()
    if must_validate:
        atomic_write(cache / "validate.key", validate_key.encode())

    # Everything executed: only now touch the published folders.
    for res in results:
        name = res["name"]
        _promote(res["staging"], out)
        atomic_write(out / "notebooks" / f"{name}.ipynb", nbformat.writes(res["nb"]).encode("utf-8"))
        atomic_write(out / "html" / f"{name}.html", res["page"].encode("utf-8"))
        shutil.rmtree(res["staging"], ignore_errors=True)
        record = {
            "exec_key": res["exec_key"],
            "html_key": res["html_key"],
            "params": res["all_params"],
            "title": notebook_title(res["path"]),
            "vintage": res["vintage"],
            "outputs": res["outputs"],
        }
        atomic_write(cache / f"{name}.json", (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
        for text in res["stderr"]:
            log(f"{name}: stderr (kept out of the appendix): {text.strip()[:500]}")
        log(f"{name}: executed and converted")
    for job in to_convert:
        name = job["name"]
        nb = nbformat.read(out / "notebooks" / f"{name}.ipynb", as_version=4)
        all_params = notebook_parameters(job["path"], job["params"])  # in the notebook's order, as when executed
        page = to_html(
            nb,
            name,
            provenance_html(name, all_params, job["inputs"], versions, commit, python),
            show_code,
            index_href="index.html",
        )
        atomic_write(out / "html" / f"{name}.html", page.encode("utf-8"))
        record = {**job["record"], "html_key": job["html_key"], "title": notebook_title(job["path"])}
        atomic_write(cache / f"{name}.json", (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
        log(f"{name}: execution unchanged, re-converted")
    shutil.rmtree(out / ".staging", ignore_errors=True)
    if ledger is not None:
        _write_ledger(out, *ledger)

    appendices = {}
    for nb_path in discover_notebooks():  # every appendix present, not only those built now
        record = _read_record(cache / f"{nb_path.stem}.json")
        if record and (out / "html" / f"{nb_path.stem}.html").is_file():
            made = sorted(rel for rel in record.get("outputs", {}) if "/." not in rel)  # not the .labels
            appendices[nb_path.stem] = {
                "title": record.get("title", nb_path.stem),
                "vintage": record.get("vintage"),
                "html": f"html/{nb_path.stem}.html",
                "parameters": record.get("params", {}),
                "tables": [r for r in made if r.startswith("tables/")],
                "figures": [r for r in made if r.startswith("figures/")],
            }
    built_notebooks = [notebooks_dir() / f"{n}.ipynb" for n in appendices]
    if data_inputs(data_dir) != data:  # the cache keys hold the old hashes, so the next build redoes this
        log("warning: files in data/ changed during the build; run it again")
    # The data hashes recorded are those taken when the build started (what it used).
    manifest = write_manifest(
        out, data_dir, built_notebooks, versions, commit, output_dir, appendices=appendices, write=False, data=data
    )
    write_if_changed(out / "html" / "index.html", index_html(manifest).encode("utf-8"))
    return write_manifest(
        out, data_dir, built_notebooks, versions, commit, output_dir, appendices=appendices, data=data
    )


LEDGER_FILES = ("tables/claims_ledger.csv", "tables/.labels/claims_ledger.json")


def full_ledger(out: Path, data_dir: str, cache_key: str | None = None, reuse: bool = True):
    """The bytes of tables/claims_ledger.csv (every claim of every subject, with
    the default rounding assumption; each appendix also shows its own subject's
    rows) and of its label; None when cache_key (a hash of data and code)
    matches the last run and the files are intact."""
    if cache_key and reuse:
        record = _read_record(out / ".cache" / "ledger.json")
        if (
            record.get("key") == cache_key
            and set(record.get("outputs", {})) == set(LEDGER_FILES)
            and _outputs_intact(out, record["outputs"])
        ):
            return None
    from police_lists.analyses.ledger import build_ledger
    from police_lists.contract.standards import PUBLISHED

    ledger = build_ledger(data_dir)
    label = {
        "table": "claims_ledger.csv",
        "notebook": "(build)",
        "caption": "every published figure, all subjects",
        "sensitivity": PUBLISHED,
    }
    return (
        ledger.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        (json.dumps(label, indent=1, sort_keys=True) + "\n").encode("utf-8"),
        cache_key,
    )


def _write_ledger(out: Path, csv_bytes: bytes, label_bytes: bytes, cache_key: str | None) -> None:
    atomic_write(out / LEDGER_FILES[0], csv_bytes)
    atomic_write(out / LEDGER_FILES[1], label_bytes)
    if cache_key:
        record = {"key": cache_key, "outputs": {rel: sha256_file(out / rel) for rel in LEDGER_FILES}}
        atomic_write(out / ".cache" / "ledger.json", (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())


def write_full_ledger(out: Path, data_dir: str, cache_key: str | None = None) -> None:
    """Write tables/claims_ledger.csv and its label (see full_ledger)."""
    ledger = full_ledger(out, data_dir, cache_key)
    if ledger is not None:
        _write_ledger(out, *ledger)


def write_manifest(
    out: Path,
    data_dir: str,
    notebooks: list[Path],
    versions: dict,
    commit: str,
    output_dir: str,
    appendices: dict | None = None,
    write: bool = True,
    data: dict[str, str] | None = None,
) -> dict:
    """manifest.json: sha256 of every input and output, parameters, versions, commit.
    Folders are recorded relative to the project (or as a placeholder), so the
    manifest of a build into a temporary folder has no machine path either."""
    labels = {}
    for label in sorted((out / "tables" / ".labels").glob("*.json")):
        info = json.loads(label.read_text())
        labels[f"tables/{info['table']}"] = info["sensitivity"]
    outputs = {}
    for kind in ("tables", "figures", "html", "notebooks"):
        for path in sorted(p for p in (out / kind).glob("*.*") if p.is_file()):
            rel = f"{kind}/{path.name}"
            outputs[rel] = {"sha256": sha256_file(path), **({"sensitivity": labels[rel]} if rel in labels else {})}
    params = {"data_dir": shown_path(data_dir), "output_dir": shown_path(output_dir)}
    manifest = {
        "git_commit": commit,
        "python": platform.python_version(),
        "packages": versions,
        "inputs": {
            **(data if data is not None else data_inputs(data_dir)),
            **{display_path(p): sha256_file(p) for p in notebooks},
        },
        "parameters": {p.stem: (appendices or {}).get(p.stem, {}).get("parameters", params) for p in notebooks},
        "appendices": appendices or {},
        "outputs": outputs,
    }
    if write:
        write_if_changed(out / "manifest.json", (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return manifest


def index_html(manifest: dict) -> str:
    """outputs/html/index.html: one row per appendix (title, data vintage, file
    and its sha256) and the build details from the manifest. Static, offline,
    no script and no date of building (the commit says what was built)."""
    e = html.escape
    rows = []
    for name, info in sorted(manifest["appendices"].items()):
        file = f"{name}.html"
        sha = manifest["outputs"].get(info["html"], {}).get("sha256", "")
        params = "<br>".join(e(f"{k} = {v!r}") for k, v in sorted(info.get("parameters", {}).items()))
        rows.append(
            f'<tr><td><a href="{e(file)}">{e(info["title"])}</a><br><code>{e(file)}</code></td>'
            f"<td>{e(info.get('vintage') or 'not stated')}</td>"
            f"<td><details><summary>{len(info.get('parameters', {}))} parameters</summary><code>{params}</code>"
            f'</details></td><td><code class="sha">{e(sha)}</code></td></tr>'
        )
    packages = "".join(f"<li>{e(k)} {e(v)}</li>" for k, v in manifest["packages"].items())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Police lists in London: methodology appendices</title>
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 64rem; margin: 2rem auto;
         padding: 0 1rem; line-height: 1.45; color: #222; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ text-align: left; vertical-align: top; border-bottom: 1px solid #ddd; padding: 0.4rem; }}
  code {{ font-size: 0.85em; word-break: break-all; }}
  ul.packages {{ columns: 3; font-size: 0.9em; }}
</style>
</head>
<body>
<main>
<h1>Police lists in London: methodology appendices</h1>
<p>Each appendix recomputes the published figures on one subject from the files in <code>data/</code>.
Every page works offline; its footer lists the inputs it was built from, with their sha256.</p>
<nav id="appendices" aria-label="Appendices">
<table>
<thead><tr><th>Appendix</th><th>Data vintage</th><th>Parameters</th><th>sha256 of the page</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</nav>
<h2 id="build">Build</h2>
<p>Built by <code>make all</code> from git commit <code>{e(manifest["git_commit"])}</code> with Python
{e(manifest["python"])}. Every input and output, with its sha256, is listed in
<a href="../manifest.json"><code>manifest.json</code></a>; every published figure and its status is in
<a href="../tables/claims_ledger.csv"><code>tables/claims_ledger.csv</code></a>.</p>
<h3>Packages</h3>
<ul class="packages">{packages}</ul>
</main>
</body>
</html>
"""
