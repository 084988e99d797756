"""Mobilisation as a replacement ratio: a side's recruits answer to its permanent losses.

The pools (`forces`) take recruitment as a fixed number a week, r_s. That makes an army's size drift at a rate
the fighting does not touch: a side that loses more fights on with the same intake. Ukraine's record says
otherwise. Its army grew through 2023 to "a million-strong army" (Zelensky, 19 December 2023), while the
General Staff asked the same month to mobilise 450,000–500,000 more "regarding the deficit": the intake had
stopped keeping up with the losses. A force whose intake is a share ρ of what it loses for good shrinks, when
ρ < 1, faster the harder it fights; its line thins, the force ratio moves against it and the ground it loses
each week grows — the feedback that turns a straight path into an accelerating one.

    recruits_s = f_s · (r_s + ρ_s · χ_s · C_s)

with C_s this week's casualties, χ_s the share lost for good (`forces.permanent_loss_share`), ρ_s the
replacement ratio (`forces.replacement_ratio`, recruits per permanent loss) and f_s the dated policy multiplier
(`recruitment_factor`, the `recruitment.<side>` input: a mobilisation law, a general mobilisation). The
manpower update stays the pools' M' = M + recruits − χ C, so the net change is (ρ − 1) χ C + r. ρ = 0 (the
default) leaves every scenario that does not set it as it was. Where ρ is fitted (scenarios/war-2023.yaml,
Ukraine), r is 0: the intake is all answer to the losses.

Not modelled: a delay between a loss and its replacement (training takes weeks to months; the weekly answer
overstates how fast a side refills), a ceiling on the pool of men of age, demobilisation and rotation.
"""

from __future__ import annotations

import numba

from detente.dynamics.mechanism import Mechanism, Parameter


@numba.njit(cache=True, error_model="numpy")
def recruits(base: float, factor: float, replacement_ratio: float, permanent_share: float,
             casualties: float) -> float:
    """f · (r + ρ · χ · C): the week's recruits from the fixed intake r and the replacement of permanent losses."""
    return factor * (base + replacement_ratio * permanent_share * casualties)


MECHANISM = Mechanism(
    name="mobilisation",
    summary="recruits as a replacement ratio of each side's permanent losses, on top of its fixed intake",
    reads={"casualties": "N 2", "recruitment_factor": "N 2"},
    writes={},
    params=("forces.recruitment_per_week", "forces.permanent_loss_share"),
    functions=(recruits,),
    defines=(
        Parameter("forces.replacement_ratio", "recruits a side adds each week per soldier it lost for good that "
                  "week (χ × casualties), on top of recruitment_per_week; below 1 an army that fights harder "
                  "shrinks faster (0: none)"),
    ),
)
