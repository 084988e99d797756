"""The results store: one embedded DuckDB file holding runs, their summaries and their provenance."""
