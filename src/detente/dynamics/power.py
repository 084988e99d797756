"""Ukraine's power deficit: what strikes on energy do downstream, in hours without power and in lost output.

`dynamics.strikes` moves Ukraine's working energy capacity E (a share of the pre-war capacity). Demand in
wartime is lower than before the war, and part of it is met by imports and small generation, so a deficit
appears only below the capacity ē that meets wartime demand at the peak; below it, the system operator
shares the shortfall out as rolling cuts (Ukrenergo's schedules of 2024). ē is pinned by the deficit d₀ the
scenario's start had, at the run's starting capacity E₀ (`forces.ukraine.energy`, drawn per run where it is
uncertain): ē = E₀ / (1 − d₀), so every run starts at d₀ whatever its E₀. Per week:
    d  = max(ē − E, 0) / ē  = max(1 − (1 − d₀) · E / E₀, 0)     the share of demand unmet (1 if E₀ = 0)
    H  = 168 · d                            hours without power this week, for the average consumer
    ΔP = − g · (d − d₀) · P_U               € bn of Ukraine's materiel output this week lost to the deficit
P_U Ukraine's materiel output this week (after energy, `strikes.output`), g the share of output lost per unit
of deficit above the start's, at which Ukraine's `production_per_week` was set (so the deficit of the start
changes nothing; more costs output, less, under an energy truce, adds it back). H is counted (civilian
hardship), nothing more: its effects on migration, morale and support are not modelled. ΔP is the
economy-wide channel (activity lost to outages, and with it the budget that buys domestic output);
`strikes.output`'s E^η (η a placeholder) stays the loss of the plants' own power.
Scenario keys (`economy.`): d₀ `power_deficit_at_start`, g `deficit_output_loss`; 0 by default (no deficit at
the start, no output lost to one: hours are still counted from the start's capacity), set in
scenarios/baseline.yaml:
- d₀ = 0.08: the NBU's deficit assumption for 2025 (Inflation Report, July 2024: more than 7% in 2024,
  about 8% in 2025, about 5% in 2026; imports from the EU cover part of the shortfall); with E₀ = 0.5 (the
  baseline's placeholder, "about half of pre-war generating capacity lost by early 2025") ē ≈ 0.54. For
  scale, Ukrenergo (summer 2024): 9 GW lost since March 2024, more than a third of pre-war capacity;
  Zelensky (11 June 2024): last winter's peak consumption was 18 GW, "half of that is gone";
- g = 0.05: the IMF cut its 2024 growth forecast from 3–4% to 2.5–3.5% (June 2024) on the strikes, with an
  average electricity deficit of about 10% in 2024: 0.5 points of output per 10 points of deficit. A
  growth revision for a year, read as a level effect, and GDP taken for defence output: a derived figure,
  with a prior.
The 168 hours assume the deficit is shared evenly over the week; in 2024 it bunched at the evening peak
(Kyiv up to 12 hours a day in June 2024, Ukrenergo), so H is an average, not the worst cuts.
Not modelled: Russia's side (refinery strikes: 14% of refining capacity out in March 2024, 17% in August
2024, Reuters; Russia banned gasoline exports and kept exporting crude, and no figure for the revenue lost
was found dated before the start), heat and water, repair financed by backers.
"""

from __future__ import annotations

import numba

from detente.dynamics.mechanism import Mechanism, Parameter, Reported

HOURS_PER_WEEK = 168.0


@numba.njit(cache=True, error_model="numpy")
def deficit(energy: float, energy_at_start: float, deficit_at_start: float) -> float:
    """d = max(1 − (1 − d₀) E / E₀, 0): the share of demand unmet, d₀ at the start's capacity E₀ (1 if E₀ = 0)."""
    if energy_at_start <= 0.0:
        return 1.0
    return max(1.0 - (1.0 - deficit_at_start) * energy / energy_at_start, 0.0)


@numba.njit(cache=True, error_model="numpy")
def deficit_week(energy: float, energy_at_start: float, deficit_at_start: float, output_loss: float,
                 output: float) -> tuple[float, float]:
    """(H, L): hours without power this week and the € bn of output `output` that the deficit above the
    start's costs (negative: the output a smaller deficit adds back)."""
    d = deficit(energy, energy_at_start, deficit_at_start)
    lost = output_loss * (d - deficit_at_start) * output if output_loss != 0.0 else 0.0
    return HOURS_PER_WEEK * d, lost


MECHANISM = Mechanism(
    name="power",
    summary="Ukraine's power deficit below the capacity wartime demand needs: hours without power, and the "
            "materiel output the deficit costs",
    reads={"energy": "N 2", "outage_hours": "N", "output_lost_to_outages": "N"},
    writes={"outage_hours": "N", "output_lost_to_outages": "N"},
    params=("forces.energy",),
    functions=(deficit, deficit_week),
    initial={"outage_hours": 0.0, "output_lost_to_outages": 0.0},
    # 0 by default: a scenario that does not set them has no deficit at its start and loses no output to one
    defines=(
        Parameter("economy.power_deficit_at_start", "Ukraine's power deficit (share of demand unmet) at the "
                  "start, at which its materiel output was set; capacity below the start's cuts more",
                  kind="probability"),
        Parameter("economy.deficit_output_loss", "share of Ukraine's materiel output lost per unit of power "
                  "deficit above the start's"),
    ),
    reporters=(
        Reported("outage_hours_ukraine", "quantity", "hours", "hours without power since the start for Ukraine's "
                 "average consumer, the deficit shared out evenly (dynamics.power)", "Ukrainian hours without power",
                 "outage_hours"),
        Reported("output_lost_to_outages_eur_bn", "quantity", "€ bn", "Ukrainian materiel output lost since the "
                 "start to a power deficit above the start's (negative: gained back as it shrinks)",
                 "Ukrainian output lost to outages", "output_lost_to_outages"),
    ),
)
