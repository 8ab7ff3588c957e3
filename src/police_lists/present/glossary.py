"""The glossary every page carries: the terms in data/manual/glossary.csv and
each ledger status with its definition from contract.standards (read by value,
so a status renamed there is renamed here)."""

from __future__ import annotations

from police_lists.contract import standards
from police_lists.contract.safety import html_text
from police_lists.readers.manual import read_manual


def status_definitions() -> dict[str, str]:
    """status -> definition, from contract.standards.STATUS_DEFINITIONS."""
    return dict(standards.STATUS_DEFINITIONS)


def status_slug(status: str) -> str:
    """A stable class name for a status badge (its position in STATUSES, strongest first)."""
    return f"pl-status-{standards.STATUSES.index(status) + 1}" if status in standards.STATUSES else "pl-status-0"


def badge(status: str) -> str:
    """A ledger status as a labelled badge: its words, never colour alone."""
    return f'<span class="pl-badge {status_slug(status)}">{html_text(status)}</span>'


def glossary_html(data_dir: str = "data") -> str:
    """<section id="glossary">: the shared terms, then every status as a badge with its definition."""
    terms = read_manual("glossary", data_dir)
    items = [
        f'<dt id="gl-{html_text(r.anchor)}">{html_text(r.term)}</dt><dd>{html_text(r.definition)}</dd>'
        for r in terms.itertuples()
    ]
    for status, definition in status_definitions().items():
        items.append(f"<dt>{badge(status)}</dt><dd>{html_text(definition)}</dd>")
    return (
        '<section id="glossary" class="pl-glossary" aria-labelledby="glossary-h"><h2 id="glossary-h">Glossary</h2>'
        "<p>Terms used on every page, and the status each published figure can get in the claims ledger.</p>"
        f"<dl>{''.join(items)}</dl></section>"
    )
