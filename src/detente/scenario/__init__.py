"""Scenario files: YAML validated by pydantic, variants by `extends:`, every number with its source."""
