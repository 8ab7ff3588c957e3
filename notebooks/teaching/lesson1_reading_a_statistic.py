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
#     - 'say what a published percentage of a list claims about real people: a range
#       of whole counts, not one number'
#     - compute that range under the rounding rule a source used, and explain why floating-point
#       rounding is not good enough
#     - explain why the same share printed with one more decimal place can be impossible,
#       and what to ask a source that prints it
#     - explain why the rounding rule (rounding against truncation) changes the range
#     minutes: 45
#     prerequisites: Python and pandas at the level of an introductory course; no statistics.
#     timing: reading the statistic and its sources (10 min); worked example (10 min);
#       exercises (20 min); discussion (5 min)
# ---

# %% [markdown]
# # Reading a statistic: rebuilding counts from percentages
#
# *A lesson of the teaching pack on London police lists.*
#
# In lockdown the Metropolitan Police visited, or tried to visit, a list of people under Operation Pima. Reporters obtained figures about the list through Freedom of Information requests and published them as percentages. This lesson asks what such a sentence really says: a share of what, rounded how, and which counts of real people could lie behind it.
#
# Every figure in this lesson is read from the project's sourced claims (`data/claims.csv`) by its claim id; nothing is typed by hand.

# %% tags=["parameters"]
# Parameters: papermill overrides these. The build renders role="student" and role="instructor".
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root (installed from the classroom wheel: at the notebook's folder, and "data" is the copy inside the package)
output_dir: str = "outputs"  # tables/ and figures/ are written here
role: str = "student"  # student (exercises blank) or instructor (solutions shown and checked)

# %%
# Check every parameter before anything runs; a bad value stops here with its reason.
from police_lists.pipeline import params

params.check("lesson1_reading_a_statistic", globals())

import pandas as pd

from police_lists.readers import census
from police_lists.methods import stats
from police_lists.analyses import teaching
from police_lists.present.appendix import count, num, pct, span, start_lesson
from police_lists.methods.rounding import consistent_counts

LESSON = "lesson1_reading_a_statistic"
check, app = start_lesson(LESSON, role, data_dir, output_dir)  # check.exercise_N(answer_N) says right or wrong

# %% [markdown]
# ## The statistic and where it comes from

# %%
ids = ["P3", "PD3", "PD4", "PD2"]
app.table(teaching.claims_table(ids, data_dir), "teaching_l1_claims", "the published figures this lesson uses")
pct_black, n = teaching.value("PD3", data_dir), teaching.count("P3", data_dir)
app.say(f"The story printed that **{pct_black}%** of the **{count(n)}** people on the list were Black "
        f"(claims PD3 and P3), against {teaching.value('PD4', data_dir)}% of Londoners (PD4). "
        "The count of Black people was never published.")

# %% [markdown]
# ## Worked example: the youngest people on the list
#
# The same story gave the share of the list below the youngest age it reported. Taken literally, a percentage times the list size gives a fraction of a person, which no list holds. The honest reading is a *range*: every whole count whose percentage, rounded the way the story rounded, prints as the published figure. The function `consistent_counts(percent_as_printed, list_size)` finds that range in exact arithmetic (never with floating point, which mis-rounds halves).

# %%
pct_young = teaching.value("PD2", data_dir)
literal = float(pct_young) * n / 100
young = consistent_counts(pct_young, n)
app.table(teaching.counts_around(pct_young, n), "teaching_l1_counts_young",
          "whole counts near the published share of the youngest group, and whether each prints as that share")
app.say(f"PD2: {pct_young}% of {count(n)} is {num(literal)} people if taken literally. "
        f"Every whole count from {count(young.start)} to {count(young.stop - 1)} prints as {pct_young}% "
        f"({len(young)} possible counts), so that is what the sentence tells us.")

# %% [markdown]
# ### Exercise: the Black share taken literally
#
# Multiply the Black share the story printed by the list size. What number of people does that give, and why can it not be the count?

# %% exercise={"answer": "literal_count('PD3', 'P3')", "hint": "multiply the percentage (as a number, not text: float(teaching.value(\"PD3\", data_dir))) by the list size and divide by 100.", "kind": "number", "number": 1, "shape": "a number", "tolerance": 0.005} tags=["exercise"]
answer_1 = None

# %% tags=["solution"]
answer_1 = float(teaching.value("PD3", data_dir)) * teaching.count("P3", data_dir) / 100

# %%
check.exercise_1(answer_1)

# %% [markdown]
# ### Exercise: the counts the published share allows
#
# Find the lowest and the highest whole count of Black people consistent with the published share.

# %% exercise={"answer": "counts_fitting('PD3', 'P3')", "hint": "use consistent_counts(percent_as_printed, list_size) as in the worked example; give (lowest, highest) or the range itself.", "kind": "count_range", "number": 2, "shape": "(lowest, highest)"} tags=["exercise"]
answer_2 = None

# %% tags=["solution"]
answer_2 = consistent_counts(teaching.value("PD3", data_dir), teaching.count("P3", data_dir))

# %%
check.exercise_2(answer_2)

# %% [markdown]
# ### Exercise: the same share printed with a decimal place
#
# Suppose another outlet had printed the same share with a zero after the decimal point. To a reader it looks like the same figure, only more precise. How many whole counts of people out of the same list fit it? What would you ask that outlet?

# %% exercise={"answer": "counts_fitting_one_more_decimal('PD3', 'P3')", "hint": "build the text with teaching.one_more_decimal(\"...\") and count the whole numbers consistent_counts returns with len(...).", "kind": "number", "number": 3, "shape": "a whole number"} tags=["exercise"]
answer_3 = None

# %% tags=["solution"]
answer_3 = len(consistent_counts(teaching.one_more_decimal(teaching.value("PD3", data_dir)),
                                 teaching.count("P3", data_dir)))

# %%
check.exercise_3(answer_3)

# %% [markdown]
# ### Exercise: when the source cut the decimals off
#
# Some organisations truncate percentages instead of rounding them. Under truncation, which whole counts fit the published Black share?

# %% exercise={"answer": "counts_fitting('PD3', 'P3', 'truncate')", "hint": "consistent_counts takes rule=\"truncate\" for a source that cuts decimals off.", "kind": "count_range", "number": 4, "shape": "(lowest, highest)"} tags=["exercise"]
answer_4 = None

# %% tags=["solution"]
answer_4 = consistent_counts(teaching.value("PD3", data_dir), teaching.count("P3", data_dir), rule="truncate")

# %%
check.exercise_4(answer_4)

# %% [markdown]
# ## What to take away
#
# - A published percentage of a list is a claim about a range of real people, not about a single number. Say which range.
# - The precision a figure is printed with is part of the claim: adding a zero after the point can turn a true statement into an impossible one.
# - The rounding rule matters. When the source does not state it, carry both rules and say so.
#
# **Discussion.** The count behind this share was never published. Should a reporter ask for it? What could the count reveal about the people on the list that the percentage does not?
