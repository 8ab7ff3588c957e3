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
# # Every force side by side
#
# This appendix compares police lists from several forces, or several lists from one force, side by side: how long each list is, each ethnic group's share of the people on it whose ethnicity is known, and how that share compares with the group's share of the residents of the list's **own police force area**. It then ranks the lists by each measure, with the interval of each, and never by a point value alone.

# %% tags=["parameters"]
# Parameters: papermill and make profile's many-list mode override these. The defaults compare the SYNTHETIC example.
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root
output_dir: str = "outputs"  # tables/ and figures/ are written here
lists_dir: str = "data/examples/forces"  # folder of lists (.csv or .xlsx), one per force or per list
published_dir: str = ""  # set by make profile's many-list mode: folder of <list file stem>.json published profiles
force: str = ""  # "" finds each list's force from its police.uk file name; a force code, name or slug applies to all
census_year: int = 2021  # census whose force-area population is the benchmark: 2021 or 2011 (all ages)
threshold: int = 10  # counts from one to threshold minus one are suppressed (ONS ten-five rule)
disclosure_control: bool = True  # False stamps every output NOT FOR PUBLICATION
confidence: float = 0.95  # level of every interval
ci_method: str = "wilson"  # interval for a share: wilson or clopper_pearson
ratio_method: str = "koopman"  # interval for a ratio: koopman or katz
table_prefix: str = "forces_"  # prefix of every table name

# %%
# Check every parameter, then profile every list (or read the published profiles) before anything is shown.
from police_lists.pipeline.params import check

check("06_forces", globals())

from police_lists.analyses import compare
from police_lists.analyses import profile as prof
from police_lists.present import forces as words
from police_lists.present.appendix import Appendix
from police_lists.present.profile import banner, show_html

published = compare.published_profiles(lists_dir, published_dir, force=force, threshold=threshold,
                                       disclosure_control=disclosure_control, confidence=confidence,
                                       ci_method=ci_method, ratio_method=ratio_method, data_dir=data_dir)
table = compare.comparison_table(published, force=force, census_year=census_year, confidence=confidence,
                                 ci_method=ci_method, ratio_method=ratio_method, data_dir=data_dir)
ranks = compare.rank_table(table)
sizes = compare.sizes(published)
sensitivity, stamp = compare.label(published)
synthetic = any(p.synthetic for p in published.values())
app = Appendix(output_dir, "06_forces")
level = f"{confidence:.0%}"


def show(df, name, caption):
    app.table(prof.stamp(df, stamp), f"{table_prefix}{name}", caption, sensitivity)


# %%
# In short: the page's findings, from the published (disclosure-controlled) profiles only.
app.in_short(words.in_short_bullets(sizes, table, ranks, level, table_prefix, stamp or "disclosure-controlled"),
             question="How do lists from different police forces compare, each against the population of its own "
                      "force area?",
             how_to_read="Each list is compared with the census residents of its own police force area. A list is "
                         "ranked above another only when its whole interval lies above the other's, so lists whose "
                         "intervals overlap share a rank range. Counts are disclosure-controlled (see the glossary).",
             name=f"{table_prefix}in_short", sensitivity=sensitivity, stamp=stamp)

# %% [markdown]
# ## Terms and disclosure control
#
# **Terms.** A *police force area* is the area a territorial force polices; the Office for National Statistics (ONS) defines each one as a set of whole local authorities. Its *census population* is the census count of its residents, summed over those local authorities with the ONS lookup. The *ratio* is the group's share of the list divided by its share of those residents: above one, the group is on the list more often than its share of residents; one is parity. A *rank range* such as "two to four" means the intervals cannot tell the list apart from the lists it overlaps.
#
# **Disclosure control.** Every list is profiled exactly as a single list is (the same rule for small counts, secondary suppression and audit), and this page reads only those published profiles: no exact count reaches it.

# %%
show_html(banner(False, disclosure_control, threshold))  # the SYNTHETIC warning is the next paragraph's
show_html(words.opening(sizes, table, synthetic))

# %% [markdown]
# ## The lists

# %%
show(sizes, "lists", "each list: its file, how it was read and its size after disclosure control")

# %% [markdown]
# ## Side by side
#
# One row per list and ethnic group. The share is of the people whose ethnicity is known, computed from the published counts; the benchmark is the group's share of the residents of the list's own police force area (census, all ages). For the Metropolitan Police, the project's London age benchmarks are in the single-list profile; the City of London has all-ages figures only, because no census age table by ethnic group separates it from Westminster.

# %%
show(table, "comparison", f"every list's shares and ratios against its own force area, with {level} intervals")

# %% [markdown]
# ## Ranks, with their intervals
#
# A list is placed above another only when its whole interval lies above the other's. Its rank range runs from one plus the number of lists placed above it to the number of lists ranked less the number placed below it, so lists whose intervals overlap share ranks. This is cautious by design: two intervals that do not overlap differ more clearly than a test at the same level would require, so any order stated here is one the data support. Rank one is the highest share or ratio. Lists whose count is suppressed, or which have no force area, are not ranked.

# %%
show(ranks, "ranks", f"each list's rank range by each measure and group ({level} intervals; rank one is highest)")
fig = words.ratio_chart(ranks, "Black", level, stamp)
app.figure(fig, f"{table_prefix}black_ratio", f"Black ratio of each list against its own force area ({sensitivity})",
           alt=words.ratio_chart_alt(ranks, "Black", level))
for group in ("Black", "White", "Asian", "Mixed", "Other"):
    show_html(words.say_group(table, ranks, group, level))

# %% [markdown]
# ## Disclosure control and its audit
#
# Each list's profile ran the same disclosure control and audit as a single-list profile; this table gathers their results. The counts on this page are those published counts, so comparing lists reveals nothing their own tables do not.

# %%
show(compare.audit_summary(published), "disclosure_audit", "each list's disclosure audit, per dimension")
