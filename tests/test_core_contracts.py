"""Contracts of the restructured core: the rule-kind registry, references checked across
files at load, the severity order, one resolver for names and paths, no global side effects."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from scriptcheck import Checker, PhraseMatcher, ProfileError, ProfileScorer, Severity, Transcript
from scriptcheck.profile.schema import ProfileFile
from scriptcheck.resources import resolve
from scriptcheck.rules import RULE_KINDS, kind_modules

PROFILE = """\
version: 1
name: tiny
lexicons: [forbidden, polite, cues]
rules:
  - id: RQ901
    name: greeting
    kind: step
    description: 开场问候
    categories: [{category}]
    window: {{first: 2}}
  - id: RQ902
    name: farewell
    kind: step
    description: 道别
    categories: [farewell]
  - id: RQ903
    name: greeting-first
    kind: order
    description: 先问候后道别
    steps: [{step}, farewell]
"""


def _write(tmp_path: Path, category: str = "greeting", step: str = "greeting") -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(PROFILE.format(category=category, step=step), encoding="utf-8")
    return path


def test_every_kind_module_registers_one_kind_and_the_schema_comes_from_the_registry() -> None:
    assert len(kind_modules()) == len(RULE_KINDS) >= 9
    assert {cls.__module__.rpartition(".")[2] for cls in RULE_KINDS.values()} == set(kind_modules())
    schema = ProfileFile.model_json_schema()
    mapping = schema["$defs"]["ProfileFile"]["properties"]["rules"]["items"]["discriminator"]["mapping"] \
        if "ProfileFile" in schema.get("$defs", {}) else schema["properties"]["rules"]["items"]["discriminator"]["mapping"]
    assert set(mapping) == set(RULE_KINDS)


def test_a_good_tiny_profile_loads_and_scores(tmp_path) -> None:
    scorer = ProfileScorer.load(_write(tmp_path))
    report = scorer.score(Transcript.model_validate(
        {"id": "t", "turns": [{"speaker": "agent", "text": "您好"}, {"speaker": "agent", "text": "再见"}]}))
    assert [s.satisfied for s in report.steps] == [True, True]


def test_unknown_category_fails_with_file_line_name_and_suggestion(tmp_path) -> None:
    path = _write(tmp_path, category="greting")
    with pytest.raises(ProfileError) as info:
        ProfileScorer.load(path)
    message = str(info.value)
    assert f"{path}:9:" in message  # the line of `categories: [greting]`
    assert "'greting'" in message and "did you mean 'greeting'?" in message


def test_unknown_step_in_order_fails_with_file_line_name_and_suggestion(tmp_path) -> None:
    path = _write(tmp_path, step="greetng")
    with pytest.raises(ProfileError) as info:
        Checker.from_profile(path)
    message = str(info.value)
    assert f"{path}:20:" in message and "unknown step 'greetng'" in message
    assert "did you mean 'greeting'?" in message


def test_unknown_category_in_an_inherited_rule_names_the_parent_file(tmp_path) -> None:
    parent = _write(tmp_path, category="greting")
    child = tmp_path / "child.yaml"
    child.write_text("version: 1\nname: child\nextends: tiny.yaml\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=f"^{parent}:9: unknown category 'greting'"):
        ProfileScorer.load(child)


def test_severities_are_fully_ordered() -> None:
    info, warning, error, critical = Severity.info, Severity.warning, Severity.error, Severity.critical
    assert max([critical, warning]) is critical and min([error, info]) is info
    assert sorted([error, info, critical, warning]) == [info, warning, error, critical]
    assert not info > error and info < error and error >= error and warning <= error
    assert critical > error > warning > info


def test_has_is_a_bool_and_hits_are_the_phrases(tmp_path) -> None:
    from scriptcheck.rules.context import TranscriptContext

    checker = Checker.from_profile("hotline")
    ctx = TranscriptContext.build(Transcript.model_validate(
        {"id": "t", "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]}), checker, checker.scorer.plan)
    assert ctx.has(0, {"greeting"}) is True and ctx.has(0, {"farewell"}) is False
    assert [h.text for h in ctx.hits(0, {"greeting"})] == ["您好"]


def test_cues_are_not_service_phrases() -> None:
    matcher = Checker.default()
    assert isinstance(matcher, PhraseMatcher)
    text = "我要投诉你们"
    assert matcher.find_phrases(text) == []
    assert [h.category for h in matcher.find_cues(text)] == ["complaint"]


def test_scoring_leaves_the_garbage_collector_alone() -> None:
    gc.unfreeze()
    before = gc.get_freeze_count()
    from scriptcheck.batch import score_transcripts

    list(score_transcripts([Transcript.model_validate(
        {"id": "t", "turns": [{"speaker": "agent", "text": "您好"}]})], "callback"))
    assert gc.get_freeze_count() == before == 0


def test_names_and_paths_resolve_by_one_rule(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hotline").mkdir()  # a folder named like a packaged profile changes nothing
    assert resolve("profile", "hotline").name == "hotline.yaml"
    assert resolve("profile", "mine.yaml") == Path("mine.yaml")
    assert resolve("lexicon", "sub/x.yml", relative_to=Path("/p")) == Path("/p/sub/x.yml")
    with pytest.raises(ProfileError, match="file path"):
        resolve("profile", "/etc/passwd", allow_paths=False)
    with pytest.raises(ProfileError, match="no profile named 'greting'"):
        resolve("profile", "greting", allow_paths=False)


def test_two_scorers_in_one_process_stay_independent() -> None:
    hotline, callback = ProfileScorer.load("hotline"), ProfileScorer.load("callback")
    t = Transcript.model_validate({"id": "t", "turns": [{"speaker": "agent", "text": "您好，再见"}]})
    assert hotline.score(t).profile == "hotline" and callback.score(t).profile == "callback"
    assert hotline.plan is not callback.plan
