"""outputs/html/index.html: one row per appendix (its question, its headline
finding from the page's In short, SYNTHETIC where it is, the data reference
dates, its parameters, the page's sha256), links to the teaching pack and the
profile instructions, and the build details from the manifest, from the
template templates/site/index.html.j2. Static, offline, no script and no date
of building (the commit says what was built)."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

from police_lists.pipeline.convert import CSP, TEMPLATES


def notebook_title(nb_path: Path) -> str:
    meta = json.loads(Path(nb_path).read_text(encoding="utf-8")).get("metadata", {})
    return meta.get("title") or Path(nb_path).stem


def data_vintage(nb_path: Path, tables: list[Path]) -> str:
    """The data vintage shown in the index: the notebook's metadata.vintage when
    set, else the span of the `ref_date` values (claims, census years) in the
    tables the notebook wrote, other than its claims ledger and dated events, e.g. 'reference dates 2011 to 2021 (latest 2021-05)'."""
    meta = json.loads(Path(nb_path).read_text(encoding="utf-8")).get("metadata", {})
    if meta.get("vintage"):
        return str(meta["vintage"])
    dates = set()
    for table in tables:
        if table.suffix != ".csv":
            continue
        with open(table, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if "ref_date" not in (reader.fieldnames or []) or "status" in (reader.fieldnames or []):
                continue  # a claims ledger lists every claim, events and rules too, not only what the data describe
            for row in reader:
                if row.get("unit") == "date" or row.get("rounding") == "not_applicable":
                    continue  # an event (a launch, an end, a deletion) or a wording, not a figure's reference date
                dates.update(
                    part.strip() for part in (row["ref_date"] or "").split("/") if re.match(r"^\d{4}", part.strip())
                )
    if not dates:
        return "not stated"
    years = sorted(d[:4] for d in dates)
    return f"reference dates {years[0]} to {years[-1]} (latest {max(dates)})"


def page_summaries(out: Path, appendices: dict) -> dict:
    """Each appendix with its question and headline (written by Appendix.in_short into
    tables/.labels/) and whether any of its tables is SYNTHETIC."""
    from police_lists.contract.standards import SYNTHETIC

    found: dict[str, dict] = {}
    for label in sorted((Path(out) / "tables" / ".labels").glob("*.json")):
        info = json.loads(label.read_text(encoding="utf-8"))
        entry = found.setdefault(info.get("notebook", ""), {"synthetic": False})
        entry["synthetic"] |= info.get("sensitivity") == SYNTHETIC
        if info.get("in_short"):
            entry.update(question=info["in_short"]["question"], headline=info["in_short"]["headline"])
    return {name: {**info, **found.get(name, {})} for name, info in appendices.items()}


def lessons() -> list[str]:
    """The teaching pack's lessons (notebooks/teaching/*.ipynb), built by make teaching."""
    from police_lists.contract.paths import notebooks_dir

    return sorted(p.stem for p in (notebooks_dir() / "teaching").glob("*.ipynb"))


def index_html(manifest: dict) -> str:
    from jinja2 import Environment, FileSystemLoader
    from markupsafe import Markup

    # Every value is escaped with html.escape (as the appendices' footers are), then marked safe.
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES / "site")),
        autoescape=True,
        keep_trailing_newline=True,
        finalize=lambda v: v if isinstance(v, Markup) else Markup(html.escape(str(v))),
    )
    rows = []
    for name, info in sorted(manifest["appendices"].items()):
        rows.append(
            {
                "file": f"{name}.html",
                "title": info["title"],
                "vintage": info.get("vintage") or "not stated",
                "question": info.get("question", ""),
                "headline": info.get("headline", ""),
                "synthetic": bool(info.get("synthetic")),
                "sha": manifest["outputs"].get(info["html"], {}).get("sha256", ""),
                "parameters": [f"{k} = {v!r}" for k, v in sorted(info.get("parameters", {}).items())],
            }
        )
    return env.get_template("index.html.j2").render(
        csp=Markup(CSP),
        rows=rows,
        lessons=lessons(),
        commit=manifest["git_commit"],
        python=manifest["python"],
        packages=manifest["packages"],
    )
