# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The Gangs Matrix profile, as Amnesty and MOPAC reported it: methodology appendix
#
# The Metropolitan Police's Gangs Matrix (later the Gangs Violence Matrix) listed people the force considered gang members, each with a harm score and a red, amber or green band. Its make-up was never published as a table. What is known comes from Amnesty International's report *Trapped in the Matrix*, the Mayor's Office for Policing and Crime (MOPAC) review of the Matrix, answers to Freedom of Information requests and London Assembly questions, and the press coverage of each. This appendix collects every published figure about the Matrix, checks each against the others, and rebuilds the profile reported for the years when Amnesty and MOPAC examined it: ethnicity, age, gender, harm bands, zero harm scores, and the people Amnesty's summary says had never committed a serious offence.

# %% tags=["parameters"]
# Parameters: papermill overrides these; the defaults reproduce the published appendix.
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root
output_dir: str = "outputs"  # tables/ and figures/ are written here
confidence: float = 0.95  # level of every interval
ci_method: str = "wilson"  # interval for a share: wilson or clopper_pearson
rounding_rule: str = "half_up"  # rule assumed for published percentages: half_up or truncate

# %%
# Check every parameter before anything runs; a bad value stops here with its reason.
from police_lists.pipeline import params

params.check("02_gangs_matrix_profile", globals())

import matplotlib.pyplot as plt
import pandas as pd

from police_lists.analyses.ledger import (
    STATUS_DEFINITIONS,
    assumption_text,
    attach_status,
    build_ledger,
    checkable_count,
    evidence_count,
    load_assumptions,
    sources_table,
    status_counts,
)
from police_lists.readers import claims
from police_lists.analyses import matrix
from police_lists.present.appendix import count, label, pct, span, start

app, by_id = start("02_gangs_matrix_profile", output_dir, data_dir)
level = f"{confidence:.0%}"
rule_text = rounding_rule.replace("_", " ")

# %%
# In short: the page's findings, computed here, each with its status in the claims ledger.
from police_lists.present.appendix import ledger_finding, status_of

ledger = build_ledger(data_dir, ("matrix",), rounding_rule)  # the page's one ledger: In short and the ledger section
prof = attach_status(matrix.profile(data_dir, rounding_rule), ledger)
row = prof.set_index("claim_id")
def rng(cid):
    return span(int(row.loc[cid, "count_low"]), int(row.loc[cid, "count_high"]))
assumed = load_assumptions(data_dir)
def if_(cid):
    return assumption_text(assumed[cid], by_id)
app.in_short([
    {"text": f"Amnesty's \"{by_id['E5']['value']}% Black\" allows {rng('E5')} Black people "
             f"{if_('E5')}.",
     "status": status_of(ledger, ["E5", "M8"]), "href": "#tbl-matrix_profile"},
    {"text": f"In {by_id['M10a']['ref_date']} the list held {count(int(by_id['M10a']['value']))} people, of whom "
             f"{by_id['E6']['value']}% were BAME: {rng('E6')} people.",
     "status": status_of(ledger, ["E6", "M10a"]), "href": "#tbl-matrix_profile"},
    {"text": f"{by_id['A1']['value']}% were reported as aged 12 to 24: {rng('A1')} people "
             f"{if_('A1')}.",
     "status": status_of(ledger, ["A1"]), "href": "#tbl-matrix_profile"},
    ledger_finding(ledger, "on the Matrix", "#tbl-claims_ledger_matrix"),
], question="What did Amnesty, MOPAC and the press report about who was on the Gangs Matrix, and do the figures hold?",
   how_to_read="A rounded percentage is carried as every whole count it allows, around a named point "
               "value. The figures come from data/claims.csv and the human decisions in data/manual/.")

# %% [markdown]
# ## What was published, and by whom

# %%
sources = sources_table(data_dir, "matrix")
app.table(sources, "matrix_sources", "sources of the published Gangs Matrix figures")
dated = sources.loc[sources["date"] != "unknown", "date"]  # data/sources.csv writes unknown where no date was found
app.say(
    f"The appendix holds **{sum(sources['n_claims'])} published figures** on the Gangs Matrix from "
    f"**{len(sources)} sources**, published from {dated.min()} to {dated.max()} "
    f"({len(sources) - len(dated)} with no publication date found). "
    f"Amnesty's report was published on {by_id['T2']['value']} ({label(by_id['T2']['source_id'])}) and the MOPAC review on "
    f"{by_id['T5a']['value']} ({label(by_id['T5a']['source_id'])}), with {by_id['T5b']['value']} recommendations."
)

# %% [markdown]
# ## The claims ledger
#
# Each published figure is checked in the way the published record allows, decided by a person and recorded in `data/manual/claim_checks.csv`. A check counts as evidence only if it could have failed: the ledger tries every value the source could have printed the same way. Figures that report one number twice are paired in `data/manual/corroborations.csv` and counted once, and every assumption a check rests on is in `data/manual/assumptions.csv` and named in its row. The statuses are listed below.
#
# An inconsistent row is not necessarily an error by its source: where the sources disagree about an input (the peak size, for example), the row is tested against one reading and the conflicts table in the companion appendix tests the others.

# %%
app.table(ledger, "claims_ledger_matrix", "every published Gangs Matrix figure, recomputed, with its status")
app.say("\n".join(f"- **{s}**: {d}" for s, d in STATUS_DEFINITIONS.items()))
tally = status_counts(ledger)
app.say(f"Of the {count(len(ledger))} Matrix figures ({rule_text} rounding assumed for percentages), "
        f"{count(checkable_count(ledger))} can be set against other published figures, and {count(evidence_count(ledger))} "
        "of those checks could have failed and count as evidence (each once). By status: "
        + "; ".join(f"{count(v)} {k}" for k, v in tally.items() if v) + ".")
bad = ledger[ledger["status"] == "inconsistent"]
if len(bad):
    app.say("Inconsistent: " + " ".join(f"**{r.claim_id}** ({r.published}): {r.reason}" for r in bad.itertuples()))

# %% [markdown]
# ## The profile: every count the rounding allows
#
# Each row is a published figure about the make-up of the list in the years Amnesty and MOPAC examined it, with the published total it is a share of. Where the source did not name that total, a person chose it and the row says so (`base_assumed`, with the reason in `note`; every such choice is also a row of `data/manual/assumptions.csv`): Amnesty's shares are taken, as an assumption, of the October total its author published, although ITV dates Amnesty's Black share to earlier data; ITV's zero-harm share is taken of ITV's own rounded total. MOPAC never published the size of the data it reviewed, so its shares carry no count. The point value is the whole count nearest to the percentage times the total; it is a named convention, not a published figure.

# %%
app.table(prof, "matrix_profile", f"the Matrix profile reported for the years Amnesty and MOPAC examined it, as count ranges ({rule_text} rounding assumed)")
app.say(
    f"**Ethnicity.** Amnesty's headline \"{by_id['E5']['value']}% Black\" allows {rng('E5')} Black people "
    f"{if_('E5')} ({label(by_id['E5']['source_id'])}); ITV dates Amnesty's figure to data of {by_id['E3b']['ref_date']} "
    f"({label(by_id['E3b']['source_id'])}), whose total was not published. "
    f"In {by_id['M10a']['ref_date']} the list held {count(int(by_id['M10a']['value']))}, of whom {by_id['E6']['value']}% were BAME: {rng('E6')} people. "
    f"MOPAC's review found {by_id['E7a']['value']}% Black or African-Caribbean and {by_id['E7b']['value']}% BAME, of a total it did not publish.\n\n"
    f"**Age and gender.** {by_id['A1']['value']}% were {row.loc['A1', 'category']} ({rng('A1')} people if the total was "
    f"{count(int(by_id['M8']['value']))}), {by_id['A2']['value']}% were {row.loc['A2', 'category']} ({rng('A2')}), the youngest was {by_id['A3']['value']}, "
    f"and {by_id['A4']['value']}% were male ({rng('A4')}).\n\n"
    f"**Harm.** ITV reported {claims.published_text(by_id['H1a'])} with a harm score of zero, "
    f"{claims.published_text(by_id['H1b'])} people; of {claims.published_text(by_id['M9'])} that range is {rng('H1a')} people. "
    f"Amnesty's summaries give {by_id['H4']['value']}% in the green (lowest) band, {by_id['H2']['value']}% with "
    f"{row.loc['H2', 'category']}, and, in the words of the summary ({label(by_id['H3']['source_id'])}), \"{by_id['H3']['quote']}\". "
    f"No source dates these shares or gives their base. If each is of the list of "
    f"{claims.published_text(by_id[assumed['H4']['assumed']])} ({assumed['H4']['assumed']}, an assumption), they allow "
    f"{rng('H4')}, {rng('H2')} and {rng('H3')} people."
)

# %%
shares = matrix.profile_shares(prof, confidence, ci_method)
app.table(shares, "matrix_profile_shares", f"profile shares over every count allowed, with {level} {ci_method.replace('_', '-')} intervals")

# %%
amnesty = prof[prof["snapshot"] == matrix.AMNESTY_SNAPSHOT].copy()
amnesty = amnesty[amnesty["share_low"] != ""].iloc[::-1]
fig, ax = plt.subplots(figsize=(7.5, 4))
y = range(len(amnesty))
mid = [(float(a) + float(b)) / 2 for a, b in zip(amnesty["share_low"], amnesty["share_high"])]
ax.barh(list(y), mid, color="#7aa6c2")
ax.errorbar(mid, list(y), xerr=[[m - float(a) for m, a in zip(mid, amnesty["share_low"])],
                                 [float(b) - m for m, b in zip(mid, amnesty["share_high"])]],
            fmt="none", ecolor="black", capsize=3)
ax.set_yticks(list(y), [f"{c} ({d}; {i})" for c, d, i in zip(amnesty["category"], amnesty["dimension"], amnesty["claim_id"])], fontsize=9)
ax.set_xlim(0, 100)
ax.set_xlabel("percent of the list (bar: middle of the range the published rounding allows; whiskers: that range)")
app.figure(fig, "matrix_profile_shares", "the Amnesty-era profile of the Matrix: each published share with the range its rounding allows",
           alt="Bar chart of the published profile shares: " + "; ".join(f"{c} ({d}): {p}%" for c, d, p in zip(amnesty["category"], amnesty["dimension"], amnesty["published"])) + ".")

# %%
counted = prof[prof["count_low"] != ""].iloc[::-1]
lo, hi, pt = (counted[c].astype(int) for c in ("count_low", "count_high", "point_value"))
fig, ax = plt.subplots(figsize=(8, 5.5))
y = list(range(len(counted)))
colors = ["#c0504d" if a == "yes" else "#1f4e79" for a in counted["base_assumed"]]
ax.hlines(y, lo - pt, hi - pt, colors=colors, lw=5)
ax.axvline(0, color="grey", lw=0.8)
for yy, a, b, p in zip(y, lo, hi, pt):
    ax.text(b - p, yy, f"  {span(a, b)}", va="center", fontsize=9)
ax.set_yticks(y, [f"{s}: {c} ({i})" for s, c, i in zip(counted["snapshot"], counted["category"], counted["claim_id"])], fontsize=9)
ax.set_xlabel("whole counts allowed, less the point value (red: base chosen by a person; blue: published with the figure)")
app.figure(fig, "matrix_profile_counts", "the whole counts each published profile figure allows, around its point value, labelled with the range",
           alt="Range chart of the whole counts each profile figure allows: " + "; ".join(f"{s} {c}: {span(int(a), int(b))} people" for s, c, a, b in zip(counted["snapshot"], counted["category"], counted["count_low"], counted["count_high"])) + ".")

# %% [markdown]
# ## What this appendix cannot tell you
#
# - The Matrix's own tables by ethnicity, age, gender and band were not published for these years; the ranges above are what the published rounding allows, not the true counts.
# - Amnesty's figures are known mostly through press coverage and summaries of the report; where a summary is the only copy seen, the ledger marks the evidence as secondary. Their base and date are assumptions, named in each row.
# - MOPAC's review did not publish the size of the data it analysed, so its shares cannot be turned into counts.
# - Disagreements between sources (the peak size, the year labels, the meaning of the zero-harm figure) are set out with their arithmetic in the conflicts table of the companion appendix on the Matrix over time.
