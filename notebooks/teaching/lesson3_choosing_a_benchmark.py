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
#     - explain that over-representation is always relative to a benchmark, and that
#       the choice changes the number
#     - compute an age-matched benchmark from census tables (the age band is read from
#       claim A1)
#     - recognise a police-generated benchmark (BM9, and the same figure described three
#       ways in BM9, BM9b and BM9c) and say why it is not neutral
#     - present a panel of benchmarks instead of a single number
#     minutes: 50
#     prerequisites: Lesson two (the share ratio).
#     timing: all Londoners (10 min); young Londoners and the chart (15 min); the police's
#       own figure (15 min); discussion (10 min)
# ---

# %% [markdown]
# # Choosing a benchmark
#
# *A lesson of the teaching pack on London police lists.*
#
# Over-representation is always *relative to something*. Amnesty International compared the Black share of the Met's Gangs Violence Matrix with the Black share of Londoners and with the Black share of people the police recorded as responsible for serious youth violence. The choice of that something, the benchmark, changes the story. This lesson computes the same ratio against several benchmarks.

# %% tags=["parameters"]
# Parameters: papermill overrides these. The build renders role="student" and role="instructor".
data_dir: str = "data"  # folder holding datapackage.json; relative paths start at the project root (installed from the classroom wheel: at the notebook's folder, and "data" is the copy inside the package)
output_dir: str = "outputs"  # tables/ and figures/ are written here
role: str = "student"  # student (exercises blank) or instructor (solutions shown and checked)

# %%
# Check every parameter before anything runs; a bad value stops here with its reason.
from police_lists.pipeline import params

params.check("lesson3_choosing_a_benchmark", globals())

import pandas as pd
import matplotlib.pyplot as plt
from police_lists.readers import census
from police_lists.methods import stats
from police_lists.analyses import teaching
from police_lists.present.appendix import count, num, pct, span, start_lesson
from police_lists.methods.rounding import consistent_counts

LESSON = "lesson3_choosing_a_benchmark"
check, app = start_lesson(LESSON, role, data_dir, output_dir)  # check.exercise_N(answer_N) says right or wrong

# %%
app.table(teaching.claims_table(["M8", "E5", "A1", "PD4", "BM9"], data_dir), "teaching_l3_claims",
          "the published figures this lesson uses")
matrix_share = teaching.share("E5", data_dir)
young_from, young_to = teaching.ages_in("A1", data_dir)
app.say(f"Amnesty's data: {teaching.value('E5', data_dir)}% of the {count(teaching.count('M8', data_dir))} people on the "
        f"Matrix were Black (E5, M8), and {teaching.value('A1', data_dir)}% were aged {young_from} to {young_to} (A1).")

# %% [markdown]
# ## Benchmark A: all Londoners
#
# The census counts everyone living in London. `census.group_count(year, area)` returns the number of Black residents and the number of all residents.

# %%
black_all, everyone = census.group_count(2021, census.LONDON, data_dir=data_dir)
share_all = black_all / everyone
app.say(f"2021 Census, London, all ages: {count(black_all)} Black residents of {count(everyone)}, "
        f"a share of {pct(share_all, 2)}.")

# %% [markdown]
# ## Benchmark B: young Londoners
#
# The people on the Matrix were mostly young, and London's Black population is younger than London as a whole. The chart shows the Black share at each age.

# %%
by_age = teaching.black_share_by_age_2021(data_dir)
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(by_age["age"], by_age["black_share"], color="#1f4e79")
ax.axhline(share_all, color="grey", lw=0.8, ls="--", label="all ages")
ax.axvspan(young_from, young_to, color="#f2c14e", alpha=0.3, label=f"ages {young_from} to {young_to} (A1)")
ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
ax.set_xlabel("age (2021 Census, London)"); ax.set_ylabel("Black share"); ax.legend(fontsize=8)
app.figure(fig, "teaching_l3_black_share_by_age", "Black share of Londoners at each single year of age, 2021 Census")

# %% [markdown]
# ### Exercise: the Black share of young Londoners
#
# Compute the Black share of Londoners in the age band of Amnesty's age claim.

# %% exercise={"answer": "census_share_in_ages('A1')", "hint": "census.group_count(2021, census.LONDON, \"Black\", young_from, young_to, data_dir=data_dir) returns (Black residents, all residents) of those ages; divide them.", "kind": "number", "number": 1, "shape": "a share between 0 and 1", "tolerance": 0.0005} tags=["exercise"]
answer_1 = None

# %% tags=["solution"]
black_young, all_young = census.group_count(2021, census.LONDON, "Black", young_from, young_to, data_dir=data_dir)
answer_1 = black_young / all_young

# %%
check.exercise_1(answer_1)

# %% [markdown]
# ### Exercise: the share ratio against all Londoners

# %% exercise={"answer": "ratio_to_census('E5')", "hint": "list share / benchmark share: matrix_share (the list) and share_all (the benchmark) are defined above.", "kind": "number", "number": 2, "shape": "a number", "tolerance": 0.01} tags=["exercise"]
answer_2 = None

# %% tags=["solution"]
answer_2 = matrix_share / share_all

# %%
check.exercise_2(answer_2)

# %% [markdown]
# ### Exercise: the share ratio against young Londoners

# %% exercise={"answer": "ratio_to_census_in_ages('E5', 'A1')", "hint": "the same division, with your answer to the first exercise as the benchmark.", "kind": "number", "number": 3, "shape": "a number", "tolerance": 0.01} tags=["exercise"]
answer_3 = None

# %% tags=["solution"]
answer_3 = matrix_share / answer_1

# %%
check.exercise_3(answer_3)

# %% [markdown]
# ## Benchmark C: people recorded as responsible for serious youth violence
#
# Amnesty also set the Matrix against the Met's own figure for the Black share of people responsible for serious youth violence. The same Met figure was later described as the share of people *prosecuted* and of people *convicted*: different groups of people.

# %% [markdown]
# ### Exercise: the share ratio against the police's own figure

# %% exercise={"answer": "ratio('E5', 'BM9')", "hint": "read the police figure with teaching.share(\"BM9\", data_dir) and divide.", "kind": "number", "number": 4, "shape": "a number", "tolerance": 0.01} tags=["exercise"]
answer_4 = None

# %% tags=["solution"]
answer_4 = matrix_share / teaching.share("BM9", data_dir)

# %%
check.exercise_4(answer_4)

# %% [markdown]
# ### Exercise: what kind of benchmark is that?
#
# Why should a reporter flag the police figure as a benchmark? Answer with a letter:
#
# - **a**: it is based on too few people to be reliable
# - **b**: it is produced by policing itself: who is suspected, charged or recorded depends on police decisions, so any bias in policing is in the benchmark too
# - **c**: it describes a different city

# %% exercise={"answer": "choice('b')", "hint": "who decides which people are recorded as responsible for violence? Answer with a letter, e.g. \"a\".", "kind": "choice", "number": 5, "shape": "a letter"} tags=["exercise"]
answer_5 = None

# %% tags=["solution"]
# b: the benchmark is an output of the same policing whose fairness is in question.
answer_5 = "b"

# %%
check.exercise_5(answer_5)

# %% [markdown]
# ## What to take away
#
# - Never publish a single disproportionality number. Show a panel of benchmarks, each with its source, date and age range.
# - An age-matched benchmark usually shrinks the ratio; it does not make the disproportion disappear.
# - A benchmark made by the police is not neutral: flag it as police-generated.
#
# **Discussion.** Which benchmark would you lead with, and why? Who gains from each choice?
