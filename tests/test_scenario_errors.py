"""Bad scenario input gets a clear error naming file, line and field, with a fix; never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from detente.errors import InputError
from detente.scenario.loader import load_scenario
from tests.conftest import BASELINE, write_variant


def problems_of(path):
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    return caught.value.problems


def test_malformed_yaml_names_line(tmp_path):
    path = write_variant(tmp_path, "schema_version: 1\nactors: [\n  - broken\n")
    (problem,) = problems_of(path)
    assert problem.file == str(path) and problem.line is not None and "malformed YAML" in problem.message


def test_wrong_type_names_field_and_line(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nhorizon_weeks: many\n")
    (problem,) = problems_of(path)
    assert problem.field == "horizon_weeks" and problem.line == 2 and problem.file == str(path)


def test_negative_force_is_refused_with_hint(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nset:\n  forces.russia.manpower: -5\n")
    (problem,) = problems_of(path)
    assert problem.field.startswith("forces.russia.manpower") and problem.line == 3
    assert "negative" in problem.hint


def test_probability_above_one(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nset:\n  backers.europe.will: 1.4\n")
    (problem,) = problems_of(path)
    assert "backers.europe.will" in problem.field and "between 0 and 1" in problem.message
    assert "0.35" in problem.hint


def test_unknown_region_suggests_closest(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nregions:\n  odessa: {control: 0.1}\n")
    (problem,) = problems_of(path)
    assert problem.field == "regions.odessa" and problem.line == 3 and "'odesa'" in problem.hint


def test_unknown_backer_actor(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nset:\n  backers.europe.actor: europa\n")
    (problem,) = problems_of(path)
    assert problem.field == "backers.europe.actor" and "europe" in problem.hint


def test_unknown_field_suggests_name(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nhorizon_week: 10\n")
    (problem,) = problems_of(path)
    assert problem.field == "horizon_week" and "horizon_weeks" in problem.hint


def test_set_path_that_does_not_exist(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nset:\n  forces.russia.manpowr: 5\n")
    (problem,) = problems_of(path)
    assert problem.field == "forces.russia.manpowr" and problem.line == 3 and "'manpower'" in problem.hint
    path = write_variant(tmp_path, "extends: {baseline}\nset:\n  forcez.russia.manpower: 5\n")
    (problem,) = problems_of(path)
    assert "does not exist" in problem.message and "forces" in problem.hint


def test_extends_cycle(tmp_path):
    write_variant(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    write_variant(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    (problem,) = problems_of(tmp_path / "a.yaml")
    assert "cycle" in problem.message and problem.field == "extends"


def test_missing_file_and_missing_parent(tmp_path):
    (problem,) = problems_of(tmp_path / "nope.yaml")
    assert "no such file" in problem.message
    path = write_variant(tmp_path, "extends: basline.yaml\n")
    (problem,) = problems_of(path)
    assert problem.line == 1 and "does not exist" in problem.message


def test_binary_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\x00\xff\xfe garbage \x80")
    (problem,) = problems_of(path)
    assert "UTF-8" in problem.message or "NUL" in problem.message


def test_python_tags_are_never_constructed(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nname: !!python/object/apply:os.system ['true']\n")
    (problem,) = problems_of(path)
    assert "unsupported YAML value" in problem.message or "malformed" in problem.message


def test_cli_prints_error_without_traceback(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nset:\n  forces.ukraine.materiel: -1\n")
    done = subprocess.run([sys.executable, "-m", "detente.cli", "validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and f"{path}:3" in done.stderr and "forces.ukraine.materiel" in done.stderr


def test_variant_overrides_drop_the_parents_source(tmp_path):
    """A new number is not what the parent's citation supports: the override is unsourced until it names one."""
    path = write_variant(tmp_path, "extends: {baseline}\nname: v\nset:\n  forces.russia.manpower: 650000\n")
    loaded = load_scenario(path)
    manpower = loaded.scenario.forces["russia"].manpower
    assert manpower.value == 650000 and manpower.source is None and manpower.note is None
    assert loaded.scenario.variant_of == "baseline"
    assert loaded.located.where(("forces", "russia", "manpower", "value")) == (str(path), 4)


def test_validate_lists_unsourced_parameters(tmp_path):
    from detente.scenario.provenance import provenance_report

    path = write_variant(tmp_path, "extends: {baseline}\nname: v\nregions:\n  sumy: {control: 0.0, objective: 0.4}\n")
    report = provenance_report(path)
    fields = {item["field"] for item in report["unsourced"]}
    assert "regions.sumy.objective" in fields and "regions.sumy.control" in fields
    assert report["placeholders"], "the baseline's placeholders are listed"
    assert provenance_report(BASELINE)["unsourced"] == []


def test_alias_expansion_is_capped(tmp_path):
    """A 'billion laughs' of aliases is refused quickly, with the line, instead of expanding for ever."""
    lines, previous = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]"], "a"
    for level in "bcdefghi":
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = level
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    (problem,) = problems_of(path)
    assert "more than" in problem.message and problem.line is not None
