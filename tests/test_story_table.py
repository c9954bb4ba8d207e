"""The story's table, reproduced by the default scenario over several base seeds."""

from __future__ import annotations

import pytest

from cache.reproduce import ROWS, reproduce


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_every_row_of_the_table_holds(seed: int) -> None:
    results = list(reproduce(seed))
    assert [r.row for r in results] == list(ROWS)
    failing = [f"{r.row.what}: {r.ours()}" for r in results if not r.holds]
    assert failing == []


def test_the_table_is_what_seed_1_prints() -> None:
    # The README shows seed 1; these are the figures it must show.
    by_what = {r.row.what: r.result for r in reproduce(1)}
    naive = by_what["naive-async, 100 runs"]
    assert naive.runs == 100 and 3 <= naive.failures <= 15
    assert naive.failed_runs == sorted(naive.failed_runs)
    assert by_what["versioned, 1000 runs"].detected > 0
