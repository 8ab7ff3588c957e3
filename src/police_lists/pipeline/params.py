"""Typed, checked notebook parameters.

papermill injects parameters without checking them (it only warns on an
unknown name and turns '-p x 01' into 1), so every notebook calls
check_parameters() right after its parameters cell and stops there, with a
one-line reason, on a bad value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from police_lists.contract.paths import resolve
from police_lists.contract.standards import ASSUMABLE_ROUNDING, RATIO_CI_METHODS, SHARE_CI_METHODS


class ParameterError(ValueError):
    """A notebook parameter has a bad type or value."""


@dataclass(frozen=True)
class Rule:
    kind: type | tuple[type, ...]
    test: Callable[[Any], bool] | None = None
    explain: str = ""


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _data_dir_ok(value: str) -> bool:
    return (resolve(value) / "datapackage.json").is_file()


def open_unit(value) -> bool:
    return 0 < value < 1


RULES: dict[str, Rule] = {
    "data_dir": Rule(str, _data_dir_ok, "a folder holding datapackage.json (relative paths start at the project root)"),
    "output_dir": Rule(str, lambda v: bool(v.strip()), "a folder to write tables and figures to"),
    "confidence": Rule(float, open_unit, "a number strictly between 0 and 1, e.g. 0.95"),
    "benchmark_share": Rule(float, open_unit, "a share strictly between 0 and 1, e.g. 0.13"),
    "benchmark_source": Rule(str, lambda v: bool(v.strip()), "the claim id or census key the benchmark comes from"),
    "benchmark_population": Rule(int, lambda v: v > 0, "a positive whole number of people"),
    "population_source": Rule(str, lambda v: v in _census_keys(), "a census key in police_lists.readers.census.CENSUS_SHARE_KEYS"),
    "rounding_rule": Rule(str, lambda v: v in ASSUMABLE_ROUNDING, f"one of {', '.join(ASSUMABLE_ROUNDING)}"),
    "ci_method": Rule(str, lambda v: v in SHARE_CI_METHODS, f"one of {', '.join(SHARE_CI_METHODS)}"),
    "ratio_method": Rule(str, lambda v: v in RATIO_CI_METHODS, f"one of {', '.join(RATIO_CI_METHODS)}"),
    "role": Rule(str, lambda v: v in ("student", "instructor"), "student or instructor (teaching lessons)"),
    # Benchmark panel (notebook 04).
    "panel_lists": Rule(str, lambda v: all(x.strip() in _panel_lists() for x in v.split(",")),
                        "list names separated by commas, each in police_lists.analyses.benchmarks.LISTS or custom"),
    "benchmark_set": Rule(str, lambda v: _benchmark_set_ok(v),
                          "default, or benchmark ids separated by commas (see police_lists.analyses.benchmarks.panel)"),
    "age_range": Rule(str, lambda v: _age_range_ok(v), "ages as from-to, e.g. 10-24"),
    "census_year": Rule(int, lambda v: v in (2011, 2021), "2011 or 2021"),
    "include_mixed_black": Rule(bool, None, "True or False"),
    "victims_period": Rule(str, lambda v: _period_ok(v), "empty (the list's default) or years as from-to within 2003-2023"),
    "youngest_age": Rule(int, lambda v: v == -1 or 0 <= v <= 99, "-1 (published or default) or an age from 0 to 99"),
    "oldest_age": Rule(int, lambda v: 19 <= v <= 200, "an age from 19 to 200 (200: no upper limit)"),
    "custom_k_low": Rule(int, lambda v: v >= 0, "a whole count, zero or more"),
    "custom_k_high": Rule(int, lambda v: v >= 0, "a whole count, zero or more"),
    "custom_n": Rule(int, lambda v: v >= 0, "a whole count, zero or more (positive for a custom list)"),
    "extra_benchmark_share": Rule(float, lambda v: v == 0 or 0 < v < 1, "0 (none) or a share strictly between 0 and 1"),
    "extra_benchmark_label": Rule(str, None, "what the extra benchmark share is and where it comes from"),
    "extra_benchmark_kind": Rule(str, lambda v: v in ("population", "police-generated", "victims"),
                                 "population, police-generated or victims"),
    # notebook 05 (profile any list); see police_lists.readers.listinput for the input contract
    "list_path": Rule(str, lambda v: resolve(v).is_file(), "an existing .csv or .xlsx list file"),
    "previous_path": Rule(str, lambda v: v == "" or resolve(v).is_file(), "'' or an existing previous snapshot file"),
    "ethnicity_column": Rule(str, None, "a column name in the list, or '' to find it by its usual names"),
    "officer_ethnicity_column": Rule(str, None, "a column name in the list, or '' to find it by its usual names"),
    "age_column": Rule(str, None, "a column name in the list, or '' to find it by its usual names"),
    "gender_column": Rule(str, None, "a column name in the list, or '' to find it by its usual names"),
    "harm_column": Rule(str, None, "a column name in the list, or '' to find it by its usual names"),
    "id_column": Rule(str, None, "a column name in the list, or '' to find it by its usual names"),
    "age_bands": Rule(str, lambda v: _age_bands_ok(v), "increasing whole years where age bands start, e.g. '10,18,25,35'"),
    "harm_bands": Rule(str, lambda v: _harm_bands_ok(v), "'' or increasing numbers where harm-score bands start, e.g. '10,50,100'"),
    "threshold": Rule(int, lambda v: 2 <= v <= 100, "a whole number of people from 2 to 100 (ONS 10-5 rule: 10)"),
    "disclosure_control": Rule(bool, None, "True or False (False stamps every output NOT FOR PUBLICATION)"),
    "benchmarks": Rule(str, lambda v: bool(v.strip()), "comma-separated benchmark ids (police_lists.analyses.benchmarks)"),
    "validated_counts": Rule(str, lambda v: v == "" or resolve(v).is_file(),
                             "'' or the counts file make profile wrote after validating the list"),
    "table_prefix": Rule(str, lambda v: v == "" or v.replace("_", "").isalnum(), "'' or letters, digits and _"),
}


def _parses_as_bands(parser_name: str, value: str) -> bool:
    """True if police_lists.readers.listinput.<parser_name> accepts the value (the
    parser is the single definition of a valid band list)."""
    from police_lists.readers import listinput

    try:
        getattr(listinput, parser_name)(value)
    except ValueError:
        return False
    return True


def _age_bands_ok(value: str) -> bool:
    return _parses_as_bands("age_edges", value)


def check_parameters(**values) -> dict:
    """Check each named parameter against its rule; return them unchanged.

    Raises ParameterError naming the parameter, the value and the rule."""
    for name, value in values.items():
        rule = RULES.get(name)
        if rule is None:
            raise ParameterError(f"parameter {name!r} has no rule in police_lists.pipeline.params.RULES")
        kind_ok = _is_number(value) if rule.kind is float else (
            isinstance(value, rule.kind) and not isinstance(value, bool) if rule.kind is int else isinstance(value, rule.kind)
        )
        if not kind_ok:
            raise ParameterError(
                f"parameter {name} = {value!r} ({type(value).__name__}) must be {rule.kind.__name__}: {rule.explain}")
        if rule.test is not None and not rule.test(value):
            raise ParameterError(f"parameter {name} = {value!r} is not allowed: {rule.explain}")
    return values


def _census_keys():
    from police_lists.readers.census import CENSUS_SHARE_KEYS

    return CENSUS_SHARE_KEYS


def _panel_lists():
    from police_lists.analyses.benchmarks import LISTS

    return set(LISTS) | {"custom"}


def _benchmark_set_ok(value: str) -> bool:
    from police_lists.analyses.benchmarks import is_benchmark_id

    ids = [x.strip() for x in value.split(",")]
    return value.strip() == "default" or (all(ids) and all(is_benchmark_id(x) for x in ids))


def _age_range_ok(value: str) -> bool:
    import re

    m = re.fullmatch(r"(\d+)-(\d+)", value)
    return bool(m) and int(m[1]) <= int(m[2]) <= 200


def _period_ok(value: str) -> bool:
    import re

    m = re.fullmatch(r"(\d{4})-(\d{4})", value)
    return value == "" or (bool(m) and 2003 <= int(m[1]) <= int(m[2]) <= 2023)


def _harm_bands_ok(value: str) -> bool:
    return _parses_as_bands("harm_edges", value)
