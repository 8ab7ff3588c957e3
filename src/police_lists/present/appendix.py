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


def configure_matplotlib() -> None:
    """Fixed style and no varying metadata, so figures are byte-identical across runs."""
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "police-lists",
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.family": "DejaVu Sans",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


class Appendix:
    """Output sink for one notebook run."""

    def __init__(self, output_dir: str, notebook: str):
        self.root = resolve(output_dir)
        self.notebook = notebook
        configure_matplotlib()

    def table(
        self, df: pd.DataFrame, name: str, caption: str, sensitivity: str = PUBLISHED, display: bool = True
    ) -> pd.DataFrame:
        """Write outputs/tables/<name>.csv and show the table under its caption.
        A pandas Styler is accepted too: its data goes to the CSV and it is shown
        with its uuid set to the table name (the default is random, which would
        make two builds of the same appendix differ)."""
        if sensitivity not in SENSITIVITY_LABELS:
            raise ValueError(f"unknown sensitivity label {sensitivity!r}")
        from pandas.io.formats.style import Styler

        styler = None
        if isinstance(df, Styler):
            styler, df = df, df.data
        # Text cells a spreadsheet would run as formulas are neutralised (police_lists.contract.safety.csv_cell);
        # the page shows the values as they are, escaped by to_html.
        csv = safety.csv_frame(df).to_csv(index=False, lineterminator="\n").encode("utf-8")
        atomic_write(self.root / "tables" / f"{name}.csv", csv)
        label = {"table": f"{name}.csv", "notebook": self.notebook, "caption": caption, "sensitivity": sensitivity}
        atomic_write(
            self.root / "tables" / ".labels" / f"{name}.json",
            (json.dumps(label, indent=1, sort_keys=True) + "\n").encode("utf-8"),
        )
        if display:
            from IPython.display import HTML, Markdown
            from IPython.display import display as show

            show(Markdown(f"**Table: {caption}** (`tables/{name}.csv`; {sensitivity})"))
            if styler is not None:
                show(
                    HTML(
                        styler.set_uuid(name)
                        .hide(axis="index")
                        .set_table_attributes('class="dataframe appendix-table"')
                        .to_html()
                    )
                )
            else:
                show(HTML(df.to_html(index=False, na_rep="", border=0, classes="dataframe appendix-table")))
        return df

    def figure(self, fig, name: str, caption: str) -> None:
        """Write outputs/figures/<name>.png and show those same bytes."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        png = buffer.getvalue()
        atomic_write(self.root / "figures" / f"{name}.png", png)
        from IPython.display import Image, Markdown
        from IPython.display import display as show

        show(Image(data=png, format="png", alt=caption))
        show(Markdown(f"*Figure: {caption}* (`figures/{name}.png`)"))

    @staticmethod
    def say(text: str) -> None:
        """Show a paragraph of prose. Callers build `text` with f-strings from
        computed values, so no number in the appendix is typed by hand."""
        from IPython.display import Markdown
        from IPython.display import display as show

        show(Markdown(text))


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
