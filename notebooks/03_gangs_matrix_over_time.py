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
# # The Gangs Matrix over time, and where the sources disagree: methodology appendix
#
# The Gangs Matrix went live after the London riots and was ended by the Metropolitan Police, replaced by a Violence Harm Assessment. In between its size was published only now and then, by different bodies, and its fall was described in percentages whose starting point was not always given. This appendix puts every published headcount on one time line, recomputes every published change from the published levels, sets out the additions and removals that were reported, dates the governance events, and tests each known disagreement between sources by arithmetic.

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

params.check("03_gangs_matrix_over_time", globals())

import datetime as dt

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from police_lists.readers import claims
from police_lists.analyses import matrix
from police_lists.analyses.ledger import assumption_text, load_assumptions
from police_lists.present.appendix import count, label, span, start

app, by_id = start("03_gangs_matrix_over_time", output_dir, data_dir)
level = f"{confidence:.0%}"
rule_text = rounding_rule.replace("_", " ")
pub = lambda cid: claims.published_text(by_id[cid])

# %%
# In short: the page's findings, computed here, each with its status in the claims ledger.
from police_lists.analyses.ledger import build_ledger
from police_lists.present.appendix import ledger_finding, status_of

_ledger = build_ledger(data_dir, ("matrix",), rounding_rule)
_snaps = matrix.snapshots(data_dir)
_first, _last = _snaps.iloc[0], _snaps[_snaps["size_low"] != ""].iloc[-1]
app.in_short([
    {"text": f"The first published count of the Matrix is {_first['published']} people ({_first['ref_date']}); "
             f"the last is {_last['published']} ({_last['ref_date']}).",
     "status": status_of(_ledger, [_first["claim_id"], _last["claim_id"]]), "href": "#tbl-matrix_snapshots"},
    {"text": f"The peak of {by_id['M6']['ref_date']} was published as {pub('M6')} by the Mayor and as {pub('M7')} by "
             "later sources; the published falls from the peak split between the two values.",
     "status": status_of(_ledger, ["M6", "M7"]), "href": "#tbl-matrix_changes"},
    {"text": f"The Matrix ended on {by_id['M18a']['value']} with no headcount published.",
     "status": status_of(_ledger, ["M18a"]), "href": "#tbl-matrix_timeline"},
    ledger_finding(_ledger, "on the Matrix", "#tbl-conflicts", "see the conflicts"),
], question="How did the Gangs Matrix change from 2012 to 2024, and where do the sources disagree?",
   how_to_read="Where two sources disagree, both values are kept and tested in the conflicts table. The "
               "figures come from data/claims.csv and the human decisions in data/manual/.")

# %% [markdown]
# ## Size over time
#
# Every published headcount, at its reference date. The August peak was published with two different values; both are shown and tested in the conflicts table below. After the last published headcount, the Met removed its lowest-risk people; the size after that removal was not published, and the range shown for it is derived from the published share (see the conflicts table). No headcount was published when the Matrix ended.

# %%
snaps = matrix.snapshots(data_dir)
app.table(snaps, "matrix_snapshots", "Gangs Matrix size by reference date, with sources (both published August peaks kept)")
removed_lo, removed_hi = matrix.removed_if_before(by_id, rounding_rule)
n_oct22 = int(by_id["M16"]["value"])
first, last = snaps.iloc[0], snaps[snaps["size_low"] != ""].iloc[-1]
app.say(
    f"The first published count is {first['published']} ({first['ref_date']}, {label(first['source_id'])}). The peak in "
    f"{by_id['M6']['ref_date']} is given as {pub('M6')} by the Mayor ({label(by_id['M6']['source_id'])}) and as {pub('M7')} by later "
    f"sources ({label(by_id['M7']['source_id'])}). The last published count is {last['published']} ({last['ref_date']}). If "
    f"{pub('M17b')} of that list was removed in {by_id['M17b']['ref_date']}, {span(removed_lo, removed_hi)} people were "
    f"removed and {span(n_oct22 - removed_hi, n_oct22 - removed_lo)} remained (derived, not published). "
    f"The Matrix ended on {by_id['M18a']['value']} with no headcount published."
)

# %%
counted = snaps[snaps["size_low"] != ""]
dates = pd.to_datetime(counted["plot_date"])
lo, hi = counted["size_low"].astype(int), counted["size_high"].astype(int)
mid = (lo + hi) / 2
fig, ax = plt.subplots(figsize=(9, 4.2))
exact = (counted["rounding"] == "exact") & ~counted["is_peak"].astype(bool)
approx = counted["rounding"] != "exact"
ax.plot(dates[exact], mid[exact], "o-", color="#1f4e79", lw=1, label="published headcount")
ax.errorbar(dates[approx], mid[approx], yerr=[mid[approx] - lo[approx], hi[approx] - mid[approx]], fmt="s", mfc="white",
            color="#7f7f7f", capsize=3, label="published 'about' figure (whiskers: its rounding)")
for (cid, marker, color) in (("M6", "^", "#EE6677"), ("M7", "v", "#CCBB44")):
    r = counted[counted["claim_id"] == cid].iloc[0]
    ax.scatter(pd.to_datetime(r["plot_date"]), int(r["size_low"]), marker=marker, s=70, color=color, zorder=4,
               label=f"peak as published by {label(r['source_id'])}: {r['published']}")
nov22 = pd.Timestamp(matrix.date_mid(by_id["M17b"]["ref_date"]))
ax.errorbar([nov22], [(2 * n_oct22 - removed_lo - removed_hi) / 2], yerr=[[(removed_hi - removed_lo) / 2]], fmt="o",
            mfc="white", color="#1f4e79", capsize=3, label="after the removals (derived from the published share, conflict C2)")
end = pd.Timestamp(by_id["M18a"]["value"])
ax.axvline(end, color="grey", ls="--", lw=1)
ax.text(end, ax.get_ylim()[1] * 0.95, " Matrix ended\n (no headcount)", fontsize=9, va="top")
ax.set_ylim(0, None)
ax.set_ylabel("people on the Matrix")
ax.xaxis.set_major_locator(mdates.YearLocator())
ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
ax.legend(fontsize=9, loc="lower left")
app.figure(fig, "matrix_size_over_time", "people on the Gangs Matrix at each published reference date, with both published peaks",
           alt="Line chart of the Matrix size: " + "; ".join(f"{d}: {p}" for d, p in zip(counted["ref_date"], counted["published"])) + f". The Matrix ended on {by_id['M18a']['value']} with no headcount published.")

# %% [markdown]
# ## Composition over time
#
# Each published share is pinned to its snapshot. Where a total was published with it (or a person chose one, marked `base_assumed`), the table gives the whole counts the share allows. The chart shows each share with the range its rounding allows.

# %%
comp = matrix.composition(data_dir, rounding_rule)
app.table(comp, "matrix_composition", f"Gangs Matrix composition by snapshot, as share ranges and count ranges ({rule_text} rounding assumed)")
comp_shares = matrix.profile_shares(comp, confidence, ci_method)
app.table(comp_shares, "matrix_composition_shares", f"composition shares over every count allowed, with {level} {ci_method.replace('_', '-')} intervals")

# %%
series = [("ethnicity", ["Black", "Black or African-Caribbean"], "Black"), ("ethnicity", ["BAME", "BAME (headline, nearly)"], "BAME"),
          ("age", ["under 18"], "under 18"), ("age", ["under 25"], "under 25"),
          ("harm band", ["green", "green (low risk)"], "green band"), ("harm band", ["little or no risk"], "little or no risk")]
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharex=True)
panels = {"ethnicity": axes[0], "age": axes[1], "harm band": axes[2]}
for dim, cats, series_label in series:
    rows = comp[(comp["dimension"] == dim) & comp["category"].isin(cats) & (comp["share_low"] != "")]
    d = pd.to_datetime([matrix.date_mid(r) for r in rows["ref_date"]])
    s_lo, s_hi = rows["share_low"].astype(float), rows["share_high"].astype(float)
    m = (s_lo + s_hi) / 2
    panels[dim].errorbar(d, m, yerr=[m - s_lo, s_hi - m], fmt="o-", capsize=3, label=series_label, lw=0.8)
for dim, ax in panels.items():
    ax.set_title(dim, fontsize=9)
    ax.set_ylim(0, 100)
    ax.legend(fontsize=9)
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
axes[0].set_ylabel("percent of the list")
app.figure(fig, "matrix_composition_over_time", "published shares of the Gangs Matrix by snapshot date, with the range each share's rounding allows",
           alt="Dot chart of published shares by snapshot: " + "; ".join(f"{s} {c}: {p}" for s, c, p in zip(comp["snapshot"], comp["category"], comp["published"])) + ".")

# %% [markdown]
# ## Every published change, recomputed
#
# A fall "from the peak" is recomputed from both published peaks. A change fits when the exact recomputed value rounds to the published figure (or, when an input was itself rounded, when the ranges meet). The last row reads the published fall as a fall over the preceding year instead, to show it was not.

# %%
ch = matrix.changes(data_dir, rounding_rule)
app.table(ch, "matrix_changes", f"published changes in the size of the Matrix, recomputed from the published levels ({rule_text} rounding assumed)")
fit = ch[ch["fits_published"]]
app.say("Changes that fit the published figure: " + "; ".join(
    f"**{r.claim_id}** {r.published} ({r.reading}: {r.recomputed})" for r in fit.itertuples()) + ".\n\n"
    "Changes that do not: " + "; ".join(f"**{r.claim_id}** {r.published} ({r.reading}: {r.recomputed})"
                                          for r in ch[~ch["fits_published"]].itertuples()) + ".")
u18_lo, u18_hi = matrix.under18_baseline(by_id, rounding_rule)
app.say(f"The fall in under-18s, {pub('A8b')} to {pub('A8a')}, starts from {pub('A6a')} of {pub('M10a')}: "
        f"{span(u18_lo, u18_hi)} under-18s in {by_id['A6a']['ref_date']}. The point value "
        f"({comp.set_index('claim_id').loc['A6a', 'point_value']}) would give a fall that does not round to "
        f"{pub('A8b')}; the published figure fits only within the rounding of {pub('A6a')}, and only "
        f"{assumption_text(load_assumptions(data_dir)['A8b'], by_id)}.")

# %% [markdown]
# ## Additions and removals
#
# Published flows on and off the list, each with the window it covers, and what the published levels imply about the people the flows do not mention.

# %%
fl = matrix.flows(data_dir)
app.table(fl, "matrix_flows", "published additions to and removals from the Gangs Matrix")
rec = matrix.flow_reconciliation(data_dir)
app.table(rec, "matrix_flow_reconciliation", "level arithmetic around the published flows")
r = rec.set_index("expression")["value"]
app.say(
    f"Between the {pub('M10a')} listed in {by_id['M10a']['ref_date']} and the {pub('M12a')} of the one-year update (data to "
    f"{by_id['X15']['value']}), {pub('E8a')} people were added ({by_id['E8a']['ref_date']}). If those windows match, "
    f"{count(r['M10a + E8a - M12a'])} people left the list, of whom {pub('H10a')} went in the green-band reappraisal "
    f"({label(by_id['H10a']['source_id'])}; the Mayor said {pub('H10b')}), leaving {count(r['M10a + E8a - M12a - H10a'])} removed "
    f"for other reasons. StopWatch's {pub('M13a')} after {pub('M13b')} removals and {pub('M13c')} additions implies "
    f"{count(r['M13a + M13b - M13c'])} before them, {count(r['M13a + M13b - M13c - M12a'])} more than {pub('M12a')}: "
    f"the two reports count from different dates (conflict C3). Public Law Today links the ICO's acceptance of "
    f"compliance with its enforcement notice to the deletion of {pub('T6b')} entries, a figure it attributes to other "
    f"reports ({label(by_id['T6b']['source_id'])}); that the two are the same removals is its reading, not the ICO's words."
)
fig, ax = plt.subplots(figsize=(8, 3.4))
plot = fl.iloc[::-1]
y = list(range(len(plot)))
low = plot["count_low"].astype(int)
high = [int(h) if h != "" else int(l) for h, l in zip(plot["count_high"], plot["count_low"])]
colors = {"added": "#1f4e79", "removed": "#c0504d", "net fall": "#7f7f7f"}
ax.barh(y, low, color=[colors[d] for d in plot["direction"]])
ax.hlines(y, low, high, color="black", lw=2)
for yy, p, w, h in zip(y, plot["published"], plot["window"], high):
    ax.text(h, yy, f"  {p} ({w})", va="center", fontsize=9)
ax.set_yticks(y, [f"{d}: {m} ({c})" for d, m, c in zip(plot["direction"], plot["measure"], plot["claim_id"])], fontsize=9)
ax.set_xlabel("people (bar: lowest value allowed; line: rounding range)")
app.figure(fig, "matrix_flows", "published additions to and removals from the Matrix, with their windows",
           alt="Bar chart of published flows: " + "; ".join(f"{d} {m}: {p} ({w})" for d, m, p, w in zip(fl["direction"], fl["measure"], fl["published"], fl["window"])) + ".")

# %% [markdown]
# ## Governance timeline
#
# The dated events from the sourced claims: the Information Commissioner's investigation and enforcement notice, Amnesty's report, the MOPAC review and its recommendations, the reappraisal of the green band, the Mayor's updates, Liberty's legal claim, the settlement, and the end of the Matrix. A date published only to the month or year is drawn as a span.

# %%
tl = matrix.timeline(data_dir)
app.table(tl, "matrix_timeline", "Gangs Matrix governance events, from the dated claims")
fig, ax = plt.subplots(figsize=(10, 5))
plot = tl.iloc[::-1].reset_index(drop=True)
for i, r in plot.iterrows():
    a, b = pd.Timestamp(r["start"]), pd.Timestamp(r["end"])
    if a == b:
        ax.plot([a], [i], "o", color="#1f4e79")
    else:
        ax.hlines(i, a, b + pd.Timedelta(days=1), color="#7aa6c2", lw=6)
    ax.text(b + pd.Timedelta(days=40), i, f"{r['event']} ({r['date']})", va="center", fontsize=9)
ax.set_yticks([])
ax.set_xlim(pd.Timestamp(plot["start"].min()) - pd.Timedelta(days=60), pd.Timestamp(plot["end"].max()) + pd.Timedelta(days=2000))
years = range(pd.Timestamp(plot["start"].min()).year, pd.Timestamp(plot["end"].max()).year + 2)
ax.set_xticks([pd.Timestamp(year=y, month=1, day=1) for y in years], [str(y) for y in years], fontsize=9)
ax.spines["left"].set_visible(False)
app.figure(fig, "matrix_timeline", "Gangs Matrix governance timeline (spans: dates published only to the month or year)",
           alt="Timeline of governance events: " + "; ".join(f"{d}: {e}" for d, e in zip(tl["date"], tl["event"])) + ".")
app.say(f"The review published on {by_id['T5a']['value']} made {by_id['T5b']['value']} recommendations, due by "
        f"{by_id['T5c']['value']}. The ICO notice of {by_id['T4a']['value']} allowed {by_id['T4b']['value']} months to comply and "
        f"was discharged in {by_id['X1']['value']}. The Matrix ended on {by_id['T12']['value']}; its retained data were due "
        f"to be destroyed on {by_id['T13']['value']}.")

# %% [markdown]
# ## Conflicts between sources
#
# Each disagreement is numbered as in the research notes; the table holds every one, the Gangs Matrix's and Operation Pima's (the Pima ones are discussed in the Pima appendix). The description is a person's (`data/manual/conflicts.csv`); the arithmetic, the verdict and the explanation are computed here from the published values in each row, and a verdict holds no number. *Unresolved* means the published record cannot settle it, and the last column names what would.

# %%
conf = matrix.conflicts(data_dir, rounding_rule)
app.table(conf, "conflicts", f"conflicts between published figures on the Gangs Matrix and Operation Pima, with the arithmetic and a verdict ({rule_text} rounding assumed)")
app.say("\n\n".join(f"**{r.conflict_id}. {r.title}: {r.verdict}.** {r.explanation}" for r in conf.itertuples()))

# %% [markdown]
# ## What this appendix cannot tell you
#
# - The Met's own quarterly and later bi-annual tables of the Matrix (by age, ethnicity and band) were not retrievable, so the time line has gaps and several snapshot dates are known only to the year.
# - No headcount was published when the Matrix ended, and the size after the final removals is derived, not published.
# - Where a conflict is unresolved, the primary document named in the conflicts table is what would settle it.
