"""The loop generator: row expressions recorded as source, and the generated modules'
cache (written where configured, rewritten when the file differs), and the 512-bit
vectors on AVX-512."""

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


@pytest.mark.parametrize(
    ("host", "user", "expected"),
    [
        ("+sse2,+avx2,+avx512f,+avx512vl", None, "+sse2,+avx2,+avx512f,+avx512vl,-prefer-256-bit"),
        ("+sse2,+avx2,-avx512f", None, None),  # no AVX-512: Numba's own choice stands
        ("+sse2,+avx512f", "+sse2,-avx512f", "+sse2,-avx512f"),  # the user's setting stands
    ],
)
def test_wide_vectors_only_on_avx512_and_never_over_a_user_setting(
    host: str, user: str | None, expected: str | None
) -> None:
    from numba.core import codegen, config

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(config, "CPU_FEATURES", user)
        patch.setattr(config, "CPU_NAME", None)
        patch.setattr(codegen, "get_host_cpu_features", lambda: host)
        kernels.wide_vectors()
        features = config.CPU_FEATURES
    assert features == expected
