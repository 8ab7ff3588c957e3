"""The build's manifest.json, described the way data/datapackage.json describes
the inputs: every input and output with its sha256 (and each table's
sensitivity label), the parameters of each appendix, package versions and the
git commit. The build and `make profile` (whose files are still in memory when
its manifest is written) share output_entries and provenance_fields."""

from __future__ import annotations

import json
import platform
from pathlib import Path

from police_lists.contract.files import sha256_file, write_if_changed
from police_lists.contract.paths import display_path
from police_lists.pipeline.index import page_summaries
from police_lists.pipeline.provenance import data_inputs, shown_path

MANIFEST_KINDS = ("tables", "figures", "html", "notebooks")


def sensitivity_labels(out: Path) -> dict[str, str]:
    """tables/<name>.csv -> its sensitivity label (from tables/.labels/, written by the Appendix sink)."""
    labels = {}
    for label in sorted((Path(out) / "tables" / ".labels").glob("*.json")):
        info = json.loads(label.read_text())
        labels[f"tables/{info['table']}"] = info["sensitivity"]
    return labels


def describe_outputs(out: Path, kinds: tuple[str, ...] = MANIFEST_KINDS) -> dict[str, dict]:
    """Every output file directly under <out>/<kind>/: its sha256 and, for a table, its sensitivity."""
    digests = {
        f"{kind}/{path.name}": sha256_file(path)
        for kind in kinds
        for path in sorted(p for p in (Path(out) / kind).glob("*.*") if p.is_file())
    }
    return output_entries(digests, sensitivity_labels(out))


def output_entries(digests: dict[str, str], labels: dict[str, str]) -> dict[str, dict]:
    """A manifest's `outputs`: each file (relative path -> sha256) with its sha256 and,
    for a table, its sensitivity label."""
    return {
        rel: {"sha256": digest, **({"sensitivity": labels[rel]} if rel in labels else {})}
        for rel, digest in sorted(digests.items())
    }


def provenance_fields(versions: dict, commit: str) -> dict:
    """What every manifest says about how it was made: git commit, Python and package versions."""
    return {"git_commit": commit, "python": platform.python_version(), "packages": versions}


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
    outputs = describe_outputs(out)
    params = {"data_dir": shown_path(data_dir), "output_dir": shown_path(output_dir)}
    manifest = {
        **provenance_fields(versions, commit),
        "inputs": {
            **(data if data is not None else data_inputs(data_dir)),
            **{display_path(p): sha256_file(p) for p in notebooks},
        },
        "parameters": {p.stem: (appendices or {}).get(p.stem, {}).get("parameters", params) for p in notebooks},
        "appendices": page_summaries(out, appendices or {}),
        "outputs": outputs,
    }
    if write:
        write_if_changed(out / "manifest.json", (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return manifest
