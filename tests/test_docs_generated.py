"""The mechanism pages under docs/mechanisms/ are what tools/build_docs.py generates from the code today: a
docstring or declaration changed without rerunning it (or a generator that fails half-way) leaves them stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_docs", ROOT / "tools" / "build_docs.py")
build_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_docs)


@pytest.mark.parametrize("name", build_docs.MODULES)
def test_each_mechanism_page_is_current(name):
    page = ROOT / "docs" / "mechanisms" / f"{name.split('.')[-1]}.md"
    assert page.read_text() == build_docs.page(name), f"{page.name} is stale: run python tools/build_docs.py"
