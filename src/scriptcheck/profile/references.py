"""Checks across files: what a profile's rules ask about must exist in the lexicons it uses."""

from __future__ import annotations

from typing import Iterable

from scriptcheck.profile.loader import Profile, unknown_name_error

__all__ = ["check_categories"]


def check_categories(profile: Profile, known: Iterable[str]) -> None:
    """Raise :class:`ProfileError` (file, line, name, closest known category) for the first
    phrase category a rule of ``profile`` asks about that no loaded lexicon defines: such a
    step or pair could never be satisfied, and would fail every transcript without a word."""
    known = frozenset(known)
    for rule in profile.data.rules:
        needs = rule.needs()
        for name in sorted(needs.agent | needs.customer | needs.windowed | rule.lazy_categories()):
            if name not in known:
                raise unknown_name_error(profile.where(rule.id, name), "category", name, known,
                                         f" in rule {rule.id} (not in the profile's lexicons)")
