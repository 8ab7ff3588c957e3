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
# # Profile of a police list
#
# This appendix profiles a police list: who is on it by ethnicity, age band, gender and (when the list records it) harm band, how each group's share compares with its share of the population, and what changed since an earlier snapshot. It runs on any list that meets the input contract in the README: a record-level file with a row per person, or an aggregate table of counts. The file is checked before anything runs, and a bad file is refused with the row, column, value and rule.
#
# **Disclosure control.** A record-level list is personal data. Unless the run says otherwise, every count follows the ONS rule for small counts: a count below the threshold is shown as `[c]`, and every other count is rounded (the banner below states the threshold and the rounding base). Further cells are suppressed where the margins would let a reader work a hidden count back out, and a linear-programming audit checks that none can be. Shares and intervals are computed from the published counts only. A table that would tell a reader something about everyone on the list (one group holding everyone whose value is known, or a list smaller than the threshold) is suppressed whole. No row, name, identifier or free text from the list reaches this page or its tables: category labels come only from declared vocabularies, and every name from the file is escaped.

# %% tags=["parameters"]
# Parameters: papermill and `make profile` override these. The defaults profile the SYNTHETIC teaching list.
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root
output_dir: str = "outputs"  # tables/ and figures/ are written here
list_path: str = "data/examples/pima_synthetic_list.csv"  # the list: .csv (UTF-8, comma or semicolon) or .xlsx
previous_path: str = ""  # an earlier snapshot of the same list for "what changed"; "" for none
ethnicity_column: str = ""  # column names; "" finds them by their usual names (police.uk exports need none)
officer_ethnicity_column: str = ""  # officer-defined ethnicity, reported beside the self-defined one
age_column: str = ""  # whole years or bands such as "10-17"
gender_column: str = ""
harm_column: str = ""  # optional harm band, or a numeric harm score banded by harm_bands
harm_bands: str = ""  # where harm-score bands start, e.g. "10,50,100" (never taken from the data)
harm_labels: str = ""  # the harm labels the list may use, e.g. "Red,Amber,Green" (the only ones published)
id_column: str = ""  # optional person identifier: only checked for duplicates, never shown
age_bands: str = "10,18,25,35"  # where bands start when ages are whole years (police.uk bands)
threshold: int = 10  # counts from one to threshold minus one are suppressed (ONS ten-five rule)
disclosure_control: bool = True  # False stamps every output NOT FOR PUBLICATION
benchmarks: str = ""  # benchmark ids (analyses.benchmarks.panel); "" for the set 'profile' in data/manual/benchmark_sets.csv
force: str = ""  # force (code, name or police.uk slug) for its own benchmarks; "" from a police.uk file name; "none"
confidence: float = 0.95  # level of every interval
ci_method: str = "wilson"  # interval for a share: wilson or clopper_pearson
ratio_method: str = "koopman"  # interval for a ratio: koopman or katz
table_prefix: str = "profile_"  # prefix of every table name ("" under make profile)
published_profile: str = ""  # set by make profile: the published profile it computed (the list is read once)

# %%
# Check every parameter and the list itself before anything is written.
from police_lists.pipeline.params import check

check("05_list_profile", globals())

from police_lists.analyses import profile as prof
from police_lists.present import profile as page
from police_lists.present.appendix import Appendix
from police_lists.readers import listinput

if published_profile:
    # make profile read the list, ran disclosure control and its audit in its own process,
    # and hands over only the published values.
    pub = prof.Published.load(published_profile)
else:
    # Run on its own (papermill, make all): read the list here.
    columns = dict(ethnicity_column=ethnicity_column, officer_ethnicity_column=officer_ethnicity_column,
                   age_column=age_column, gender_column=gender_column, harm_column=harm_column,
                   id_column=id_column, age_bands=age_bands, harm_bands=harm_bands, harm_labels=harm_labels,
                   data_dir=data_dir)
    data = listinput.read_list(list_path, **columns)
    previous = listinput.read_list(previous_path, **columns) if previous_path else None
    pub = prof.publish(data, previous, threshold=threshold, disclosure_control=disclosure_control,
                       confidence=confidence, ci_method=ci_method, ratio_method=ratio_method,
                       benchmarks=benchmarks, force=force, data_dir=data_dir)
app = Appendix(output_dir, "05_list_profile")
level = f"{confidence:.0%}"


def show(df, name, caption):
    return app.table(prof.stamp(df, pub.stamp), f"{table_prefix}{name}", caption, pub.sensitivity)


# %%
# In short: the page's findings, from the published (disclosure-controlled) tables only.
app.in_short(page.in_short_bullets(pub, level, table_prefix),
             question="Who is on this list, by ethnicity, age, gender and harm band, and how does each group compare "
                      "with the population?",
             how_to_read="Counts are disclosure-controlled: small counts are "
                         "hidden and the rest rounded (see the glossary), and every share is computed from the "
                         "published counts only. A label such as SYNTHETIC or NOT FOR PUBLICATION on a finding "
                         "applies to the whole page.",
             name=f"{table_prefix}in_short", sensitivity=pub.sensitivity, stamp=pub.stamp)

# %%
page.show_html(page.banner(pub.synthetic, pub.disclosure_control, pub.threshold))

# %% [markdown]
# ## The list and how it was read

# %%
show(pub.summary, "summary", "what was read: the column used for each dimension and the categories published")
page.show_html(page.say_read(pub))

# %% [markdown]
# ## Ethnicity
#
# Each share is given in several forms: of everyone (Unknown as a group of its own), of those whose ethnicity is known, and as the range the unknowns allow (from none of them to all of them belonging to the group). The intervals are model-based intervals for process variability: a list is a whole list, not a sample.

# %%
show(pub.tables["ethnicity"], "ethnicity",
     "ethnicity: counts, shares with and without Unknown, and the bounds the unknowns allow")
if "ethnicity_officer" in pub.tables:
    show(pub.tables["ethnicity_officer"], "ethnicity_officer",
         "officer-defined ethnicity of the same people, reported beside the self-defined one")
fig = page.share_chart(pub.tables["ethnicity"], f"Share of the list by ethnicity, with {level} intervals", pub.stamp)
app.figure(fig, f"{table_prefix}ethnicity", f"share of the list by ethnicity ({pub.sensitivity})")
page.show_html(page.say_largest(pub.tables["ethnicity"], "ethnic group", level))

# %% [markdown]
# ## Age band

# %%
show(pub.tables["age"], "age", "age band: counts and shares")
page.show_html(page.say_largest(pub.tables["age"], "age band", level))

# %% [markdown]
# ## Gender

# %%
show(pub.tables["gender"], "gender", "gender: counts and shares")
page.show_html(page.say_largest(pub.tables["gender"], "gender", level))

# %% [markdown]
# ## Harm band

# %%
if "harm" in pub.tables:
    show(pub.tables["harm"], "harm", "harm band: counts and shares")
    page.show_html(page.say_largest(pub.tables["harm"], "harm band", level))
else:
    page.show_html("<p>The list has no harm band or score column, so there is no harm table.</p>")

# %% [markdown]
# ## Against benchmarks
#
# Each group's share of the people whose ethnicity is known is divided by its share of a benchmark population. The benchmarks come from the project's benchmark panel; an all-ages census share flatters the ratio for a list of mostly young people, so an age-matched one is shown beside it. A ratio above parity means the group is over-represented on the list relative to that benchmark.

# %%
show(pub.disproportionality, "disproportionality", f"share of the list against each benchmark, with {level} intervals")
page.show_html(page.say_disproportionality(pub.disproportionality, level, pub.disproportionality_notes))

# %% [markdown]
# ## What changed since the previous snapshot

# %%
if pub.changes is not None:
    show(pub.changes, "changes", "each dimension now and in the previous snapshot (changes between published figures)")
page.show_html(page.say_previous(pub))

# %% [markdown]
# ## Disclosure control and its audit
#
# For every dimension the audit finds, by linear programming, the least and greatest value each hidden count could take given everything published. The pattern passes when every hidden count could still lie anywhere in a range at least as wide as the threshold. The ranges themselves are not shown: they are computed from the true counts. The group disclosure check says which tables were suppressed whole, never which group they would have shown.

# %%
show(pub.audit, "disclosure_audit", "disclosure control: hidden cells, the group disclosure check and the audit result per dimension")
page.show_html(page.say_disclosure(pub))
