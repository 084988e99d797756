"""Every seed variant's premises hold: what each variant says it encodes, its runs show (one test per premise).

Premises are the encodings' tests (a bluffing US must not arm Ukraine; a counter-attack must retake ground);
conclusions are findings and are not tested here. Few runs: a premise that needs thousands of runs to show
is too weak an encoding.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from conftest import SCENARIOS
from detente.analysis.claims import judge_claims
from detente.scenario.loader import load_scenario

RUNS = 256
FILES = sorted(SCENARIOS.glob("seed*.yaml"))
PREMISES = [(f, i) for f in FILES for i, _ in enumerate(load_scenario(f).scenario.claims.premises)]


@lru_cache(maxsize=None)
def judged(path):
    return {v.claim: v for v in judge_claims([path], runs=RUNS, seed=11, decide=False).verdicts}


def test_every_seed_variant_states_premises_and_a_conclusion():
    assert len(FILES) == 13
    for f in FILES:
        claims = load_scenario(f).scenario.claims
        assert claims is not None and claims.premises and claims.conclusion, f.name


@pytest.mark.parametrize("path,index", PREMISES, ids=[f"{f.stem}-{i}" for f, i in PREMISES])
def test_premise_holds(path, index):
    premise = load_scenario(path).scenario.claims.premises[index]
    verdict = judged(path)[premise.claim]
    assert verdict.verdict == "holds", (f"{path.stem}: '{premise.claim}' ({premise.metric}) mean {verdict.mean:.4g} "
                                        f"[{verdict.p05:.4g}, {verdict.p95:.4g}]")
