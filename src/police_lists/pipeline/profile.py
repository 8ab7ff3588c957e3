"""`make profile`: read and validate a list, compute its published
(disclosure-controlled) profile in this process, execute
notebooks/05_list_profile.ipynb on those published values in a private
scratch folder (pipeline.scratch), then publish into OUT file by file
(pipeline.outdir)."""

from __future__ import annotations

import json

from police_lists.analyses.profile import publish
from police_lists.contract.problems import ProblemError
from police_lists.methods import sdc
from police_lists.pipeline.outdir import KIND

NOTEBOOK = "05_list_profile.ipynb"
PROFILE_KIND = KIND  # what a profile's manifest.json says it is (police_lists.pipeline.outdir)
OUTPUT_FILES = ("profile.html", "notebook.ipynb", "manifest.json")
SET_BY_RUN = ("list_path", "output_dir", "table_prefix", "published_profile")


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
    import hashlib
    import platform
    from pathlib import Path

    from police_lists.contract.files import sha256_file
    from police_lists.contract.paths import display_path, notebooks_dir
    from police_lists.pipeline import build, outdir, scratch
    from police_lists.pipeline import params as params_mod
    from police_lists.readers import listinput

    scratch.sweep_stale()  # scratch folders of killed runs go first, whatever happens next
    given = dict(parameters or {})
    for fixed in SET_BY_RUN:
        if fixed in given:
            raise ProblemError([f"parameter {fixed} is set by make profile (LIST=, OUT=), not with -p"])
    src = Path(list_path).expanduser().resolve()
    out = Path(output_dir).expanduser().resolve()
    shown_out = shown_out or str(output_dir)
    values = {"data_dir": data_dir, "list_path": str(src), **given, "table_prefix": ""}
    if values.get("previous_path"):
        values["previous_path"] = str(Path(values["previous_path"]).expanduser().resolve())
    try:
        params_mod.check_given(NOTEBOOK.removesuffix(".ipynb"), values)
    except params_mod.ParameterError as exc:
        raise ProblemError([str(exc)]) from None
    read_args = {k: values[k] for k in READ_PARAMETERS if k in values}
    # The list (and the previous snapshot) are read and validated here, once, before anything else.
    data = listinput.read_list(src, data_dir=data_dir, **read_args)
    previous = (
        listinput.read_list(values["previous_path"], data_dir=data_dir, **read_args)
        if values.get("previous_path")
        else None
    )
    keep = [src] + ([Path(values["previous_path"])] if previous is not None else [])
    outdir.writable(out, shown_out)
    if out.is_dir():
        outdir.recover(out)
    plan = outdir.check(out, shown_out, keep)
    # The whole profile, with its LP audit on the true counts, in this process's memory.
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
    versions = build.package_versions()
    commit = build.git_commit()

    before = scratch.children()
    with scratch.private_folder() as private:
        try:
            files, labels = _execute(
                values, private, src, shown_list, shown_params, inputs, versions, commit, show_code, pub
            )
        except BaseException:
            scratch.stop_children(before)  # the kernel, before its scratch folder goes
            raise
    manifest = {
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
        "git_commit": commit,
        "python": platform.python_version(),
        "packages": versions,
        "inputs": inputs,
        "parameters": shown_params,
        "outputs": {
            rel: {"sha256": hashlib.sha256(data).hexdigest(), **({"sensitivity": labels[rel]} if rel in labels else {})}
            for rel, data in sorted(files.items())
        },
    }
    return outdir.publish(plan, files, manifest, keep)


def _execute(values, private, src, shown_list, shown_params, inputs, versions, commit, show_code, pub):
    """Run the notebook on the published values in the scratch folder; return
    the files to publish (relative path -> bytes) and the tables' sensitivity labels."""
    import nbformat

    from police_lists.contract.paths import display_path, notebooks_dir
    from police_lists.pipeline import build

    handed = private / "published.json"
    pub.save(handed)
    staging = private / "out"
    try:
        nb = build.execute(
            notebooks_dir() / NOTEBOOK,
            {**values, "output_dir": str(staging), "published_profile": str(handed)},
            private / "run",
        )
    except Exception as exc:  # papermill's error carries the notebook's own one-line reason
        reason = getattr(exc, "evalue", None) or (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise ProblemError([f"{shown_list}: the profile notebook failed: {reason}"]) from None
    from papermill.translators import PythonTranslator

    shown_paths = {"list_path": shown_list}
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
        nb, "profile", build.provenance_html("profile", shown_params, inputs, versions, commit), show_code
    )
    files = {"profile.html": page.encode("utf-8"), "notebook.ipynb": nbformat.writes(nb).encode("utf-8")}
    labels = {}
    for label in sorted((staging / "tables" / ".labels").glob("*.json")):
        info = json.loads(label.read_text())
        labels[f"tables/{info['table']}"] = info["sensitivity"]
    for path in sorted(p for p in staging.rglob("*") if p.is_file() and ".labels" not in p.parts):
        files[path.relative_to(staging).as_posix()] = path.read_bytes()
    return files, labels
