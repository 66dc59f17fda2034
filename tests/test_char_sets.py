"""The characters of one regex item, for the regex policy's adjacent-repeats check: never fewer
than re matches (an overlap missed would let a polynomial pattern through), and exactly those
where case does not matter."""

from __future__ import annotations

import re

import pytest

try:
    import re._parser as _p
except ImportError:  # pragma: no cover
    import sre_parse as _p  # type: ignore[no-redef]

from scriptcheck.text.char_sets import item_intervals, most_shared

# Every character of the first planes' common blocks, and the ones case folding treats oddly.
_SAMPLE = [chr(c) for c in range(0x3100)] + ["\u212a", "\u017f", "\u0130", "\u0131", "\u1fbe", "\uff21", "你"]


def _members(pattern: str, fold: bool) -> set[str]:
    op, av = _p.parse(pattern).data[0]
    intervals = item_intervals(op, av, fold=fold)
    return {c for c in _SAMPLE if any(low <= ord(c) <= high for low, high in intervals)}


@pytest.mark.parametrize("pattern", [
    "a", "你", "[a-z]", "[^a]", "[^0-9a-f]", r"\d", r"\D", r"\w", r"\W", r"\s", r"[\s\d_]", r"[^\w]", "[k]",
    "[\u4e00-\u9fff]", ".",
])
@pytest.mark.parametrize("fold", [False, True])
def test_the_characters_are_those_re_matches(pattern, fold) -> None:
    regex = re.compile(pattern, (re.IGNORECASE if fold else 0) | re.DOTALL)
    matched = {c for c in _SAMPLE if regex.fullmatch(c)}
    members = _members(pattern, fold)
    assert matched <= members
    if not fold:
        assert members == matched


def test_most_shared_multiplies_the_counts_of_items_sharing_a_character() -> None:
    digits, letters, word = ([(48, 57)], [(97, 122)], [(48, 57), (65, 90), (95, 95), (97, 122)])
    assert most_shared([(10, digits), (20, letters)]) == 20          # nothing in common
    assert most_shared([(10, digits), (20, letters), (3, word)]) == 60
    assert most_shared([(10, digits), (20, None)]) == 200            # None: any character
