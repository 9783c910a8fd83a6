"""The loop generator: row expressions recorded as source, and the generated modules'
cache (written where configured, rewritten when the file differs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import indices, kernels


def test_row_expressions_are_recorded_as_source() -> None:
    sums = {s.stem: s for s in indices.unit_sums(indices.IndexOptions(), has_time=False)}

    assert kernels.row_source(sums["sab"].row, "all") == "(a * b)"
    assert kernels.row_source(sums["nbig"].row, "withinday") == "(abs(d) >= thr_withinday)"
    assert kernels.row_source(sums["syy"].row, None) == "(y * y)"
    assert kernels.row_source(lambda v: 2 ** (v.dt / v.md) - 1.5, "all") == (
        "((2.0 ** (dt / md_all)) - 1.5)"
    )
    assert kernels.row_source(lambda v: v.d == 0, "all") == "(d == 0.0)"


def test_a_row_expression_may_not_branch_on_its_values() -> None:
    with pytest.raises(TypeError, match="cannot branch"):
        kernels.row_source(lambda v: v.d if v.d > 0 else -v.d, "all")


def test_generated_modules_go_to_the_cache_and_a_changed_file_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WISEMIND_KERNEL_CACHE", str(tmp_path))
    text = '"""A generated module."""\nANSWER = 41 + 1\n'
    path = tmp_path / "wisemind_kernel_test_cache.py"
    path.write_text("ANSWER = 0\n")  # stale or tampered

    module = kernels._import("wisemind_kernel_test_cache", text)

    assert module.ANSWER == 42
    assert path.read_text() == text
