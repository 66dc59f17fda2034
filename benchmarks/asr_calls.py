"""Privacy leaks and silences on ASR-style calls: found, missed, and charged falsely.

Scores the annotated calls of ``benchmarks/data/asr_calls.jsonl`` (written by
``make_asr_calls.py``; each call carries ``expected.leaks`` and ``expected.silences``) under
their profile (``hotline-asr``) and prints, for privacy leaks (PV*) and silences (TM001): how
many were expected, found, missed, and reported where none was expected; then the other
speech-to-text phenomena (rude openers, complaints, inconsistent times) as counts.

    python benchmarks/asr_calls.py [FILE …] [--profile NAME] [--list]

A leak counts as found when a finding of its rule sits on its turn (an annotation may give a
``type`` — phone, id, card — instead of the rule, or just the turn); a silence when a TM001
finding sits on its turn (``"end"`` for the end of the call: the last turn). Any other PV or
TM001 finding is a false one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from scriptcheck import Transcript
from scriptcheck.batch import Scorer
from scriptcheck.errors import InputError
from scriptcheck.io.calls import AUTO, adapt_call
from scriptcheck.io.records import build_transcript

__all__ = ["evaluate", "main"]

DEFAULT = Path(__file__).resolve().parent / "data" / "asr_calls.jsonl"


def evaluate(calls: list[dict], profile: str | None = None, listing: bool = False) -> dict:
    """Score ``calls`` and count leaks and silences found, missed and false."""
    scorer = Scorer(profile, default_profile="hotline-asr")
    counts: Counter = Counter()
    problems = []
    for number, call in enumerate(calls, start=1):
        expected = next((call[k] for k in _ANNOTATION_KEYS if isinstance(call.get(k), dict)), {})
        data = {k: v for k, v in call.items() if k not in _ANNOTATION_KEYS and k != "phenomena"}
        transcript = _transcript(data, number)
        report = scorer.score(transcript)
        last = len(transcript.turns) - 1
        want_leaks = {_leak_key(x) for x in _first_list(expected, ("leaks", "privacy", "privacy_leaks"))}
        want_silences = {_silence_turn(x, last) for x in _first_list(expected, ("silences", "silence"))}
        # An annotation that names no rule is matched by any privacy finding on its turn.
        leaks = {(f.turn, f.rule if (f.turn, f.rule) in want_leaks or (f.turn, None) not in want_leaks else None)
                 for f in report.findings if f.rule.startswith("PV")}
        silences = {f.turn for f in report.findings if f.rule == "TM001"}
        counts["calls"] += 1
        counts["leaks expected"] += len(want_leaks)
        counts["leaks found"] += len(want_leaks & leaks)
        counts["leaks missed"] += len(want_leaks - leaks)
        counts["leaks false"] += len(leaks - want_leaks)
        counts["silences expected"] += len(want_silences)
        counts["silences found"] += len(want_silences & silences)
        counts["silences missed"] += len(want_silences - silences)
        counts["silences false"] += len(silences - want_silences)
        for f in report.findings:
            if f.rule in ("FB800", "FB801", "PR002", "TM004"):
                counts[f"{f.rule} findings"] += 1
        if listing and (want_leaks != leaks or want_silences != silences):
            problems.append((call["id"], sorted(want_leaks ^ leaks), sorted(want_silences ^ silences)))
    for ident, leak_diff, silence_diff in problems:
        print(f"  {ident}: leaks differ at {leak_diff}; silences differ at {silence_diff}")
    sys.stdout.flush()
    return dict(counts)


_ANNOTATION_KEYS = ("expected", "annotations", "labels", "gold")


def _first_list(expected: dict, keys: tuple[str, ...]) -> list:
    for key in keys:
        if isinstance(expected.get(key), list):
            return expected[key]
    return []


def _transcript(data: dict, number: int) -> Transcript:
    """The call as the readers take it: export field names (sentences, role, content,
    begin_time …) and, when the labels are not 坐席/客户/agent/customer, roles guessed."""
    try:
        return build_transcript(data, source="asr_calls", line=number)
    except InputError:
        return build_transcript(adapt_call(data, speaker_map={AUTO: "auto"}), source="asr_calls", line=number)


_KIND_RULES = {"phone": "PV001", "mobile": "PV001", "id": "PV002", "id-card": "PV002", "id_card": "PV002",
               "身份证": "PV002", "card": "PV003", "bank-card": "PV003", "bank_card": "PV003", "银行卡": "PV003",
               "手机号": "PV001"}


def _leak_key(item) -> tuple:
    """(turn, rule) of an annotated leak: ``{"turn", "rule"}``, or ``{"turn", "type"}`` with a
    kind (phone, id, card), or a bare turn number (any privacy rule)."""
    if isinstance(item, int):
        return item, None
    rule = item.get("rule") or _KIND_RULES.get(str(item.get("type") or item.get("kind") or "").lower())
    return item.get("turn"), rule


def _silence_turn(item, last: int) -> int:
    """The turn an annotated silence is charged on: a number, ``{"turn": n}``, or the end of
    the call (``"end"``, ``{"turn": null}`` or ``{"at": "end"}``: the last turn)."""
    if isinstance(item, int):
        return item
    if isinstance(item, dict) and isinstance(item.get("turn"), int) and item.get("at") != "end":
        return item["turn"]
    return last


def main() -> None:
    """Print the figures (exit 1 when a leak is missed or a silence is charged falsely)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=[str(DEFAULT)])
    parser.add_argument("--profile", default=None,
                        help="score under this profile (default: each call's own, else hotline-asr)")
    parser.add_argument("--list", action="store_true", help="list the calls where a figure differs")
    args = parser.parse_args()
    calls = [json.loads(line) for name in args.files
             for line in Path(name).read_text(encoding="utf-8").splitlines() if line.strip()]
    counts = evaluate(calls, args.profile, args.list)
    leaks_expected = counts.get("leaks expected", 0)
    silences_expected = counts.get("silences expected", 0)
    print(f"calls: {counts['calls']}")
    print(f"privacy leaks: expected {leaks_expected}, found {counts.get('leaks found', 0)}, "
          f"missed {counts.get('leaks missed', 0)}, false {counts.get('leaks false', 0)}"
          + (f"  (recall {counts.get('leaks found', 0) / leaks_expected:.1%})" if leaks_expected else ""))
    print(f"silences: expected {silences_expected}, found {counts.get('silences found', 0)}, "
          f"missed {counts.get('silences missed', 0)}, false {counts.get('silences false', 0)}")
    print("other: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k.endswith("findings")))
    sys.exit(1 if counts.get("leaks missed") or counts.get("silences false") else 0)


if __name__ == "__main__":
    main()
