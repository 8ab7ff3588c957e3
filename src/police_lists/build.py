"""Build every appendix: validate data, execute notebooks with papermill's
Python API, convert them in-process with nbconvert, write the manifest.

Outputs (under output_dir, default outputs/):
  notebooks/<name>.ipynb   executed copy, timestamps stripped
  html/<name>.html         offline appendix (code hidden unless show_code)
  tables/*.csv, figures/*.png  written by the notebooks themselves
  manifest.json            sha256 of every input and output, parameters,
                           package versions, git commit
A notebook runs in a staging folder and its files are moved into place only
when it succeeds, so a failed build leaves the previous outputs untouched.
A content hash of everything a notebook depends on lets a rebuild with no
change skip it (force=True re-executes).
"""

from __future__ import annotations

import hashlib
import html
import json
import platform
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from police_lists.paths import PROJECT_ROOT, display_path, notebooks_dir, resolve
from police_lists.report import atomic_write

TEMPLATES = Path(__file__).parent / "templates"
PACKAGE_DIR = Path(__file__).parent
KERNEL = "python3"  # the interpreter running the build (ipykernel's native kernel)
OUTPUT_KINDS = ("tables", "figures")


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def discover_notebooks() -> list[Path]:
    """Top-level appendices, in order (teaching notebooks are built separately)."""
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def data_inputs(data_dir: str = "data") -> dict[str, str]:
    """sha256 of every file under data/ except derived tables."""
    root = resolve(data_dir)
    files = sorted(p for p in root.rglob("*") if p.is_file() and "derived" not in p.relative_to(root).parts)
    return {display_path(p): sha256_file(p) for p in files}


def code_inputs() -> dict[str, str]:
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in {".py", ".j2", ".json"})
    files += [PROJECT_ROOT / "requirements.txt", PROJECT_ROOT / "constraints.txt"]
    return {display_path(p): sha256_file(p) for p in files if p.exists()}


def package_versions() -> dict[str, str]:
    names = [line.split("==")[0] for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
             if "==" in line and not line.startswith("#")]
    return {name: metadata.version(name) for name in sorted(names, key=str.lower)}


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + (" with uncommitted changes" if dirty else "")


def _key(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True).encode())
    return h.hexdigest()


def clean_executed(nb, final_output_dir: str, staging_dir: str) -> None:
    """Strip run-dependent noise so executed notebooks diff cleanly: papermill
    timestamps and paths, nbclient timing, random cell ids."""
    pm = nb.metadata.get("papermill", {})
    for field in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
        pm.pop(field, None)
    if "parameters" in pm and "output_dir" in pm["parameters"]:
        pm["parameters"]["output_dir"] = final_output_dir
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(repr(staging_dir), repr(final_output_dir))


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


def provenance_html(name: str, parameters: dict, inputs: dict[str, str], versions: dict[str, str], commit: str) -> str:
    rows = "".join(f"<li><code>{html.escape(p)}</code> sha256 <code>{h}</code></li>" for p, h in inputs.items())
    shown = {k: (display_path(v) if k.endswith("_dir") and Path(v).is_absolute() else v) for k, v in parameters.items()}
    params = "".join(f"<li><code>{html.escape(k)} = {html.escape(repr(v))}</code></li>" for k, v in shown.items())
    pkgs = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in versions.items())
    return (
        f"<h2>Provenance</h2><p>Appendix <code>{html.escape(name)}</code>, built by "
        f"<code>make all</code> from git commit <code>{html.escape(commit)}</code> with Python "
        f"{platform.python_version()}.</p><p>Parameters:</p><ul>{params}</ul>"
        f"<p>Packages: {pkgs}.</p><details><summary>Inputs and their sha256</summary><ul>{rows}</ul></details>"
    )


def to_html(nb, name: str, provenance: str, show_code: bool = False) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="appendix", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"provenance_html": provenance,
                                                          "metadata": {"name": name}})
    return _toc(body)


def execute(notebook: Path, parameters: dict, staging: Path):
    """Run one notebook with papermill; return the cleaned executed notebook."""
    import nbformat
    import papermill

    staging.mkdir(parents=True, exist_ok=True)
    executed_path = staging / notebook.name
    papermill.execute_notebook(
        str(notebook), str(executed_path), parameters=parameters, kernel_name=KERNEL,
        cwd=str(notebook.parent), progress_bar=False, log_output=False,
    )
    return nbformat.read(executed_path, as_version=4)


def _promote(staging: Path, out: Path) -> None:
    """Move a successful notebook's tables and figures into the output folder."""
    for kind in OUTPUT_KINDS:
        src = staging / kind
        if not src.exists():
            continue
        for path in sorted(src.rglob("*")):
            if path.is_file():
                dest = out / kind / path.relative_to(src)
                dest.parent.mkdir(parents=True, exist_ok=True)
                path.replace(dest)


def build(output_dir: str = "outputs", data_dir: str = "data", names: list[str] | None = None,
          force: bool = False, jobs: int = 2, show_code: bool = False, log=print) -> dict:
    """Validate, then execute and convert every notebook whose inputs changed."""
    import nbformat

    from police_lists import validate

    out = resolve(output_dir)
    cache = out / ".cache"
    inputs = {**data_inputs(data_dir), **code_inputs()}
    validate_key = _key(inputs)
    if force or not (cache / "validate.key").exists() or (cache / "validate.key").read_text() != validate_key:
        validate.validate(data_dir)  # raises before anything under output_dir is touched
        atomic_write(cache / "validate.key", validate_key.encode())

    notebooks = [p for p in discover_notebooks() if names is None or p.stem in names]
    if names:
        missing = sorted(set(names) - {p.stem for p in notebooks})
        if missing:
            raise FileNotFoundError(f"no notebook named {missing} in notebooks/")
    versions = package_versions()
    commit = git_commit()

    jobs_todo = []
    for nb_path in notebooks:
        name = nb_path.stem
        params = {"data_dir": data_dir, "output_dir": output_dir}
        key = _key(inputs, sha256_file(nb_path), params, show_code)
        fresh = ((cache / f"{name}.key").exists() and (cache / f"{name}.key").read_text() == key
                 and (out / "html" / f"{name}.html").exists() and (out / "notebooks" / f"{name}.ipynb").exists())
        if fresh and not force:
            log(f"{name}: unchanged, not re-executed")
        else:
            jobs_todo.append((nb_path, params, key))

    def run(job):
        nb_path, params, key = job
        name = nb_path.stem
        staging = out / ".staging" / name
        shutil.rmtree(staging, ignore_errors=True)
        staging_param = display_path(staging) if staging.resolve().is_relative_to(PROJECT_ROOT.resolve()) else str(staging)
        nb = execute(nb_path, {**params, "output_dir": staging_param}, staging)
        clean_executed(nb, params["output_dir"], staging_param)
        nb_inputs = {**data_inputs(data_dir), display_path(nb_path): sha256_file(nb_path)}
        page = to_html(nb, name, provenance_html(name, params, nb_inputs, versions, commit), show_code)
        return name, nb, page, staging, key

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(run, jobs_todo))

    # Everything executed: only now touch the published folders.
    for name, nb, page, staging, key in results:
        _promote(staging, out)
        atomic_write(out / "notebooks" / f"{name}.ipynb", nbformat.writes(nb).encode("utf-8"))
        atomic_write(out / "html" / f"{name}.html", page.encode("utf-8"))
        shutil.rmtree(staging, ignore_errors=True)
        atomic_write(cache / f"{name}.key", key.encode())
        log(f"{name}: executed and converted")
    shutil.rmtree(out / ".staging", ignore_errors=True)
    write_full_ledger(out, data_dir)

    manifest = write_manifest(out, data_dir, notebooks, versions, commit, output_dir)
    return manifest


def write_full_ledger(out: Path, data_dir: str) -> None:
    """tables/claims_ledger.csv: every claim of every subject, with the default
    rounding assumption (each appendix also shows its own subject's rows)."""
    from police_lists import claims
    from police_lists.report import PUBLISHED

    ledger = claims.build_ledger(data_dir)
    atomic_write(out / "tables" / "claims_ledger.csv", ledger.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    label = {"table": "claims_ledger.csv", "notebook": "(build)", "caption": "every published figure, all subjects",
             "sensitivity": PUBLISHED}
    atomic_write(out / "tables" / ".labels" / "claims_ledger.json",
                 (json.dumps(label, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def write_manifest(out: Path, data_dir: str, notebooks: list[Path], versions: dict, commit: str,
                   output_dir: str) -> dict:
    labels = {}
    for label in sorted((out / "tables" / ".labels").glob("*.json")):
        info = json.loads(label.read_text())
        labels[f"tables/{info['table']}"] = info["sensitivity"]
    outputs = {}
    for kind in ("tables", "figures", "html", "notebooks"):
        for path in sorted(p for p in (out / kind).glob("*.*") if p.is_file()):
            rel = f"{kind}/{path.name}"
            outputs[rel] = {"sha256": sha256_file(path), **({"sensitivity": labels[rel]} if rel in labels else {})}
    manifest = {
        "git_commit": commit,
        "python": platform.python_version(),
        "packages": versions,
        "inputs": {**data_inputs(data_dir), **{display_path(p): sha256_file(p) for p in notebooks}},
        "parameters": {p.stem: {"data_dir": data_dir, "output_dir": output_dir} for p in notebooks},
        "outputs": outputs,
    }
    atomic_write(out / "manifest.json", (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return manifest
