"""The profile scorer: a profile's rules applied to transcripts, the findings scored into a report."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from scriptcheck.lexicon.loader import load_lexicons
from scriptcheck.lexicon.matcher import PhraseMatcher
from scriptcheck.models import Finding, Report, Transcript, make_report
from scriptcheck.profile.loader import Profile, load_profile
from scriptcheck.profile.references import check_categories
from scriptcheck.rules import Outcome, RuleBase, ScanPlan, TranscriptContext
from scriptcheck.scoring.points import score_findings

__all__ = ["ProfileScorer"]

# Every transcript is scored on these; the others (steps, timing) only where a rule applies.
_ALWAYS_SCORED = frozenset({"forbidden", "politeness", "privacy"})


def _finding_order(f: Finding) -> tuple:
    return (f.turn if f.turn is not None else -1, f.start or 0, f.rule)


class ProfileScorer:
    """Scores transcripts under one profile. Build it once (it plans the scan and owns a
    :class:`PhraseMatcher` over the profile's lexicons) and call :meth:`score` on as many
    transcripts as you like; it keeps no state between calls.

    >>> scorer = ProfileScorer.load("hotline")
    >>> scorer.profile.name
    'hotline'
    """

    def __init__(self, profile: Profile, matcher: PhraseMatcher) -> None:
        check_categories(profile, matcher.phrase_categories)
        self.profile = profile
        self.matcher = matcher
        self.plan = ScanPlan(profile.data.rules)
        # (rule, its applies() or None when it applies to every transcript, what it scores), in
        # the order the rules run: by stage, then as written (sorted() is stable). The loop in
        # score() runs for every transcript, and most kinds always apply.
        self._steps = tuple((rule, None if type(rule).applies is RuleBase.applies else rule.applies, rule.scores)
                            for rule in sorted(profile.data.rules, key=lambda rule: rule.stage))

    def __repr__(self) -> str:
        return f"ProfileScorer({self.profile.name!r}, {self.matcher!r})"

    @classmethod
    def load(cls, profile: str | Path | Profile, *, extra_lexicons: Iterable[str | Path] = (),
             verify: bool = True) -> "ProfileScorer":
        """A scorer for a profile (a packaged name such as ``"hotline"``, a file, or a loaded
        :class:`Profile`) over the profile's lexicons plus ``extra_lexicons``."""
        loaded = profile if isinstance(profile, Profile) else load_profile(profile)
        lexicons = load_lexicons([*loaded.lexicon_sources(), *extra_lexicons], verify=verify)
        return cls(loaded, PhraseMatcher(lexicons, tone="auto" if loaded.data.forbidden.tone else None))

    def prepare(self) -> "ProfileScorer":
        """Get ready to score many transcripts: the matcher's automata are built now instead
        of after the first transcripts (:meth:`PhraseMatcher.prepare`). Reports are the same
        either way; a large batch saves the lookups a short run is served by."""
        self.matcher.prepare()
        return self

    def score(self, transcript: Transcript) -> Report:
        """Apply every rule of the profile to ``transcript`` and score the findings."""
        ctx = TranscriptContext.build(transcript, self.matcher, self.plan)
        out = Outcome([f for turn in ctx.findings if turn for f in turn])
        scored = set(_ALWAYS_SCORED)
        for rule, applies, scores in self._steps:
            if applies is None or applies(ctx):
                rule.evaluate(ctx, out)
                if scores is not None:
                    scored.add(scores)
        findings = out.findings
        findings.sort(key=_finding_order)
        data = self.profile.data
        score = score_findings(data, findings, scored)
        return make_report({
            "id": transcript.id, "profile": data.name, "score": score.total, "passed": score.passed,
            "vetoed": score.vetoed, "dimensions": score.dimensions, "deductions": score.deductions,
            "findings": findings, "steps": out.steps, "metadata": dict(transcript.metadata),
        })
