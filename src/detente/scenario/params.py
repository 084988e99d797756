"""Building blocks of the scenario language: strict models, sourced numbers, and their range checks.

Every number is a `Param`: a plain number, or a mapping `{value, source, note, placeholder, spread, between}`.
`source` is a citation (free text or a key of `references`) or a seed quote `{seed: FILE, quote: "..."}`;
`spread` (relative lognormal s.d.) or `between: [lo, hi]` make the value uncertain, drawn once per run.
Other parts of the model (the bargaining table, decisions) build their scenario sections from these.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    """Base: unknown keys are errors (a typo must never be silently ignored); values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SeedQuote(Strict):
    """A passage of a source text that an assumption encodes (the text itself stays outside the project)."""

    seed: str = Field(description="file name of the source text, e.g. 002_8c4bb6579a762747.txt")
    quote: str = Field(min_length=8, description="the passage, quoted exactly (short)")


class Cited(Strict):
    """A citation with the day it was published, so a check can tell whether it was known at a scenario's start.

    `date` is the publication day; where only the month (or year) is known, its last day: the latest the source
    can be, so a look-ahead check never errs on the lenient side. A statement of what a value means in the model
    (an option's defining value) is no evidence and has no date: mark it `definitional: true`.
    """

    cite: str = Field(min_length=3)
    date: dt.date | None = None
    definitional: bool = Field(False, description="a definition of the model's own terms, not evidence")


Source = str | SeedQuote | Cited


class Prior(Strict):
    """What is believed about an uncertain parameter before the record is fitted (`detente calibrate`).

    `uniform` and `loguniform` spread belief evenly over `between` (on the value or its logarithm);
    `lognormal` centres it on the parameter's value with log-s.d. `sd`, truncated to `between`. `reason`
    says why these bounds: what is known of the quantity, and what would be absurd."""

    dist: Literal["uniform", "loguniform", "lognormal"]
    between: tuple[float, float]
    sd: float | None = Field(None, gt=0, le=3, description="log-s.d. of a lognormal prior around the value")
    reason: str = Field(min_length=8, description="why these bounds")

    @model_validator(mode="after")
    def _shape_ok(self) -> "Prior":
        lo, hi = self.between
        if not lo < hi:
            raise ValueError(f"prior bounds [{lo}, {hi}] must be increasing")
        if self.dist in ("loguniform", "lognormal") and lo <= 0:
            raise ValueError(f"a {self.dist} prior needs a positive lower bound (got {lo})")
        if self.dist == "lognormal" and self.sd is None:
            raise ValueError("a lognormal prior needs `sd` (its log-s.d.)")
        return self


class Param(Strict):
    """A number with its provenance and, optionally, its uncertainty across runs."""

    value: float
    source: Source | list[Source] | None = None
    note: str | None = None
    placeholder: bool = Field(False, description="true for an invented value awaiting a source")
    spread: float | None = Field(None, ge=0, le=3, description="relative s.d. of a per-run lognormal draw")
    between: tuple[float, float] | None = Field(None, description="per-run uniform draw on [lo, hi]")
    prior: Prior | None = Field(None, description="belief before calibration: distribution, bounds and reason")

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, raw: Any) -> Any:
        if isinstance(raw, bool):
            raise ValueError("expected a number, got true/false")
        if isinstance(raw, (int, float)):
            return {"value": raw}
        return raw

    @model_validator(mode="after")
    def _range_ok(self) -> "Param":
        if self.between is not None:
            lo, hi = self.between
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} lies outside between [{lo}, {hi}]")
        if self.spread and self.between:
            raise ValueError("give either spread or between, not both")
        if self.prior is not None:
            lo, hi = self.prior.between
            if not lo <= self.value <= hi:
                raise ValueError(f"value {self.value} lies outside its prior's bounds [{lo}, {hi}]")
        return self

    @property
    def sourced(self) -> bool:
        """Whether the value names where it comes from (and is not an admitted placeholder)."""
        return bool(self.source) and not self.placeholder

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value a per-run draw can take (for range checks), a posterior's draws
        (inside the prior's bounds) included."""
        if self.between:
            lo, hi = self.between
        elif self.spread:
            lo, hi = (0.0, float("inf")) if self.value >= 0 else (float("-inf"), 0.0)
        else:
            lo, hi = self.value, self.value
        if self.prior is not None:
            lo, hi = min(lo, self.prior.between[0]), max(hi, self.prior.between[1])
        return (lo, hi)


def _check(predicate, message: str):  # noqa: ANN001, ANN202
    def validate(param: Param) -> Param:
        lo, hi = param.bounds()
        if not (predicate(param.value) and predicate(lo) and (hi == float("inf") or predicate(hi))):
            raise ValueError(message)
        return param

    return AfterValidator(validate)


NonNegative = Annotated[Param, _check(lambda x: x >= 0, "must be zero or more")]
Positive = Annotated[Param, _check(lambda x: x > 0, "must be more than zero")]
Probability = Annotated[Param, _check(lambda x: 0 <= x <= 1, "must be a probability or share between 0 and 1")]
Multiplier = Annotated[Param, _check(lambda x: 0 < x <= 100, "must be a positive multiplier (0, 100]")]
