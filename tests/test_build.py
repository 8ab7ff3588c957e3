"""The full build: HTML offline, every claim in the ledger, a complete manifest."""

import json
import re

import pandas as pd

from police_lists.readers import claims

# A reference that makes a browser fetch something from the network.
EXTERNAL = re.compile(
    r"""(<(script|img|iframe|link|source|video|audio|embed)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//)"""
    r"""|(url\(\s*["']?\s*(https?:)?//)|(@import\s+["']?(https?:)?//)|(import\(\s*["'](https?:)?//)""",
    re.IGNORECASE,
)


def test_html_appendix_has_no_network_resources(built):
    out, _ = built
    pages = sorted((out / "html").glob("*.html"))
    assert any(p.name == "01_operation_pima.html" for p in pages)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL.search(text), f"{page.name}: {EXTERNAL.search(text).group(0)}"
        assert "require.min.js" not in text and "MathJax" not in text and "mermaid" not in text.lower()


def test_html_code_hidden_with_toc_and_provenance(built):
    out, _ = built
    text = (out / "html" / "01_operation_pima.html").read_text(encoding="utf-8")
    assert 'id="toc"' in text and 'id="provenance"' in text
    assert "globals" not in text  # code cells are hidden (the first cell calls params.check(..., globals()))
    assert "sha256" in text
    assert str(out) not in text  # no absolute path of the build machine


def test_claims_ledger_lists_every_claim(built):
    out, _ = built
    ledger = pd.read_csv(out / "tables" / "claims_ledger.csv", dtype=str, keep_default_na=False)
    all_claims = claims.load_claims("data")
    assert sorted(ledger["claim_id"]) == sorted(all_claims["claim_id"])
    pima = all_claims[all_claims["subject"] == "pima"]["claim_id"]
    assert set(pima) <= set(ledger["claim_id"])
    assert (ledger["status"] != "").all() and (ledger["reason"] != "").all()


def test_manifest(built):
    out, manifest = built
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest
    assert "data/claims.csv" in manifest["inputs"]
    assert all(len(h) == 64 for h in manifest["inputs"].values())
    assert manifest["packages"]["papermill"] and manifest["git_commit"]
    assert "tables/claims_ledger.csv" in manifest["outputs"]
    tables = [k for k in manifest["outputs"] if k.startswith("tables/")]
    assert all("sensitivity" in manifest["outputs"][t] for t in tables)


def test_executed_notebook_has_no_timestamps(built):
    out, _ = built
    text = (out / "notebooks" / "01_operation_pima.ipynb").read_text(encoding="utf-8")
    assert "start_time" not in text and "end_time" not in text


def test_folders_are_recorded_without_machine_paths(tmp_path):
    from police_lists.contract.paths import PROJECT_ROOT
    from police_lists.pipeline import build

    assert build.shown_path("outputs") == "outputs"
    assert build.shown_path(str(PROJECT_ROOT / "outputs")) == "outputs"
    assert build.shown_path(str(tmp_path)) == build.OUTSIDE


def test_clean_executed_strips_run_noise():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from police_lists.pipeline import build

    nb = new_notebook(cells=[new_code_cell('output_dir = "/tmp/x/.staging/01"'), new_code_cell("1")])
    nb.cells[0].metadata["tags"] = ["injected-parameters"]
    nb.cells[1].outputs = [
        new_output("stream", name="stderr", text="UserWarning: /site-packages/x.py:1\n"),
        new_output("stream", name="stdout", text="kept\n"),
    ]
    nb.metadata["papermill"] = {"start_time": "2026-01-01", "parameters": {"output_dir": "/tmp/x/.staging/01"}}
    removed = build.clean_executed(nb, build.OUTSIDE, "/tmp/x/.staging/01")
    assert removed == ["UserWarning: /site-packages/x.py:1\n"]
    assert nb.cells[0].source == f'output_dir = "{build.OUTSIDE}"'
    assert [o["name"] for o in nb.cells[1].outputs] == ["stdout"]
    assert nb.metadata["papermill"] == {"parameters": {"output_dir": build.OUTSIDE}}
    assert [c["id"] for c in nb.cells] == ["cell-000", "cell-001"]
    nbformat.validate(nb)


def test_data_vintage_from_ref_dates(tmp_path):
    from police_lists.pipeline import build

    table = tmp_path / "t.csv"
    table.write_text("claim_id,ref_date\nA,2020-05-11/2020-07-10\nB,2011/2021\nC,\n", encoding="utf-8")
    plain = tmp_path / "u.csv"
    plain.write_text("x\n1\n", encoding="utf-8")
    nb = tmp_path / "nb.ipynb"
    nb.write_text(json.dumps({"metadata": {"title": "T"}, "cells": []}), encoding="utf-8")
    assert build.data_vintage(nb, [table, plain]) == "reference dates 2011 to 2021 (latest 2021)"
    assert build.data_vintage(nb, [plain]) == "not stated"
    nb.write_text(json.dumps({"metadata": {"title": "T", "vintage": "FOI answer of May 2021"}}), encoding="utf-8")
    assert build.data_vintage(nb, [table]) == "FOI answer of May 2021"
