"""The line of control the table reads off the map: Russian-held area of the claimed oblasts over their area."""

from __future__ import annotations

import numpy as np

from detente.table.agenda import front_line


def test_line_is_a_share_of_the_claimed_area_and_beyond_counts_above_one():
    area = np.array([100.0, 300.0, 50.0])
    front_area = np.array([[100.0, 300.0, 50.0]])   # regions 0 and 1 claimed, region 2 "beyond"
    unit = np.array([400.0])
    control = np.array([[1.0, 1.0, 0.0], [0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    line = front_line(control, area, front_area, unit)[:, 0]
    assert np.allclose(line, [1.0, 0.5, 0.25, 1.125])


def test_issues_off_the_map_read_zero():
    line = front_line(np.ones((2, 3)), np.ones(3), np.zeros((2, 3)), np.zeros(2))
    assert np.all(line == 0.0)
