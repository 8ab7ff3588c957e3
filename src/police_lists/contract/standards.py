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

# Ledger statuses, in order of strength.
REPRODUCED = "reproduced"
CONSISTENT = "consistent within rounding"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not checkable from published data"
STATUSES = (REPRODUCED, CONSISTENT, INCONSISTENT, NOT_CHECKABLE)

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
