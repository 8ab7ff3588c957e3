"""The data contract in one place (after Stanford Open Policing's lib/standards.R).

Every enumerated value a data file or a function may use is defined here; the
Frictionless schemas in data/schemas/ repeat these lists and
tests/test_schema.py keeps the two in step.
"""

from __future__ import annotations

# What a claim is about.
SUBJECTS = ("pima", "matrix", "london")

# The unit of a published value.
UNITS = ("count", "percent", "date", "ratio", "text")

# How the source rounded the value it printed.
#   exact          the value is a whole count or an exact figure
#   half_up        rounded half up to the digits shown (61% -> [60.5, 61.5))
#   truncate       cut to the digits shown (61% -> [61, 62))
#   approximate    "about / around / nearly": half up to `precision`
#   lower_bound    "more than / just over / at least": (v, +inf)
#   upper_bound    "fewer than / under": [0, v)
#   not_applicable dates, wording
ROUNDING_RULES = (
    "exact",
    "half_up",
    "truncate",
    "approximate",
    "lower_bound",
    "upper_bound",
    "not_applicable",
)

# Rounding rules a notebook may assume for percentages whose rule the source
# did not state (methods.md section 3.1).
ASSUMABLE_ROUNDING = ("half_up", "truncate")

# How strongly the figure was seen (figures.md status key).
EVIDENCE = ("V", "V2", "U")

# How a claim is checked (data/manual/claim_checks.csv).
CHECKS = ("share_of", "expression", "census_share", "not_checkable")
COMPARATORS = ("=", "<=", ">=")

# Ledger statuses (issue 12): each word says exactly what was shown. A check
# is "evidence" only if it could have failed for some value the published
# rounding allows (analyses.ledger computes this power test for every check);
# a check that cannot fail is NO_TEST and never counts in any tally.
REPRODUCED_EXACTLY = "reproduced exactly"
REPRODUCED_ROUNDED = "reproduced after the source's rounding"
CONSISTENT = "consistent within rounding"
ORDER_HOLDS = "order holds"
CORROBORATED = "corroborated"
UNDER_ASSUMPTION = "holds under an assumption"
INCONSISTENT = "inconsistent"
NO_TEST = "no test possible"
NOT_CHECKABLE = "not checkable"

# One plain sentence per status: the glossary and the status badges use these.
STATUS_DEFINITIONS: dict[str, str] = {
    REPRODUCED_EXACTLY: "Recomputed from exact published figures or the census, it gives the printed value exactly.",
    REPRODUCED_ROUNDED: (
        "Recomputed from exact published figures or the census, it gives a value that rounds to the printed one "
        "under the source's rounding (about, half up to the digits shown)."
    ),
    CONSISTENT: (
        "Some of the figures it depends on were rounded; a value they allow gives the printed figure, and another "
        "printed value could have failed the same check."
    ),
    ORDER_HOLDS: (
        "A published bound or order (more than, no more than the list it is drawn from) holds for every value the "
        "rounding allows, and a different printed value could have broken it."
    ),
    CORROBORATED: (
        "An independent source printed the same figure; counted once for the pair, and it is not a recomputation."
    ),
    UNDER_ASSUMPTION: (
        "The check passes only under an assumption a person made (a base, a census year, a peak, a definition); "
        "the assumption is named in the row, and the figure is not counted as evidence until it is confirmed."
    ),
    INCONSISTENT: "No value the published inputs allow gives the printed figure.",
    NO_TEST: (
        "A comparison was made but could not have failed, so it shows nothing: any count fits the rounding, the "
        "bound holds whatever was printed, one source repeats another's figure, or one value stands for two "
        "different definitions."
    ),
    NOT_CHECKABLE: "Nothing else published bears on it arithmetically (a primary count, a date, a wording).",
}
STATUSES = tuple(STATUS_DEFINITIONS)

# Statuses that count as evidence about a figure, for or against. Each check is
# counted once (analyses.ledger: one counted row per evidence unit).
EVIDENCE_STATUSES = frozenset(
    {REPRODUCED_EXACTLY, REPRODUCED_ROUNDED, CONSISTENT, ORDER_HOLDS, CORROBORATED, INCONSISTENT}
)

# Statuses a check may carry only if it could have failed (the power rule).
POWER_REQUIRED = frozenset({REPRODUCED_EXACTLY, REPRODUCED_ROUNDED, CONSISTENT, ORDER_HOLDS, UNDER_ASSUMPTION})

# How a pair of claims reporting one figure relate (data/manual/corroborations.csv).
#   independent       an independent source printed the same figure -> corroborated
#   restated          the second report takes the figure from the first -> no test possible
#   other_definition  the same value printed for a differently described quantity -> no test possible
CORROBORATION_RELATIONS = ("independent", "restated", "other_definition")

# What a person assumed for a check (data/manual/assumptions.csv).
ASSUMPTION_KINDS = ("base", "census_vintage", "peak", "identity", "snapshot")

# Confidence-interval methods for one share: our name -> statsmodels' name.
# Wilson is the default; Clopper-Pearson is conservative; the others are here
# so results can be compared with sources that used them (Wald should not be
# used for reporting: it is only for matching a source).
SHARE_CI_METHODS = {
    "wilson": "wilson",
    "clopper_pearson": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
    "wald": "normal",
}

# Interval methods for a ratio of two proportions: our name -> statsmodels'.
RATIO_CI_METHODS = {"katz": ("log", False), "koopman": ("score", False)}

# Sensitivity labels (after OpenSAFELY): every published table says what it is built from.
PUBLISHED = "public: recomputed from published figures and open census data"
RECORD_LEVEL = (
    "disclosure-controlled: derived from record-level input (counts under the threshold suppressed, "
    "the rest rounded to 5; see the disclosure audit table)"
)
AGGREGATE = (
    "disclosure-controlled: derived from an aggregate table of counts (counts under the threshold "
    "suppressed, the rest rounded to 5; see the disclosure audit table)"
)
SYNTHETIC = "SYNTHETIC: derived from a synthetic teaching list, not real people"
NOT_FOR_PUBLICATION = (
    "NOT FOR PUBLICATION: counts without disclosure control, or with control weaker than the ONS 10-5 rule"
)
SENSITIVITY_LABELS = (PUBLISHED, RECORD_LEVEL, AGGREGATE, SYNTHETIC, NOT_FOR_PUBLICATION)
