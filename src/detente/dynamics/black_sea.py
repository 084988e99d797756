"""The Black Sea: Ukraine's seaborne exports, Russia's strikes on its ports and shipping, and what a deal changes.

The `black_sea` scope of `state.truce` (T = 1 while a Black Sea deal is in force) stops Russian strikes on
ports and shipping. Without a deal Ukraine exports through its own corridor (opened August 2023) at the level
it kept while its ports were struck; with one, ships sail and load without strikes and exports rise:
    e  = π_R · (1 − T)                          exposure of ports and shipping (π_R: Russia's strike multiplier)
    S  = k · e                                  strikes on ports this week (drones and missiles)
    X  = x_c · max(1 + u · (1 − e), 0)          seaborne exports, Mt this week
    ΔP = θ · v · (X − x_c) / 1,000              € bn of Ukrainian materiel output the change in revenue buys
x_c the corridor's weekly exports (under strikes at the corridor-era rate k: e = 1 gives X = x_c), u the rise
in exports once strikes stop (placeholder), v the value of a tonne exported (€, placeholder), θ the share of
export revenue that ends up as materiel (placeholder). ΔP is measured from the corridor's level because
Ukraine's `production_per_week` was set while the corridor ran: no deal and strikes as usual change nothing.
The Grain Initiative (July 2022 – July 2023, grain under inspection, ~0.64 Mt a week) exported less than the
corridor has since, so a deal here is the corridor without strikes, not a return to the Initiative's regime.
ΔP joins Ukraine's materiel output P_U (strikes) and so its materiel pool (forces); S is counted, nothing more.
Scenario keys (`economy.`): x_c `sea_exports_mt_per_week`, u `sea_deal_uplift`, k `port_strikes_per_week`, v
`sea_export_eur_per_t`, θ `sea_revenue_to_materiel`; 0 by default (no sea trade), set in scenarios/baseline.yaml:
- x_c = 1.26 Mt a week: about 55 Mt of cargo in the corridor's first 10 months (Ukraine's infrastructure
  ministry, June 2024); the Grain Initiative moved about 32.9 Mt from 1 Aug 2022 to 17 Jul 2023 (JCC figures,
  EU statement of 18 Jul 2023);
- k = 30 a week: more than 880 drones and 170 missiles at the ports (Ukrainian officials, March 2024), taken
  as counted from Russia's exit from the Initiative (17 Jul 2023), ~35 weeks: an assumption, with a prior;
- u = 0.25, v = €170 a tonne, θ = 0.1: placeholders, each with a prior and its reason.
Not modelled: who holds Odesa (exports do not depend on control of the coast), casualties and energy
damage from port strikes, Russia's own exports.
"""

from __future__ import annotations

import numba

from detente.dynamics.mechanism import Mechanism, Parameter, Reported


@numba.njit(cache=True, error_model="numpy")
def sea_week(strike_factor: float, deal: float, strikes_per_week: float, corridor_mt: float,
             uplift: float) -> tuple[float, float]:
    """(X, S): Mt exported by sea and strikes on ports this week, given Russia's strike multiplier π_R and the
    Black Sea truce T."""
    exposure = strike_factor * (1.0 - deal)
    return corridor_mt * max(1.0 + uplift * (1.0 - exposure), 0.0), strikes_per_week * exposure


@numba.njit(cache=True, error_model="numpy")
def revenue_output(exported_mt: float, corridor_mt: float, value_eur_per_t: float, to_materiel: float) -> float:
    """ΔP (€ bn this week): the materiel that the revenue of exports above (below) the corridor's level buys."""
    return to_materiel * value_eur_per_t * (exported_mt - corridor_mt) / 1e3


MECHANISM = Mechanism(
    name="black_sea",
    summary="Ukraine's seaborne exports, strikes on its ports, and the output their revenue buys; a Black Sea "
            "deal stops the strikes",
    reads={"truce": "N S", "strike_factor": "N 2", "exports": "N", "port_strikes": "N"},
    writes={"exports": "N", "port_strikes": "N"},
    params=(),
    functions=(sea_week, revenue_output),
    initial={"exports": 0.0, "port_strikes": 0.0},
    # 0 by default: a scenario that does not set them has no sea trade
    defines=(
        Parameter("economy.sea_exports_mt_per_week", "Ukraine's seaborne exports without a Black Sea deal, Mt per "
                  "week (its own corridor, ports struck)"),
        Parameter("economy.sea_deal_uplift", "relative rise in seaborne exports once ports and shipping are no "
                  "longer struck (a Black Sea deal)"),
        Parameter("economy.port_strikes_per_week", "Russian drones and missiles on Ukraine's ports and shipping "
                  "per week without a Black Sea deal"),
        Parameter("economy.sea_export_eur_per_t", "value of a tonne exported by sea, €"),
        Parameter("economy.sea_revenue_to_materiel", "share of export revenue that ends up as Ukrainian materiel "
                  "output", kind="probability"),
    ),
    reporters=(
        Reported("exports_mt", "quantity", "Mt", "Ukraine's seaborne exports since the start: its corridor, more "
                 "under a Black Sea deal (dynamics.black_sea)", "seaborne exports", "exports"),
        Reported("port_strikes", "count", "drones and missiles", "Russian strikes on Ukraine's ports and shipping "
                 "since the start; none while a Black Sea deal holds", "strikes on ports", "port_strikes"),
    ),
)
