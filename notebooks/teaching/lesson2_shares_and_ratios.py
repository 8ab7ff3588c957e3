# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: lesson
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   lesson:
#     goals:
#     - give a share with its base and an interval, and say what the interval means
#       for a whole list (process variability, not sampling error)
#     - compute the share ratio (list share over population share) and the rate ratio
#       of the group against everyone else, and say which question each answers
#     - choose the right number for a "times as likely" sentence, and prefer "times
#       as likely" to "times more likely"
#     - read a synthetic table and recognise that its patterns come from how it was
#       built
#     minutes: 60
#     prerequisites: Lesson one (counts behind a percentage).
#     timing: shares and intervals (15 min); the two ratios (25 min); the choice question
#       (5 min); synthetic list and discussion (15 min)
# ---

# %% [markdown]
# # Shares, intervals and disproportionality
#
# *A lesson of the teaching pack on London police lists.*
#
# "Black people were over-represented on the list" can be put as several different numbers, and each answers a different question. This lesson computes a share with its interval, then the ratios journalists most often confuse: the **share ratio** (the list's share divided by the population's share) and the **rate ratio of the group against everyone else** ("times as likely").

# %% tags=["parameters"]
# Parameters: papermill overrides these. The build renders role="student" and role="instructor".
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root (installed from the classroom wheel: at the notebook's folder, and "data" is the copy inside the package)
output_dir: str = "outputs"  # tables/ and figures/ are written here
role: str = "student"  # student (exercises blank) or instructor (solutions shown and checked)

# %%
# Check every parameter before anything runs; a bad value stops here with its reason.
from police_lists.pipeline import params

params.check("lesson2_shares_and_ratios", globals())

import pandas as pd

from police_lists.readers import census
from police_lists.methods import stats
from police_lists.analyses import teaching
from police_lists.present.appendix import count, num, pct, span, start_lesson
from police_lists.methods.rounding import consistent_counts

LESSON = "lesson2_shares_and_ratios"
check, app = start_lesson(LESSON, role, data_dir, output_dir)  # check.exercise_N(answer_N) says right or wrong

# %%
app.table(teaching.claims_table(["P3", "PD3", "PD4", "PD2"], data_dir), "teaching_l2_claims",
          "the published figures this lesson uses")
n = teaching.count("P3", data_dir)
k = teaching.pima_point_count(data_dir)
allowed = consistent_counts(teaching.value("PD3", data_dir), n)
app.say(f"The count of Black people on the list was not published; {teaching.value('PD3', data_dir)}% of {count(n)} allows "
        f"{span(allowed.start, allowed.stop - 1)} people. This lesson uses the **point value {count(k)}**, the whole count "
        "nearest to the percentage times the list size, and the appendix of the project carries the whole range.")

# %% [markdown]
# ## Worked example: a share and its interval
#
# `stats.share(k, n)` gives the share with a Wilson score interval. The list is a whole list, not a sample, so the share has no *sampling* error as a description of it. The interval describes process variability: how much the share could move if the same selection process had run again. Say which you mean.

# %%
k_young = teaching.point_count("PD2", data_dir)
young = stats.share(k_young, n)
app.say(f"Youngest group (PD2, point value {count(k_young)} of {count(n)}): share {pct(young.value)}, "
        f"{young.confidence:.0%} {young.method} interval {pct(young.low)} to {pct(young.high)}.")

# %% [markdown]
# ### Exercise: the interval for the Black share
#
# Compute the Black share of the list at the point value, with its interval.

# %% exercise={"answer": "share_interval('PD3', 'P3')", "hint": "stats.share(k, n), with k the point value above, returns the share with .low and .high (Wilson, 95%); give (low, high) or the result itself.", "kind": "interval", "number": 1, "shape": "(low, high) or the Estimate stats.share returns", "tolerance": 0.0001} tags=["exercise"]
answer_1 = None

# %% tags=["solution"]
answer_1 = stats.share(k, n)

# %%
check.exercise_1(answer_1)

# %% [markdown]
# ## Different ratios for different questions
#
# - The **share ratio** divides the list's Black share by the Black share of Londoners. It says how much higher the listing rate of Black Londoners was than the listing rate of *all* Londoners.
# - The **rate ratio, group against the rest**, divides the listing rate of Black Londoners by the listing rate of Londoners who are not Black: how many times *as likely* a Black Londoner was to be listed.
#
# Both are correct. They are not the same number, and a headline must say which it uses.

# %% [markdown]
# ### Exercise: the share ratio
#
# Divide the list's Black share (at the point value) by the published Black share of Londoners.

# %% exercise={"answer": "share_ratio('PD3', 'P3', 'PD4')", "hint": "share ratio = list share / benchmark share; teaching.share(\"PD4\", data_dir) is the benchmark as a share, and stats.disproportionality_ratio does the division.", "kind": "number", "number": 2, "shape": "a number", "tolerance": 0.005} tags=["exercise"]
answer_2 = None

# %% tags=["solution"]
answer_2 = stats.disproportionality_ratio(k, n, teaching.share("PD4", data_dir)).value

# %%
check.exercise_2(answer_2)

# %%
population = teaching.london_population_2021(data_dir)
app.say(f"For the rate ratio you also need the number of Londoners: {count(population)} in the 2021 Census "
        "(`teaching.london_population_2021`).")

# %% [markdown]
# ### Exercise: the rate ratio, Black Londoners against all other Londoners
#
# Take the published benchmark share as the share of Black Londoners, and London's population from the census.

# %% exercise={"answer": "rate_ratio_vs_rest('PD3', 'P3', 'PD4')", "hint": "you need the number of Black Londoners, stats.benchmark_group_count(benchmark_share, population), and all Londoners (population) before stats.group_vs_rest_rate_ratio(k, n, black_londoners, population).value.", "kind": "number", "number": 3, "shape": "a number", "tolerance": 0.01} tags=["exercise"]
answer_3 = None

# %% tags=["solution"]
black_londoners = stats.benchmark_group_count(teaching.share("PD4", data_dir), population)
answer_3 = stats.group_vs_rest_rate_ratio(k, n, black_londoners, population).value

# %%
check.exercise_3(answer_3)

# %% [markdown]
# ### Exercise: which number answers the question?
#
# A reporter wants to write how many times as likely a Black Londoner was to be on the list as a Londoner who is not Black. Which number should the sentence use? Answer with a letter:
#
# - **a**: the share ratio
# - **b**: the rate ratio, group against the rest
# - **c**: the gap in percentage points between the shares

# %% exercise={"answer": "choice('b')", "hint": "\"times as likely as other Londoners\" compares two groups of Londoners with each other; answer with a letter, e.g. \"c\".", "kind": "choice", "number": 4, "shape": "a letter"} tags=["exercise"]
answer_4 = None

# %% tags=["solution"]
# b: the rate ratio compares Black Londoners with Londoners who are not Black; the share ratio
# compares them with all Londoners, and the gap is a difference, not a ratio.
answer_4 = "b"

# %%
check.exercise_4(answer_4)

# %% [markdown]
# ## Practise on a synthetic list
#
# The project ships a *synthetic* teaching list in `data/examples/`: invented rows, a row for each made-up person, whose totals match the published shares of the Pima list. No real person is in it. It is used here only if it is present when the lesson is built; the cell below says so either way.

# %%
from police_lists.present.appendix import SYNTHETIC

found = teaching.synthetic_list(data_dir)
if found is None:
    app.say("The synthetic teaching list is not in `data/examples/` in this build, so this section is empty.")
else:
    name, rows = found
    bands = teaching.synthetic_shares_by_band(rows)
    app.table(bands, "teaching_l2_synthetic_shares", f"Black share in each age band of the synthetic list {name}",
              sensitivity=SYNTHETIC)
    app.say(f"`{name}` has {count(len(rows))} invented rows. Every row is labelled as not real.")

# %% [markdown]
# **Discussion.** Compare the Black share across the age bands of the synthetic list. Is the pattern a finding about the real list, or a consequence of how the synthetic list was made? (Read the notes beside it in `data/examples/`.) What could go wrong if a synthetic table were quoted as real?

# %% [markdown]
# ## What to take away
#
# - Give a share with its base, and say whether an interval is about sampling or about process variability.
# - The share ratio and the group-against-rest rate ratio answer different questions; the rate ratio is the larger whenever the group is over-represented.
# - "Times as likely" is unambiguous; some readers take "times more likely" to mean something smaller, so avoid it.
#
# **Discussion.** Which ratio belongs in a headline, and which in the methods box? What does each hide?
