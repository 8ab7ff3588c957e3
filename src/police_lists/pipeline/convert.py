"""Converting an executed notebook to one offline HTML page (nbconvert, the
template in templates/appendix), with a static table of contents and the
provenance footer. Only pipeline modules convert notebooks."""

from __future__ import annotations

import html
import platform
import re

from police_lists.pipeline.provenance import PACKAGE_DIR, shown_path

TEMPLATES = PACKAGE_DIR / "templates"
# Every page allows no script at all, as defence in depth (the templates carry it as a meta tag).
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _toc(body: str) -> str:
    """A static table of contents from the h2/h3 ids nbconvert generated."""
    items = re.findall(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', body)
    if not items:
        return body.replace("<!--TOC-->", "", 1)
    lines = ['<nav id="toc" aria-label="Contents"><strong>Contents</strong><ul>']
    for level, anchor, text in items:
        indent = ' style="margin-left:1.2em"' if level == "3" else ""
        lines.append(f'<li{indent}><a href="#{anchor}">{text}</a></li>')
    lines.append("</ul></nav>")
    return body.replace("<!--TOC-->", "\n".join(lines), 1)


def provenance_html(
    name: str,
    parameters: dict,
    inputs: dict[str, str],
    versions: dict[str, str],
    commit: str,
    python: str | None = None,
) -> str:
    """The appendix footer: what produced it (commit, Python, packages), with
    which parameters, from which inputs (each with its sha256)."""
    rows = "".join(f"<li><code>{html.escape(p)}</code> sha256 <code>{h}</code></li>" for p, h in inputs.items())
    shown = {k: (shown_path(v) if k.endswith("_dir") and isinstance(v, str) else v) for k, v in parameters.items()}
    params = "".join(f"<li><code>{html.escape(k)} = {html.escape(repr(v))}</code></li>" for k, v in shown.items())
    pkgs = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in versions.items())
    return (
        f"<h2>Provenance</h2><p>Appendix <code>{html.escape(name)}</code>, built by "
        f"<code>make all</code> from git commit <code>{html.escape(commit)}</code> with Python "
        f"{html.escape(python or platform.python_version())}.</p><p>Parameters:</p><ul>{params}</ul>"
        f"<p>Packages: {pkgs}.</p><details><summary>Inputs and their sha256 ({len(inputs)} files)</summary>"
        f"<ul>{rows}</ul></details>"
    )


def to_html(nb, name: str, provenance: str, show_code: bool = False, index_href: str | None = None) -> str:
    """One self-contained offline page (template templates/appendix); index_href,
    when given, adds a link back to the index of appendices."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="appendix", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(
        nb,
        resources={
            "provenance_html": provenance,
            "index_href": index_href,
            "metadata": {"name": name},
            "csp": CSP,
        },
    )
    return _toc(body)
