"""Scenario section `claims:`: the argument a seed variant encodes, as statements the ensemble can test.

A variant of a seed commentary encodes premises (what the commentator assumes: "a bluffing US delivers no
more aid than the baseline's") and arrives at the commentator's conclusion ("Russia gains more ground").
Both are stated on OUTCOME metrics of the registry, never on lever values, so that a premise tests that the
encoding does what it says (an unset lever that silently re-arms Ukraine breaks it), and a conclusion is a
finding the model is free to contradict. `detente claims` judges them (analysis/claims.py).

Each claim names a metric, a direction and, where the seed gives one, a size:
- against `parent` (default): the per-run difference variant − parent on common random numbers;
  `higher`/`lower` need the 90% interval of its mean beyond ±size (0 by default); `no_higher`/`no_lower`
  need the interval not beyond +size/−size (a premise that the variant leaves something alone);
- against `level`: the variant's own per-run value against the number `size` ("Russia's belief that the
  US bluffs stays above 0.5": belief/us_escalates lower than 0.5).

Claims are the file's own: a variant that extends another does not inherit its claims (scenario.loader).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from detente.scenario.params import Source, Strict

DIRECTIONS = ("higher", "lower", "no_higher", "no_lower")


class Claim(Strict):
    """One statement about an outcome metric, with the passage it encodes."""

    claim: str = Field(min_length=3, description="the statement, in words")
    metric: str = Field(description="a metric of the registry (detente metrics), e.g. area_gained_km2")
    direction: Literal["higher", "lower", "no_higher", "no_lower"]
    size: float | None = Field(None, description="against parent: the smallest difference that counts (metric "
                                                 "units, ≥ 0); against level: the level compared with")
    against: Literal["parent", "level"] = "parent"
    source: Source | list[Source] = Field(description="the seed passage (or other source) the claim encodes")
    note: str | None = None

    @field_validator("metric")
    @classmethod
    def _declared(cls, name: str) -> str:
        from detente.ensemble.registry import find

        if find(name) is None:
            raise ValueError(f"metric '{name}' is not declared in the registry (see `detente metrics`)")
        return name

    @model_validator(mode="after")
    def _size_fits(self) -> "Claim":
        if self.against == "level" and self.size is None:
            raise ValueError("a claim against a level needs `size:` (the level)")
        if self.against == "parent" and self.size is not None and self.size < 0:
            raise ValueError(f"size {self.size} must be ≥ 0 (the direction gives the sign)")
        return self


class Claims(Strict):
    """A variant's argument: at least one premise (tested: must hold) and one conclusion (a finding)."""

    premises: list[Claim] = Field(min_length=1)
    conclusion: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _conclusion_directed(self) -> "Claims":
        for c in self.conclusion:
            if c.direction not in ("higher", "lower"):
                raise ValueError(f"conclusion '{c.claim}': direction must be higher or lower (a conclusion says "
                                 "which way an outcome moves, so that it can be supported or contradicted)")
        return self
