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
# # Operation Pima: methodology appendix
#
# During the first COVID lockdown the Metropolitan Police's new Violence Suppression Units visited, or tried to visit, people the force described as its most prolific or violent offenders, and offered them diversion. Freedom of Information answers later showed who was on the list. This appendix collects every published figure about the operation from the files in `data/`, recomputes each one that other published figures or the census bear on, and gives every figure a status that says exactly what was shown.

# %% tags=["parameters"]
# Parameters: papermill overrides these; the defaults reproduce the published appendix.
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root
output_dir: str = "outputs"  # tables/ and figures/ are written here
benchmark_source: str = "published_london_13pct"  # the Black share of Londoners used as the benchmark: a benchmark id
population_source: str = "london_all_ages@2011"  # census id whose total is London's population (same census year as the benchmark)
confidence: float = 0.95  # level of every interval
ci_method: str = "wilson"  # interval for a share: wilson or clopper_pearson
ratio_method: str = "koopman"  # interval for a rate ratio: koopman or katz
rounding_rule: str = "half_up"  # rule assumed for published percentages: half_up or truncate

# %%
# Check every parameter before anything runs; a bad value stops here with its reason.
from police_lists.pipeline import params

params.check("01_operation_pima", globals())

import matplotlib.pyplot as plt
import pandas as pd

from police_lists.analyses.ledger import STATUS_DEFINITIONS, build_ledger, checkable_count, evidence_count, status_counts
from police_lists.analyses.ledger import load_assumptions, sources_table
from police_lists.readers import census, claims
from police_lists.analyses import matrix, pima
from police_lists.present.appendix import count, label, num, pct, span, start

benchmark_share, benchmark_text = pima.describe_benchmark(benchmark_source, data_dir)
app, by_id = start("01_operation_pima", output_dir, data_dir)
size_id, share_id = pima.list_claims(data_dir)
n = int(by_id[size_id]["value"])
level = f"{confidence:.0%}"

# %%
# In short: the page's findings, computed here, each with its status in the claims ledger.
from police_lists.present.appendix import ledger_finding, status_of

ledger = build_ledger(data_dir, ("pima",), rounding_rule)  # the page's one ledger: In short and the ledger section
_base = pima.base_counts(data_dir, rounding_rule).set_index("category")
_k = (int(_base.loc["Black", "count_low"]), int(_base.loc["Black", "count_high"]))
_dp = pima.disproportionality(_k, int(_base.loc["Black", "point_value"]), n, benchmark_share,
                              pima.population_total(population_source, data_dir), confidence, ci_method,
                              ratio_method, benchmark_text)
_sr, _rr = _dp.iloc[0], _dp.iloc[1]
_window = by_id["P1"]["value"].split("/")
_v = {c: int(by_id[c]["value"]) for c in ("P8", "P3", "P13", "P15")}
app.in_short([
    {"text": f"Between {_window[0]} and {_window[1]} the Met visited, or tried to visit, {count(n)} people; "
             f"{by_id['PD3']['value']}% of them were Black, which allows {span(*_k)} people.",
     "status": status_of(ledger, [size_id, share_id]), "href": "#tbl-pima_base_counts"},
    {"text": f"The Black share of the list was {num(_sr['value'])} times the Black share of Londoners "
             f"({label(benchmark_source)}): the share ratio ({level} interval {num(_sr['ci_low_over_range'])} to "
             f"{num(_sr['ci_high_over_range'])} over every count the rounding allows).",
     "status": status_of(ledger, [share_id, "PD4"]), "href": "#tbl-pima_disproportionality"},
    {"text": f"A Black Londoner was about {num(_rr['value'], 0)} times as likely as a Londoner who is not Black "
             f"to be on the list: the rate ratio ({level} interval {num(_rr['ci_low_over_range'], 1)} to "
             f"{num(_rr['ci_high_over_range'], 1)}).",
     "status": status_of(ledger, [share_id, "PD4"]), "href": "#tbl-pima_disproportionality"},
    {"text": f"Interest in diversion was {num(100 * _v['P13'] / _v['P8'], 1)}% of the planned list (LBC) or "
             f"{num(100 * _v['P15'] / _v['P3'], 1)}% of those visited or attempted (Liberty Investigates); "
             "the published answers do not say which list is which.",
     "status": status_of(ledger, ["P13", "P15"]), "href": "#tbl-pima_interest_rates"},
    ledger_finding(ledger, "on the operation", "#tbl-claims_ledger_pima"),
], question="Who was on Operation Pima's list, and how disproportionate was it?",
   how_to_read="Where a source printed only a rounded percentage, the page carries every whole count that "
               "percentage allows, and every derived figure over that whole range. The figures come from "
               "data/claims.csv and the census tables in data/raw/.")

# %% [markdown]
# ## What was published, and by whom

# %%
sources = sources_table(data_dir, "pima")
app.table(sources, "pima_sources", "sources of the published Operation Pima figures")
window = by_id["P1"]["value"].split("/")
app.say(
    f"The appendix holds **{sum(sources['n_claims'])} published figures** on Operation Pima from "
    f"**{len(sources)} sources**. The operation ran from {window[0]} to {window[1]} "
    f"({label(by_id['P1']['source_id'])}). The central figures come from Freedom of Information answers to "
    f"Liberty Investigates, published with The Times: {count(n)} people visited or attempted "
    f"({size_id}), of whom {by_id['PD1']['value']}% were aged 18 or under, {by_id['PD2']['value']}% under 16 "
    f"and {by_id['PD3']['value']}% Black, against {by_id['PD4']['value']}% of Londoners. Earlier, LBC "
    f"had published a different set of FOI figures from a list of about {count(int(by_id['P8']['value']))}."
)

# %% [markdown]
# ## The claims ledger
#
# Each published figure is checked in the way the published record allows, decided by a person and recorded in `data/manual/claim_checks.csv`. A check counts as evidence only if it could have failed: the ledger tries every value the source could have printed the same way. Figures that report one number twice are paired in `data/manual/corroborations.csv` and counted once, and every assumption a check rests on is in `data/manual/assumptions.csv` and named in its row. The statuses:

# %%
app.table(ledger, "claims_ledger_pima", "every published Operation Pima figure, recomputed, with its status")
app.say("\n".join(f"- **{s}**: {d}" for s, d in STATUS_DEFINITIONS.items()))
tally = status_counts(ledger)
app.say(f"Of the {count(len(ledger))} figures, {count(checkable_count(ledger))} can be set against other published "
        f"figures or the census, and {count(evidence_count(ledger))} of those checks could have failed and count as "
        "evidence (each once). By status: " + "; ".join(f"{count(v)} {k}" for k, v in tally.items() if v) + ".")
assumed = ledger[ledger["assumption"] != ""]
if len(assumed):
    app.say("Rows that rest on an assumption: " + "; ".join(
        f"**{r.claim_id}** ({r.published}) holds {r.assumption}" if r.status == "holds under an assumption"
        else f"**{r.claim_id}** ({r.published}) is read {r.assumption}" for r in assumed.itertuples()) + ".")

# %% [markdown]
# ## Age and ethnicity: the counts the percentages allow
#
# The Freedom of Information answers were published only as percentages of the list. A percentage rounded to a whole number is consistent with several whole counts; the table gives the lowest and highest, and a named point value (the whole count nearest to the percentage times the list size). Every later figure is computed over that whole range.

# %%
base = pima.base_counts(data_dir, rounding_rule)
app.table(base, "pima_base_counts", f"Operation Pima base counts as ranges ({rounding_rule.replace('_', ' ')} rounding assumed)")
shares = pima.shares(base, n, confidence, ci_method)
app.table(shares, "pima_shares", f"shares of the list with {level} {ci_method.replace('_', '-').title()} intervals")
row = base.set_index("category")
app.say(
    f"Under {rounding_rule.replace('_', ' ')} rounding, \"{by_id['PD1']['value']}% of {count(n)}\" allows "
    f"{span(row.loc['18 or under', 'count_low'], row.loc['18 or under', 'count_high'])} people aged 18 or under, "
    f"\"{by_id['PD2']['value']}%\" allows {span(row.loc['under 16', 'count_low'], row.loc['under 16', 'count_high'])} "
    f"under 16, so {span(row.loc['16 to 18', 'count_low'], row.loc['16 to 18', 'count_high'])} were aged 16 to 18. "
    f"\"{by_id['PD3']['value']}% Black\" allows {span(row.loc['Black', 'count_low'], row.loc['Black', 'count_high'])} people."
)

# %%
fig, ax = plt.subplots(figsize=(7, 3.2))
plot = shares.iloc[::-1]
y = range(len(plot))
ax.barh(y, plot["share"], color="#7aa6c2", label="share at the point value")
ax.errorbar(plot["share"], y, xerr=[plot["share"] - plot["ci_low_over_range"], plot["ci_high_over_range"] - plot["share"]],
            fmt="none", ecolor="black", capsize=3, label=f"{level} interval over every count allowed")
ax.set_yticks(list(y), [f"{t}: {c}" for t, c in zip(plot["table"], plot["category"])])
ax.set_xlim(0, 1)
ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
ax.set_xlabel(f"share of the {count(n)} people visited or attempted")
ax.legend(loc="lower right", fontsize=9)
app.figure(fig, "pima_shares", f"age and ethnicity of the Operation Pima list, with {level} intervals carried over the rounding range",
           alt="Bar chart of the Operation Pima list: " + "; ".join(f"{t} {c}: {pct(s)} ({pct(lo)} to {pct(hi)})" for t, c, s, lo, hi in zip(shares["table"], shares["category"], shares["share"], shares["ci_low_over_range"], shares["ci_high_over_range"])) + ".")

# %% [markdown]
# ## Disproportionality: two measures, named
#
# A share of the list set against a share of London's population can be turned into two different numbers, and both are correct:
#
# - the **share ratio** divides the list's Black share by the benchmark share. It says how much larger the group's listing rate was than the listing rate of *all* Londoners;
# - the **rate ratio, group against the rest**, divides the listing rate of Black Londoners by that of all other Londoners: how many times *as likely* a Black Londoner was to be on the list as someone who is not Black.
#
# Both are given at the point value and over every count the rounding allows.

# %%
k_lo, k_hi = int(row.loc["Black", "count_low"]), int(row.loc["Black", "count_high"])
k_pt = int(row.loc["Black", "point_value"])
population = pima.population_total(population_source, data_dir)
dp = pima.disproportionality((k_lo, k_hi), k_pt, n, benchmark_share, population, confidence, ci_method,
                             ratio_method, benchmark_text)
app.table(dp, "pima_disproportionality", f"disproportionality of the Black share against {benchmark_text}")
dr, rr, gap = dp.iloc[0], dp.iloc[1], dp.iloc[2]
r_lo, r_hi = pima.rounding_only_range(by_id["PD3"], by_id["PD4"], rounding_rule)
conflicts_all = matrix.conflicts(data_dir, rounding_rule).set_index("conflict_id")
pima_conflicts = conflicts_all[conflicts_all["claim_ids"].str.split().map(lambda ids: any(by_id[i]["subject"] == "pima" for i in ids))]
benchmark_census, vintage_assumption, benchmark_claim = pima.benchmark_census(benchmark_source, data_dir)
vintage_conflicts = [i for i, r in conflicts_all.iterrows() if benchmark_claim and benchmark_claim in r["claim_ids"].split()]
same_year = pima.census_year(benchmark_census) == pima.census_year(population_source)
app.say(
    f"The benchmark share is taken to come from census {benchmark_census or 'not known'}"
    + (f" ({vintage_assumption}: an assumption; see conflict {', '.join(vintage_conflicts)})" if vintage_assumption else "")
    + (f", and the rate ratio takes London's population from the same census ({population_source})."
       if same_year else
       f", but the rate ratio takes London's population from {population_source}: the two come from different "
       "census years, so the rate ratio mixes them and should be read with care.")
)
app.say(
    f"**Share ratio: {num(dr['value'])}** ({level} interval {num(dr['ci_low'])}–{num(dr['ci_high'])}; "
    f"{num(dr['ci_low_over_range'])}–{num(dr['ci_high_over_range'])} over every count from {count(k_lo)} to {count(k_hi)}). "
    f"The Black share of the list was about {num(dr['value'], 1)} times the Black share of Londoners "
    f"({benchmark_text}).\n\n"
    f"**Rate ratio, Black Londoners against all other Londoners: {num(rr['value'], 1)}** ({level} {ratio_method} interval "
    f"{num(rr['ci_low'], 1)}–{num(rr['ci_high'], 1)}; {num(rr['ci_low_over_range'], 1)}–{num(rr['ci_high_over_range'], 1)} over the range), "
    f"taking London's population as {count(population)} ({population_source}). A Black Londoner was about "
    f"{num(rr['value'], 0)} times as likely as a Londoner who is not Black to be on the list.\n\n"
    f"**Gap: {num(gap['value'], 1)} percentage points.** The rounding of the two printed percentages alone allows a share "
    f"ratio from {num(r_lo)} to {num(r_hi)}, before any interval is drawn."
)

# %%
options = pima.sensitivity_benchmarks(data_dir)
sens = pd.concat([pima.disproportionality((k_lo, k_hi), k_pt, n, share_b, pop_b, confidence, ci_method,
                                          ratio_method, label).iloc[:2] for label, share_b, pop_b in options], ignore_index=True)
app.table(sens, "pima_benchmark_sensitivity", "the two measures under the published benchmark and the two censuses, each rate ratio with the population of its own census year")
fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, (measure, grp) in zip(axes, sens.groupby("measure", sort=False)):
    y = range(len(grp))
    ax.errorbar(grp["value"], y, xerr=[grp["value"] - grp["ci_low_over_range"], grp["ci_high_over_range"] - grp["value"]],
                fmt="o", color="#1f4e79", capsize=3)
    ax.set_title(measure, fontsize=9)
    ax.set_yticks(list(y), [f"{label(lbl)}: {s:.1%}" for lbl, s in zip(grp["benchmark"], grp["benchmark_share"])], fontsize=9)
    ax.axvline(1, color="grey", lw=0.8)
axes[0].set_xlabel("share ratio"); axes[1].set_xlabel("rate ratio")
app.figure(fig, "pima_disproportionality", f"both measures under each benchmark, {level} intervals over the rounding range",
           alt="Dot chart of the two measures under each benchmark: " + "; ".join(f"{m} against {label(b)}: {num(v)}" for m, b, v in zip(sens["measure"], sens["benchmark"], sens["value"])) + ".")
lo_sr, hi_sr = sens[sens["measure"].str.startswith("share")]["value"].agg(["min", "max"])
young_black, young_all = census.group_count(2021, census.LONDON, age_from=10, age_to=24, data_dir=data_dir)
young_share = young_black / young_all
app.say(f"Across the three benchmark shares the share ratio runs from {num(lo_sr)} to {num(hi_sr)}. "
        f"All three are shares of Londoners of all ages, but {by_id['PD1']['value']}% of the list were aged 18 or under. "
        f"Among Londoners aged 10 to 24 the Black share was {pct(young_share, 2)} in the 2021 census "
        f"({count(young_black)} of {count(young_all)}), which would give a share ratio of "
        f"{num(k_pt / n / young_share)}: the choice of benchmark matters as much as the list. "
        "The benchmark appendix compares every defensible benchmark side by side.")

# %% [markdown]
# ## From the planned list to diversion
#
# Two Freedom of Information answers describe the same operation with different denominators. LBC reported that of a planned list, fewer were visited, fewer still had a follow-up, and few were interested in diversion, plus a handful who made contact themselves. Liberty Investigates reported a list of people visited *or attempted* and a single figure for those who expressed interest.

# %%
fun = pima.funnel(data_dir)
pima_assumptions = {c: f"if {a['statement']}" for c, a in load_assumptions(data_dir).items()}
app.table(fun, "pima_funnel", "the published funnel, from the planned list to interest in diversion")
rates = pima.funnel_rates(data_dir)
app.table(rates, "pima_interest_rates", "published interest figures over each possible denominator")
fig, ax = plt.subplots(figsize=(7, 3.2))
y = range(len(fun))[::-1]
ax.barh(list(y), fun["value"], color=["#c9c9c9" if r != "exact" else "#7aa6c2" for r in fun["rounding"]])
ax.set_yticks(list(y), [f"{s} ({c})" for s, c in zip(fun["stage"], fun["claim_id"])], fontsize=9)
for yy, v, p in zip(y, fun["value"], fun["published"]):
    ax.text(v, yy, f" {p}", va="center", fontsize=9)
ax.set_xlabel("people (grey: approximate figure)")
app.figure(fig, "pima_funnel", "the Operation Pima funnel as published by LBC and Liberty Investigates",
           alt="Bar chart of the published funnel: " + "; ".join(f"{s}: {p}" for s, p in zip(fun["stage"], fun["published"])) + ".")
v = {c: int(by_id[c]["value"]) for c in ("P8", "P3", "P11", "P12", "P13", "P14", "P15")}
app.say(
    f"LBC's \"{by_id['P16']['quote']}\" ({label(by_id['P16']['source_id'])}) is {count(v['P13'])} interested out of the planned list of "
    f"{claims.published_text(by_id['P8'])}: {num(100 * v['P13'] / v['P8'], 1)}%. Over the {count(v['P11'])} actually visited it would be "
    f"{num(100 * v['P13'] / v['P11'], 1)}%. LBC's {count(v['P13'])} interested plus {count(v['P14'])} further contacts make "
    f"{count(v['P13'] + v['P14'])}, {'the same number as' if v['P13'] + v['P14'] == v['P15'] else 'not'} Liberty Investigates' "
    f"{count(v['P15'])}, {num(100 * v['P15'] / v['P3'], 1)}% of the {count(v['P3'])} visited or attempted; the two are the "
    f"same people only {pima_assumptions['P15']}, which neither answer says (conflict {pima_conflicts.index[0]}). "
    f"The {count(v['P3'])} and the {count(v['P11'])} are not the same count: one includes attempted visits, the other "
    f"counts visits from the planned list. The published answers do not say whether the two lists are the same, so the "
    f"interest rate is {num(100 * v['P13'] / v['P8'], 1)}% or {num(100 * v['P15'] / v['P3'], 1)}% depending on the "
    "framing, and neither can be checked against the other."
)
app.table(pima_conflicts.reset_index()[["conflict_id", "title", "arithmetic", "verdict", "explanation", "would_settle"]],
          "pima_conflicts", "where the published Operation Pima figures disagree, with the arithmetic and a verdict")
app.say("\n\n".join(f"**{i}. {r.title}: {r.verdict}.** {r.explanation}" for i, r in pima_conflicts.iterrows()))

# %% [markdown]
# ## How people were selected

# %%
criteria = claims.load_claims(data_dir).query("claim_id in ['P9', 'P9b', 'P9c']")[["claim_id", "measure", "value", "quote", "source_id", "ref_date"]]
app.table(criteria, "pima_selection_criteria", "the three published accounts of how people were chosen")
app.say(
    f"The accounts differ: at least {by_id['P9']['value']} violent offences in the last year ({label(by_id['P9']['source_id'])}), "
    f"several occasions in the last {by_id['P9b']['value']} years ({label(by_id['P9b']['source_id'])}), and at least {by_id['P9c']['value']} internal "
    f"crime or intelligence reports ({label(by_id['P9c']['source_id'])}). The last, from the FOI answers, "
    "counts reports about offences in which a person is named: a suspect, not only an offender, could qualify."
)

# %% [markdown]
# ## What this appendix cannot tell you
#
# - The Freedom of Information tables themselves were not published: no age-band counts, no ethnic groups other than Black, no gender split, no split of visited from attempted, no outcomes. The ranges above are what the rounding allows, not the true counts.
# - The Equality Impact Assessment for the operation was released to a requester but not published; Liberty Investigates quotes passages from it, and the rest of its text was not seen.
# - Whether the list was drawn from the planned list LBC described is not stated anywhere published.
