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
#     - notice that two official figures for the same quantity disagree (the peak of
#       the Matrix, M6 against M7)
#     - work out which of them a later percentage was computed from, using exact rounding
#       (M12b, X19; compare M14b in data/claims.csv as an extension)
#     - 'apply the GRIM idea to percentages: find percentages that no whole number of
#       people can produce, and explain why short lists printed with decimals are where
#       they hide'
#     minutes: 50
#     prerequisites: Lesson one (consistent_counts).
#     timing: the two peaks (10 min); which peak each story used (20 min); impossible
#       percentages (15 min); discussion (5 min)
# ---

# %% [markdown]
# # Checking published figures against each other
#
# *A lesson of the teaching pack on London police lists.*
#
# Official figures about the Gangs Violence Matrix were published over several years, by the Mayor, the Met and reporters. They do not all agree. The size of the Matrix at its peak was given as different numbers, and later percentage falls were computed from either. This lesson checks which peak each percentage was computed from, then turns to percentages that no list of people can produce.

# %% tags=["parameters"]
# Parameters: papermill overrides these. The build renders role="student" and role="instructor".
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root (installed from the classroom wheel: at the notebook's folder, and "data" is the copy inside the package)
output_dir: str = "outputs"  # tables/ and figures/ are written here
role: str = "student"  # student (exercises blank) or instructor (solutions shown and checked)

# %%
# Check every parameter before anything runs; a bad value stops here with its reason.
from police_lists.pipeline import params

params.check("lesson4_checking_figures", globals())

import pandas as pd

from police_lists.readers import census
from police_lists.methods import stats
from police_lists.analyses import teaching
from police_lists.present.appendix import count, num, pct, span, start_lesson
from police_lists.methods.rounding import consistent_counts

LESSON = "lesson4_checking_figures"
check, app = start_lesson(LESSON, role, data_dir, output_dir)  # check.exercise_N(answer_N) says right or wrong

# %%
app.table(teaching.claims_table(["M6", "M7", "M12a", "M12b", "M16", "X19"], data_dir), "teaching_l4_claims",
          "the published figures this lesson uses")
peak_a, peak_b = teaching.count("M6", data_dir), teaching.count("M7", data_dir)
app.say(f"The peak was published as **{count(peak_a)}** (M6) and as **{count(peak_b)}** (M7). "
        f"The Mayor's press release ({teaching.claim('M12b', data_dir)['source_id']}) announced a fall of {teaching.value('M12b', data_dir)}% to "
        f"{count(teaching.count('M12a', data_dir))} (M12b, M12a).")

# %% [markdown]
# ### Exercise: the fall from the lower peak
#
# Compute the percentage fall from the lower published peak to the announced later count.

# %% exercise={"answer": "fall('M6', 'M12a')", "hint": "fall = 100 x (peak - later count) / peak; teaching.percent_change(before, after) does it.", "kind": "number", "number": 1, "shape": "a percentage", "tolerance": 0.01} tags=["exercise"]
answer_1 = None

# %% tags=["solution"]
answer_1 = teaching.percent_change(teaching.count("M6", data_dir), teaching.count("M12a", data_dir))

# %%
check.exercise_1(answer_1)

# %% [markdown]
# ### Exercise: the fall from the higher peak

# %% exercise={"answer": "fall('M7', 'M12a')", "hint": "the same formula with the other peak.", "kind": "number", "number": 2, "shape": "a percentage", "tolerance": 0.01} tags=["exercise"]
answer_2 = None

# %% tags=["solution"]
answer_2 = teaching.percent_change(teaching.count("M7", data_dir), teaching.count("M12a", data_dir))

# %%
check.exercise_2(answer_2)

# %% [markdown]
# ### Exercise: which peak did the announcement use?
#
# Round each fall to a whole percent (halves upwards) and compare with the announced fall. Answer with the claim id of the peak that fits (as a string), or `"both"` or `"neither"`.

# %% exercise={"answer": "peak_fit('M12b', 'M12a', 'M6', 'M7')", "hint": "round each of your two falls to a whole percent (halves upwards) and compare with M12b; answer with a string, e.g. \"both\".", "kind": "choice", "number": 3, "shape": "'M6', 'M7', 'both' or 'neither'"} tags=["exercise"]
answer_3 = None

# %% tags=["solution"]
from decimal import ROUND_HALF_UP, Decimal

after = teaching.count("M12a", data_dir)
published = Decimal(teaching.value("M12b", data_dir))
# Each fall rounded to a whole percent, halves upwards, as the published figure was.
rounded = {p: Decimal(str(teaching.percent_change(teaching.count(p, data_dir), after))).quantize(Decimal(1), ROUND_HALF_UP)
           for p in ("M6", "M7")}
for p, r in rounded.items():
    print(f"from the peak in {p}: a fall of {r}% once rounded")
fits = [p for p, r in rounded.items() if r == published]
answer_3 = fits[0] if len(fits) == 1 else ("both" if fits else "neither")

# %%
check.exercise_3(answer_3)

# %% [markdown]
# ### Exercise: and the later newspaper story?
#
# A later newspaper story gave another fall from the peak, to the count of a later review. Which peak fits it?

# %%
app.say(f"X19: a fall of {teaching.value('X19', data_dir)}% to {count(teaching.count('M16', data_dir))} (M16).")

# %% exercise={"answer": "peak_fit('X19', 'M16', 'M6', 'M7')", "hint": "compute the fall from each peak to M16 with teaching.percent_change and round it like X19; a string as before.", "kind": "choice", "number": 4, "shape": "'M6', 'M7', 'both' or 'neither'"} tags=["exercise"]
answer_4 = None

# %% tags=["solution"]
from decimal import ROUND_HALF_UP, Decimal

after = teaching.count("M16", data_dir)
published = Decimal(teaching.value("X19", data_dir))
# Each fall rounded to a whole percent, halves upwards, as the published figure was.
rounded = {p: Decimal(str(teaching.percent_change(teaching.count(p, data_dir), after))).quantize(Decimal(1), ROUND_HALF_UP)
           for p in ("M6", "M7")}
for p, r in rounded.items():
    print(f"from the peak in {p}: a fall of {r}% once rounded")
fits = [p for p, r in rounded.items() if r == published]
answer_4 = fits[0] if len(fits) == 1 else ("both" if fits else "neither")

# %%
check.exercise_4(answer_4)

# %% [markdown]
# ## A percentage that cannot be true
#
# A percentage of a list of people must come from a whole number of them. For a short list printed with decimals, many percentages cannot arise from any whole count: the GRIM idea (granularity-related inconsistency of means). The table shows, for percentages printed with a decimal place near the share of the youngest people on the Pima list, how many whole counts out of the list fit each.

# %%
n = teaching.count("P3", data_dir)
near = teaching.one_decimal_neighbours(teaching.value("PD2", data_dir))
app.table(teaching.fits_per_percentage(near, n), "teaching_l4_one_decimal_fits",
          "whole counts that fit one-decimal percentages of the Pima list (zero: impossible)")

# %% [markdown]
# ### Exercise: how many percentages with a decimal place are impossible for this list?
#
# Count the percentages printed with a decimal place, over the whole scale of percentages, that no whole count out of the Pima list can produce.

# %% exercise={"answer": "impossible_one_decimal('P3')", "hint": "for s in range(1001), str(decimal.Decimal(s).scaleb(-1)) is s tenths printed with its decimal place; count the percentages whose consistent_counts is empty.", "kind": "number", "number": 5, "shape": "a whole number"} tags=["exercise"]
answer_5 = None

# %% tags=["solution"]
from decimal import Decimal
answer_5 = sum(1 for s in range(1001) if len(consistent_counts(str(Decimal(s).scaleb(-1)), n)) == 0)

# %%
check.exercise_5(answer_5)

# %% [markdown]
# ## What to take away
#
# - When official figures for the same quantity disagree, find out which of them each later figure was computed from, and say so.
# - A percentage that no whole number of people can produce is a sign of a wrong base, a wrong rounding or a typing error: ask the publisher before repeating it.
# - Small lists printed with decimals are where impossible percentages hide.
#
# **Discussion.** The Mayor's office used different peaks in different years. Is that an error, a correction or a choice? How would you ask?
