"""Open every appendix and the index in a real browser, offline.

Headless Chromium (Debian's `chromium` package; .ci/run installs it) driven by
Playwright opens each page of the shared test build from file:// with every
non-file request aborted and recorded. A page passes when it asked for nothing
outside its own file, logged no console error, failed no request, has its
table of contents, and shows every figure its notebook wrote (each image
decoded, naturalWidth > 0, the same PNG bytes as figures/<name>.png). A full-
page screenshot of each goes to <build output>/screenshots/<name>.png.
"""

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest

from police_lists.pipeline.convert import CSP

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; "
            ".ci/run does this) to run the browser test"
        )
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir: no state from earlier runs
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=ARGS, offline=True
        )
        yield context
        context.close()


def visit(context, page_path: Path, screenshot: Path) -> tuple[object, dict]:
    """Open one page with the network blocked; return the page and what happened."""
    seen = {"blocked": [], "failed": [], "console_errors": [], "page_errors": []}

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            seen["blocked"].append(r.request.url)
            r.abort()

    page = context.new_page()
    page.route("**/*", route)
    page.on("requestfailed", lambda req: seen["failed"].append(f"{req.url} ({req.failure})"))
    page.on("console", lambda msg: seen["console_errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: seen["page_errors"].append(str(err)))
    page.goto(page_path.as_uri(), wait_until="load")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    return page, seen


def test_every_appendix_renders_offline(built, browser_context):
    out, manifest = built
    appendices = manifest["appendices"]
    assert "01_operation_pima" in appendices
    for name, info in sorted(appendices.items()):
        page, seen = visit(browser_context, out / info["html"], out / "screenshots" / f"{name}.png")
        try:
            assert seen == {"blocked": [], "failed": [], "console_errors": [], "page_errors": []}, name
            assert page.title() == info["title"], name
            csp = page.locator('meta[http-equiv="Content-Security-Policy"]')
            assert csp.count() == 1 and csp.get_attribute("content") == CSP, f"{name}: no script-free policy"
            toc = page.locator("nav#toc a")
            assert toc.count() >= 2, f"{name}: no table of contents"
            # Every contents entry points at a heading that exists on the page.
            for href in toc.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
                assert page.locator(f"[id='{href[1:]}']").count() == 1, f"{name}: {href}"
            images = page.evaluate(
                "Array.from(document.images).map(i => "
                "({w: i.naturalWidth, complete: i.complete, alt: i.alt, src: i.src}))"
            )
            assert len(images) == len(info["figures"]), f"{name}: {len(images)} images, figures {info['figures']}"
            shown = set()
            for img in images:
                assert img["complete"] and img["w"] > 0, f"{name}: an image did not render"
                assert img["src"].startswith("data:image/png;base64,") and img["alt"], name
                shown.add(hashlib.sha256(base64.b64decode(img["src"].split(",", 1)[1])).hexdigest())
            written = {hashlib.sha256((out / f).read_bytes()).hexdigest() for f in info["figures"]}
            assert shown == written, f"{name}: the page's figures are not the files in figures/"
            assert page.locator("footer#provenance").count() == 1
            footer = page.locator("footer#provenance").text_content()  # with the closed <details>
            assert manifest["git_commit"] in footer and "sha256" in footer and "data/claims.csv" in footer
            back = page.locator("a", has_text="All appendices")
            assert back.count() == 1 and back.get_attribute("href") == "index.html"
            assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0, f"{name}: code is shown"
        finally:
            page.close()
        assert (out / "screenshots" / f"{name}.png").stat().st_size > 0


def test_index_links_every_appendix(built, browser_context):
    out, manifest = built
    page, seen = visit(browser_context, out / "html" / "index.html", out / "screenshots" / "index.png")
    try:
        assert seen == {"blocked": [], "failed": [], "console_errors": [], "page_errors": []}
        assert page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content") == CSP
        links = page.locator("#appendices a").evaluate_all(
            "links => links.map(a => [a.getAttribute('href'), a.textContent])"
        )
        assert links == [[f"{n}.html", info["title"]] for n, info in sorted(manifest["appendices"].items())]
        text = page.locator("body").inner_text()
        assert manifest["git_commit"] in text
        assert f"papermill {manifest['packages']['papermill']}" in text
        for info in manifest["appendices"].values():
            assert info["vintage"] and info["vintage"] in text
        # Follow the first link: a file:// navigation within the archive, still offline.
        page.locator("#appendices a").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(links[0][0]) and seen["blocked"] == []
    finally:
        page.close()
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["appendices"] == manifest["appendices"]


# Issue 13: pages for readers. Every page of the build and a `make profile` page, opened
# at 1280 px (the findings on the first screen), at 390 px (no sideways scroll), under axe-core
# (no serious or critical violation) and under print emulation at A4 (no table wider than the page).
A4_CONTENT_PX = round((210 - 2 * 15) / 25.4 * 96)  # A4 less the 15 mm margins of appendix.css, in CSS px


@pytest.fixture(scope="module")
def profile_page(tmp_path_factory):
    """A `make profile` page of the SYNTHETIC list (the command's own code path)."""
    from police_lists.pipeline import profile

    out = tmp_path_factory.mktemp("profile") / "out"
    profile.run(str(Path(__file__).resolve().parents[1] / "data" / "examples" / "pima_synthetic_list.csv"), str(out))
    return out / "profile.html"


def reader_pages(out, manifest, profile_page) -> dict[str, Path]:
    pages = {name: out / info["html"] for name, info in sorted(manifest["appendices"].items())}
    return {**pages, "profile": profile_page}


def open_page(context, path: Path, width: int, height: int = 900):
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    page.set_viewport_size({"width": width, "height": height})
    page.goto(path.as_uri(), wait_until="load")
    return page


def test_in_short_on_the_first_screen(built, browser_context, profile_page):
    out, manifest = built
    for name, path in reader_pages(out, manifest, profile_page).items():
        page = open_page(browser_context, path, 1280)
        try:
            box = page.locator("section#in-short").bounding_box()
            assert box is not None, f"{name}: no In short block"
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, f"{name}: In short at {box} (not in 900 px)"
            items = page.locator("section#in-short li")
            assert 3 <= items.count() <= 6, f"{name}: {items.count()} findings"
            for i in range(items.count()):
                item = items.nth(i)
                assert any(ch.isdigit() for ch in item.inner_text()), f"{name}: a finding with no number"
                href = item.locator("a").last.get_attribute("href")
                assert href.startswith("#") and page.locator(f"[id='{href[1:]}']").count() == 1, f"{name}: {href}"
            # Then how to read it, the glossary and the citation, each linked from the page.
            for anchor in ("how-to-read", "glossary", "how-to-cite"):
                assert page.locator(f"[id='{anchor}']").count() == 1, f"{name}: no #{anchor}"
            page.screenshot(path=str(out / "screenshots" / f"{name}-1280x900.png"))
        finally:
            page.close()


def test_no_sideways_scroll_on_a_phone(built, browser_context, profile_page):
    out, manifest = built
    pages = {**reader_pages(out, manifest, profile_page), "index": out / "html" / "index.html"}
    for name, path in pages.items():
        for width in (390, 360):
            page = open_page(browser_context, path, width, 844)
            try:
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{name}: scrollWidth {scroll} at {width} px"
                if width == 390:
                    page.screenshot(path=str(out / "screenshots" / f"{name}-390.png"))
            finally:
                page.close()


def test_axe_finds_no_serious_violation(built, browser_context, profile_page):
    from axe_playwright_python.sync_playwright import Axe

    out, manifest = built
    axe = Axe()
    pages = {**reader_pages(out, manifest, profile_page), "index": out / "html" / "index.html"}
    for name, path in pages.items():
        page = open_page(browser_context, path, 1280)
        try:
            violations = axe.run(page).response["violations"]
            bad = [
                f"{v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], f"{name}: {bad}"
        finally:
            page.close()


def test_print_at_a4_fits_every_table(built, browser_context, profile_page):
    out, manifest = built
    for name, path in reader_pages(out, manifest, profile_page).items():
        page = open_page(browser_context, path, A4_CONTENT_PX)
        try:
            page.emulate_media(media="print")
            widths = page.evaluate(
                "Array.from(document.querySelectorAll('table')).map(t => Math.ceil(t.getBoundingClientRect().right))"
            )
            assert widths and max(widths) <= A4_CONTENT_PX, f"{name}: a table reaches {max(widths)} px"
            assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_PX, name
        finally:
            page.close()


def test_footers_name_the_command_and_every_parameter(built, profile_page):
    out, manifest = built
    profile = profile_page.read_text(encoding="utf-8")
    assert "built by <code>make profile</code>" in profile and "make all" not in profile.split("provenance-h")[1]
    for parameter in ("threshold = 10", "disclosure_control = True", "confidence = 0.95", "list_path = "):
        assert f"<code>{parameter}" in profile, parameter
    assert "published_profile" not in profile  # the scratch file make profile hands over stays private
    assert 'href="tables/ethnicity.csv"' in profile  # beside the page, not one folder up
    pima = (out / manifest["appendices"]["01_operation_pima"]["html"]).read_text(encoding="utf-8")
    assert "built by <code>make all</code>" in pima and "<code>rounding_rule = " in pima
