"""Analyses: the claims ledger, Operation Pima, the Gangs Matrix, the benchmark panel, list profiles, the synthetic list, lesson checks."""
