"""Issue 13: what every appendix shows in its tables, and the pieces each page shares.

The CSV files keep full precision and ids (reviewers join on them); the HTML shows
percentages, counts with separators, at most two decimals, a dash for a missing
value, and names where the label registry (data/manual/labels.csv) has one.
"""

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from police_lists.contract import standards
from police_lists.present.tables import table_html
from police_lists.readers import labels

ROOT = Path(__file__).resolve().parents[1]
LONG_FLOAT = re.compile(r"\d\.\d{4,}")


class Cells(HTMLParser):
    """The text of every table cell (td and th) on a page."""

    def __init__(self):
        super().__init__()
        self.cells, self._depth, self._text = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._depth += 1
            self._text = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._depth:
            self._depth -= 1
            self.cells.append("".join(self._text).strip())

    def handle_data(self, data):
        if self._depth:
            self._text.append(data)


def page_cells(path: Path) -> list[str]:
    parser = Cells()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.cells


def test_no_cell_shows_a_long_float_na_or_a_named_id(built):
    out, manifest = built
    found = []  # every offending cell, so one run names them all
    for name, info in manifest["appendices"].items():
        cells = page_cells(out / info["html"])
        assert len(cells) > 20, name
        for cell in cells:
            if LONG_FLOAT.search(cell):
                found.append(f"{name}: long float in {cell!r}")
            if "<NA>" in cell or re.search(r"\bnan\b", cell, re.I):
                found.append(f"{name}: missing value shown in {cell!r}")
            found += [
                f"{name}: id {token!r} shown where a name exists: {cell[:160]!r}"
                for token in re.split(r"[\s;,():]+", cell)
                if labels.is_named_id(token)
            ]
    assert not found, "\n".join(found)


def test_csv_keeps_full_precision_and_ids(built):
    out, _ = built
    with open(out / "tables" / "pima_shares.csv", encoding="utf-8") as fh:
        shares = list(csv.DictReader(fh))
    assert any(LONG_FLOAT.search(row["share"]) for row in shares)  # e.g. 0.6094986807387863
    with open(out / "tables" / "pima_sources.csv", encoding="utf-8") as fh:
        assert "liberty_investigates_2021_pima" in {row["source_id"] for row in csv.DictReader(fh)}
    html = (out / "html" / "01_operation_pima.html").read_text(encoding="utf-8")
    assert "60.9%" in html and "0.6094" not in html  # the page shows 758 people's 61% share as a percentage


def test_presenter_formats_by_column_kind():
    df = pd.DataFrame(
        {
            "source_id": ["liberty_investigates_2021_pima", "ons_census2021_ts021"],
            "count_low": [459, 3806],
            "share": [0.6094986807387863, None],
            "ratio": [4.688451390298356, 10.445421997309118],
            "status": [standards.REPRODUCED_EXACTLY, standards.NOT_CHECKABLE],
            "census_year": [2011, 2021],
        }
    )
    html = table_html(df, "t", "a caption <b>", standards.PUBLISHED)
    assert "<caption>" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "a caption &lt;b&gt;" in html  # escaped
    assert "60.9%" in html and "4.69" in html and "10.45" in html and "3,806" in html and ">2011<" in html
    assert "liberty_investigates_2021_pima" not in html and "Liberty Investigates, 2021-12" in html
    assert f'class="pl-badge pl-status-1">{standards.REPRODUCED_EXACTLY}<' in html  # a labelled badge
    assert "–" in html and "no value" in html  # a dash, with its footnote
    assert 'href="../tables/t.csv"' in html


def test_long_tables_are_summarised_with_the_rest_behind_details():
    df = pd.DataFrame({"claim_id": [f"X{i}" for i in range(40)], "value": range(40)})
    html = table_html(df, "long", "forty rows", standards.PUBLISHED)
    head, rest = html.split("<details>")
    assert head.count("<tr>") == 11 and rest.count("<tr>") == 31  # headers + 10 rows; header + 30 rows
    assert "all 40 rows" in rest


def test_every_source_and_benchmark_has_a_name():
    sources = pd.read_csv(ROOT / "data" / "sources.csv", dtype=str)
    for source_id in sources["source_id"]:
        assert labels.name(source_id) != source_id, source_id
    assert labels.name("london_10_24@2011") == "London residents aged 10-24 (census 2011)"
    assert labels.name("not an id") == "not an id"


def test_footer_and_citation_agree(built):
    import yaml

    out, manifest = built
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for name, info in manifest["appendices"].items():
        text = (out / info["html"]).read_text(encoding="utf-8")
        assert cff["title"].replace("(", "").split(":")[0] in text, name
        assert "built by <code>make all</code>" in text and "Open Government Licence v3.0" in text, name
        assert "CORRECTIONS.md" in text, name
        for status in standards.STATUSES:  # each status defined in the glossary, as a badge
            assert f">{status}</span></dt>" in text, (name, status)


def test_index_has_questions_headlines_and_synthetic(built):
    out, manifest = built
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    for name, info in manifest["appendices"].items():
        assert info.get("question") and info.get("headline"), name
    assert manifest["appendices"]["05_list_profile"]["synthetic"] is True
    assert not manifest["appendices"]["01_operation_pima"]["synthetic"]
    synthetic = [name for name, info in manifest["appendices"].items() if info["synthetic"]]
    assert synthetic == ["05_list_profile", "06_forces"]
    assert index.count("SYNTHETIC: invented teaching data") == len(synthetic)
    assert 'href="teaching/lesson1_reading_a_statistic_student.html"' in index
    assert "2025" not in manifest["appendices"]["02_gangs_matrix_profile"]["vintage"]


def test_teaching_pages_say_make_teaching_and_their_defaults():
    from police_lists.pipeline.convert import all_parameters, build_command

    name = "lesson1_reading_a_statistic_student"
    assert build_command(name) == "make teaching" and build_command("01_operation_pima") == "make all"
    shown = all_parameters(name, {"role": "student"})
    assert shown["role"] == "'student'" and "data_dir" in shown
