"""Typed, checked notebook parameters.

papermill injects parameters without checking them (it only warns on an
unknown name and turns '-p x 01' into 1), so every notebook calls
check_parameters() right after its parameters cell and stops there, with a
one-line reason, on a bad value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from police_lists.paths import resolve
from police_lists.standards import ASSUMABLE_ROUNDING, RATIO_CI_METHODS, SHARE_CI_METHODS


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
    "population_source": Rule(str, lambda v: v in _census_keys(), "a census key in police_lists.census.CENSUS_SHARE_KEYS"),
    "rounding_rule": Rule(str, lambda v: v in ASSUMABLE_ROUNDING, f"one of {', '.join(ASSUMABLE_ROUNDING)}"),
    "ci_method": Rule(str, lambda v: v in SHARE_CI_METHODS, f"one of {', '.join(SHARE_CI_METHODS)}"),
    "ratio_method": Rule(str, lambda v: v in RATIO_CI_METHODS, f"one of {', '.join(RATIO_CI_METHODS)}"),
}


def check_parameters(**values) -> dict:
    """Check each named parameter against its rule; return them unchanged.

    Raises ParameterError naming the parameter, the value and the rule."""
    for name, value in values.items():
        rule = RULES.get(name)
        if rule is None:
            raise ParameterError(f"parameter {name!r} has no rule in police_lists.params.RULES")
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
    from police_lists.census import CENSUS_SHARE_KEYS

    return CENSUS_SHARE_KEYS
