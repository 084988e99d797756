"""Judge a historical scenario against the figures published for its period.

A target passes when the published value lies inside the simulated 10–90% interval and the median is
within the target's tolerance (25% by default) of it, which is the acceptance the project set itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.ensemble.runner import EnsembleResult


def _source_text(source: Any, references: dict[str, Any]) -> str:
    from detente.scenario.provenance import source_text

    return source_text(source, references)


def compare_with_published(result: EnsembleResult) -> list[dict[str, Any]]:
    """One row per target: published figure, simulated median and interval, verdict."""
    scenario = result.loaded.scenario
    if scenario.backtest is None:
        from detente.errors import InputError

        raise InputError.single(str(result.loaded.path), "has no `backtest:` section of published figures",
                                field="backtest", hint="add `backtest: {targets: {area_gained_km2: {value, source}}}`")
    rows = []
    horizon = scenario.horizon_weeks
    for metric, target in scenario.backtest.targets.items():
        week = target.week or horizon
        if week == horizon and metric in result.metrics:
            values = result.metrics[metric]
            p10, p50, p90 = (float(v) for v in np.quantile(values, [0.1, 0.5, 0.9]))
        elif metric in result.weekly and week < len(result.weekly[metric]["p50"]):
            stats = result.weekly[metric]
            p10, p50, p90 = (float(stats[k][week]) for k in ("p10", "p50", "p90"))
        else:
            from detente.errors import InputError

            raise InputError.single(str(result.loaded.path), f"backtest target '{metric}' is not a metric of the run",
                                    field=f"backtest.targets.{metric}",
                                    hint=f"metrics include {', '.join(sorted(result.weekly)[:8])}")
        gap = (p50 - target.value) / target.value if target.value else 0.0
        rows.append({"metric": metric, "week": week, "published": target.value, "p10": p10, "p50": p50, "p90": p90,
                     "relative_gap": gap, "tolerance": target.tolerance,
                     "passed": bool(p10 <= target.value <= p90 and abs(gap) <= target.tolerance),
                     "source": _source_text(target.source, scenario.references)})
    return rows
