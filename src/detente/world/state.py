"""War state as plain arrays with a leading run axis: everything the engine advances week by week.

Side index 0 is Russia, 1 is Ukraine. Region order is that of `Geography.ids`; backer order that of the
scenario's `backers`. Nothing here knows how the state changes: that is the mechanisms' job.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

RUSSIA, UKRAINE = 0, 1


@dataclass(frozen=True)
class WarState:
    """One week's state of N runs."""

    week: int
    control: np.ndarray          # (N, R) share of each region's area under Russian control
    manpower: np.ndarray         # (N, 2) troops in the theatre
    materiel: np.ndarray         # (N, 2) € bn of equipment and munitions
    casualties: np.ndarray       # (N, 2) cumulative casualties (killed, wounded, missing)
    energy: np.ndarray           # (N, 2) share of pre-war energy capacity working
    backer_will: np.ndarray      # (N, B) political will of each backer in [0, 1]
    backer_active: np.ndarray    # (N, B) bool: the backer still gives (False once its will broke)
    aid_delivered: np.ndarray    # (N, B) cumulative € bn delivered
    partisans: np.ndarray        # (N, R) partisan activity in [0, 1]
    garrison: np.ndarray         # (N,) Russian troops tied down holding occupied hostile territory
    exports: np.ndarray          # (N,) cumulative Mt Ukraine exported by sea (dynamics.black_sea)
    port_strikes: np.ndarray     # (N,) cumulative Russian strikes on Ukraine's ports and shipping
    tempo: np.ndarray            # (N, 2) each side's latent log-tempo of offensive effort (dynamics.tempo)
    outage_hours: np.ndarray     # (N,) cumulative hours without power, Ukraine's average consumer (dynamics.power)
    output_lost_to_outages: np.ndarray  # (N,) cumulative € bn of Ukrainian output lost to the power deficit
    objective: np.ndarray        # (N, R) Russia's offensive priority per region (a decision lever)
    truce: np.ndarray            # (N, S) 1 where an agreement of scope s is in force (see dynamics.scopes)
    truce_violated: np.ndarray   # (N, S) 1 where an agreement of scope s in force is broken this week (the table)
    aid_factor: np.ndarray       # (N, B) policy multiplier on each backer's aid (a decision lever)
    strike_factor: np.ndarray    # (N, 2) policy multiplier on each side's long-range strikes
    recruitment_factor: np.ndarray  # (N, 2) policy multiplier on recruitment (e.g. a general mobilisation)
    line_factor: np.ndarray      # (N, 2) policy multiplier on the share of troops in the line
    counterattack: np.ndarray    # (N,) Ukraine's intent to retake ground wherever it can, in [0, 1]
    secondary_sanctions: np.ndarray  # (N,) 1 where secondary sanctions on Russian energy buyers are enforced
    foreign_troops: np.ndarray   # (N, R) third-country troops defending a region alongside Ukraine
    mediating: np.ndarray        # (N,) 1 while the mediator carries texts between the parties
    pressure_on_ukraine: np.ndarray  # (N,) how hard Ukraine's backers press it to concede, in [0, 1]

    @property
    def runs(self) -> int:
        """Number of runs N."""
        return self.control.shape[0]

    def replace(self, **changes: object) -> "WarState":
        """Return a copy with some arrays replaced (states are immutable). Called several times a week by the
        engine and every controller, so it copies the field table directly instead of going through
        `dataclasses.replace` (which re-validates every field by name)."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"WarState has no field(s) {', '.join(sorted(unknown))}")
        new = object.__new__(WarState)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    def take(self, index: np.ndarray) -> "WarState":
        """The sub-ensemble of the given runs (for one-at-a-time loops and batching)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return WarState(**{k: (v if k == "week" else v[index]) for k, v in values.items()})
