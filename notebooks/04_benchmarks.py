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
# # Benchmarks: how disproportionate depends on "compared with whom"
#
# Campaigners compared both police lists with London's population. The Metropolitan Police answered that serious violence falls disproportionately on young Black men. The Mayor's Office for Policing and Crime compared the Gangs Matrix with offenders and victims of gang-related violence and still found it disproportionate; Amnesty used the Met's own share of those responsible for serious youth violence. Each comparison answers a different question.
#
# This appendix therefore never prints one disproportionality number. For each list it sets out every defensible benchmark side by side: residents of all ages and of the ages the lists cover (from the census tables in `data/raw/`), the published population shares, police-generated shares of suspects and offenders (flagged as such), and victims (published, and counted from the Met homicide victims file). For each benchmark it gives the share ratio with its interval, the rate ratio of the group against everyone else where a population count exists, the percentage-point gap, and an age-standardised ratio where the list's age profile is known or bounded.

# %% tags=["parameters"]
# Parameters: papermill overrides these; the defaults reproduce the published appendix.
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root
output_dir: str = "outputs"  # tables/ and figures/ are written here
panel_lists: str = "pima,matrix_2017"  # lists to compare (data/manual/panel_lists.csv, or custom)
benchmark_set: str = "default"  # default, or benchmark ids separated by commas (see benchmarks.panel)
age_range: str = "10-24"  # ages of the age-matched census benchmark added to the default set
census_year: int = 2021  # census for benchmarks without an explicit year: 2011 or 2021
include_mixed_black: bool = False  # count Mixed White and Black Caribbean/African as Black in the census
victims_period: str = ""  # years of the homicide-victims benchmark, e.g. 2012-2019; empty: each list's default
youngest_age: int = -1  # youngest age on the list; -1: published (Matrix) or the age of criminal responsibility
oldest_age: int = 200  # oldest age on the list (200: no upper limit)
confidence: float = 0.95  # level of every interval
ci_method: str = "wilson"  # interval for a share: wilson or clopper_pearson
ratio_method: str = "koopman"  # interval for a ratio of two counted proportions: koopman or katz
rounding_rule: str = "half_up"  # rule assumed for published percentages: half_up or truncate
custom_k_low: int = 0  # custom list only: fewest people in the group
custom_k_high: int = 0  # custom list only: most people in the group
custom_n: int = 0  # custom list only: list size
extra_benchmark_share: float = 0.0  # a benchmark of your own: its Black share (0: none)
extra_benchmark_label: str = ""  # ... what it is and where it comes from
extra_benchmark_kind: str = "population"  # ... population, police-generated or victims

# %%
# Check every parameter before anything runs; a bad value stops here with its reason.
from police_lists.pipeline import params

params.check("04_benchmarks", globals())
list_names = [x.strip() for x in panel_lists.split(",")]

import matplotlib.pyplot as plt
import pandas as pd

from police_lists.analyses import benchmarks
from police_lists.readers import census
from police_lists.present.appendix import Appendix, count, label, num, pct

app = Appendix(output_dir, "04_benchmarks")
level = f"{confidence:.0%}"
options = dict(group="Black", include_mixed_black=include_mixed_black, census_year=census_year,
               confidence=confidence, ci_method=ci_method, ratio_method=ratio_method, data_dir=data_dir)
inputs = {}
for name in list_names:
    if name == "custom":
        inputs[name] = {"list_name": "custom", "label": "user list", "n": custom_n,
                        "k": (custom_k_low, custom_k_high), "k_published": "user counts", "age_profile": None,
                        "victims_period": "2012-2019", "source_ids": ["user"], "ref_date": "", "note": "",
                        "n_claim": "", "k_claim": "", "age_claims": []}
    else:
        inputs[name] = benchmarks.list_inputs(name, data_dir, rounding_rule,
                                              None if youngest_age < 0 else youngest_age, oldest_age)

# %%
# In short: the page's findings, computed from the benchmark panel (built here, shown below).
from police_lists.analyses.ledger import build_ledger
from police_lists.present.appendix import status_of

_ledger = build_ledger(data_dir, ("pima", "matrix", "london"), rounding_rule)
_claims = lambda li: [c for c in (li["n_claim"], li["k_claim"]) if c]
extra = []
if extra_benchmark_share:
    extra = [benchmarks.custom_benchmark("user_benchmark", extra_benchmark_share, label=extra_benchmark_label,
                                         kind=extra_benchmark_kind, caveat="supplied by the user of this appendix")]
panels = []
for name, li in inputs.items():
    period = victims_period or li["victims_period"]
    list_ids = benchmarks.panel_set(benchmark_set, age_range, period) + extra
    panels.append(benchmarks.list_panel(name, list_ids, k=li["k"], n=li["n"], age_profile=li["age_profile"], **options))
full = pd.concat(panels, ignore_index=True)
_bullets = []
for name, p in full.groupby("list", sort=False):
    pop = p[p["benchmark_kind"] == "population"]
    _bullets.append({
        "text": f"{inputs[name]['label']}: against residents the share ratio runs from {num(pop['ratio'].min())} "
                f"to {num(pop['ratio'].max())}, and against every benchmark from {num(p['ratio'].min())} to "
                f"{num(p['ratio'].max())}: the choice of benchmark moves the ratio as much as the list does.",
        "status": status_of(_ledger, _claims(inputs[name])) if _claims(inputs[name]) else "",
        "href": f"#tbl-benchmark_panel_{name}"})
_pop = full[full["benchmark_kind"] == "population"]
_bullets.append({"text": f"The panel compares {len(inputs)} lists with {full['benchmark'].nunique()} benchmarks; their "
                         f"Black shares run from {pct(full['benchmark_share'].min())} to {pct(full['benchmark_share'].max())}.",
                 "status": status_of(_ledger, [c for li in inputs.values() for c in _claims(li)]),
                 "href": "#tbl-benchmark_definitions"})
_bullets.append({"text": f"An all-ages census share flatters the ratio for a young list: against residents the rate ratio "
                         f"runs from {num(_pop['rate_ratio'].min(), 1)} to {num(_pop['rate_ratio'].max(), 1)}.",
                 "status": status_of(_ledger, [c for li in inputs.values() for c in _claims(li)]),
                 "href": "#tbl-benchmark_panel_" + next(iter(inputs))})
app.in_short(_bullets, question="How disproportionate are the lists, and how much does that depend on the benchmark chosen?",
   how_to_read="The ratios are computed here from published list figures and census or police tables; "
               "the status of each published figure is in the claims ledgers of the Pima and Matrix appendices, and "
               "the measures are defined in the glossary.")

# %% [markdown]
# ## The lists

# %%
lists_table = pd.DataFrame([{
    "list": name, "label": li["label"], "list_size": li["n"], "size_claim": li["n_claim"],
    "published_black_share": li["k_published"], "share_claim": li["k_claim"], "black_count_low": li["k"][0],
    "black_count_high": li["k"][1], "point_count": li["k"][2] if len(li["k"]) == 3 else "",
    "age_profile": "; ".join(f"{b}: {lo}-{hi}" for b, (lo, hi) in (li["age_profile"] or {}).items()),
    "age_claims": " ".join(li["age_claims"]), "sources": " ".join(li["source_ids"]), "ref_date": li["ref_date"],
    "note": li["note"]} for name, li in inputs.items()])
app.table(lists_table, "benchmark_lists", f"the lists compared, with the counts their rounded percentages allow ({rounding_rule.replace('_', ' ')} rounding)")
def describe(li):
    point = f" (point value {count(li['k'][2])})" if len(li["k"]) == 3 else ""
    ages = (f"; its age profile is bounded by the published bands, youngest age taken as {li['youngest_age']}."
            if li["age_profile"] else "; no age profile was published.")
    return (f"**{li['label']}**: {li['k_published']} of {count(li['n'])} allows {count(li['k'][0])} to "
            f"{count(li['k'][1])} Black people{point}{ages}")

app.say(" ".join(describe(li) for li in inputs.values()))

# %% [markdown]
# ## The benchmarks
#
# Each benchmark is a share of some population that is Black. Population benchmarks come from the census tables in `data/raw/` (or, where a story printed its own figure, from that figure); police-generated benchmarks are shares of suspects, offenders or attackers in police records, which are themselves outputs of policing; victim benchmarks are shares of people harmed. The published figures used as benchmarks, and why, are a human decision recorded in `data/manual/benchmarks.csv`.

# %%
ids = benchmarks.panel_set(benchmark_set, age_range, victims_period or "2012-2019") + extra
resolved = [benchmarks.resolve(i, include_mixed_black=include_mixed_black, census_year=census_year, data_dir=data_dir)
            for i in ids]
bench_table = pd.DataFrame([{
    "benchmark": b.id, "label": b.label, "kind": b.kind, "share": b.share, "share_low": b.share_low,
    "share_high": b.share_high, "group_count": b.group_count, "population": b.population or b.population_total,
    "source_id": b.source_id, "claim_id": b.claim_id, "ref_date": b.ref_date, "age_range": b.age_range,
    "caveat": b.caveat} for b in resolved]).astype({"group_count": "Int64", "population": "Int64"})
app.table(bench_table, "benchmark_definitions", "every benchmark in the panel, with its source, date and caveat")
kinds = bench_table["kind"].value_counts()
app.say(f"The panel holds **{len(bench_table)} benchmarks**: " + "; ".join(
    f"{count(kinds.get(k, 0))} {k}" for k in benchmarks.KINDS) + ". Their Black shares run from "
    f"{pct(bench_table['share'].min())} to {pct(bench_table['share'].max())}.")

# %% [markdown]
# ## The panel
#
# For each list and benchmark: the list's Black share, the benchmark share, the **share ratio** (list share over benchmark share) with its interval over every count the rounding allows, the **rate ratio** of Black people against everyone else where the benchmark is a counted population, the **gap** in percentage points, and, where the list's age profile was published, the **age-standardised ratio** (observed Black count over the count expected if each age band on the list had the census share of its age). The full table, with every column, is written as `benchmark_panel.csv`.

# %%
app.table(full, "benchmark_panel", "the benchmark panel, every column", display=False)
shown = ["benchmark", "benchmark_kind", "benchmark_share", "list_share", "ratio", "ci_low", "ci_high",
         "rate_ratio", "rr_ci_low", "rr_ci_high", "pp_gap", "age_standardised_ratio", "asr_ci_low", "asr_ci_high"]
for name, p in full.groupby("list", sort=False):
    app.table(p[shown], f"benchmark_panel_{name}", f"{inputs[name]['label']}: the panel ({level} intervals over every count allowed)")

# %%
for name, p in full.groupby("list", sort=False):
    pop = p[p["benchmark_kind"] == "population"]
    pol = p[p["benchmark_kind"] == "police-generated"]
    vic = p[p["benchmark_kind"] == "victims"]
    top, bottom = p.loc[p["ratio"].idxmax()], p.loc[p["ratio"].idxmin()]
    text = (f"**{inputs[name]['label']}.** Against residents the share ratio runs from {num(pop['ratio'].min())} to "
            f"{num(pop['ratio'].max())}; the highest is against {top['benchmark_label']} ({num(top['ratio'])}, "
            f"{level} interval {num(top['ci_low'])}–{num(top['ci_high'])}). ")
    if len(pol):
        text += (f"Against police-generated shares of offenders it runs from {num(pol['ratio'].min())} to "
                 f"{num(pol['ratio'].max())}. ")
    if len(vic):
        text += f"Against victims it runs from {num(vic['ratio'].min())} to {num(vic['ratio'].max())}. "
    text += (f"The lowest is against {bottom['benchmark_label']} ({num(bottom['ratio'])}). ")
    rr = pop.dropna(subset=["rate_ratio"])
    if len(rr):
        text += (f"As a rate ratio, a Black resident was between {num(rr['rate_ratio'].min(), 1)} and "
                 f"{num(rr['rate_ratio'].max(), 1)} times as likely as a resident who is not Black to be on the list, "
                 "depending on the population used. ")
    asr = p.dropna(subset=["age_standardised_ratio"])
    if len(asr):
        a = asr.iloc[0]
        text += (f"Standardised for the list's published age profile (census {int(a['ref_date'])}), the ratio is "
                 f"{num(a['age_standardised_ratio'])} ({num(a['age_standardised_ratio_low'])}–"
                 f"{num(a['age_standardised_ratio_high'])} over every count and profile allowed; {level} exact interval "
                 f"{num(a['asr_ci_low'])}–{num(a['asr_ci_high'])}).")
    app.say(text)

# %%
colours = {"population": ("#4477AA", "o"), "police-generated": ("#EE6677", "s"), "victims": ("#228833", "^")}
lists_shown = list(full["list"].unique())
fig, axes = plt.subplots(1, len(lists_shown), figsize=(5.2 * len(lists_shown), 0.42 * len(ids) + 1.6), sharey=True,
                         squeeze=False)
for ax, name in zip(axes[0], lists_shown):
    p = full[full["list"] == name].reset_index(drop=True)
    y = list(range(len(p)))[::-1]
    for kind, (colour, marker) in colours.items():
        m = p["benchmark_kind"] == kind
        ax.errorbar(p.loc[m, "ratio"], [y[i] for i in p.index[m]],
                    xerr=[p.loc[m, "ratio"] - p.loc[m, "ci_low"], p.loc[m, "ci_high"] - p.loc[m, "ratio"]],
                    fmt=marker, color=colour, capsize=3, label=kind)
    ax.axvline(1, color="grey", lw=0.8)
    ax.set_yticks(y, [f"{label(b)} ({s:.1%})" for b, s in zip(p["benchmark"], p["benchmark_share"])], fontsize=9)
    ax.set_title(inputs[name]["label"], fontsize=10)
    ax.set_xlabel("share ratio: list share / benchmark share")
axes[0][0].legend(fontsize=9, loc="lower right")
app.figure(fig, "benchmark_panel_ratios", f"the share ratio under each benchmark, {level} intervals over every count the rounding allows",
           alt="Dot chart of the share ratio under each benchmark. " + " ".join(f"{inputs[n]['label']}: from {num(g['ratio'].min())} against {label(g.loc[g['ratio'].idxmin(), 'benchmark'])} to {num(g['ratio'].max())} against {label(g.loc[g['ratio'].idxmax(), 'benchmark'])}." for n, g in full.groupby("list", sort=False)))

# %% [markdown]
# ## Sensitivity
#
# Three choices move the ratio without any change in the list: the rounding of the published percentages, the census year, and whether people of Mixed White and Black Caribbean or Mixed White and Black African heritage count as Black. The list's own Black share is the published figure in every case: the sources do not say how the police recorded Mixed heritage, so changing the census definition alone shows how much the answer depends on it, not which definition is right.

# %%
rounding = full[["list", "benchmark", "benchmark_share", "benchmark_share_low", "benchmark_share_high", "ratio",
                 "ratio_low", "ratio_high", "ratio_rounding_low", "ratio_rounding_high"]]
app.table(rounding, "benchmark_sensitivity_rounding", "the share ratio over the counts the list's percentage allows and the range the benchmark's own rounding allows")
gaps = pd.DataFrame([{"area": census.AREA_NAMES[a], "group_definition": benchmarks.group_definition("Black", m),
                      **census.age_table_rounding_gap(a, "Black", m, data_dir)}
                     for a in (census.LONDON, census.ENGLAND_AND_WALES) for m in (False, True)])
app.table(gaps, "benchmark_census_rounding_gap", "the census 2021 single-year-of-age table (rounded to five, some cells suppressed) summed over all ages, against the by-sex table")
widest = rounding.assign(width=rounding["ratio_rounding_high"] - rounding["ratio_rounding_low"]).sort_values("width").iloc[-1]
g = gaps.iloc[0]
app.say(f"The widest rounding range is for {widest['benchmark']} on the {widest['list']} list: "
        f"{num(widest['ratio_rounding_low'])} to {num(widest['ratio_rounding_high'])}. "
        f"In the census, the single-year table summed over all ages gives {count(g['age_table_group'])} Black Londoners "
        f"against {count(g['sex_table_group'])} in the by-sex table (a gap of {count(g['group_gap'])}), with "
        f"{count(g['suppressed_cells'])} suppressed cells in London; shares computed from it move only in the "
        "fourth decimal place. Both tables' cells are multiples of five; the by-sex table's London Black total "
        "matches the official figure.")

# %%
sens_ids = benchmarks.benchmark_set("census_sensitivity", age_range=age_range, data_dir=data_dir)
sens = []
for name, li in inputs.items():
    s = benchmarks.sensitivity(li["k"], li["n"], sens_ids, age_profile=li["age_profile"], confidence=confidence,
                               ci_method=ci_method, ratio_method=ratio_method, data_dir=data_dir)
    s.insert(0, "list", name)
    sens.append(s)
sens = pd.concat(sens, ignore_index=True)
app.table(sens, "benchmark_sensitivity_census", "census benchmarks under each census year and each definition of Black")
ok = sens.dropna(subset=["ratio"])
fig, axes = plt.subplots(1, len(inputs), figsize=(5.2 * len(inputs), 3.4), sharey=True, squeeze=False)
for ax, name in zip(axes[0], inputs):
    s = ok[ok["list"] == name]
    for i, ((year, mixed), grp) in enumerate(s.groupby(["census_year", "include_mixed_black"])):
        x = [sens_ids.index(b) + (i - 1.5) * 0.15 for b in grp["benchmark"]]
        ax.errorbar(x, grp["ratio"], yerr=[grp["ratio"] - grp["ci_low"], grp["ci_high"] - grp["ratio"]], fmt="o",
                    capsize=2, label=f"{year}, {'with' if mixed else 'without'} Mixed Black")
    ax.set_xticks(range(len(sens_ids)), [label(s) for s in sens_ids], rotation=20, ha="right", fontsize=9)
    ax.set_title(inputs[name]["label"], fontsize=10)
    ax.set_ylabel("share ratio")
axes[0][0].legend(fontsize=9)
app.figure(fig, "benchmark_sensitivity_census", "the share ratio against census benchmarks by census year and definition of Black",
           alt="Dot chart of the share ratio against census benchmarks. " + " ".join(f"{inputs[n]['label']}: from {num(g['ratio'].min())} to {num(g['ratio'].max())} across census years and definitions." for n, g in ok.groupby("list", sort=False)))
missing = sens[sens["ratio"].isna()]
for name in inputs:
    s = ok[ok["list"] == name]
    app.say(f"For {inputs[name]['label']}, the census-based share ratios run from {num(s['ratio'].min())} to "
            f"{num(s['ratio'].max())} across both census years and both definitions of Black.")
if len(missing):
    app.say("Not every combination exists in the tables: " + "; ".join(
        sorted({f"{r['benchmark']} in {r['census_year']} ({r['note']})" for _, r in missing.iterrows()})) + ".")

# %% [markdown]
# ## The victims benchmark, counted
#
# The Met homicide victims file records each victim's age group, method of killing and officer-observed ethnicity. Its age groups start at the teenage years, so the nearest band to young people on these lists is the teenage band plus the early twenties. Because few people die, the share moves from one period to another; the table shows how much.

# %%
periods = sorted({tuple(int(x) for x in (victims_period or li["victims_period"]).split("-")) for li in inputs.values()}
                 | {(2003, 2023), (2012, 2019)})
vic = benchmarks.victims_by_period(periods, data_dir=data_dir)
app.table(vic, "benchmark_victims_periods", f"Black share of knife homicide victims in the teenage and early-twenties age groups, by period ({level} Wilson intervals)")
app.say("Across the periods shown the Black share of these victims runs from "
        f"{pct(vic['share'].min())} to {pct(vic['share'].max())}, on {count(vic['victims'].min())} to "
        f"{count(vic['victims'].max())} victims. Ethnicity was not recorded for {count(vic['ethnicity_not_recorded'].max())} "
        "or fewer of them in any period.")

# %% [markdown]
# ## Appendix: every ratio, its measure, benchmark, source and date

# %%
src = benchmarks.panel_sources(full, data_dir)
app.table(src, "benchmark_panel_sources", "for every ratio in the panel: the measures, the benchmark, its source and date")
app.say(f"The panel cites {src['source_id'].nunique()} sources. Police-generated benchmarks: "
        + ", ".join(sorted(full.loc[full["police_generated"], "benchmark"].unique())) + ".")

# %% [markdown]
# ## What this appendix cannot tell you
#
# - Which benchmark is right. Residents answer whether the lists over-represent Black Londoners; offenders and suspects answer a different question and are themselves the product of policing; victims measure harm, not offending.
# - The ages of people on the lists beyond the published bands, so the age-standardised ratio is bounded, not exact, and the youngest and oldest ages are assumptions stated as parameters.
# - How the police recorded people of Mixed heritage on either list.
# - The older census cannot answer age bands that cut across its published bands, and no census table here gives the Metropolitan Police area (London less the City of London) by age.
