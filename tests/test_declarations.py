"""What a mechanism's declaration generates: schema fields (`defines`), week-0 state (`initial`), reporters.

The conformance base (tests/conformance.py) checks each real mechanism's declaration against the state, schema and
registry; these cases check the generation itself on a made-up mechanism, including the sections no real
mechanism defines parameters in yet (per side, per backer) and the declarations refused."""

from __future__ import annotations

import math

import numpy as np
import pytest

from detente.dynamics.catalogue import MECHANISMS
from detente.dynamics.mechanism import Mechanism, Parameter, Reported, defined_in, draws_per_run, initial_values
from detente.scenario import schema
from detente.scenario.params import Param
from detente.world import model as war_model

MADE_UP = Mechanism(
    name="made_up", summary="a test's", reads={"stock": "N 2"}, writes={"stock": "N 2", "flow": "N"}, params=(),
    initial={"stock": 3.0, "flow": 0.0},
    defines=(Parameter("forces.made_up_rate", "per side", 0.5, "probability"),
             Parameter("backers.made_up_gift", "per backer", 2.0),
             Parameter("economy.made_up_scale", "one number", 1.0, "positive")),
    reporters=(Reported("made_up_flow", "quantity", "t", "flow so far", "flow", "flow"),
               Reported("made_up_stock_ukraine", "quantity", "t", "Ukraine's stock", "stock", "stock",
                        change=False, column=1)),
)


def test_defined_parameters_join_their_section_of_the_schema_with_kind_default_and_meaning() -> None:
    forces = schema.with_declared(schema.Forces, "forces", (MADE_UP,))
    backer = schema.with_declared(schema.Backer, "backers", (MADE_UP,))
    economy = schema.with_declared(schema.Economy, "economy", (MADE_UP,))
    assert forces.__name__ == "Forces" and list(forces.model_fields)[-1] == "made_up_rate"
    field = forces.model_fields["made_up_rate"]
    assert field.description == "per side" and field.default_factory().value == 0.5
    assert backer.model_fields["made_up_gift"].default_factory().value == 2.0
    assert "made_up_scale" in economy.model_fields and "made_up_scale" not in schema.Economy.model_fields
    # the kind is checked as for a hand-written field: a probability above 1, a zero where "positive"
    assert forces.model_validate(_valid_forces()).made_up_rate.value == 0.5
    assert economy.model_validate({**_valid_economy(), "made_up_scale": 3}).made_up_scale.value == 3
    with pytest.raises(Exception, match="probability"):
        forces.model_validate({**_valid_forces(), "made_up_rate": 1.5})
    with pytest.raises(Exception, match="more than zero"):
        economy.model_validate({**_valid_economy(), "made_up_scale": 0})
    assert [p.key for p in defined_in((MADE_UP,), "forces")] == ["forces.made_up_rate"]
    assert MADE_UP.params == ("forces.made_up_rate", "backers.made_up_gift", "economy.made_up_scale")
    assert MADE_UP.metrics == ("made_up_flow", "made_up_stock_ukraine")


def test_a_parameter_defined_twice_or_where_a_mechanism_may_not_define_one_is_refused() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        schema.with_declared(schema.Economy, "economy",
                             (Mechanism("x", "", {}, {}, (), defines=(Parameter("economy.strike_noise", "again"),)),))
    with pytest.raises(ValueError, match="defines parameters in"):
        Parameter("regions.made_up", "regions take their defaults from the map")
    with pytest.raises(ValueError, match="kind"):
        Parameter("economy.made_up", "", kind="any")
    with pytest.raises(ValueError, match="does not write"):
        Mechanism("x", "", {"stock": "N"}, {}, (), initial={"stock": 0.0})


def test_initial_values_have_the_declared_shapes_and_one_owner_each() -> None:
    out = initial_values((MADE_UP,), {"N": 4, "R": 7, "B": 2, "S": 3})
    assert out["stock"].shape == (4, 2) and np.all(out["stock"] == 3.0) and out["flow"].shape == (4,)
    with pytest.raises(ValueError, match="two mechanisms"):
        initial_values((MADE_UP, MADE_UP), {"N": 1})


def test_reporters_read_the_change_or_the_level_of_their_field() -> None:
    class State:
        def __init__(self, stock, flow):  # noqa: ANN001
            self.stock, self.flow = np.asarray(stock, float), np.asarray(flow, float)
    start, end = State([[1, 2], [3, 4]], [0, 1]), State([[5, 6], [7, 9]], [2, 4])
    flow, stock = MADE_UP.reporters
    np.testing.assert_array_equal(flow.value(start, end), [2, 3])
    np.testing.assert_array_equal(stock.value(start, end), [6, 9])


def test_the_real_mechanisms_reach_the_model_s_per_side_and_per_backer_fields() -> None:
    for p in defined_in(MECHANISMS, "forces"):
        assert p.key.split(".", 1)[1] in war_model.SIDE_FIELDS
    for p in defined_in(MECHANISMS, "backers"):
        assert p.key.split(".", 1)[1] in war_model.BACKER_FIELDS


def _valid_forces() -> dict:
    return {name: Param(value=1.0) for name, f in schema.Forces.model_fields.items() if f.is_required()}


def _valid_economy() -> dict:
    return {name: Param(value=0.1) for name, f in schema.Economy.model_fields.items() if f.is_required()}


def test_the_week_s_record_of_draws_is_as_wide_as_the_mechanisms_declare() -> None:
    """ground and battle per region, one strike shock and one tempo shock per side, one will shock per backer."""
    from conformance import compiled_model

    from detente.engine import noise_width
    model = compiled_model("baseline.yaml")
    R, B = model.n_regions, len(model.backer_ids)
    assert noise_width(model) == 2 * R + 2 + B + 2
    made_up = Mechanism("x", "", {}, {}, (), draws={"a": "R", "b": "2", "c": "B"})
    assert draws_per_run((made_up,), {"R": 5, "B": 3}) == 10


def test_a_field_may_start_from_a_per_side_parameter_it_declares() -> None:
    """`FromParameter`: the week-0 value read from the model's per-side parameter (one value per side or per
    run), through its transform; refused where the mechanism does not declare the parameter."""
    from detente.dynamics.mechanism import FromParameter

    starting = Mechanism("y", "", {}, {"level": "N 2"}, (), initial={"level": FromParameter("forces.start", np.log)},
                         defines=(Parameter("forces.start", "", default=1.0, kind="multiplier"),))
    out = initial_values((starting,), {"N": 3}, {"start": np.array([2.0, 1.0])})
    np.testing.assert_allclose(out["level"], np.tile([math.log(2.0), 0.0], (3, 1)))
    per_run = np.array([[1.0, 1.0], [4.0, 1.0], [0.5, 2.0]])
    np.testing.assert_allclose(initial_values((starting,), {"N": 3}, {"start": per_run})["level"], np.log(per_run))
    with pytest.raises(ValueError, match="does not declare"):
        Mechanism("z", "", {}, {"level": "N 2"}, (), initial={"level": FromParameter("forces.start")})
    with pytest.raises(ValueError, match="per-side"):
        FromParameter("combat.start")
