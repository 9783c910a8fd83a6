"""The shared sparkline drawing: gaps break the line, a lone day is a dot, scale and
position are those asked for."""

from __future__ import annotations

from core.sparklines import draw, runs


def test_a_missing_day_breaks_the_line_and_values_map_onto_the_scale() -> None:
    lines = runs([0, 5, None, 2, None, None], 5, width=110, pad=5, top=10, height=20)

    # x: 5 + index × 20; y: 0 → top + height = 30, 5 → top = 10, 2 → 30 − 8 = 22
    assert lines == [[(5.0, 30.0), (25.0, 10.0)], [(65.0, 22.0)]]


def test_no_values_and_a_single_day() -> None:
    assert runs([None, None], 5, width=100, pad=0, top=0, height=10) == []
    assert runs([3], 5, width=100, pad=4, top=0, height=10) == [[(4.0, 4.0)]]


def test_a_run_is_a_polyline_and_a_lone_day_a_dot() -> None:
    parts = draw([[(1.0, 2.0), (3.0, 4.0)], [(5.0, 6.0)]], "spark-x", 2)

    assert parts == [
        '<polyline class="spark-x" points="1.0,2.0 3.0,4.0"/>',
        '<circle class="spark-x" cx="5.0" cy="6.0" r="2"/>',
    ]
