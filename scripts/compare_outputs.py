"""Compare two build output folders and say exactly what differs (not a test).

    .venv/bin/python scripts/compare_outputs.py BEFORE AFTER

Made for restructuring the code without changing what it publishes (issue 11).
Some bytes must change when code moves, because the outputs describe their own
making; everything else must be identical:

- tables/ and figures/ (with tables/.labels/): every file byte for byte;
- html/*.html: identical once the provenance footer is removed (it lists the
  package's source files with their sha256, the git commit and the notebook's
  parameters); html/index.html identical once the git commit and the sha256 of
  each page (which changes with its footer) are removed;
- notebooks/*.ipynb: the outputs of the code cells, in order, and the text of
  the markdown cells identical (the code cells themselves change when imports
  move; a cell split in two or merged still compares, since the outputs are
  taken as one sequence); the papermill parameters are reported when they differ;
- manifest.json: identical except git_commit, the sha256 of html/ and
  notebooks/ outputs (compared above) and the sha256 of the notebook inputs.

Prints one line per difference and a summary; exits 1 when anything differs
that is not in one of the allowances above, 0 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FOOTER = re.compile(r'<footer id="provenance".*?</footer>', re.S)
INDEX_COMMIT = re.compile(r"git commit <code>[^<]*</code>")
INDEX_SHA = re.compile(r'<code class="sha">[0-9a-f]*</code>')
INDEX_PARAMS = re.compile(r"<details><summary>\d+ parameters</summary><code>.*?</code></details>", re.S)


def files(root: Path, kind: str) -> dict[str, Path]:
    base = root / kind
    return {p.relative_to(root).as_posix(): p for p in sorted(base.rglob("*")) if p.is_file()} if base.exists() else {}


def compare_bytes(before: Path, after: Path, kind: str, out: list[str]) -> None:
    a, b = files(before, kind), files(after, kind)
    for rel in sorted(set(a) | set(b)):
        if rel not in a or rel not in b:
            out.append(f"{rel}: only in {'after' if rel in b else 'before'}")
        elif a[rel].read_bytes() != b[rel].read_bytes():
            out.append(f"{rel}: bytes differ")


def html_body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.name == "index.html":
        text = INDEX_SHA.sub('<code class="sha"></code>', INDEX_COMMIT.sub("git commit <code></code>", text))
        return INDEX_PARAMS.sub("", text)
    return FOOTER.sub("", text)


def first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at character {i}: {a[max(0, i - 60) : i + 60]!r} / {b[max(0, i - 60) : i + 60]!r}"


def compare_html(before: Path, after: Path, out: list[str], notes: list[str]) -> None:
    a, b = files(before, "html"), files(after, "html")
    for rel in sorted(set(a) | set(b)):
        if rel not in a or rel not in b:
            out.append(f"{rel}: only in {'after' if rel in b else 'before'}")
            continue
        x, y = html_body(a[rel]), html_body(b[rel])
        if x != y:
            out.append(f"{rel}: differs outside the provenance footer, {first_difference(x, y)}")
        elif a[rel].read_bytes() != b[rel].read_bytes():
            notes.append(f"{rel}: provenance footer (or index build details) differs, as expected")
        if rel == "html/index.html":
            pa = INDEX_PARAMS.findall(a[rel].read_text(encoding="utf-8"))
            pb = INDEX_PARAMS.findall(b[rel].read_text(encoding="utf-8"))
            if pa != pb:
                notes.append(f"{rel}: the parameters listed for the appendices differ (see the notebooks' parameters)")


def notebook_parts(path: Path) -> tuple[list, list, dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    prose = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    return outputs, prose, nb.get("metadata", {}).get("papermill", {}).get("parameters", {})


def compare_notebooks(before: Path, after: Path, out: list[str], notes: list[str]) -> None:
    a, b = files(before, "notebooks"), files(after, "notebooks")
    for rel in sorted(set(a) | set(b)):
        if rel not in a or rel not in b:
            out.append(f"{rel}: only in {'after' if rel in b else 'before'}")
            continue
        (oa, ma, pa), (ob, mb, pb) = notebook_parts(a[rel]), notebook_parts(b[rel])
        if oa != ob:
            if len(oa) != len(ob):
                out.append(f"{rel}: {len(oa)} cell outputs before, {len(ob)} after")
            for i, (x, y) in enumerate(zip(oa, ob)):
                if x != y:
                    out.append(
                        f"{rel}: cell output {i} differs, "
                        f"{first_difference(json.dumps(x, sort_keys=True), json.dumps(y, sort_keys=True))}"
                    )
        if ma != mb:
            out.append(f"{rel}: markdown cells differ")
        if pa != pb:
            notes.append(f"{rel}: papermill parameters differ: {sorted(set(pa.items()) ^ set(pb.items()), key=str)}")


def compare_manifest(before: Path, after: Path, out: list[str], notes: list[str]) -> None:
    a = json.loads((before / "manifest.json").read_text())
    b = json.loads((after / "manifest.json").read_text())
    allowed = []
    for m in (a, b):
        allowed.append(m.pop("git_commit", None))
        for rel in list(m.get("outputs", {})):
            if rel.startswith(("html/", "notebooks/")):
                m["outputs"][rel].pop("sha256", None)
        for rel in list(m.get("inputs", {})):
            if rel.startswith("notebooks/"):
                m["inputs"][rel] = "(notebook)"
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            if key == "parameters" or (key == "appendices" and _only_parameters_differ(a[key], b[key])):
                notes.append(f"manifest.json: {key} differ (the notebooks' parameters)")
            else:
                out.append(f"manifest.json: {key} differs")
    if allowed[0] != allowed[1]:
        notes.append("manifest.json: git_commit differs, as expected")


def _only_parameters_differ(a: dict, b: dict) -> bool:
    strip = lambda d: {k: {f: v for f, v in info.items() if f != "parameters"} for k, info in d.items()}  # noqa: E731
    return strip(a) == strip(b)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    before, after = (Path(x) for x in argv)
    out: list[str] = []
    notes: list[str] = []
    for kind in ("tables", "figures"):
        compare_bytes(before, after, kind, out)
    compare_html(before, after, out, notes)
    compare_notebooks(before, after, out, notes)
    compare_manifest(before, after, out, notes)
    for line in notes:
        print(f"allowed: {line}")
    for line in out:
        print(f"DIFFERS: {line}")
    n_tables = len(files(before, "tables")) + len(files(before, "figures"))
    print(
        f"{n_tables} tables and figures, {len(files(before, 'html'))} pages, "
        f"{len(files(before, 'notebooks'))} notebooks compared: {len(out)} difference(s) beyond the allowed ones"
    )
    return 1 if out else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
