"""Data files and data fields are untrusted: the lexicon and profile loaders refuse what would
hang or take over the tool, with the file and the reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from scriptcheck import LexiconError, ProfileError, load_lexicon, load_profile
from scriptcheck.lexicon.matcher import PhraseMatcher
from scriptcheck.resources import resolve
from tests.hostile import shared_phrase_lexicon

LEXICON = """version: 1
name: evil
kind: forbidden
entries:
  - id: XE901
    name: nested
    category: 喝斥
    description: 嵌套重复
    patterns: ['{pattern}']
    suggestion: 您好
    specs: {{match: [], no_match: []}}
"""

PROFILE = """version: 1
name: evil
rules:
  - id: PV901
    name: evil-number
    kind: privacy
    description: 号码
    pattern: '{pattern}'
"""


@pytest.mark.parametrize("pattern", ["你(.{1,29}){1,29}c", "你(a|a){1,40}$"])
def test_a_lexicon_pattern_that_could_backtrack_without_bound_is_refused(tmp_path, pattern) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(LEXICON.format(pattern=pattern), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"evil\.yaml: entry XE901 \(nested\): patterns\[0\]"):
        load_lexicon(path, verify=False)


def test_a_profile_privacy_pattern_that_could_backtrack_without_bound_is_refused(tmp_path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(PROFILE.format(pattern="(1|1){1,40}$"), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"evil\.yaml: rule PV901 .*pattern"):
        load_profile(path)


# Hostile probe F2: accepted by the old policy (a million ways per position, its limit), these
# cost ~1.3 ms a character of every turn searched (a 20 KB turn: 26 s; ten such lexicon entries
# in 400-character windows: over a minute on 110 KB).
@pytest.mark.parametrize("pattern, reason", [
    (".{0,99}.{0,99}.{0,99}#", "bounded repeats next to each other that can match the same characters: a run of "
                               "such characters splits between them in up to 10,000 ways"),
    (".{0,99}1.{0,99}1.{0,99}#", "may backtrack through more than"),
    # searched over whole turns: a tighter bound than a lexicon pattern's (68,921 ways)
    (".{0,40}1.{0,40}1.{0,40}#", "68,921 ways per position, more than the 20,000 allowed a pattern searched over "
                                 "whole turns"),
])
def test_a_profile_privacy_pattern_that_backtracks_polynomially_is_refused(tmp_path, pattern, reason) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(PROFILE.format(pattern=pattern), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"evil\.yaml: rule PV901 .*" + re.escape(reason)):
        load_profile(path)
    for field in ("not_after", "invalid_context"):  # the rule's other regexes run over the turn too
        path.write_text(PROFILE.format(pattern="1[0-9]{10}") + f"    {field}: '{pattern}'\n", encoding="utf-8")
        with pytest.raises(ProfileError, match=re.escape(reason)):
            load_profile(path)


def test_a_lexicon_pattern_that_backtracks_polynomially_is_refused(tmp_path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(LEXICON.format(pattern="你.{0,99}.{0,99}.{0,99}c"), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"evil\.yaml: entry XE901 \(nested\): patterns\[0\]: .*bounded repeats "
                                           r"next to each other"):
        load_lexicon(path, verify=False)
    # In a window around its anchor a pattern may cost more than one searched over whole turns…
    path.write_text(LEXICON.format(pattern="你.{0,40}1.{0,40}1.{0,40}c"), encoding="utf-8")
    assert load_lexicon(path, verify=False).match_entries
    # …but not as a mitigator, which is searched over whole clauses, sentences or turns.
    path.write_text(LEXICON.format(pattern="你好坏").replace(
        "entries:", "mitigators:\n  - name: wide\n    pattern: '.{0,40}1.{0,40}1.{0,40}好'\nentries:"), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"mitigator wide: .*more than the 20,000 allowed a pattern searched over "
                                           r"whole turns"):
        load_lexicon(path, verify=False)


# re's parser and compiler recurse once per group level: (((…))) a few hundred deep raised a bare
# RecursionError (a traceback from the CLI) before the policy could say anything.
DEEP = "(" * 2000 + "你" + ")" * 2000


@pytest.mark.parametrize("depth", [60, 300, 2000])
def test_a_lexicon_pattern_nested_too_deep_is_refused_with_the_reason(tmp_path, depth) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(LEXICON.format(pattern="(" * depth + "你好" + ")" * depth), encoding="utf-8")
    with pytest.raises(LexiconError, match=rf"evil\.yaml: entry XE901 \(nested\): patterns\[0\]: .*nests groups {depth} deep"):
        load_lexicon(path, verify=False)


@pytest.mark.parametrize("section, pattern, reason", [
    ("mitigators:\n  - name: deep\n    pattern: '{deep}'\n", "你好坏", r"mitigator deep: .*nests groups 2000 deep"),
    ("conditions:\n  - name: deep\n    pattern: '{deep}'\n", "你好坏", r"condition deep: .*nests groups 2000 deep"),
    ("slots:\n  deep: '{deep}'\n", "你{{deep}}", r"slot \{\{deep\}\}: the regex nests too deeply"),
])
def test_a_mitigator_condition_or_slot_nested_too_deep_is_refused(tmp_path, section, pattern, reason) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(LEXICON.format(pattern=pattern).replace("entries:", section.format(deep=DEEP) + "entries:"),
                    encoding="utf-8")
    with pytest.raises(LexiconError, match=reason):
        load_lexicon(path, verify=False)


def test_a_profile_privacy_pattern_nested_too_deep_is_refused(tmp_path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(PROFILE.format(pattern="(" * 2000 + "1" + ")" * 2000), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"evil\.yaml: rule PV901 .*nests groups 2000 deep"):
        load_profile(path)


def test_a_lexicon_alias_bomb_is_refused(tmp_path) -> None:
    bomb = "\n".join(["version: 1", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
                     + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
                        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
                        f"*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)])
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(LexiconError, match="alias"):
        load_lexicon(path)


def test_a_device_named_as_a_profile_is_refused_without_reading_it_whole() -> None:
    with pytest.raises(ProfileError, match="not a regular file"):
        load_profile("/dev/zero")  # no suffix, but a path: never read, a device never ends


def test_a_data_field_can_never_name_a_file() -> None:
    for ref in ("/dev/zero", "../etc/passwd", "x.yaml"):
        with pytest.raises(ProfileError):
            resolve("profile", ref, allow_paths=False)


def test_a_lexicon_whose_entries_share_a_phrase_is_refused_before_any_spec_is_checked(tmp_path, monkeypatch) -> None:
    # Every match spec of 600 entries sharing a phrase holds 600 candidates: checked one by one,
    # 1,200 texts x 600 (quadratic: 2,000 such entries took 34 s, 10,000 would take minutes).
    path = tmp_path / "shared.yaml"
    path.write_text(shared_phrase_lexicon(600), encoding="utf-8")
    checked = []
    monkeypatch.setattr(PhraseMatcher, "check", lambda self, text: checked.append(text) or [])
    with pytest.raises(LexiconError, match=r"shared\.yaml: its 2,400 spec texts hold 720,000 candidate hits .*\("
                                           r"600 phrases, pattern anchors and allowed phrases share the literal "
                                           r"'你自己看着办'"):
        load_lexicon(path)
    assert checked == []


def test_as_many_entries_with_phrases_of_their_own_load_and_keep_their_specs(tmp_path) -> None:
    # Two characters from two disjoint sets: no phrase is another's, and none doubles a character
    # (normalisation would collapse the run).
    first, second = "甲乙丙丁戊庚辛壬癸子丑寅卯辰巳午未申酉戌", "春夏秋冬东南西北金木水火土山川河湖海天地日月星云风雨雪霜雷电"
    path = tmp_path / "own.yaml"
    path.write_text(shared_phrase_lexicon(600, lambda i: "你自己看着办" + first[i // 30] + second[i % 30]),
                    encoding="utf-8")
    lexicon = load_lexicon(path)
    assert len(lexicon.entries) == 600


def test_a_step_reference_wording_is_bounded(tmp_path) -> None:
    """Fuzzy alignment costs the reference's length times the turn's: a profile with one
    20,000-character "wording" took minutes a transcript. Past 200 characters it is refused at load."""
    def profile(wording: str) -> Path:
        path = tmp_path / "steps.yaml"
        path.write_text("version: 1\nname: steps\nextends: hotline\nrules:\n"
                        "  - {id: RQ901, name: long-step, kind: step, description: d, categories: [greeting],\n"
                        f"     phrases: [{wording}], severity: warning, points: 10, suggestion: s}}\n",
                        encoding="utf-8")
        return path

    with pytest.raises(ProfileError, match=r"RQ901.*phrases.*200 characters"):
        load_profile(profile("您好" * 101))
    assert load_profile(profile("您好" * 100)).name == "steps"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60), st.integers(1, 8)), max_size=60))
def test_privacy_overlap_index_agrees_with_a_scan(spans) -> None:
    """The privacy rules' index of reported spans (a bisection per number: a scan of every span
    was quadratic, 83,000 numbers in one turn took 49 s) answers as the scan did."""
    from scriptcheck.rules.privacy import _Reported

    index, kept = _Reported(), []
    for turn, start, width in spans:
        end = start + width
        scanned = any(t == turn and s < end and start < e for t, s, e in kept)
        assert index.overlaps(turn, start, end) == scanned
        if not scanned:
            index.add(turn, start, end)
            kept.append((turn, start, end))
