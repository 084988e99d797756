"""Named random streams: a controller's numbers depend on its stream's name, never on which other controllers run.

The parent keeps its actors on their initial options all along (scripts), which the baseline declares to be
the status quo the war runs on without decisions; switching decisions off (`decisions: null`) must then
leave every war and table number exactly as it was. With streams numbered by position, the table moved to
another stream when the decisions controller went away, and its numbers (and through truces the war's)
changed."""

from __future__ import annotations

import numpy as np

from detente.ensemble import registry
from detente.ensemble.runner import simulate
from detente.ensemble.streams import BLOCK_RUNS, BlockContext, block_generator, stream_purpose
from tests.conftest import write_variant

INITIAL = {"russia": "limited_campaign", "united_states": "mediate", "ukraine": "hold_ground", "eu": "arm",
           "united_kingdom": "arm", "france": "arm"}
PARENT = "schema_version: 1\nextends: {baseline}\nname: parent\nhorizon_weeks: 40\ndecisions:\n  actors:\n" + "".join(
    f"    {actor}: {{policy: script, script: {{0: {option}}}}}\n" for actor, option in INITIAL.items())


def test_a_variant_without_decisions_draws_the_same_war_and_table_numbers(tmp_path):
    parent_path = write_variant(tmp_path, PARENT, "parent.yaml")
    child_path = tmp_path / "child.yaml"
    child_path.write_text(f"schema_version: 1\nextends: {parent_path}\nname: child\ndecisions: null\n")
    parent = simulate(parent_path, runs=1200, seed=11)  # two blocks
    child = simulate(child_path, runs=1200, seed=11)
    assert "escalation_peak" in parent.metrics and "escalation_peak" not in child.metrics
    compared = [m for m in child.metrics if registry.section(m) in ("war", "table")]
    assert len(compared) == len(child.metrics) and any(registry.section(m) == "table" for m in compared)
    assert any(np.ptp(child.metrics[m]) > 0 for m in compared if registry.section(m) == "table")
    for metric in compared:
        np.testing.assert_array_equal(parent.metrics[metric], child.metrics[metric], err_msg=metric)
    for series in child.weekly:
        np.testing.assert_array_equal(parent.weekly[series]["p50"], child.weekly[series]["p50"], err_msg=series)


def test_block_context_names_its_streams_and_its_place():
    first, second = BlockContext.of_block(5, 0, BLOCK_RUNS), BlockContext.of_block(5, 1, 300)
    assert first.keeps_row_logs and not second.keeps_row_logs and second.first_run == BLOCK_RUNS
    assert first.stream("table") is first.stream("table")  # one generator per name, shared
    expect = block_generator(5, 1, stream_purpose("table")).random(4)
    np.testing.assert_array_equal(second.stream("table").random(4), expect)
    assert stream_purpose("my_script") == stream_purpose("my_script") != stream_purpose("table")
    assert not np.array_equal(BlockContext.of_block(5, 0, 10).stream("decisions").random(3),
                              BlockContext.of_block(5, 0, 10).stream("table").random(3))
