"""The `mitigated` allow-context: a taboo shape whose clause holds a softener, or whose sentence
holds an apology or an offer of help, is dropped — decided on clause boundaries and jieba word
boundaries, with the mitigators as data in the lexicon (issue 14)."""

from __future__ import annotations

import re
import textwrap

import pytest

from scriptcheck import Checker
from scriptcheck.errors import LexiconError
from scriptcheck.lexicon.loader import load_lexicon
from scriptcheck.match.contexts import Mitigation, is_mitigated
from scriptcheck.text.segment import Segmenter

LEXICON = textwrap.dedent("""\
    version: 1
    name: shapes
    kind: forbidden
    mitigators:
      - {name: softener, pattern: '请|麻烦'}
      - {name: offer, pattern: '我.{0,3}帮你(查|问)', scope: sentence, boundary: false}
    entries:
      - id: ZZ001
        name: dont-rush
        category: x
        description: 别催
        patterns: ['别(催|急)']
        options: {skip_contexts: [mitigated]}
      - id: ZZ002
        name: dont-rush-always
        category: x
        description: 别催 (no contexts)
        patterns: ['别催了']
    """)


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    path = tmp_path_factory.mktemp("lx") / "shapes.yaml"
    path.write_text(LEXICON, encoding="utf-8")
    return Checker([load_lexicon(path, verify=False)])


def _rules(checker, text):
    return [f.rule for f in checker.check(text)]


def test_bare_shape_is_flagged(checker):
    assert "ZZ001" in _rules(checker, "别催，等着")


def test_softener_in_the_same_clause_drops_it(checker):
    assert "ZZ001" not in _rules(checker, "麻烦您别急，等一下")


def test_softener_in_another_clause_does_not(checker):
    assert "ZZ001" in _rules(checker, "麻烦让一下，别催")
    assert "ZZ001" in _rules(checker, "麻烦让一下 别催")  # a pause (space) ends a clause too


def test_offer_reaches_the_whole_sentence_but_not_the_next(checker):
    assert "ZZ001" not in _rules(checker, "别急，我马上帮您查一下")
    assert "ZZ001" in _rules(checker, "别催。我帮您查过了，没有")


def test_entry_without_the_context_is_unaffected(checker):
    assert "ZZ002" in _rules(checker, "请别催了")


def test_softener_must_be_a_word():
    seg = Segmenter()
    softener = [Mitigation(re.compile("请"), False, True)]
    text = "申请别急"
    assert not is_mitigated(text, 2, 4, softener, seg.on_boundaries)
    assert is_mitigated("请别急", 1, 3, softener, seg.on_boundaries)


def test_mitigated_needs_mitigators(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(LEXICON.split("mitigators:")[0] + "entries:" + LEXICON.split("entries:")[1],
                    encoding="utf-8")
    with pytest.raises(LexiconError, match="mitigators"):
        load_lexicon(path, verify=False)


def test_default_lexicon_skeletons_and_their_polite_twins():
    from scriptcheck.lexicon.loader import DEFAULT_LEXICONS
    checker = Checker([load_lexicon(n, verify=False) for n in DEFAULT_LEXICONS])
    rude = ["那你当时干嘛不拍照留证", "再闹我就叫保安了", "你是不是没看短信啊", "别在这跟我吵"]
    polite = ["请问您当时为什么没有拍照呢？我帮您查一下物流记录", "您是不是没看到短信？我重新给您发一条",
              "这个不归我们管，不过我帮您转给物业，稍后回复您", "我们不会拉黑任何客户"]
    for text in rude:
        assert checker.check(text), text
    for text in polite:
        assert not checker.check(text), text
