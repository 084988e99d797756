"""Each war mechanism: its conformance (tests/conformance.py), cases worked out by hand, and its invariants.

Every class inherits `MechanismConformance`: the declaration checked against the state, the scenario and the
registry; each function compiled against itself uncompiled; the week compiled against the week uncompiled over
every state field; and the invariants below, over random states and over weeks from the baseline's start.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conformance import MechanismConformance, compiled_model, unit
from hypothesis import given
from hypothesis import strategies as st

from detente import kernel
from detente.dynamics import allocation, attrition, backers, black_sea, forces, occupation, power, strikes, territory
from detente.dynamics.scopes import BLACK_SEA, ENERGY, FRONT
from detente.engine import step
from detente.ensemble.metrics import final_metrics
from detente.world.model import initial_state, realise
from detente.world.state import RUSSIA, UKRAINE

P = np.zeros(1, kernel.PARAMS).view(np.recarray)[0]   # a PARAMS record to fill per case
BACKER = np.zeros(1, kernel.BACKER).view(np.recarray)[0]
REGION = np.ones(4, kernel.REGION).view(np.recarray)


def params(**values: float):  # noqa: ANN201
    record = np.zeros(1, kernel.PARAMS).view(np.recarray)
    for name, value in values.items():
        record[name] = value
    return record[0]


class TestAttrition(MechanismConformance):
    module = attrition

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert np.all(report.casualties >= 0)
        assert np.all(report.ground_km2[~report.front] == 0)   # ground moves only where there is a front

    def test_helmbold_loss_ratio_scales_as_force_ratio_power(self) -> None:
        """C_R / C_U ∝ (R / U)^(1 − 2w): doubling R multiplies the loss ratio by 2^(1 − 2w)."""
        p = params(helmbold_w=0.25, russian_loss_rate=0.01, ukrainian_loss_rate=0.01)
        lost_r1, lost_u1 = attrition.casualties(1000.0, 1000.0, 1.0, 1.0, 1.0, 1.0, p, 0.0)
        lost_r2, lost_u2 = attrition.casualties(2000.0, 1000.0, 1.0, 1.0, 1.0, 1.0, p, 0.0)
        assert (lost_r2 / lost_u2) / (lost_r1 / lost_u1) == pytest.approx(2 ** (1 - 2 * 0.25))
        assert lost_r1 == pytest.approx(0.01 * 1000.0)  # equal forces: a · U^w R^(1-w) = a · 1000

    def test_square_law_limit(self) -> None:
        """w = 1: each side's losses depend only on the enemy's numbers (aimed fire)."""
        p = params(helmbold_w=1.0, russian_loss_rate=0.01, ukrainian_loss_rate=0.01)
        for russia in (1000.0, 5000.0):
            assert attrition.casualties(russia, 800.0, 1.0, 1.0, 1.0, 1.0, p, 0.0)[0] == pytest.approx(8.0)
        assert attrition.casualties(0.0, 800.0, 1.0, 1.0, 1.0, 1.0, p, 0.0) == (0.0, 0.0)  # nobody to fight

    def test_equal_forces_cancel_and_direction_follows_power(self) -> None:
        """Both attacking with equal power: the pushes cancel; otherwise ground goes to the stronger side; a
        river barrier of 3 makes the 3:1 attacker realise only half its potential (ρ = 1) and cuts its gain."""
        p = params(ground_rate_km2=1.0, ratio_threshold=1.0, ratio_elasticity=2.0)

        def gain(russia: float, ukraine: float, barrier: float = 1.0) -> float:
            return attrition.ground_change(russia, ukraine, russia, ukraine, 1.0, barrier, 1.0, 1.0, p, 0.0)
        assert gain(1000.0, 1000.0) == 0.0
        assert gain(3000.0, 1000.0) == pytest.approx((3000 * 0.9 - 1000 * 0.1) / 1000)   # π(3) = 9/10 at ε = 2
        assert gain(1000.0, 3000.0) == pytest.approx(-gain(3000.0, 1000.0))
        river = gain(3000.0, 1000.0, barrier=3.0)
        assert river == pytest.approx((3000 * 0.5 - 1000 * 1 / 82) / 1000)
        assert 0 < river < gain(3000.0, 1000.0)

    def test_no_intent_no_advance(self) -> None:
        p = params(ground_rate_km2=1.0, ratio_threshold=1.0, ratio_elasticity=2.0)
        assert attrition.ground_change(5000.0, 100.0, 5000.0, 100.0, 1.0, 1.0, 0.0, 0.0, p, 0.0) == 0.0

    def test_dnipro_barrier_where_russia_must_cross(self) -> None:
        model = compiled_model("baseline.yaml")
        r = model.region_ids.index
        kherson = model.left_bank_share[r("kherson")]
        # Kherson: Russia holds exactly the left bank, so its next assault crosses the river
        assert attrition.river_barrier(kherson, True, False, kherson, 3.0) == 3.0
        assert attrition.river_barrier(0.5, True, False, math.nan, 3.0) == 1.0          # Donetsk: no river
        assert attrition.river_barrier(0.0, False, True, math.nan, 3.0) == 3.0          # reachable only across
        assert attrition.river_barrier(0.0, True, True, math.nan, 3.0) == 1.0

    def test_quality_follows_equipment_per_soldier(self) -> None:
        assert attrition.firepower_quality(10.0, 100.0, 10.0, 100.0, 1.5, 0.5) == pytest.approx(1.5)
        assert attrition.firepower_quality(40.0, 100.0, 10.0, 100.0, 1.0, 0.5) == pytest.approx(2.0)
        assert attrition.firepower_quality(0.0, 100.0, 10.0, 100.0, 1.0, 0.5) == pytest.approx(0.02 ** 0.5)


class TestTerritory(MechanismConformance):
    module = territory

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert unit(after.control)
        np.testing.assert_allclose((after.control - before.control) * model.area, report.ground_km2, atol=1e-6)
        fixed = ~model.contestable
        np.testing.assert_array_equal(after.control[:, fixed], before.control[:, fixed])

    @given(st.floats(0.0, 1.0), st.floats(-1e5, 1e5), st.floats(1.0, 1e5))
    def test_territory_is_conserved_and_shares_stay_in_unit_interval(self, control: float, gain: float,
                                                                     area: float) -> None:
        new, moved = territory.apply_ground(control, gain, area)
        assert 0.0 <= new <= 1.0
        assert (new - control) * area == pytest.approx(moved, abs=1e-6)
        assert new * area + (1 - new) * area == pytest.approx(area)


class TestAllocation(MechanismConformance):
    module = allocation

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert np.all(report.russia_line >= 0) and np.all(report.ukraine_line >= 0)
        assert np.all(report.russia_line[~report.front] == 0) and np.all(report.ukraine_line[~report.front] == 0)
        assert not report.front[before.truce[:, FRONT] == 1].any()          # a front-wide truce: no fronts
        assert not report.front[:, ~model.contestable].any()

    @given(st.floats(0, 1e6), st.floats(0, 1e6), st.lists(st.floats(0.0, 5.0), min_size=4, max_size=4),
           st.floats(0, 1), st.integers(1, 4))
    def test_allocation_conserves_troops(self, line_r: float, line_u: float, objective: list, tau: float,
                                         F: int) -> None:
        p = params(threat_matching=tau, holding_weight=0.1)
        objective = np.array([objective])
        fronts = np.arange(4)
        attack = sum(max(o, 0.1) for o in objective[0, :F])
        hold = float(F * 2)
        russia, ukraine = np.zeros((1, 4)), np.zeros((1, 4))
        totals = allocation.allocate(line_r, line_u, F, fronts, attack, hold, objective, np.zeros((1, 4)), 0, REGION,
                                     p, russia, ukraine)
        assert np.all(russia >= 0) and np.all(ukraine >= 0) and not russia[0, F:].any()
        assert russia.sum() == pytest.approx(line_r, rel=1e-9) and ukraine.sum() == pytest.approx(line_u, rel=1e-9)
        assert totals == pytest.approx((line_r, line_u))

    def test_supplied_ground_follows_chains_of_held_regions_from_home(self) -> None:
        model = compiled_model("baseline.yaml")
        ids = model.region_ids
        held = np.append(initial_control(model) > 0.5, False)

        def supplied(held: np.ndarray) -> np.ndarray:
            return allocation.supplied_ground(held, model.home, model.edges.adjacent, np.zeros(len(ids) + 1, bool))
        net = supplied(held)
        assert net[ids.index("luhansk")] and net[ids.index("donetsk")] and net[ids.index("crimea")]
        assert not net[ids.index("transnistria")]           # held, but cut off from Russia by Moldova and Ukraine
        assert not net[len(ids)]                             # the padding slot
        cut = held.copy()                                    # cut the land bridge: the south holds through Crimea
        cut[ids.index("donetsk")] = False
        after = supplied(cut)
        assert after[ids.index("zaporizhzhia")] and not after[ids.index("donetsk")]

    def test_reach_across_the_dnipro(self) -> None:
        model = compiled_model("baseline.yaml")
        r = model.region_ids.index
        control = initial_control(model)[None, :].copy()
        control[0, r("kherson")] = model.left_bank_share[r("kherson")]
        held = np.append(control[0] > 0.5, False)
        supplied = allocation.supplied_ground(held, model.home, model.edges.adjacent, np.zeros(held.size, bool))
        split = np.array(model.edges.split_edges, float).reshape(-1, 4)
        e = model.edges

        def reach(control: np.ndarray) -> tuple:
            return allocation.russian_reach(control, 0, supplied, e.land, e.across, e.adjacent, split, r("mykolaiv"))
        # Mykolaiv borders Kherson's right bank, which Russia does not hold: reachable only across the river
        assert reach(control) == (False, True)
        control[0, r("kherson")] = 0.95
        assert reach(control)[0]


def with_and_without_truce(scope: int, runs: int, weeks: int) -> dict:
    """The baseline's same runs and draws with a truce of `scope` out of force (0) and in force (1) throughout:
    per level the model, the starting state and the state after each week."""
    model = realise(compiled_model("baseline.yaml"), runs, np.random.default_rng(5))
    paths = {}
    for level in (0.0, 1.0):
        start = initial_state(model, runs)
        truce = start.truce.copy()
        truce[:, scope] = level
        state = start = start.replace(truce=truce)
        rng = np.random.default_rng(11)
        states = []
        for _ in range(weeks):
            state, _ = step(state, model, rng)
            states.append(state)
        paths[level] = model, start, states
    return paths


def initial_control(model) -> np.ndarray:  # noqa: ANN001
    return model.regions["control"]


class TestForces(MechanismConformance):
    module = forces

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert np.all(after.manpower >= 0) and np.all(after.materiel >= 0)
        np.testing.assert_allclose(after.casualties, before.casualties + report.casualties, rtol=1e-12)

    @given(st.floats(0, 1e6), st.floats(0, 1e5), st.floats(0, 1), st.floats(0, 1e6))
    def test_pools_never_negative(self, manpower: float, casualties: float, share: float, line: float) -> None:
        assert forces.manpower_after(manpower, 0.0, share, casualties) >= 0
        assert forces.materiel_after(manpower / 1e4, 0.0, 5.0, line) >= 0


class TestStrikes(MechanismConformance):
    module = strikes

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert unit(after.energy)
        truce = before.truce[:, ENERGY] == 1
        assert np.all(after.energy[truce] >= before.energy[truce])   # under a truce energy is only repaired

    def test_energy_truce_stops_damage_and_repair_continues(self) -> None:
        assert strikes.energy_after(0.8, 0.05, 0.5, 0.0, 0.0, 0.0, 0.0) < 0.8
        assert strikes.energy_after(0.8, 0.05, 0.5, 1.0, 0.1, 0.3, 2.0) == pytest.approx(0.8 + 0.1 * 0.2)

    def test_secondary_sanctions_cut_russian_output_only(self) -> None:
        kept = strikes.russian_output_kept(0.1, 0.15, 1.0)
        assert strikes.output(1.0, 1.0, 0.3, kept) == pytest.approx(0.75)
        assert strikes.output(1.0, 1.0, 0.3, 1.0) == 1.0
        assert strikes.output(0.5, 2.0, 0.3, 1.0) == pytest.approx(2.0 * 0.5 ** 0.3)


class TestBackers(MechanismConformance):
    module = backers

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert unit(after.backer_will)
        assert not (after.backer_active & ~before.backer_active).any()   # a backer that stopped stays stopped
        np.testing.assert_allclose(after.aid_delivered, before.aid_delivered + report.aid, rtol=1e-12)
        assert np.all(report.aid[~before.backer_active] == 0)

    def test_backer_below_threshold_stops_for_good(self) -> None:
        backer = np.zeros(1, kernel.BACKER).view(np.recarray)
        backer.aid_per_week, backer.will_erosion_per_week, backer.will_threshold = 0.1, 0.1, 0.3
        will, active = backers.update_will(backer[0], 0.31, True, 0.1, 0.0, 0.0)
        assert will == pytest.approx(0.31 - 0.1 * 0.31) and not active
        assert backers.aid_flow(backer[0], 0.9, 1.0, active) == 0.0
        assert backers.aid_flow(backer[0], 0.5, 2.0, True) == pytest.approx(0.1)


class TestOccupation(MechanismConformance):
    module = occupation

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert unit(after.partisans)
        assert np.all(after.partisans[after.control == 0] == 0)
        assert np.all(after.garrison >= 0)
        p = model.occupation["max_garrison_share"]
        assert np.all(after.garrison <= np.asarray(p) * before.manpower[:, RUSSIA] + 1e-9)

    def test_garrison_shortfall_lets_partisans_grow(self) -> None:
        p = params(garrison_per_1000_hostile=20.0, max_garrison_share=0.1, partisan_casualties_per_week=0.0)
        control, partisans = np.array([[1.0, 0.0]]), np.zeros((1, 2))
        garrison, coverage, level, losses = occupation.behind_the_line(
            control, partisans, 0, np.array([0, 1]), np.array([100.0, 100.0]), np.array([1e6, 1e6]), p, 100000.0)
        assert garrison == 10000.0 and coverage == pytest.approx(0.5) and level == 0.0 and losses == 0.0
        grown = occupation.partisans_after(0.0, 1.0, True, 0.9, 0.02, 0.05, coverage)
        assert grown > 0
        assert occupation.partisans_after(0.4, 0.0, True, 0.9, 0.02, 0.05, coverage) == 0.0
        assert occupation.partisans_after(0.4, 1.0, False, 0.9, 0.02, 0.05, 1.0) == pytest.approx(0.4 - 0.05 * 0.4)


class TestBlackSea(MechanismConformance):
    module = black_sea

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        shipped, struck = after.exports - before.exports, after.port_strikes - before.port_strikes
        assert np.all(shipped >= 0) and np.all(struck >= 0)
        deal = before.truce[:, BLACK_SEA] == 1
        assert np.all(struck[deal] == 0)                                 # a Black Sea deal stops the strikes
        economy = model.economy
        full = np.broadcast_to(np.asarray(economy["sea_exports_mt_per_week"], float)
                               * (1 + np.asarray(economy["sea_deal_uplift"], float)), deal.shape)
        np.testing.assert_allclose(shipped[deal], full[deal], rtol=1e-12)   # and ships sail at the deal's level

    def test_the_corridor_without_a_deal_and_more_with_one(self) -> None:
        """No deal, strikes as in 2023-24 (π = 1): the corridor's level and its strikes, and no revenue change;
        a deal: no strikes, exports × (1 + u), and the extra revenue's share as materiel."""
        assert black_sea.sea_week(1.0, 0.0, 30.0, 1.26, 0.25) == pytest.approx((1.26, 30.0))
        shipped, struck = black_sea.sea_week(1.0, 1.0, 30.0, 1.26, 0.25)
        assert shipped == pytest.approx(1.26 * 1.25) and struck == 0.0
        assert black_sea.revenue_output(1.26, 1.26, 170.0, 0.1) == 0.0
        assert black_sea.revenue_output(shipped, 1.26, 170.0, 0.1) == pytest.approx(0.1 * 170 * 0.315 / 1e3)
        doubled, twice = black_sea.sea_week(2.0, 0.0, 30.0, 1.26, 0.25)   # Russia doubles its strikes
        assert twice == 60.0 and doubled == pytest.approx(1.26 * 0.75)
        assert black_sea.sea_week(10.0, 0.0, 30.0, 1.26, 0.25)[0] == 0.0   # exports never negative

    def test_a_deal_raises_exports_and_stops_port_strikes_on_common_random_numbers(self) -> None:
        """The same runs, the same draws, a Black Sea deal in force or not for half a year: with it every run
        exports more and its ports are never struck, and Ukraine's materiel after the first week is higher."""
        ends = {deal: (final_metrics(model, start, weeks[-1]), weeks[0].materiel[:, 1])
                for deal, (model, start, weeks) in with_and_without_truce(BLACK_SEA, runs=30, weeks=26).items()}
        (without, first_without), (with_deal, first_with) = ends[0.0], ends[1.0]
        assert np.all(with_deal["exports_mt"] > without["exports_mt"])
        np.testing.assert_allclose(without["exports_mt"], 26 * 1.26, rtol=1e-9)
        assert np.all(with_deal["port_strikes"] == 0) and np.all(without["port_strikes"] == 26 * 30)
        assert np.all(first_with > first_without)


class TestPower(MechanismConformance):
    module = power

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        hours = after.outage_hours - before.outage_hours
        assert np.all(hours >= 0) and np.all(hours <= 168.0)
        start = np.broadcast_to(np.asarray(model.sides["energy"], float)[..., UKRAINE], hours.shape)
        d0 = np.broadcast_to(np.asarray(model.economy["power_deficit_at_start"], float), hours.shape)
        enough = after.energy[:, UKRAINE] * (1 - d0) >= start
        assert np.all(hours[enough] == 0)                       # no cuts while capacity meets demand
        lost = after.output_lost_to_outages - before.output_lost_to_outages
        assert np.all(np.isfinite(lost))
        off = np.broadcast_to(np.asarray(model.economy["deficit_output_loss"], float), lost.shape) == 0
        assert np.all(lost[off] == 0)

    def test_the_deficit_by_hand(self) -> None:
        """d₀ = 0.08 at E₀ = 0.5 (the baseline): at the start's capacity the NBU's 8% whatever E₀, and nothing
        lost; below it hours and output lost grow linearly; above ē = E₀/(1 − d₀) no cuts and, with g = 0.05,
        output gained back; no capacity at the start: all demand unmet."""
        for e0 in (0.5, 0.3, 0.75):
            hours, lost = power.deficit_week(e0, e0, 0.08, 0.05, 0.2)
            assert hours == pytest.approx(168 * 0.08) and lost == pytest.approx(0.0, abs=1e-15)
        hours, lost = power.deficit_week(0.3, 0.5, 0.08, 0.05, 0.2)
        d = 1 - 0.92 * 0.3 / 0.5
        assert d == pytest.approx((0.5 / 0.92 - 0.3) / (0.5 / 0.92))
        assert hours == pytest.approx(168 * d) and lost == pytest.approx(0.05 * (d - 0.08) * 0.2)
        assert power.deficit_week(0.9, 0.5, 0.08, 0.05, 0.2) == pytest.approx((0.0, -0.05 * 0.08 * 0.2))
        assert power.deficit_week(0.0, 0.5, 0.08, 0.05, 0.2)[0] == 168.0    # nothing working: no power at all
        assert power.deficit(0.2, 0.0, 0.0) == 1.0
        hours, lost = power.deficit_week(0.4, 0.5, 0.0, 0.0, 0.2)           # the defaults: hours, no output lost
        assert hours == pytest.approx(168 * 0.2) and lost == 0.0

    def test_an_energy_truce_ends_the_cuts_and_gives_output_back_on_common_random_numbers(self) -> None:
        """The same runs and draws for a year, an energy-strikes truce in force or not: under it capacity
        recovers above what demand needs, cuts stop and the output lost at the start comes back; without it
        Ukraine lives with about the NBU's deficit (~8%: some 13 hours a week without power)."""
        ends = {truce: final_metrics(model, start, weeks[-1])
                for truce, (model, start, weeks) in with_and_without_truce(ENERGY, runs=40, weeks=52).items()}
        war, calm = ends[0.0], ends[1.0]
        # (runs whose drawn repair outpaces the strikes climb out of the deficit even at war: equal there)
        assert np.all(calm["outage_hours_ukraine"] <= war["outage_hours_ukraine"])
        assert np.median(calm["outage_hours_ukraine"]) < 0.1 * np.median(war["outage_hours_ukraine"])
        assert 52 * 168 * 0.02 < np.median(war["outage_hours_ukraine"]) < 52 * 168 * 0.2
        assert np.all(calm["output_lost_to_outages_eur_bn"] < 0)              # gained back
