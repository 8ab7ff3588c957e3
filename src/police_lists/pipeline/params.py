"""Typed, checked notebook parameters: one model per notebook.

papermill injects parameters without checking them (it only warns on an
unknown name and turns '-p x 01' into 1), so each notebook's first code cell
makes one call, check(<notebook>, globals()), right after its parameters cell:
the notebook's model checks every parameter's type and value, then the checks
that involve several parameters, and stops the run there with a one-line
reason on a bad value. The parameters cell stays the source of the defaults;
the model only says what a good value is. The command line reads -p values
with the same models (parse_value).

A model is a frozen dataclass whose fields carry their Rule; cross-field
checks are its cross_checks() method.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from police_lists.contract.paths import data_dir as data_folder
from police_lists.contract.paths import resolve
from police_lists.contract.standards import ASSUMABLE_ROUNDING, RATIO_CI_METHODS, SHARE_CI_METHODS
from police_lists.methods.bands import parse_band


class ParameterError(ValueError):
    """A notebook parameter has a bad type or value."""


@dataclass(frozen=True)
class Rule:
    kind: type
    test: Callable[[Any], bool] | None = None
    explain: str = ""


def rule(kind: type | Rule, test: Callable[[Any], bool] | None = None, explain: str = ""):
    """A model field checked by `test` (a value of type `kind`), explained in words; or a field with a shared Rule."""
    return field(metadata={"rule": kind if isinstance(kind, Rule) else Rule(kind, test, explain)})


def _kind_ok(value, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, (int, float))
    return isinstance(value, kind)


def _open_unit(value) -> bool:
    return 0 < value < 1


def _data_dir_ok(value: str) -> bool:
    return (data_folder(value) / "datapackage.json").is_file()


def _parses(parser: Callable[[str], Any]) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            parser(value)
        except ValueError:
            return False
        return True

    return ok


def _age_edges(value: str):
    from police_lists.readers import listinput  # the list reader holds the band and label parsers

    return listinput.age_edges(value)


def _harm_edges(value: str):
    from police_lists.readers import listinput

    return listinput.harm_edges(value)


def _harm_labels(value: str):
    from police_lists.readers import listinput

    return listinput.harm_vocabulary(value)


def _benchmark_id(value: str, data_dir: str = "data") -> bool:
    from police_lists.analyses.benchmarks import is_benchmark_id

    return is_benchmark_id(value.strip(), data_dir)


def _force_ok(value: str) -> bool:
    from police_lists.readers import census

    if value.strip() in ("", census.NO_FORCE):
        return True
    try:
        census.force_code(value)
    except ValueError:
        return False
    return True


FORCE = Rule(
    str,
    _force_ok,
    "a police force area code (E23000014), name (West Midlands) or police.uk slug (west-midlands) "
    "in data/manual/forces.csv; '' to find it from a police.uk file name (2016-06-metropolitan-stop-and-search.csv); "
    "'none' for none",
)


def _period_ok(value: str) -> bool:
    m = re.fullmatch(r"(\d{4})-(\d{4})", value)
    return value == "" or (bool(m) and 2003 <= int(m[1]) <= int(m[2]) <= 2023)


DATA_DIR = "a folder holding datapackage.json (relative paths start at the project root)"
COLUMN = "a column name in the list, or '' to find it by its usual names"
CONFIDENCE = Rule(float, _open_unit, "a number strictly between 0 and 1, e.g. 0.95")
CI_METHOD = Rule(str, lambda v: v in SHARE_CI_METHODS, f"one of {', '.join(SHARE_CI_METHODS)}")
RATIO_METHOD = Rule(str, lambda v: v in RATIO_CI_METHODS, f"one of {', '.join(RATIO_CI_METHODS)}")
ROUNDING_RULE = Rule(str, lambda v: v in ASSUMABLE_ROUNDING, f"one of {', '.join(ASSUMABLE_ROUNDING)}")
THRESHOLD = Rule(
    int,
    lambda v: 2 <= v <= 100,
    "a whole number of people from 2 to 100 (ONS 10-5 rule: 10; below 10 stamps every output NOT FOR PUBLICATION)",
)
DISCLOSURE_CONTROL = Rule(bool, None, "True or False (False stamps every output NOT FOR PUBLICATION)")
TABLE_PREFIX = Rule(str, lambda v: v == "" or v.replace("_", "").isalnum(), "'' or letters, digits and _")


@dataclass(frozen=True)
class Parameters:
    """What every notebook takes: where the data are and where outputs go."""

    data_dir: str = rule(str, _data_dir_ok, DATA_DIR)
    output_dir: str = rule(str, lambda v: bool(v.strip()), "a folder to write tables and figures to")

    notebooks: ClassVar[tuple[str, ...]] = ()

    def cross_checks(self) -> None:
        """Checks that involve several parameters (none by default)."""

    @classmethod
    def rules(cls) -> dict[str, Rule]:
        return {f.name: f.metadata["rule"] for f in fields(cls)}


@dataclass(frozen=True)
class Pima(Parameters):
    """01_operation_pima."""

    benchmark_source: str = rule(
        str,
        _benchmark_id,
        "a benchmark id: a published benchmark (data/manual/benchmarks.csv), a census id "
        "such as london_all_ages@2011, or a homicide victims id (analyses.benchmarks.registry)",
    )
    population_source: str = rule(
        str,
        lambda v: bool(re.fullmatch(r"\w+@\d{4}", v)) and _benchmark_id(v),
        "a census id with its year whose total is the population, e.g. london_all_ages@2021",
    )
    confidence: float = rule(CONFIDENCE)
    ci_method: str = rule(CI_METHOD)
    ratio_method: str = rule(RATIO_METHOD)
    rounding_rule: str = rule(ROUNDING_RULE)

    notebooks: ClassVar[tuple[str, ...]] = ("01_operation_pima",)


@dataclass(frozen=True)
class Matrix(Parameters):
    """02_gangs_matrix_profile and 03_gangs_matrix_over_time."""

    confidence: float = rule(CONFIDENCE)
    ci_method: str = rule(CI_METHOD)
    rounding_rule: str = rule(ROUNDING_RULE)

    notebooks: ClassVar[tuple[str, ...]] = ("02_gangs_matrix_profile", "03_gangs_matrix_over_time")


def _list_names(value: str) -> bool:
    from police_lists.analyses.benchmarks import load_lists

    known = set(load_lists()) | {"custom"}
    return all(x.strip() in known for x in value.split(","))


@dataclass(frozen=True)
class Benchmarks(Parameters):
    """04_benchmarks."""

    panel_lists: str = rule(
        str, _list_names, "list names separated by commas, each in data/manual/panel_lists.csv or custom"
    )
    benchmark_set: str = rule(
        str,
        lambda v: v.strip() == "default" or all(x.strip() and _benchmark_id(x) for x in v.split(",")),
        "default, or benchmark ids separated by commas (see analyses.benchmarks.registry)",
    )
    age_range: str = rule(str, _parses(parse_band), "ages as from-to, e.g. 10-24")
    census_year: int = rule(int, lambda v: v in (2011, 2021), "2011 or 2021")
    include_mixed_black: bool = rule(bool, None, "True or False")
    victims_period: str = rule(str, _period_ok, "empty (the list's default) or years as from-to within 2003-2023")
    youngest_age: int = rule(int, lambda v: v == -1 or 0 <= v <= 99, "-1 (published or default) or an age from 0 to 99")
    oldest_age: int = rule(int, lambda v: 19 <= v <= 200, "an age from 19 to 200 (200: no upper limit)")
    confidence: float = rule(CONFIDENCE)
    ci_method: str = rule(CI_METHOD)
    ratio_method: str = rule(RATIO_METHOD)
    rounding_rule: str = rule(ROUNDING_RULE)
    custom_k_low: int = rule(int, lambda v: v >= 0, "a whole count, zero or more")
    custom_k_high: int = rule(int, lambda v: v >= 0, "a whole count, zero or more")
    custom_n: int = rule(int, lambda v: v >= 0, "a whole count, zero or more (positive for a custom list)")
    extra_benchmark_share: float = rule(
        float, lambda v: v == 0 or 0 < v < 1, "0 (none) or a share strictly between 0 and 1"
    )
    extra_benchmark_label: str = rule(str, None, "what the extra benchmark share is and where it comes from")
    extra_benchmark_kind: str = rule(
        str, lambda v: v in ("population", "police-generated", "victims"), "population, police-generated or victims"
    )

    notebooks: ClassVar[tuple[str, ...]] = ("04_benchmarks",)

    def cross_checks(self) -> None:
        if self.extra_benchmark_share and not self.extra_benchmark_label.strip():
            raise ParameterError(
                "extra_benchmark_share is set: give extra_benchmark_label (what it is, and its source)"
            )
        names = [x.strip() for x in self.panel_lists.split(",")]
        if "custom" in names and not (
            self.custom_n > 0 and 0 <= self.custom_k_low <= self.custom_k_high <= self.custom_n
        ):
            raise ParameterError(
                f"custom list: need custom_n > 0 and 0 <= custom_k_low <= custom_k_high <= custom_n; "
                f"got {self.custom_k_low}, {self.custom_k_high}, {self.custom_n}"
            )


@dataclass(frozen=True)
class ListProfile(Parameters):
    """05_list_profile (and `make profile`); see readers.listinput for the input contract."""

    list_path: str = rule(str, lambda v: resolve(v).is_file(), "an existing .csv or .xlsx list file")
    previous_path: str = rule(
        str, lambda v: v == "" or resolve(v).is_file(), "'' or an existing previous snapshot file"
    )
    ethnicity_column: str = rule(str, None, COLUMN)
    officer_ethnicity_column: str = rule(str, None, COLUMN)
    age_column: str = rule(str, None, COLUMN)
    gender_column: str = rule(str, None, COLUMN)
    harm_column: str = rule(str, None, COLUMN)
    harm_bands: str = rule(
        str, _parses(_harm_edges), "'' or increasing numbers where harm-score bands start, e.g. '10,50,100'"
    )
    id_column: str = rule(str, None, COLUMN)
    age_bands: str = rule(str, _parses(_age_edges), "increasing whole years where age bands start, e.g. '10,18,25,35'")
    harm_labels: str = rule(
        str,
        _parses(_harm_labels),
        "'' or up to 12 harm labels separated by commas, each starting with a letter or digit, e.g. "
        "'Red,Amber,Green' (the only harm labels a profile publishes)",
    )
    threshold: int = rule(THRESHOLD)
    disclosure_control: bool = rule(DISCLOSURE_CONTROL)
    benchmarks: str = rule(
        str, None, "'' (the set 'profile' of data/manual/benchmark_sets.csv) or comma-separated benchmark ids"
    )
    confidence: float = rule(CONFIDENCE)
    ci_method: str = rule(CI_METHOD)
    ratio_method: str = rule(RATIO_METHOD)
    table_prefix: str = rule(TABLE_PREFIX)
    force: str = rule(FORCE)
    published_profile: str = rule(
        str,
        lambda v: v == "" or resolve(v).is_file(),
        "'' or the published (disclosure-controlled) profile make profile computed from the list",
    )

    notebooks: ClassVar[tuple[str, ...]] = ("05_list_profile",)


def _folder_or_blank(value: str) -> bool:
    return value == "" or resolve(value).is_dir()


@dataclass(frozen=True)
class Forces(Parameters):
    """06_forces: a folder of lists (one per force or per list) compared side by side."""

    lists_dir: str = rule(str, _folder_or_blank, "'' or a folder of lists (.csv or .xlsx), one per force or per list")
    published_dir: str = rule(
        str,
        _folder_or_blank,
        "'' or a folder of published profiles (<list file stem>.json, analyses.profile.Published.save), "
        "as make profile's many-list mode writes it",
    )
    force: str = rule(FORCE)
    census_year: int = rule(int, lambda v: v in (2011, 2021), "2011 or 2021")
    threshold: int = rule(THRESHOLD)
    disclosure_control: bool = rule(DISCLOSURE_CONTROL)
    confidence: float = rule(CONFIDENCE)
    ci_method: str = rule(CI_METHOD)
    ratio_method: str = rule(RATIO_METHOD)
    table_prefix: str = rule(TABLE_PREFIX)

    notebooks: ClassVar[tuple[str, ...]] = ("06_forces",)

    def cross_checks(self) -> None:
        if not (self.published_dir or self.lists_dir):
            raise ParameterError("give lists_dir (a folder of lists) or published_dir (a folder of published profiles)")


@dataclass(frozen=True)
class Lesson(Parameters):
    """The teaching lessons (notebooks/teaching/)."""

    role: str = rule(str, lambda v: v in ("student", "instructor"), "student or instructor (teaching lessons)")

    notebooks: ClassVar[tuple[str, ...]] = (
        "lesson1_reading_a_statistic",
        "lesson2_shares_and_ratios",
        "lesson3_choosing_a_benchmark",
        "lesson4_checking_figures",
    )


MODELS: dict[str, type[Parameters]] = {
    name: model for model in (Pima, Matrix, Benchmarks, ListProfile, Forces, Lesson) for name in model.notebooks
}


def model_for(notebook: str) -> type[Parameters]:
    if notebook not in MODELS:
        raise ParameterError(f"no parameter model for notebook {notebook!r}; known: {', '.join(MODELS)}")
    return MODELS[notebook]


def _check_value(name: str, value, r: Rule) -> None:
    if not _kind_ok(value, r.kind):
        raise ParameterError(
            f"parameter {name} = {value!r} ({type(value).__name__}) must be {r.kind.__name__}: {r.explain}"
        )
    if r.test is not None and not r.test(value):
        raise ParameterError(f"parameter {name} = {value!r} is not allowed: {r.explain}")


def check(notebook: str, namespace: dict) -> Parameters:
    """Check the parameters of `notebook` as they are in `namespace` (a
    notebook's globals() after papermill's cell): each value's type and rule in
    the notebook's model order, then the cross-field checks. Returns the model."""
    model = model_for(notebook)
    values = {}
    for name, r in model.rules().items():
        if name not in namespace:
            raise ParameterError(f"parameter {name} is missing: the parameters cell of {notebook} must set it")
        _check_value(name, namespace[name], r)
        values[name] = namespace[name]
    checked = model(**values)
    checked.cross_checks()
    return checked


def parse_value(notebook: str, name: str, text: str):
    """A -p value as papermill's command line reads it (int, float, bool, None,
    else text), except that a parameter the model types as text keeps the text
    as given (a column named '2021')."""
    r = model_for(notebook).rules().get(name)
    if r is not None and r.kind is str:
        return text
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


def check_given(notebook: str, values: dict) -> dict:
    """Check only the named parameters (those given on a command line) against
    the notebook's model; the notebook itself checks the whole set with check()."""
    rules = model_for(notebook).rules()
    for name, value in values.items():
        if name not in rules:
            raise ParameterError(f"parameter {name!r} is not a parameter of {notebook}; known: {', '.join(rules)}")
        _check_value(name, value, rules[name])
    return values
