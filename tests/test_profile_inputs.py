"""Real and hostile files at the reader (police_lists.readers.listinput): each test
writes its own input, and each defect of issue 10 about reading a file gets
an accurate one-line refusal (or is read right), never a traceback."""

import io
import re
import zipfile

import pandas as pd
import pytest

from police_lists.contract.problems import ProblemError, problem
from police_lists.contract.safety import MAX_SHOWN
from police_lists.readers import listinput


def refused(path, **kw) -> list[str]:
    with pytest.raises(ProblemError) as info:
        listinput.read_list(path, **kw)
    problems = info.value.problems
    for line in problems:
        assert "\n" not in line and "Traceback" not in line
    return problems


def one(path, **kw) -> str:
    problems = refused(path, **kw)
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------- line ends, separators, encodings


def test_cr_only_line_ends_are_named(tmp_path):
    p = tmp_path / "mac.csv"
    p.write_bytes(b"ethnicity,age\rWhite,20\rBlack,30\r")
    line = one(p)
    assert "carriage return only" in line and "no data rows" not in line


def test_crlf_line_ends_are_read(tmp_path):
    p = tmp_path / "windows.csv"
    p.write_bytes(b"ethnicity,age\r\nWhite,20\r\nBlack,30\r\n")
    assert dict(listinput.read_list(p).counts["ethnicity"]) == {"White": 1, "Black": 1}


def test_tab_separated_file_is_read(tmp_path):
    # used to be reported as "header but no data rows"
    p = tmp_path / "tabs.csv"
    p.write_text(
        "Self-defined ethnicity\tAge range\tGender\nWhite - Irish\t18-24\tMale\n"
        "Black/African/Caribbean/Black British - African\tover 34\tFemale\n\t10-17\t\n"
    )
    data = listinput.read_list(p)
    assert dict(data.counts["ethnicity"]) == {"White": 1, "Black": 1, "Unknown": 1}
    assert dict(data.counts["age"]) == {"10-17": 1, "18-24": 1, "35 and over": 1}


@pytest.mark.parametrize("title", ["Stop and search, City of London, June 2016", "Produced under FOI\n"])
def test_title_row_above_the_header_is_named(tmp_path, title):
    p = tmp_path / "titled.csv"
    p.write_text(f"{title}\nethnicity,age,gender\nWhite,20,Male\nBlack,31,Female\n")
    line = one(p)
    header_row = 3 if title.endswith("\n") else 2
    assert f"the header (column names) must be row 1; row {header_row} holds the column names" in line
    assert "no data rows" not in line


def test_title_row_above_the_header_in_a_workbook_is_named(tmp_path):
    p = tmp_path / "titled.xlsx"
    rows = [["Nominal list, as at 1 March", None], [None, None], ["Ethnicity", "Age"], ["White", 20], ["Black", 31]]
    pd.DataFrame(rows).to_excel(p, index=False, header=False)
    assert "row 3 holds the column names" in one(p)


def test_utf16_without_bom_is_named(tmp_path):
    p = tmp_path / "utf16.csv"
    p.write_bytes("ethnicity,age\nWhite,20\nBlack,31\n".encode("utf-16-le"))
    line = one(p)
    assert "UTF-16 without a byte-order mark" in line and "fields" not in line


def test_nul_bytes_are_named(tmp_path):
    p = tmp_path / "binary.csv"
    p.write_bytes(b"ethnicity,age\nWhite,20\nBl\x00ack,31\n")
    assert "row 3" in one(p) and "NUL" in one(p)


# ---------------------------------------------------------------- column names


@pytest.mark.parametrize(
    "header", ["ethnicity,age,ethnicity", "Ethnicity,age,ethnicity", "Age range,ethnicity,age  RANGE "]
)
def test_duplicate_column_names_are_refused_naming_both(tmp_path, header):
    p = tmp_path / "dupes.csv"
    p.write_text(f"{header}\nWhite,20,White\n")
    line = one(p)
    first, second = [h.strip() for h in header.split(",") if listinput._key(h) == listinput._key(header.split(",")[2])]
    assert f"({first!r})" in line and f"({second!r})" in line and "appears once" in line


def test_duplicate_column_names_in_a_workbook_are_refused(tmp_path):
    p = tmp_path / "dupes.xlsx"
    pd.DataFrame([["Ethnicity", "Age", "ETHNICITY"], ["White", "20", "Black"]]).to_excel(p, index=False, header=False)
    line = one(p)
    assert "columns 1 ('Ethnicity') and 3 ('ETHNICITY')" in line


# ---------------------------------------------------------------- counts in aggregate tables


@pytest.mark.parametrize(
    "count,rule",
    [
        ("nan", "not NaN or infinity"),
        ("inf", "not NaN or infinity"),
        ("-inf", "not NaN or infinity"),
        ("1e400", "whole number of people"),
        ("9" * 400, "at most 100,000,000"),
        ("123456789012", "at most 100,000,000"),
        ("-0.5", "not negative"),
    ],
)
def test_bad_counts_are_refused_with_their_rule(tmp_path, count, rule):
    p = tmp_path / "agg.csv"
    p.write_text(f"dimension,category,count\nethnicity,White,{count}\nethnicity,Black,20\n")
    line = one(p)
    assert "row 2" in line and rule in line and "OverflowError" not in line


def test_huge_age_is_refused_not_overflowed(tmp_path):
    p = tmp_path / "ages.csv"
    p.write_text(f"ethnicity,age\nWhite,{'9' * 400}\nBlack,20\n")
    assert "at most 120" in one(p)


# ---------------------------------------------------------------- long fields


def test_a_ten_megabyte_field_is_refused_and_never_echoed(tmp_path):
    p = tmp_path / "long.csv"
    field = "x" * (10 * 2**20)
    p.write_text(f"ethnicity,age\nWhite,20\n{field},31\n")
    line = one(p)
    assert len(line) < 400
    assert f"'{'x' * MAX_SHOWN}'... (10,485,760 characters)" in line
    assert "at most 1,000 characters" in line


def test_a_long_quoted_field_is_refused(tmp_path):
    p = tmp_path / "long_quoted.csv"
    p.write_text('ethnicity,notes\n"' + "y" * 200_000 + '",x\nWhite,y\n')
    line = one(p)
    assert len(line) < 400 and "row 2, column 'ethnicity'" in line and "at most 1,000 characters" in line


def test_a_long_field_in_a_column_never_read_is_ignored(tmp_path):
    # free text in a column the profile does not read never reaches it, whatever its length
    p = tmp_path / "notes.csv"
    p.write_text('ethnicity,notes\nWhite,"' + "y" * 200_000 + '"\nBlack,short\n')
    assert dict(listinput.read_list(p).counts["ethnicity"]) == {"White": 1, "Black": 1}


# ---------------------------------------------------------------- workbooks


def _workbook_with_uncached_formulas(path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ethnicity", "Code", "Age"])
    sheet.append(["White", "W1", 20])
    sheet.append(['=IF(B3="B1","Black","White")', "B1", 31])
    sheet.append(['=IF(B4="B1","Black","White")', "B1", 40])
    book.save(path)


def test_formula_cells_without_a_saved_result_are_refused_naming_the_cells(tmp_path):
    # openpyxl writes formulas without their results; read with data_only they were counted as Unknown
    p = tmp_path / "formulas.xlsx"
    _workbook_with_uncached_formulas(p)
    line = one(p)
    assert line.startswith(f"{listinput.display_path(p)}: rows 3, 4, column 'Ethnicity':")
    assert "A3, A4 have none" in line and "open it in Excel or LibreOffice and save it" in line


def test_formula_cells_with_a_saved_result_are_read(tmp_path):
    # what Excel or LibreOffice writes on saving: the formula and its cached value
    p = tmp_path / "formulas.xlsx"
    _workbook_with_uncached_formulas(p)
    fixed = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(p) as zin, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'<c r="(A[34])"([^>]*)><f>([^<]*)</f><v\s*/?>(</v>)?</c>',
                    rb'<c r="\1" t="str"><f>\3</f><v>Black</v></c>',
                    data,
                )
                assert n == 2, data[:2000]
            zout.writestr(item, data)
    assert dict(listinput.read_list(fixed).counts["ethnicity"]) == {"White": 1, "Black": 2}


def test_zip_bomb_workbook_is_refused_before_it_is_opened(tmp_path):
    p = tmp_path / "bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>White</t></is></c></row>'
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = row * 20_000
            for _ in range(listinput.MAX_XLSX_UNPACKED // len(chunk) + 2):
                fh.write(chunk)
    assert p.stat().st_size < 2 * 2**20  # a small file...
    line = one(p)  # ...that would unpack to more than the limit
    assert "unpacks to at most 100 MiB" in line and "zip bomb" in line


def test_small_zip_bomb_under_the_size_limit_is_refused_by_its_ratio(tmp_path):
    # seen: a 309 KB workbook took 33 s and 800 MB before it was read
    p = tmp_path / "small_bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>White</t></is></c></row>'
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", row * (60 * 2**20 // len(row)))  # 60 MiB, under the size limit
    assert p.stat().st_size < 400 * 2**10
    line = one(p)
    assert "packs at most 100 to 1" in line and "xl/worksheets/sheet1.xml" in line


def test_corrupt_workbook_parts_are_a_refusal_not_a_traceback(tmp_path):
    p = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("xl/workbook.xml", "not xml at all <f>")
        z.writestr("xl/worksheets/sheet1.xml", "<f>")
    assert "readable Excel workbook" in one(p)


def test_single_group_list_is_read(tmp_path):
    p = tmp_path / "one_group.csv"
    p.write_text("ethnicity\n" + "Black\n" * 12 + "\n")
    assert dict(listinput.read_list(p).counts["ethnicity"]) == {"Black": 12}


def test_problem_lines_cut_long_values_and_column_names():
    line = problem("f.csv", [2], "c" * 100, "v" * 5000, "rule")
    assert len(line) < 250 and "(5,000 characters)" in line and "(100 characters)" in line


def test_control_characters_in_a_file_name_stay_on_one_line():
    line = problem("bad\nname\x1b[31m.csv", "-", "-", "x", "rule")
    assert "\n" not in line and "\x1b" not in line and "bad\\nname\\x1b[31m.csv" in line


def test_read_table_on_bytes_never_raises_anything_else(tmp_path):
    # a few fixed nasty shapes (the property test in test_profile_property.py draws many more)
    shapes = [
        b'"',
        b'a,"b\nc',
        b"\xef\xbb\xbf",
        b",,,\n,,,\n",
        b'ethnicity\n"White"x\n',
        b"\x1f\x8b\x08",
        b"PK\x03\x04garbage",
        io.BytesIO(b"ethnicity;age\nWhite;20\n").getvalue(),
    ]
    for i, raw in enumerate(shapes):
        p = tmp_path / f"shape{i}.csv"
        p.write_bytes(raw)
        try:
            listinput.read_list(p)
        except ProblemError as exc:
            assert all("\n" not in line for line in exc.problems)


def test_reading_does_not_depend_on_the_csv_modules_global_field_limit(tmp_path):
    # other libraries (frictionless, scipy) change csv.field_size_limit for the whole process
    import csv

    p = tmp_path / "quoted.csv"
    p.write_text('"ethnicity","age"\n"White","20"\n"Black or Black British - Caribbean (B1)","31"\n')
    old = csv.field_size_limit(5)
    try:
        data = listinput.read_list(p)
        assert csv.field_size_limit() == 5  # and it is left as it was
    finally:
        csv.field_size_limit(old)
    assert dict(data.counts["ethnicity"]) == {"White": 1, "Black": 1}
