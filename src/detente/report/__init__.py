"""Seeing results: plotly figure builders and the self-contained HTML report."""
