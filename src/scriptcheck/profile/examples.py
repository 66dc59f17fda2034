"""Running a profile's inline example transcripts (they must pass or fail as declared)."""

from __future__ import annotations

from typing import NamedTuple

from scriptcheck.errors import ProfileError
from scriptcheck.models import Transcript, Turn, normalize_speaker
from scriptcheck.profile.schema import ProfileExample

__all__ = ["ExampleResult", "example_transcript", "run_examples"]


class ExampleResult(NamedTuple):
    """The outcome of one inline example."""

    profile: str
    name: str
    ok: bool
    detail: str


def example_transcript(example: ProfileExample, profile: str) -> Transcript:
    """Build the transcript of an example from its ``客服：…`` / ``客户：…`` lines."""
    turns = []
    for line in example.turns:
        head, sep, text = line.replace("：", ":", 1).partition(":")
        speaker = normalize_speaker(head) if sep else None
        if speaker is None:
            raise ProfileError(f"profile {profile}: example {example.name!r}: line {line!r} has no speaker prefix")
        turns.append(Turn(speaker=speaker, text=text.strip()))
    return Transcript(id=f"{profile}:{example.name}", turns=turns)


def run_examples(scorer) -> list[ExampleResult]:
    """Score every inline example of ``scorer.profile`` with ``scorer`` (a profile scorer) and
    compare with its expectation."""
    profile = scorer.profile
    results = []
    for example in profile.data.examples:
        report = scorer.score(example_transcript(example, profile.name))
        got = "pass" if report.passed else "fail"
        fired = {f.rule for f in report.findings}
        missing = [r for r in example.rules if r not in fired]
        problems = []
        if got != example.expect:
            problems.append(f"expected {example.expect}, got {got} (score {report.score:g}, "
                            f"findings {sorted(fired) or 'none'})")
        if missing:
            problems.append(f"expected rule(s) {missing} among findings {sorted(fired) or 'none'}")
        results.append(ExampleResult(profile.name, example.name, not problems, "; ".join(problems)))
    return results
