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
