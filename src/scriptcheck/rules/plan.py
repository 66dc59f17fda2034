"""The scan plan: which phrase categories each turn of a transcript is scanned for.

Built once per profile from what its rules say they need (:meth:`RuleBase.needs`): customer
turns are scanned for the cues the rules react to; an agent turn for the categories some rule
asks about anywhere, plus a step's categories only inside that step's window (a closing's 谢谢
in the third agent turn decides nothing). The transcript context asks the plan, and scans a
turn again only when a rule asks about more than the plan said.
"""

from __future__ import annotations

from typing import Iterable

from scriptcheck.rules.base import RuleBase

__all__ = ["ScanPlan"]

# Plans are kept per number of agent turns; long transcripts are rare, and not worth keeping.
_KEEP_PLANS_UP_TO = 256


class ScanPlan:
    """The categories each turn is scanned for, under one profile's rules."""

    def __init__(self, rules: Iterable[RuleBase]) -> None:
        customer: set[str] = set()
        anywhere: set[str] = set()
        windowed: list[tuple[slice, frozenset[str]]] = []
        for rule in rules:
            needs = rule.needs()
            customer.update(needs.customer)
            anywhere.update(needs.agent)
            if needs.window is not None and needs.windowed:
                windowed.append((needs.window, frozenset(needs.windowed)))
        self.customer = frozenset(customer)
        self.anywhere = frozenset(anywhere)
        self.windowed = tuple(windowed)
        self._plans: dict[int, list[frozenset[str]]] = {}

    def agent_categories(self, count: int) -> list[frozenset[str]]:
        """For a transcript of ``count`` agent turns, the categories to scan each one for."""
        plan = self._plans.get(count)
        if plan is None:
            wanted = [set(self.anywhere) for _ in range(count)]
            for turns, categories in self.windowed:  # the same slice the step rule looks in
                for position in range(count)[turns]:
                    wanted[position].update(categories)
            distinct: dict[frozenset[str], frozenset[str]] = {}  # equal sets as one object
            plan = [distinct.setdefault(key, key) for key in map(frozenset, wanted)]
            if count <= _KEEP_PLANS_UP_TO:
                self._plans[count] = plan
        return plan
