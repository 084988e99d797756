"""Ensembles: many runs advanced together, reproducible per block of runs, summarised as they stream out."""
