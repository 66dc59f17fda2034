"""AIML templates read with an XML parser (hostile probe F10): well-formed XML in any of its
spellings is read, a file that is not well-formed or holds a DTD is an input error at its line,
and every character of a reply keeps its source position."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scriptcheck.cli import cli
from scriptcheck.errors import InputError
from scriptcheck.templates.sources import parse_templates, read_templates

RUDE = "你怎么连这个也不懂"
HEAD = "<aiml><category><pattern>HI</pattern><template>"
TAIL = "</template></category></aiml>"
REFS = "".join(f"&#{ord(c)};" for c in RUDE)

# The probe's files (FINDINGS F10): each read nothing before; the column is where the reply's
# first character (or the reference that writes it) is in the source.
WELL_FORMED = {
    "space in the opening tag": ("<aiml><category><pattern>HI</pattern><template >" + RUDE + TAIL, 49),
    "space in the closing tag": (HEAD + RUDE + "</template ></category></aiml>", 48),
    "CDATA": (HEAD + f"<![CDATA[{RUDE}]]>" + TAIL, 57),
    "character references": (HEAD + REFS + TAIL, 48),
}


def _replies(text: str, name: str = "t.aiml"):
    return [(t.label, t.text) for t in parse_templates(name, text).templates]


@pytest.mark.parametrize("case", sorted(WELL_FORMED))
def test_well_formed_spellings_of_a_template_are_read(case) -> None:
    text, column = WELL_FORMED[case]
    (template,) = parse_templates("t.aiml", text).templates
    assert (template.label, template.text) == ("HI", RUDE)
    assert template.position(0) == (1, column)
    assert template.position(len(RUDE) - 1)[1] > column  # each character its own place


def test_reference_offsets_point_at_each_reference() -> None:
    (template,) = parse_templates("t.aiml", HEAD + "好&#20320;&amp;&#x1F600;😀" + TAIL).templates
    assert template.text == "好你&😀😀"
    assert [template.position(i)[1] for i in range(5)] == [48, 49, 57, 62, 71]


def test_the_probe_files_are_linted_and_the_malformed_one_exits_2(tmp_path) -> None:
    for i, (text, _) in enumerate(WELL_FORMED.values()):
        (tmp_path / f"e{i}.aiml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--isolated", str(tmp_path)])
    assert result.exit_code == 1, result.output
    fb006 = sorted(line.split(": ")[0].rsplit("/", 1)[-1] for line in result.output.splitlines() if "FB006" in line)
    assert fb006 == ["e0.aiml:1:49", "e1.aiml:1:48", "e2.aiml:1:57", "e3.aiml:1:48"]
    bad = tmp_path / "bad.aiml"
    bad.write_text(HEAD + "unclosed</category></aiml>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--isolated", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"scriptcheck: error: {bad}:1: invalid AIML, not well-formed XML: mismatched tag (column 58); "
        "<template> opened on line 1 is not closed"]


BOMB = """<?xml version="1.0"?>
<!DOCTYPE aiml [
  <!ENTITY a "哈哈哈哈哈哈哈哈哈哈">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<aiml><category><pattern>HI</pattern><template>&c;</template></category></aiml>
"""


@pytest.mark.parametrize("text, line", [
    (BOMB, 2),                                                                       # billion laughs
    ('<!DOCTYPE aiml [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<aiml><category><pattern>HI</pattern>'
     "<template>&x;</template></category></aiml>", 1),                             # external entity
    ('<!DOCTYPE aiml SYSTEM "http://example.invalid/aiml.dtd">\n' + HEAD + "x" + TAIL, 1),  # external DTD
])
def test_dtds_and_entities_are_refused_before_anything_expands(text, line) -> None:
    with pytest.raises(InputError) as caught:
        parse_templates("t.aiml", text)
    assert str(caught.value) == (f"t.aiml:{line}: invalid AIML: a <!DOCTYPE> (DTD) is refused: its entities "
                                 "could expand to gigabytes or read other files")


@pytest.mark.parametrize("text, message", [
    ("\n" + HEAD + "您好&nbsp;再见" + TAIL,
     "t.aiml:2: invalid AIML, not well-formed XML: undefined entity (column 50); XML defines only "
     "&lt; &gt; &amp; &quot; &apos; (write others as character references such as &#160;)"),
    (HEAD + "您好\n", "t.aiml:2: invalid AIML, not well-formed XML: no element found (column 1); "
                      "<template> opened on line 1 is not closed"),
    (HEAD + "a < b" + TAIL, "t.aiml:1: invalid AIML, not well-formed XML: not well-formed (invalid token) (column 51)"),
    ("", "t.aiml:1: invalid AIML, not well-formed XML: no element found (column 1)"),
    ("<aiml>\n</aiml>\n", "t.aiml:1: no <category> in the file: it holds no reply"),
    ("<project><name>x</name></project>", "t.aiml:1: not AIML: the root element is <project>, not <aiml>"),
])
def test_a_file_that_is_no_well_formed_aiml_is_an_error(text, message) -> None:
    with pytest.raises(InputError) as caught:
        parse_templates("t.aiml", text)
    assert str(caught.value) == message


def test_a_category_without_a_template_is_an_error_and_the_others_are_read(tmp_path) -> None:
    text = ("<aiml>\n<category><pattern>HI</pattern></category>\n"
            f"<category><pattern>BYE</pattern><template>{RUDE}</template></category>\n</aiml>\n")
    source = parse_templates("t.aiml", text)
    assert [str(e) for e in source.errors] == ["t.aiml:2: this <category> has no <template>: it gives no reply"]
    assert [(t.label, t.text, t.line) for t in source.templates] == [("BYE", RUDE, 3)]
    path = tmp_path / "t.aiml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--isolated", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3:" in result.output and "FB006" in result.output
    assert result.stderr.splitlines() == [f"scriptcheck: error: {path}:2: this <category> has no <template>: "
                                          "it gives no reply"]


def test_line_breaks_of_every_kind_keep_lines_and_columns() -> None:
    # expat reads "\r\n" and "\r" as "\n" and counts a line for each; findings count "\n" only.
    text = "<aiml>\r\n<category><pattern>HI</pattern>\r\n<template>\r\n  您好\r\n  再见\r</template></category></aiml>"
    (template,) = parse_templates("t.aiml", text).templates
    assert template.text == "您好再见"
    assert [template.position(i) for i in range(4)] == [(4, 3), (4, 4), (5, 3), (5, 4)]
    assert template.key_line == 3


def test_markup_empty_variables_silent_blocks_and_items() -> None:
    text = (HEAD + '您好<get name="user"></get>，<bot name="name"/><think><random><li>想</li></random></think>'
            "<sraix>查</sraix><condition><li value=\"a\">甲</li></condition><date><star/></date>" + TAIL)
    # an empty element is one whatever its spelling; an <li> inside <think> is no variant; an
    # <li> with attributes is a condition's branch, not a variant; tags around text vanish
    assert _replies(text) == [("HI", "您好{user}，{name}查甲{star}")]
    nested = HEAD + "<random><li>A<random><li>x</li><li>y</li></random></li><li>B</li></random>" + TAIL
    assert _replies(nested) == [("HI[0]", "A"), ("HI[1]", "x"), ("HI[2]", "y"), ("HI[3]", "B")]


def test_a_large_file_keeps_every_offset() -> None:
    # past expat's usual 64 KB buffer (a comment of 240 KB before the reply; the reply itself
    # stays under lint's 20,000-character cap): every character still points at itself
    head = "<aiml><!--" + "填充" * 40_000 + "--><category><pattern>HI</pattern><template>"
    body = "您好，" * 5_000 + REFS + "\r\n再见"
    text = head + body + TAIL
    (template,) = parse_templates("t.aiml", text).templates
    assert template.text == "您好，" * 5_000 + RUDE + "再见"
    # each character is where it stands, but a reference's, which is where the reference begins
    moved = [i for i, (c, o) in enumerate(zip(template.text, template.offsets)) if text[o] != c]
    assert moved == list(range(15_000, 15_009))
    assert template.offsets[15_000:15_009] == tuple(len(head) + 15_000 + 8 * i for i in range(9))
    assert template.position(len(template.text) - 1) == (2, 2)


def test_the_declared_encoding_is_not_what_the_text_is_read_in(tmp_path) -> None:
    # the file is decoded first (here as --encoding says); its declaration must not re-decode it
    path = tmp_path / "t.aiml"
    path.write_bytes(('<?xml version="1.0" encoding="GBK"?>\n' + HEAD + RUDE + TAIL).encode("gbk"))
    source = read_templates(str(path), encoding="gbk")
    assert [(t.text, t.position(0)) for t in source.templates] == [(RUDE, (2, 48))]
