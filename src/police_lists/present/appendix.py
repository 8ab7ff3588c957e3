"""What a notebook cell calls to show something: a table (also written to
outputs/tables/ as CSV), a figure (also written to outputs/figures/), or a
paragraph whose numbers are computed, never typed.

Everything written is byte-deterministic: fixed matplotlib metadata and hash
salt, CSVs with LF line ends, no timestamps or absolute paths.
"""

from __future__ import annotations

import io
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from police_lists.contract import safety  # noqa: E402
from police_lists.contract.files import atomic_write  # noqa: E402
from police_lists.contract.paths import resolve  # noqa: E402
from police_lists.contract.standards import (  # noqa: E402,F401 (the labels, for notebooks and the profile)
    AGGREGATE,
    NOT_FOR_PUBLICATION,
    PUBLISHED,
    RECORD_LEVEL,
    SENSITIVITY_LABELS,
    SYNTHETIC,
)
from police_lists.methods.formatting import count, exact_pct, num, pct, span  # noqa: E402,F401 (for notebooks)
from police_lists.present.glossary import badge  # noqa: E402
from police_lists.present.tables import table_html  # noqa: E402
from police_lists.readers.labels import name as label  # noqa: E402,F401 (for notebooks)

# Paul Tol's "bright" scheme (colour-blind safe, distinct under deuteranopia and
# protanopia), each series also with its own marker and line style, so no series
# is told apart by colour alone.
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":", "-", "--", "-.")
FIGURE_DPI = 200  # saved at twice the shown size, so charts stay sharp on high-density screens
SHOWN_DPI = 100


def configure_matplotlib() -> None:
    """Fixed style and no varying metadata, so figures are byte-identical across runs;
    text at least 9 pt when the chart is shown at its natural size."""
    from cycler import cycler

    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "police-lists",
            "figure.dpi": SHOWN_DPI,
            "savefig.dpi": FIGURE_DPI,
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.titlesize": 10.5,
            "axes.labelsize": 10,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "legend.fontsize": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": cycler(color=PALETTE) + cycler(marker=MARKERS) + cycler(linestyle=LINESTYLES),
        }
    )


def _small_png(png: bytes) -> bytes:
    """The same chart as a 256-colour palette PNG (about a third of the bytes; charts
    hold few colours, and the anti-aliased edges survive a median-cut palette without
    dithering). Deterministic: the same pixels give the same bytes."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


MIN_POINTS = 9  # no text in a chart smaller than this at its shown size


def _at_least(fig, points: float) -> None:
    """Every visible text in the figure at least `points` (a smaller one is raised to it)."""
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_visible() and text.get_text() and text.get_fontsize() < points:
            text.set_fontsize(points)


class Appendix:
    """Output sink for one notebook run."""

    def __init__(self, output_dir: str, notebook: str):
        self.root = resolve(output_dir)
        self.notebook = notebook
        configure_matplotlib()

    def table(
        self,
        df: pd.DataFrame,
        name: str,
        caption: str,
        sensitivity: str = PUBLISHED,
        display: bool = True,
        formats: dict[str, str] | None = None,
    ) -> None:
        """Write outputs/tables/<name>.csv (every value at full precision) and show
        the table for people (present.tables.table_html). A pandas Styler is accepted
        too: its data is what is written and shown. `formats` overrides a column's
        kind (pct, percent, count, num, year, text). Returns nothing, so a call that
        ends a cell does not show the raw DataFrame a second time."""
        if sensitivity not in SENSITIVITY_LABELS:
            raise ValueError(f"unknown sensitivity label {sensitivity!r}")
        from pandas.io.formats.style import Styler

        if isinstance(df, Styler):
            df = df.data
        # Text cells a spreadsheet would run as formulas are neutralised (police_lists.contract.safety.csv_cell);
        # the page shows the values as they are, escaped by the presenter.
        csv = safety.csv_frame(df).to_csv(index=False, lineterminator="\n").encode("utf-8")
        atomic_write(self.root / "tables" / f"{name}.csv", csv)
        self._label(name, {"caption": caption, "sensitivity": sensitivity})
        if display:
            self.html(table_html(df, name, caption, sensitivity, formats))

    def _label(self, name: str, info: dict) -> None:
        record = {"table": f"{name}.csv", "notebook": self.notebook, **info}
        atomic_write(
            self.root / "tables" / ".labels" / f"{name}.json",
            (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"),
        )

    def figure(self, fig, name: str, caption: str, alt: str | None = None) -> None:
        """Write outputs/figures/<name>.png (at twice its shown size) and show those
        same bytes. `alt` states the chart's finding with its numbers (computed by
        the caller); the caption is used only when no finding is given."""
        _at_least(fig, MIN_POINTS)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        png = _small_png(buffer.getvalue())
        atomic_write(self.root / "figures" / f"{name}.png", png)
        from IPython.display import Image
        from IPython.display import display as show

        width = int.from_bytes(png[16:20], "big") * SHOWN_DPI // FIGURE_DPI  # the PNG header's width
        show(Image(data=png, format="png", alt=alt or caption, width=width, metadata={"caption": caption}))
        self.html(
            f'<p class="pl-figcaption" id="fig-{safety.html_text(name)}">Figure: {safety.html_text(caption)} '
            f'<span class="pl-meta">(<a href="../figures/{safety.html_text(name)}.png">{safety.html_text(name)}.png</a>)'
            "</span></p>"
        )

    def in_short(
        self,
        bullets: list[dict],
        question: str,
        how_to_read: str,
        name: str | None = None,
        sensitivity: str = PUBLISHED,
        stamp: str | None = None,
    ) -> None:
        """The page's opening: "In short" (3 to 6 findings, each a computed sentence
        with its status and a link to the table or section that shows the arithmetic),
        then "How to read this page". Also written as tables/<name>.csv, and its
        question and first finding are recorded for the index (tables/.labels).
        bullets: dicts with text, status, href (e.g. '#tbl-<table name>'). A profile passes
        its sensitivity and stamp (SYNTHETIC, NOT FOR PUBLICATION), carried on every row."""
        if not 3 <= len(bullets) <= 6:
            raise ValueError(f"In short takes 3 to 6 findings, not {len(bullets)}")
        name = name or f"{self.notebook}_in_short"
        frame = pd.DataFrame(
            [{"finding": b["text"], "status": b.get("status", ""), "section": b["href"]} for b in bullets]
        )
        if stamp:
            from police_lists.analyses.profile import stamp as stamped

            frame = stamped(frame, stamp)
        csv = safety.csv_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
        atomic_write(self.root / "tables" / f"{name}.csv", csv)
        self._label(
            name,
            {
                "caption": "In short: the page's findings",
                "sensitivity": sensitivity,
                "in_short": {"question": question, "headline": bullets[0]["text"]},
            },
        )
        self.html(in_short_html(bullets, question, how_to_read))

    @staticmethod
    def html(text: str) -> None:
        """Show HTML built here (every value in it escaped)."""
        from IPython.display import HTML
        from IPython.display import display as show

        show(HTML(text))

    @staticmethod
    def say(text: str) -> None:
        """Show a paragraph of prose. Callers build `text` with f-strings from
        computed values, so no number in the appendix is typed by hand."""
        from IPython.display import Markdown
        from IPython.display import display as show

        show(Markdown(text))


def in_short_html(bullets: list[dict], question: str, how_to_read: str) -> str:
    """The In short and How to read blocks (HTML; every text escaped, `how_to_read` and
    each bullet's text are plain text)."""
    items = []
    for b in bullets:
        status = f" {badge(b['status'])}" if b.get("status") else ""
        items.append(
            f"<li>{safety.html_text(b['text'])}{status} "
            f'<a href="{safety.html_text(b["href"])}">{safety.html_text(b.get("link", "see the arithmetic"))}</a></li>'
        )
    return (
        '<section class="pl-inshort" id="in-short" aria-labelledby="in-short-h">'
        f'<h2 id="in-short-h">In short</h2><p class="pl-question">{safety.html_text(question)}</p>'
        f"<ul>{''.join(items)}</ul></section>"
        '<section class="pl-howto" id="how-to-read" aria-labelledby="how-to-read-h">'
        '<h2 id="how-to-read-h">How to read this page</h2>'
        "<p>Each finding above links to the table that shows its arithmetic. A status says how far the published "
        "figures behind a finding could be checked (see the glossary). No number on this page is typed by hand: "
        "all are computed when the page is built, and the CSV file behind each table keeps every value at full "
        "precision.</p>"
        + "".join(f"<p>{safety.html_text(p)}</p>" for p in how_to_read.split("\n\n"))
        + "<p>Intervals describe process variability, not sampling error: a list is a whole list, not a sample "
        '(see <a href="#gl-interval">interval</a> in the glossary).</p>'
        + '<p>Terms are defined in the <a href="#glossary">glossary</a>; how to cite this page and how to report an '
        'error are at the <a href="#how-to-cite">end of the page</a>.</p></section><!--/pl-opening-->'
    )


def start(notebook: str, output_dir: str, data_dir: str) -> tuple[Appendix, dict]:
    """What an appendix opens with, after its parameter check: its output sink
    and every published claim by id (readers.claims.claims_by_id)."""
    from police_lists.readers.claims import claims_by_id

    return Appendix(output_dir, notebook), claims_by_id(data_dir)


def start_lesson(lesson: str, role: str, data_dir: str, output_dir: str):
    """What a lesson opens with: its exercise checker (check.exercise_N(answer_N)
    says right or wrong), its output sink, and the banner for the role."""
    from police_lists.analyses import teaching

    check = teaching.Checker(lesson, role, data_dir)
    app = Appendix(output_dir, lesson)
    app.say(check.banner())
    return check, app


def status_of(ledger: pd.DataFrame, claim_ids) -> str:
    """The weakest ledger status among these claims, as the ledger computed it
    (a finding is only as strong as the weakest published figure it rests on;
    STATUSES runs from strongest to weakest)."""
    from police_lists.contract.standards import STATUSES

    order = {s: i for i, s in enumerate(STATUSES)}
    found = ledger.set_index("claim_id").loc[list(claim_ids), "status"]
    return max(found, key=lambda s: order.get(s, len(order)))


def ledger_finding(ledger: pd.DataFrame, what: str, href: str, link: str = "see the ledger") -> dict:
    """An In short finding: how many of the page's published figures have each status
    (in the order of STATUSES, strongest first), with the weakest as its status."""
    from police_lists.contract.standards import STATUSES

    tally = ledger["status"].value_counts()
    parts = [f"{count(tally[s])} {s}" for s in STATUSES if tally.get(s, 0)]
    return {
        "text": f"The {count(len(ledger))} published figures {what}, by status: " + "; ".join(parts) + ".",
        "status": status_of(ledger, ledger["claim_id"]),
        "href": href,
        "link": link,
    }
