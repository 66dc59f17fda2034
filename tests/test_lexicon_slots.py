"""Named slots in lexicon patterns: expansion, errors, and the loader hook."""

from __future__ import annotations

import re
import textwrap

import pytest

from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.loader import load_lexicon
from scriptcheck.lexicon.slots import SlotError, check_slots, expand_slots

SLOTS = {"you": "你|你们", "soft": "请|麻烦|劳驾", "ask": "{{soft}}你"}


def test_no_slot_is_unchanged():
    assert expand_slots("你怎么(还|又)不懂", SLOTS) == "你怎么(还|又)不懂"


def test_slot_is_wrapped_in_a_non_capturing_group():
    expanded = expand_slots("{{you}}自己看", SLOTS)
    assert expanded == "(?:你|你们)自己看"
    # the alternation stays inside the group: 你们自己看 matches, 你 alone does not
    assert re.fullmatch(expanded, "你们自己看")
    assert not re.fullmatch(expanded, "你")


def test_spaces_inside_braces_and_nested_slots():
    assert expand_slots("{{ ask }}稍等", SLOTS) == "(?:(?:请|麻烦|劳驾)你)稍等"


def test_unknown_slot_suggests_the_closest_name():
    with pytest.raises(SlotError) as info:
        expand_slots("{{yuo}}自己看", SLOTS)
    message = str(info.value)
    assert "{{yuo}}" in message and "did you mean {{you}}" in message
    assert isinstance(info.value, ValueError)


def test_unknown_slot_inside_a_slot_names_it():
    with pytest.raises(SlotError, match=r"in slot \{\{a\}\}"):
        expand_slots("{{a}}", {"a": "x{{nope}}"})


def test_cycle_is_reported_with_its_chain():
    with pytest.raises(SlotError, match="cycle: a -> b -> a"):
        expand_slots("{{a}}", {"a": "x{{b}}", "b": "y{{a}}"})
    with pytest.raises(SlotError, match="cycle"):
        check_slots({"a": "{{a}}"})


def test_check_slots_rejects_bad_names_and_regexes():
    with pytest.raises(SlotError, match="not an identifier"):
        check_slots({"1x": "a"})
    with pytest.raises(SlotError, match="invalid regex"):
        check_slots({"x": "(a"})
    check_slots(SLOTS)  # a good mapping passes


def _write(tmp_path, body: str):
    path = tmp_path / "lex.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


LEXICON = """\
    version: 1
    name: slotted
    kind: forbidden
    slots:
      you: 你|你们
      final: 吧|啊|$
    entries:
      - id: XS001
        name: look-yourself
        category: 态度生硬
        description: 让客户自己看
        patterns:
          - '{{you}}自己(去)?看{{final}}'
        specs:
          match: [你自己看吧, 您们自己看啊]
          no_match: [我帮您看一下, 我自己看过了]
"""


def test_loader_expands_slots(tmp_path):
    lexicon = load_lexicon(_write(tmp_path, LEXICON))
    assert lexicon.data.slots["you"] == "你|你们"


def test_loader_names_file_entry_and_slot(tmp_path):
    path = _write(tmp_path, LEXICON.replace("'{{you}}自己", "'{{yu}}自己"))
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    message = str(info.value)
    assert str(path) in message and "XS001" in message and "{{yu}}" in message and "{{you}}" in message


def test_loader_rejects_a_slot_cycle(tmp_path):
    path = _write(tmp_path, LEXICON.replace("final: 吧|啊|$", "final: 吧|{{final}}"))
    with pytest.raises(LexiconError, match="cycle"):
        load_lexicon(path)


# --- one budget on a file's patterns, slots expanded (hostile probe F17) ----------------------


def _many_entries(tmp_path, entries: int, slot: str = "(?:x0|x1|x2|x3|x4|x5|x6|x7|x8)") -> "Path":
    """A lexicon of ``entries`` entries, each with one pattern naming the same slot."""
    body = "".join(f"  - id: ZZ{k:03d}\n    name: r-{k}\n    category: x\n    description: t\n"
                   f"    patterns: ['你{{{{big}}}}{k}']\n" for k in range(1, entries + 1))
    path = tmp_path / "many.yaml"
    path.write_text(f"version: 1\nname: many\nkind: forbidden\nslots:\n  big: '{slot}'\nentries:\n{body}",
                    encoding="utf-8")
    return path


@pytest.fixture
def uncached(monkeypatch):
    """No lexicon cache: a file compiled under the real budget would come back from it."""
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", "off")


def test_patterns_past_the_lexicon_budget_are_refused_at_the_entry(tmp_path, monkeypatch, uncached):
    # 999 entries each naming a 2,500-alternative slot took 67 s to load cold: the patterns of one
    # file may expand to so many characters in all, counted before each is compiled.
    from scriptcheck.lexicon import compiled, slots

    path = _many_entries(tmp_path, 100)
    expanded = len(expand_slots("你{{big}}1", {"big": "(?:x0|x1|x2|x3|x4|x5|x6|x7|x8)"}))
    monkeypatch.setattr(slots, "MAX_LEXICON_EXPANDED", 10 * expanded + 5)  # the 11th pattern passes it
    compiled_patterns = []
    compile_pattern = compiled.compile_pattern
    monkeypatch.setattr(compiled, "compile_pattern", lambda *a, **k: compiled_patterns.append(a) or compile_pattern(*a, **k))
    with pytest.raises(LexiconError) as info:
        load_lexicon(path, verify=False)
    message = str(info.value)
    assert message == (f"{path}: entry ZZ011 (r-11): patterns[0]: the lexicon's patterns, slots expanded, "
                       f"pass {10 * expanded + 5:,} characters in all here (the limit for one lexicon file)")
    assert len(compiled_patterns) == 10  # the work stops where the budget does
    monkeypatch.setattr(slots, "MAX_LEXICON_EXPANDED", 100 * (expanded + 2))  # room for all 100
    assert len(load_lexicon(path, verify=False).match_entries) == 100


def test_mitigator_patterns_count_against_the_budget(tmp_path, monkeypatch, uncached):
    from scriptcheck.lexicon import slots

    path = _write(tmp_path, LEXICON.replace("entries:", "mitigators:\n      - {name: soft, scope: clause, "
                                                        "pattern: '{{you}}请{{final}}{{final}}'}\n    entries:"))
    assert load_lexicon(path, verify=False).match_entries
    # The slots (17 characters expanded) fit; the mitigator's pattern (27) does not.
    monkeypatch.setattr(slots, "MAX_LEXICON_EXPANDED", 17)
    with pytest.raises(LexiconError, match=r"lex\.yaml: mitigator soft: the lexicon's patterns, slots expanded, pass 17 "):
        load_lexicon(path, verify=False)


def test_slots_past_the_lexicon_budget_are_refused(tmp_path):
    # 1,000 slots each naming a 2,500-alternative slot (35 KB) took 28 s to check: each is compiled.
    big = "|".join(f"x{i}" for i in range(100))
    many = {"big": big, **{f"s{i}": f"{{{{big}}}}{i}" for i in range(50)}}
    check_slots(many, limit=60 * (len(big) + 10))
    with pytest.raises(SlotError, match=r"^slot \{\{s10\}\}: the lexicon's slots, each expanded, pass 4,500 "
                                        r"characters in all here \(the limit for one lexicon file\)$"):
        check_slots(many, limit=4500)  # big (393) and s0…s9 (398 each) fit: 4,373; s10 (399) does not


def test_slots_budget_reaches_the_loader(tmp_path, monkeypatch, uncached):
    from scriptcheck.lexicon import slots

    path = _write(tmp_path, LEXICON)
    monkeypatch.setattr(slots, "MAX_LEXICON_EXPANDED", 12)
    with pytest.raises(LexiconError, match=r"lex\.yaml: slots: .*slot \{\{final\}\}: the lexicon's slots, each expanded"):
        load_lexicon(path, verify=False)


def test_packaged_lexicons_are_well_within_the_budget():
    # The budget was set at about four times what the largest packaged lexicon uses.
    from scriptcheck.lexicon.loader import default_lexicon_names
    from scriptcheck.lexicon.slots import MAX_LEXICON_EXPANDED

    for name in default_lexicon_names():
        lexicon = load_lexicon(name, verify=False)
        model = lexicon.data
        patterns = [p for e in model.entries for p in e.patterns]
        patterns += [p for m in (*model.mitigators, *model.conditions) for p in (m.pattern, m.also) if p]
        total = sum(len(expand_slots(p, model.slots)) for p in patterns)
        slot_total = sum(len(expand_slots("{{" + s + "}}", model.slots)) for s in model.slots)
        assert total * 3 < MAX_LEXICON_EXPANDED and slot_total * 3 < MAX_LEXICON_EXPANDED, name
