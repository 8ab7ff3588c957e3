"""Validate everything in data/ before any notebook runs.

Two layers:
1. Frictionless checks each file against its Table Schema in data/schemas/
   (types, enums, patterns, unique and foreign keys) and each raw file
   against the sha256 recorded in data/datapackage.json (raw data is
   immutable: a changed byte is refused).
2. Rules a Table Schema cannot say: a value must parse as its unit, a quote
   has at most twelve words and holds its printed qualifier, a check
   expression may only use numeric claims, a source note names no other
   source's claim.

Each problem is one line: file, row, column, value and the rule broken
(contract.problems).
"""

from __future__ import annotations

import re
from pathlib import Path

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.contract.paths import display_path
from police_lists.contract.problems import ProblemError, problem
from police_lists.contract.problems import report as report_problems
from police_lists.methods.expressions import expression_names
from police_lists.readers import census, homicide
from police_lists.readers.claims import claims_by_id

MAX_QUOTE_WORDS = 12
# Files whose column holds a space-separated list of claim ids.
LIST_REFERENCES = [("manual/conflicts.csv", "claim_ids")]
# A claim id anywhere in free text (the claims schema's claim_id pattern, as a word).
_CLAIM_ID_IN_TEXT = re.compile(r"\b[A-Z]{1,3}[0-9]{1,3}[a-z]?\b")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")
_UNIT_FORMS = {
    "count": (re.compile(r"^\d+$"), "a count is a whole number written with digits only"),
    "percent": (re.compile(r"^\d+(\.\d+)?$"), "a percent is a decimal number without a % sign"),
    "ratio": (re.compile(r"^\d+(\.\d+)?$"), "a ratio is a decimal number"),
    "date": (_ISO, "a date is ISO: YYYY, YYYY-MM, YYYY-MM-DD, or start/end"),
}


# Results of frictionless on each resource, by everything they depend on -> the errors
# found. The key is the resource's descriptor, its schema's text and the sha256 of its
# file, and the same for each resource its foreign keys refer to (a foreign key's values
# are looked up in that file, typed by that schema); the same key always gives the same
# errors. So a process that validates several copies of data/ (the tests validate one
# per broken file) checks each resource again only when it, or what it refers to,
# changed: the census files are most of the first validation's time, and a copy with
# one broken manual file re-checks that file alone. ("package <its own fields>" -> []
# records that the package's own fields passed frictionless's metadata check.)
_RESULTS: dict[str, list[tuple]] = {}


def _whole(place: str, errors) -> list[tuple]:
    """(file, row, column, value, rule) rows for frictionless errors about a whole file."""
    return [(place, "-", "-", "", f"{err.title}: {err.note}") for err in errors]


def _errors(report) -> list[tuple]:
    """(file, row, column, value, rule) of each error in a frictionless report: the
    package's own (metadata) errors first, named at datapackage.json, then each task's."""
    out = _whole("datapackage.json", report.errors)
    for task in report.tasks:
        for err in task.errors:
            value = getattr(err, "cell", None)
            if value is None:
                value = ", ".join(getattr(err, "cells", []) or []) or ""
            out.append(
                (
                    task.place,
                    getattr(err, "row_number", None) or "-",
                    getattr(err, "field_name", None) or "-",
                    value,
                    f"{err.title}: {err.note}",
                )
            )
    return out


def _file_key(data: Path, descriptor) -> list | None:
    """[descriptor, schema text, sha256 of the file] of a file resource whose schema is
    a file, or None (frictionless then names whatever is missing or malformed)."""
    import hashlib
    import json

    if not isinstance(descriptor, dict):
        return None
    schema, path = descriptor.get("schema"), descriptor.get("path")
    if not isinstance(schema, str) or not isinstance(path, str):
        return None
    try:
        schema_text = (data / schema).read_text(encoding="utf-8")
        content = (data / path).read_bytes()
    except (OSError, ValueError):
        return None
    return [json.dumps(descriptor, sort_keys=True), schema_text, hashlib.sha256(content).hexdigest()]


def _referred(descriptor: dict, schema_text: str) -> set[str] | None:
    """The other resources a resource's foreign keys refer to (None: a malformed
    schema, which frictionless reports)."""
    import json

    try:
        foreign = json.loads(schema_text).get("foreignKeys", [])
        return {fk["reference"]["resource"] for fk in foreign} - {"", descriptor.get("name")}
    except (ValueError, AttributeError, KeyError, TypeError):
        return None


def _memo_key(name: str, files: dict, refers: dict) -> str | None:
    """The _RESULTS key of resource `name` (see there: its sha256) from every file's
    _file_key and every resource's _referred, or None when it cannot be known."""
    import hashlib
    import json

    if files[name] is None or refers[name] is None:
        return None
    parts = [files[name]] + [files.get(other) for other in sorted(refers[name])]
    if any(part is None for part in parts):
        return None
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def _frictionless_problems(package_path: Path) -> list[str]:
    """Frictionless's errors for the data package, as one Package.validate reports
    them (its metadata, then each resource in order), with each resource's result
    reused from _RESULTS while nothing it depends on changed."""
    import json

    from frictionless import Package, system

    data = package_path.parent
    descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    names = (
        [r.get("name") for r in resources]
        if isinstance(resources, list) and all(isinstance(r, dict) for r in resources)
        else []
    )
    with system.use_context(trusted=True):
        if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
            return _lines(data, _errors(Package(str(package_path)).validate()))
        # Each file read and hashed once, each schema's foreign keys read once.
        files = {name: _file_key(data, r) for name, r in zip(names, resources)}
        refers = {name: _referred(r, files[name][1]) if files[name] else None for name, r in zip(names, resources)}
        keys = [_memo_key(name, files, refers) for name in names]
        # The package's own fields are checked with its metadata whenever they change.
        fields = "package " + json.dumps({k: v for k, v in descriptor.items() if k != "resources"}, sort_keys=True)
        todo = [i for i, key in enumerate(keys) if key is None or key not in _RESULTS]
        found: dict[int, list[tuple]] = {}
        if todo or fields not in _RESULTS:
            # One package of the resources to check and those they refer to, at any depth
            # (opening a referred resource needs the resources its own foreign keys name).
            wanted, queue = set(), [names[i] for i in todo]
            while queue:
                name = queue.pop()
                if name in wanted or name not in files:
                    continue
                wanted.add(name)
                queue += sorted(refers[name] or ())
            package = Package(
                {**descriptor, "resources": [r for r in resources if r["name"] in wanted]}, basepath=str(data)
            )
            # What Package.validate checks first; a FrictionlessException (its metadata
            # refused outright) is reported by validate(), as one from Package(...) is.
            package.to_descriptor(validate=True)
            for i in todo:
                found[i] = _errors(package.get_resource(names[i]).validate())
                if keys[i] is not None:
                    _RESULTS[keys[i]] = found[i]
            _RESULTS[fields] = []
        rows = [row for i, key in enumerate(keys) for row in (found[i] if i in found else _RESULTS[key])]
    return _lines(data, rows)


def _schema_problems(package_path: Path, exc) -> list[tuple]:
    """Frictionless refused the package's metadata outright (an exception, not a
    report): each schema file it cannot load, named; else datapackage.json."""
    import json

    from frictionless import FrictionlessException, Schema

    data = package_path.parent
    rows = []
    try:
        resources = json.loads(package_path.read_text(encoding="utf-8")).get("resources", [])
        schemas = sorted({r["schema"] for r in resources if isinstance(r, dict) and isinstance(r.get("schema"), str)})
    except (ValueError, AttributeError):
        schemas = []
    for schema in schemas:
        try:
            Schema.from_descriptor(str(data / schema))
        except FrictionlessException as bad:
            rows += _whole(schema, bad.to_errors())
    return rows or _whole("datapackage.json", exc.to_errors())


def _lines(data: Path, rows: list[tuple]) -> list[str]:
    prefix = display_path(data)
    return [problem(f"{prefix}/{place}", line, column, value, rule) for place, line, column, value, rule in rows]


def _read_rows(path: Path) -> list[dict]:
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _semantic_problems(data: Path) -> list[str]:
    out: list[str] = []
    claims_path = data / "claims.csv"
    checks_path = data / "manual" / "claim_checks.csv"
    cp, kp = display_path(claims_path), display_path(checks_path)
    by_id = claims_by_id(str(data))
    claims = list(by_id.values())
    numeric = {
        c["claim_id"]
        for c in claims
        if c["unit"] in ("count", "percent", "ratio") and c["rounding"] != "not_applicable"
    }
    for i, c in enumerate(claims, start=2):
        unit = c["unit"]
        if unit in _UNIT_FORMS:
            pattern, rule = _UNIT_FORMS[unit]
            if not pattern.match(c["value"]):
                out.append(problem(cp, i, "value", c["value"], rule))
            elif unit == "percent" and float(c["value"]) > 100:
                out.append(problem(cp, i, "value", c["value"], "a percent share is at most 100"))
        if unit in ("date", "text") and c["rounding"] != "not_applicable":
            out.append(problem(cp, i, "rounding", c["rounding"], f"a {unit} has rounding not_applicable"))
        if c["rounding"] == "approximate" and not c["precision"]:
            out.append(problem(cp, i, "precision", c["precision"], "an approximate figure states its rounding unit"))
        words = len(c["quote"].split())
        if words > MAX_QUOTE_WORDS:
            out.append(
                problem(cp, i, "quote", c["quote"], f"a quote has at most {MAX_QUOTE_WORDS} words (has {words})")
            )
        qualifier = c.get("qualifier", "")
        if qualifier and c.get("quote_kind") == "verbatim" and qualifier.lower() not in c["quote"].lower():
            out.append(
                problem(
                    cp, i, "qualifier", qualifier, "a verbatim quote contains the qualifier printed before its figure"
                )
            )
        if c["base_claim_id"]:
            base = by_id.get(c["base_claim_id"])
            if unit != "percent":
                out.append(problem(cp, i, "base_claim_id", c["base_claim_id"], "only a percent has a base claim"))
            elif base is not None and base["unit"] != "count":
                out.append(problem(cp, i, "base_claim_id", c["base_claim_id"], "the base claim must be a count"))
    checks = _read_rows(checks_path)
    checked = set()
    for i, k in enumerate(checks, start=2):
        cid, kind, expr = k["claim_id"], k["check"], k["expression"]
        checked.add(cid)
        claim = by_id.get(cid)
        if claim is None:
            continue  # the foreign-key check reports it
        if kind == "share_of":
            if expr not in by_id or by_id[expr]["unit"] != "count":
                out.append(problem(kp, i, "expression", expr, "share_of names the claim id of a published count"))
            if claim["unit"] != "percent":
                out.append(problem(kp, i, "check", kind, "share_of applies to a percent claim"))
        elif kind == "expression":
            try:
                names = expression_names(expr)
            except SyntaxError:
                out.append(problem(kp, i, "expression", expr, "an expression is arithmetic over claim ids"))
                continue
            for name in names:
                if name not in numeric:
                    out.append(problem(kp, i, "expression", expr, f"{name} is not a numeric claim in claims.csv"))
            if cid in names:
                out.append(problem(kp, i, "expression", expr, "a claim cannot be checked against itself"))
            if cid not in numeric:
                out.append(problem(kp, i, "check", kind, "only a numeric claim can be recomputed"))
        elif kind == "census_share":
            if census.parse_census_id(expr) is None:
                out.append(
                    problem(
                        kp,
                        i,
                        "expression",
                        expr,
                        "a census share is a census id with its year, "
                        "e.g. london_all_ages@2011 (readers.census.parse_census_id)",
                    )
                )
        elif kind == "not_checkable" and expr:
            out.append(problem(kp, i, "expression", expr, "a not_checkable row has no expression"))
        if kind != "expression" and k["comparator"]:
            out.append(problem(kp, i, "comparator", k["comparator"], "only expression checks have a comparator"))
    # Space-separated claim-id lists, which a Table Schema foreign key cannot express.
    for rel, column in LIST_REFERENCES:
        path = data / rel
        if not path.exists():
            continue
        for i, row in enumerate(_read_rows(path), start=2):
            for cid in row[column].split():
                if cid not in by_id:
                    out.append(problem(display_path(path), i, column, cid, "every claim id must be in claims.csv"))
    # Benchmark sets name benchmarks by id: census, homicide victims or a row of benchmarks.csv.
    published = {r["benchmark_id"] for r in _read_rows(data / "manual" / "benchmarks.csv")}
    sets_path = data / "manual" / "benchmark_sets.csv"
    for i, row in enumerate(_read_rows(sets_path), start=2):
        bid = row["benchmark_id"].format(ages="10_24", victims_period="2012-2019", force=census.METROPOLITAN)
        if not (census.CENSUS_ID.match(bid) or homicide.VICTIMS_ID.match(bid) or bid in published):
            out.append(
                problem(
                    display_path(sets_path),
                    i,
                    "benchmark_id",
                    row["benchmark_id"],
                    "a benchmark id: a census id, a homicide victims id or a benchmark_id of "
                    "manual/benchmarks.csv ({ages}, {victims_period} and {force} may stand for parameters)",
                )
            )
    # claims.csv source_id is the one record of which claims a source supports,
    # so a source's notes may not name a claim that cites another source.
    sources_path = data / "sources.csv"
    for i, s in enumerate(_read_rows(sources_path), start=2):
        for cid in _CLAIM_ID_IN_TEXT.findall(s["notes"]):
            claim = by_id.get(cid)
            if claim is not None and claim["source_id"] != s["source_id"]:
                out.append(
                    problem(
                        display_path(sources_path),
                        i,
                        "notes",
                        cid,
                        f"a source note names only claims whose source_id is this source ({cid} cites "
                        f"{claim['source_id']})",
                    )
                )
    for i, c in enumerate(claims, start=2):
        if c["claim_id"] not in checked:
            out.append(problem(cp, i, "claim_id", c["claim_id"], "every claim has a row in manual/claim_checks.csv"))
    return out


def validate(data_dir: str = "data") -> None:
    """Raise ProblemError listing every problem in data/; return None if clean."""
    data = _data_dir(data_dir)
    package = data / "datapackage.json"
    if not package.exists():
        raise ProblemError([problem(display_path(package), "-", "-", "", "data/datapackage.json must exist")])
    from frictionless import FrictionlessException

    try:
        problems = _frictionless_problems(package)
    except FrictionlessException as exc:  # a schema or descriptor it cannot even load
        problems = _lines(data, _schema_problems(package, exc))
    # Semantic rules assume the structure is right; skip them if it is not.
    if not problems:
        problems = _semantic_problems(data)
    if problems:
        raise ProblemError(problems)


def report(exc: ProblemError, stream=None) -> None:
    """Print the problems, one line each, and that nothing was built."""
    report_problems(exc, "validation failed: {n} problem(s); nothing was built", stream)


def main(data_dir: str = "data") -> int:
    try:
        validate(data_dir)
    except ProblemError as exc:
        report(exc)
        return 1
    print(f"{display_path(_data_dir(data_dir))}: all files valid")
    return 0
