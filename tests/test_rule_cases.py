"""Per-code YAML cases for the transcript rules (tests/rule_cases/<CODE>.yml), one test each."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from scriptcheck import Checker, Transcript
from scriptcheck.io.records import normalize_speaker

CASE_DIR = Path(__file__).parent / "rule_cases"


def _load():
    for path in sorted(CASE_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["rule"] == path.stem, f"{path.name} describes {data['rule']}"
        for case in data["cases"]:
            yield pytest.param(data["rule"], data.get("profile", "base"), case,
                               id=f"{data['rule']}-{case['name']}")


@lru_cache(maxsize=None)
def _checker(profile: str) -> Checker:
    return Checker.from_profile(profile)


def _turn(item) -> dict:
    if isinstance(item, dict):
        return {**item, "speaker": normalize_speaker(item["speaker"])}
    head, _, text = item.replace("：", ":", 1).partition(":")
    return {"speaker": normalize_speaker(head), "text": text.strip()}


@pytest.mark.parametrize(("rule", "profile", "case"), list(_load()))
def test_rule_case(rule: str, profile: str, case: dict) -> None:
    transcript = Transcript.model_validate({"id": case["name"], "turns": [_turn(t) for t in case["turns"]]})
    report = _checker(profile).score(transcript)
    fired = [f for f in report.findings if f.rule == rule]
    if case["fail"]:
        assert fired, f"{rule} did not fire; findings: {[(f.rule, f.text) for f in report.findings]}"
        if "count" in case:
            assert len(fired) == case["count"], [(f.turn, f.text) for f in fired]
        for f in fired:
            if f.start is not None:
                assert transcript.turns[f.turn].text[f.start:f.end] == f.text
    else:
        assert not fired, [(f.turn, f.text, f.message) for f in fired]


def test_every_transcript_rule_has_cases() -> None:
    from scriptcheck.ruledoc import transcript_rules

    have = {p.stem for p in CASE_DIR.glob("*.yml")}
    assert set(transcript_rules()) <= have, sorted(set(transcript_rules()) - have)
