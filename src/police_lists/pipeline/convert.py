"""Converting an executed notebook to one offline HTML page (nbconvert, the
template in templates/appendix with its scoped style sheet appendix.css), with
a static table of contents after the page's opening (In short, How to read),
and a footer every page shares: glossary, how to cite (from CITATION.cff),
licences, corrections, and the provenance (the command that built the page and
every parameter it ran with). Only pipeline modules convert notebooks."""

from __future__ import annotations

import html
import platform
import re
import threading
from functools import lru_cache
from pathlib import Path

from police_lists.contract.paths import PROJECT_ROOT
from police_lists.pipeline.provenance import PACKAGE_DIR, shown_path
from police_lists.present.glossary import glossary_html

TEMPLATES = PACKAGE_DIR / "templates"
# Every page allows no script at all, as defence in depth (the templates carry it as a meta tag).
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


OPENING_END = "<!--/pl-opening-->"  # present.appendix.in_short_html ends the page's opening with this
SHARED_SECTIONS = (
    ("glossary", "Glossary"),
    ("how-to-cite", "How to cite, licences, corrections"),
    ("provenance-h", "Provenance"),
)


def _toc(body: str) -> str:
    """A static table of contents from the h2/h3 ids nbconvert generated, placed after
    the page's opening (In short, How to read) so the findings come first."""
    items = re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', body)
    opening = [
        ("2", a, t)
        for a, t in (("in-short", "In short"), ("how-to-read", "How to read this page"))
        if f'id="{a}"' in body
    ]
    shared = [("2", a, t) for a, t in SHARED_SECTIONS if f'id="{a}"' in body]
    items = opening + items + shared
    if len(items) < 2:
        return body.replace("<!--TOC-->", "", 1)
    lines = ['<nav id="toc" aria-label="Contents"><strong>Contents</strong><ul>']
    for level, anchor, text in items:
        cls = ' class="sub"' if level == "3" else ""
        lines.append(f'<li{cls}><a href="#{anchor}">{text}</a></li>')
    lines.append("</ul></nav>")
    nav = "\n".join(lines)
    if OPENING_END in body:
        return body.replace("<!--TOC-->", "", 1).replace(OPENING_END, nav, 1)
    return body.replace("<!--TOC-->", nav, 1)


@lru_cache(maxsize=1)
def citation() -> dict:
    """CITATION.cff at the project root (the one place the citation is written)."""
    import yaml

    path = PROJECT_ROOT / "CITATION.cff"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def cite_html(commit: str) -> str:
    """How to cite (from CITATION.cff), the licences, and how to report an error."""
    cff = citation()
    authors = "; ".join(
        a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}" for a in cff.get("authors", [])
    )
    text = f"{authors}. {cff.get('title', '')}. Version {cff.get('version', '')}, git commit {commit}."
    return (
        '<section class="pl-cite" aria-labelledby="how-to-cite"><h2 id="how-to-cite">How to cite, licences, corrections</h2>'
        f"<p><strong>How to cite.</strong> {html.escape(cff.get('message', ''))}</p>"
        f"<p><cite>{html.escape(text)}</cite></p>"
        "<p>The same citation, machine-readable, is <code>CITATION.cff</code> at the root of the repository.</p>"
        f"<p><strong>Licences.</strong> Code: {html.escape(str(cff.get('license', '')))} licence (<code>LICENSE</code>). "
        "Data: the census tables of the Office for National Statistics and the Metropolitan Police homicide victims "
        "file are used under the Open Government Licence v3.0: contains public sector information licensed under the "
        'Open Government Licence v3.0 (<a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/">'
        "OGL v3.0</a>). Published figures are facts reported by the sources named in <code>data/sources.csv</code>, "
        "with quotations of at most twelve words under fair dealing; see <code>LICENSE-DATA.md</code>.</p>"
        "<p><strong>Corrections.</strong> Found an error? Open an issue in the repository (title starting "
        '"Correction:"), naming the page, the table or claim id, what you expected and your source. Accepted '
        "corrections are listed in <code>CORRECTIONS.md</code> with their date and commit, and the page is rebuilt.</p>"
        "</section>"
    )


COMMANDS = {"profile": "make profile"}
NOTEBOOKS = {"profile": "05_list_profile"}
# Set by `make profile` to a file in its private scratch folder and removed from the page on purpose.
HIDDEN_PARAMETERS = ("published_profile",)


def build_command(name: str) -> str:
    """The command that builds a page of this name."""
    if name in COMMANDS:
        return COMMANDS[name]
    if name.endswith(("_student", "_instructor")):
        return "make teaching"
    return "make all"


def notebook_for(name: str) -> Path | None:
    """The notebook a page of this name was made from (an appendix, the profile, a lesson)."""
    from police_lists.contract.paths import notebooks_dir

    if name.endswith(("_student", "_instructor")):
        path = notebooks_dir() / "teaching" / f"{name.rsplit('_', 1)[0]}.ipynb"
    else:
        path = notebooks_dir() / f"{NOTEBOOKS.get(name, name)}.ipynb"
    return path if path.is_file() else None


def all_parameters(name: str, given: dict) -> dict[str, str]:
    """Every parameter the page ran with, in the notebook's order: the value given
    (as repr) or else the notebook's default (as written in its parameters cell)."""
    shown = {k: repr(v) for k, v in given.items()}
    path = notebook_for(name)
    if path is None:
        return shown
    import papermill

    defaults = {k: v["default"] for k, v in papermill.inspect_notebook(str(path)).items() if k not in HIDDEN_PARAMETERS}
    return {**{k: shown.pop(k, d) for k, d in defaults.items()}, **shown}


def provenance_html(
    name: str,
    parameters: dict,
    inputs: dict[str, str],
    versions: dict[str, str],
    commit: str,
    python: str | None = None,
    command: str | None = None,
) -> str:
    """The page's footer: the glossary, how to cite, and what produced it (the command,
    commit, Python, packages), with every parameter it ran with, from which inputs
    (each with its sha256). `command` defaults to the one that builds pages of this name."""
    rows = "".join(f"<li><code>{html.escape(p)}</code> sha256 <code>{h}</code></li>" for p, h in inputs.items())
    shown = {k: (shown_path(v) if k.endswith("_dir") and isinstance(v, str) else v) for k, v in parameters.items()}
    params = "".join(
        f"<li><code>{html.escape(k)} = {html.escape(v)}</code></li>" for k, v in all_parameters(name, shown).items()
    )
    pkgs = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in versions.items())
    return (
        f"{glossary_html()}{cite_html(commit)}"
        f'<h2 id="provenance-h">Provenance</h2><p>Page <code>{html.escape(name)}</code>, built by '
        f"<code>{html.escape(command or build_command(name))}</code> from git commit <code>{html.escape(commit)}</code> with Python "
        f"{html.escape(python or platform.python_version())}.</p><p>Parameters:</p><ul>{params}</ul>"
        f"<p>Packages: {pkgs}.</p><details><summary>Inputs and their sha256 ({len(inputs)} files)</summary>"
        f"<ul>{rows}</ul></details>"
    )


_exporters = threading.local()


def exporter(show_code: bool = False):
    """The page exporter (template templates/appendix), one per thread and setting: a new
    HTMLExporter compiles the template again (about 0.1 s, more than the rest of a
    profile's page), and one exporter is not meant to be shared between threads."""
    from nbconvert import HTMLExporter

    if not hasattr(_exporters, "made"):
        _exporters.made = {}
    if show_code not in _exporters.made:
        made = HTMLExporter(template_name="appendix", extra_template_basedirs=[str(TEMPLATES)])
        made.exclude_input = not show_code
        made.exclude_input_prompt = True
        made.exclude_output_prompt = True
        _exporters.made[show_code] = made
    return _exporters.made[show_code]


def to_html(nb, name: str, provenance: str, show_code: bool = False, index_href: str | None = None) -> str:
    """One self-contained offline page (template templates/appendix); index_href,
    when given, adds a link back to the index of appendices."""
    body, _ = exporter(show_code).from_notebook_node(
        nb,
        resources={
            "provenance_html": provenance,
            "index_href": index_href,
            "metadata": {"name": name},
            "csp": CSP,
            "page_css": page_css(),
        },
    )
    body = _toc(body)
    if name == "profile":  # a profile's tables/ and figures/ sit beside its page, not one folder up
        body = body.replace('href="../tables/', 'href="tables/').replace('href="../figures/', 'href="figures/')
    elif build_command(name) == "make teaching":  # html/teaching/<page>.html; tables/teaching/, figures/teaching/
        body = body.replace('href="../tables/', 'href="../../tables/teaching/')
        body = body.replace('href="../figures/', 'href="../../figures/teaching/')
    return body


@lru_cache(maxsize=1)
def page_css() -> str:
    """The one style sheet of every page (templates/appendix/appendix.css), comments dropped."""
    css = (TEMPLATES / "appendix" / "appendix.css").read_text(encoding="utf-8")
    return re.sub(r"/\*.*?\*/\s*", "", css, flags=re.S).strip()
