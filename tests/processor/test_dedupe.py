"""In-object duplicates on (symbol, trade_time), in order and out of order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from processor.dedupe import SeenQuotes


def test_repeats_are_found_in_and_out_of_order() -> None:
    seen = SeenQuotes()
    assert [seen.add("A", t) for t in (10, 20, 20, 15, 10, 15, 30)] == [
        True, True, False, True, False, False, True,
    ]  # fmt: skip
    assert seen.add("B", 10)


def test_far_apart_times_fall_back_to_the_stray_set() -> None:
    seen = SeenQuotes()
    assert seen.add("A", 1_000_000_000)
    assert seen.add("A", 4_000_000_000)
    assert not seen.add("A", 4_000_000_000)
    assert seen.add("A", 5)
    assert not seen.add("A", 5)


@given(st.lists(st.tuples(st.sampled_from("ABC"), st.integers(946_684_800, 4_102_444_800))))
def test_matches_a_plain_set(pairs: list[tuple[str, int]]) -> None:
    seen, reference = SeenQuotes(), set()
    for pair in pairs:
        assert seen.add(*pair) == (pair not in reference)
        reference.add(pair)
