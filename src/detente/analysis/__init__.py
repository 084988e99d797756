"""Analysis of ensembles: backtests against history, comparisons of variants, sensitivity."""
