"""Template sources: ids, kinds and the source line/column of every character, per format."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptcheck.errors import InputError
from scriptcheck.templates.sources import parse_templates, source_format

YAML = """\
kinds: {bye.short: closing}
plain: 您好，{name}
squote: 'it''s 你'
dquote: "x\\u4f60y\\n好"
block: |
  第一行
  第二行
folded: >
  折叠
  一行
multi: 多行
  普通 你
bye.short: [再见, {text: 谢谢, kind: thanks}]
ns:
  a: 你好
  b: {text: [甲, 乙], id: custom.id}
number: 42
"""


def _by_label(source):
    return {t.label: t for t in source.templates}


def _positions(t):
    return [t.position(i) for i in range(len(t.text))]


def test_yaml_ids_kinds_and_variants() -> None:
    got = _by_label(parse_templates("t.yaml", YAML))
    assert list(got) == ["plain", "squote", "dquote", "block", "folded", "multi", "bye.short[0]",
                         "bye.short[1]", "ns.a", "custom.id[0]", "custom.id[1]"]
    assert got["bye.short[0]"].kind == "closing"      # from the top-level kinds map
    assert got["bye.short[1]"].kind == "thanks"       # declared on the object wins
    assert got["bye.short[1]"].id == "bye.short" and got["bye.short[1]"].variant == 1
    assert got["plain"].kind is None


def test_yaml_plain_and_quoted_positions() -> None:
    got = _by_label(parse_templates("t.yaml", YAML))
    assert _positions(got["plain"])[:3] == [(2, 8), (2, 9), (2, 10)]
    # '' is one quote: the character after it is one column further on
    assert _positions(got["squote"]) == [(3, 10), (3, 11), (3, 12), (3, 14), (3, 15), (3, 16)]
    # an escape maps to where it starts: \u4f60 is 6 columns wide, \n 2
    assert _positions(got["dquote"]) == [(4, 10), (4, 11), (4, 17), (4, 18), (4, 20)]


def test_yaml_block_scalars_map_line_by_line() -> None:
    got = _by_label(parse_templates("t.yaml", YAML))
    block = got["block"]
    assert block.text == "第一行\n第二行\n"
    assert block.position(0) == (6, 3) and block.position(4) == (7, 3)
    folded = got["folded"]
    assert folded.text == "折叠 一行\n"
    assert folded.position(0) == (9, 3) and folded.position(3) == (10, 3)
    multi = got["multi"]
    assert multi.text == "多行 普通 你" and multi.position(6) == (12, 6)


TAGGED = """\
a: !custom 你怎么连这个也不懂
b: !!str 你怎么连这个也不懂
c: &x 你好
d: !t &y "你\\u597d"
e: !t # a comment between the tag and the text
  再见
f: !t |
  第一行
g: !!python/str 谢谢
n: !!int 5
bin: !!binary aGVsbG8=
on: yes
seq: !list [甲]
"""


def test_tagged_scalars_are_text_at_their_own_position() -> None:
    # Hostile probe F10: a scalar with a tag of its own was no template and no warning (a tagged
    # list or mapping was read); its positions pointed at the tag when it had one.
    got = {t.label: (t.text, _positions(t)[0]) for t in parse_templates("t.yaml", TAGGED).templates}
    assert got == {"a": ("你怎么连这个也不懂", (1, 12)), "b": ("你怎么连这个也不懂", (2, 10)), "c": ("你好", (3, 7)),
                   "d": ("你好", (4, 11)), "e": ("再见", (6, 3)), "f": ("第一行\n", (8, 3)),
                   "g": ("谢谢", (9, 17)), "seq[0]": ("甲", (13, 13))}
    d = _by_label(parse_templates("t.yaml", TAGGED))["d"]
    assert _positions(d) == [(4, 11), (4, 12)]  # the escape: where it starts


def test_a_tagged_rasa_reply_is_linted(tmp_path) -> None:
    from click.testing import CliRunner

    from scriptcheck.cli import cli

    domain = tmp_path / "domain.yml"
    domain.write_text("responses:\n  utter_a:\n  - text: !t 你怎么连这个也不懂\n", encoding="utf-8")
    (template,) = parse_templates(str(domain), domain.read_text(encoding="utf-8")).templates
    assert (template.label, template.text, template.position(0)) == ("utter_a[0]", "你怎么连这个也不懂", (3, 14))
    result = CliRunner().invoke(cli, ["lint", "--isolated", str(domain)])
    assert result.exit_code == 1 and f"{domain}:3:14: FB006" in result.output


def test_key_line_is_the_mapping_key() -> None:
    got = _by_label(parse_templates("t.yaml", YAML))
    assert got["ns.a"].key_line == 15 and got["bye.short[1]"].key_line == 13


def test_json_positions_with_tabs_escapes_and_surrogate_pairs() -> None:
    text = '{\n\t"a": "\\ud83d\\ude00你\\/好\\"",\n\t"b": {"text": ["x", "y"], "kind": "closing"},\n\t"n": 1\n}'
    got = _by_label(parse_templates("t.json", text))
    assert got["a"].text == '😀你/好"'
    assert _positions(got["a"]) == [(2, 8), (2, 20), (2, 21), (2, 23), (2, 24)]
    assert got["b[1]"].kind == "closing" and got["b[1]"].position(0) == (3, 23)
    assert "n" not in got


def test_json_has_no_directives() -> None:
    source = parse_templates("t.json", '{"a": "# scriptcheck: disable=FB -- not a comment"}')
    assert source.directives == {}


def test_rasa_domain_is_detected_by_its_responses_key() -> None:
    text = ("version: '3.1'\nintents: [greet]\nresponses:\n  utter_bye:\n    - text: 再见\n"
            "      metadata: {kind: closing}\n    - text: 拜拜\n  utter_img:\n    - image: x.png\n")
    source = parse_templates("domain.yml", text)
    assert source.format == "rasa"
    assert [(t.label, t.kind, t.line, t.col) for t in source.templates] == [
        ("utter_bye[0]", "closing", 5, 13), ("utter_bye[1]", None, 7, 13)]


def test_plain_text_lines_and_trailing_directives() -> None:
    source = parse_templates("t.txt", "您好\n\n你好  # scriptcheck: disable=PL -- ok\r\n# scriptcheck: disable=FB\n滚\n")
    assert [(t.text, t.line, t.col) for t in source.templates] == [("您好", 1, 1), ("你好", 3, 1), ("滚", 5, 1)]
    assert source.directives[3].codes == ("PL",) and source.directives[3].reason == "ok"
    assert source.directives[4].codes == ("FB",)


def test_hash_inside_a_block_scalar_is_text_not_a_directive() -> None:
    text = "a: |\n  大点声 # scriptcheck: disable=FB003\n# scriptcheck: disable=PL001 -- why\nb: 你\n"
    source = parse_templates("t.yaml", text)
    assert list(source.directives) == [3]
    assert "scriptcheck" in source.templates[0].text


@pytest.mark.parametrize(("name", "text", "line"), [
    ("bad.yaml", "a: ok\n\tb: 2\n", 2),
    ("bad.json", '{"a": "x",\n "b": }', 2),
])
def test_syntax_errors_name_the_line(name, text, line) -> None:
    with pytest.raises(InputError) as info:
        parse_templates(name, text)
    assert info.value.file == name and info.value.line == line


def test_source_format_by_suffix() -> None:
    assert [source_format(p) for p in ("a.yaml", "b.YML", "c.json", "d.txt", "-")] == [
        "yaml", "yaml", "json", "text", "text"]


@pytest.mark.parametrize("name, text, line, first", [
    ("r.yaml", "greeting: 您好\nbye: 再见\ngreeting: 你好\n", 3, 1),
    ("r.yaml", "responses:\n  utter_bye:\n    - text: 再见\n  utter_bye:\n    - text: 拜拜\n", 4, 2),
    ("r.json", '{\n  "a": {"x": "您好",\n        "x": "你好"}\n}\n', 3, 2),
])
def test_duplicate_keys_are_errors_with_both_lines(name, text, line, first) -> None:
    """YAML/JSON readers keep one of two templates under one key; the linter refuses to guess."""
    with pytest.raises(InputError) as info:
        parse_templates(name, text)
    assert info.value.line == line
    assert "duplicate key" in info.value.reason and f"first defined on line {first}" in info.value.reason


def test_same_key_in_different_mappings_is_fine() -> None:
    source = parse_templates("r.yaml", "a:\n  text: 您好\nb:\n  text: 再见\n")
    assert [t.text for t in source.templates] == ["您好", "再见"]


# ----------------------------------------------------------------------------- issue 15: layouts

RASA1_DOMAIN = """\
intents:
  - greet
  - bye
slots:
  city: {type: text}
actions:
  - utter_greet
  - action_lookup
templates:
  utter_greet:
  - text: 您好，欢迎光临小店
  - text: 嗨，很高兴见到您
  utter_bye:
  - text: 再见，祝您愉快
    buttons:
    - title: 好的
      payload: /affirm
"""


def test_rasa_1x_templates_key_reads_only_the_replies() -> None:
    source = parse_templates("domain.yml", RASA1_DOMAIN)
    assert source.format == "rasa"
    assert [(t.label, t.text) for t in source.templates] == [
        ("utter_greet[0]", "您好，欢迎光临小店"), ("utter_greet[1]", "嗨，很高兴见到您"),
        ("utter_bye[0]", "再见，祝您愉快")]
    assert source.templates[0].position(0) == (11, 11)


@pytest.mark.parametrize("text", [
    # a Rasa 2.x/3.x domain whose responses live in data/ (intents, slots and actions only)
    "version: '3.1'\nintents:\n  - greet\n  - goodbye\nactions:\n  - utter_greet\n"
    "slots:\n  city:\n    type: text\n",
    # data/nlu.yml and data/stories.yml of the same project
    "version: '3.1'\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n    - 在吗\n",
    "version: '3.1'\nstories:\n- story: happy\n  steps:\n  - intent: greet\n  - action: utter_greet\n",
    "version: '3.1'\nrules:\n- rule: bye\n  steps:\n  - intent: bye\n  - action: utter_bye\n",
    # config.yml, endpoints.yml, credentials.yml
    "language: zh\npipeline:\n  - name: JiebaTokenizer\npolicies:\n  - name: RulePolicy\n",
    "action_endpoint:\n  url: http://localhost:5055/webhook\n",
    "rest:\nrasa:\n  url: http://localhost:5002/api\n",
])
def test_rasa_files_without_replies_yield_none(text: str) -> None:
    source = parse_templates("f.yml", text)
    assert source.format == "rasa"
    assert source.templates == []


def test_rasa_nlu_training_data_in_json_yields_no_template() -> None:
    # Rasa 1.x's data/nlu.json: every "text" is something a user says, never a reply.
    text = ('{"rasa_nlu_data": {"regex_features": [], "entity_synonyms": [], "common_examples": ['
            '{"text": "你怎么这么笨，查个流量都不会", "intent": "complain", "entities": []},'
            '{"text": "帮我查一下我的流量", "intent": "request_search", "entities": []}]}}')
    source = parse_templates("data/nlu.json", text)
    assert source.format == "rasa"
    assert source.templates == []


def test_rasa_responses_split_into_data_files() -> None:
    text = "version: '3.1'\nresponses:\n  utter_wait:\n  - text: 请您稍等，马上为您查询\n"
    source = parse_templates("data/responses/wait.yml", text)
    assert source.format == "rasa"
    assert [(t.id, t.text) for t in source.templates] == [("utter_wait", "请您稍等，马上为您查询")]


def test_a_plain_file_with_an_id_named_templates_is_not_rasa() -> None:
    source = parse_templates("r.yaml", "templates:\n  greeting: 您好\n  bye: 再见\n")
    assert source.format == "yaml"
    assert [t.id for t in source.templates] == ["templates.greeting", "templates.bye"]


RESPONSES_MD = """\
## ask opening hours
* faq/opening_hours
  - 我们每天九点到十八点营业
  - 营业时间是 9:00-18:00

## utter_thanks
- 感谢您的耐心等待

<!-- a comment -->
"""


def test_rasa_responses_md_both_shapes() -> None:
    source = parse_templates("data/responses.md", RESPONSES_MD)
    assert source.format == "rasa-markdown"
    got = [(t.label, t.text) for t in source.templates]
    assert got == [("faq/opening_hours[0]", "我们每天九点到十八点营业"),
                   ("faq/opening_hours[1]", "营业时间是 9:00-18:00"),
                   ("utter_thanks[0]", "感谢您的耐心等待")]
    first = source.templates[0]
    assert first.position(0) == (3, 5) and first.line == 3


def test_rasa_markdown_nlu_and_stories_are_not_replies() -> None:
    nlu = "## intent:greet\n- 你好\n- 在吗\n\n## synonym:退款\n- 退钱\n"
    stories = "## happy path\n* greet\n  - utter_greet\n* bye\n  - action_bye\n  - form{\"name\": null}\n"
    assert parse_templates("nlu.md", nlu).templates == []
    assert parse_templates("stories.md", stories).templates == []


def test_chatterbot_corpus_reads_the_bots_turns() -> None:
    text = "categories:\n- greetings\nconversations:\n- - 你好\n  - 您好，请问有什么可以帮您？\n" \
           "- - 在吗\n  - 在的\n  - 我想退货\n  - 好的，请提供订单号\n"
    source = parse_templates("greetings.yml", text)
    assert source.format == "chatterbot"
    assert [t.text for t in source.templates] == ["您好，请问有什么可以帮您？", "在的", "好的，请提供订单号"]


def test_question_and_answer_pairs_read_only_the_answers() -> None:
    text = "faq.refund:\n  examples: [怎么退款, 退钱]\n  replies: [您好，退款请在订单页申请。]\n" \
           "faq.ship:\n  question: 什么时候发货\n  answer: 付款后48小时内发货。\n"
    got = [(t.id, t.text) for t in parse_templates("qa.yaml", text).templates]
    assert got == [("faq.refund.replies", "您好，退款请在订单页申请。"), ("faq.ship.answer", "付款后48小时内发货。")]


def test_a_script_keyed_huashu_is_the_reply() -> None:
    # A voice bot's script file (fresh chatbot repositories, s56): 话术 is the script; the intent,
    # its value and what callers say beside it are no replies.
    text = '{"domain": [{"intent": "B02投诉", "value": "B02投诉", "huashu": "非常抱歉，现在为您转接人工，请稍等。",' \
           ' "examples": "我要投诉、太差了"}, {"意图": "问候", "话术": ["您好，请问有什么可以帮您？"], "相似问": ["在吗"]}]}'
    got = [(t.label, t.text) for t in parse_templates("script.json", text).templates]
    assert got == [("domain[0].huashu", "非常抱歉，现在为您转接人工，请稍等。"), ("domain[1].话术[0]", "您好，请问有什么可以帮您？")]


def test_intent_to_templates_json_reads_only_the_templates() -> None:
    text = '{"replies": [{"intent": "问候", "templates": ["您好，请问有什么可以帮您？", "您好，欢迎咨询"]},' \
           ' {"intent": "价格", "templates": ["这款售价{price}元"], "variables": ["price"]}]}'
    got = [(t.label, t.text) for t in parse_templates("replies.json", text).templates]
    assert got == [("replies[0].templates[0]", "您好，请问有什么可以帮您？"), ("replies[0].templates[1]", "您好，欢迎咨询"),
                   ("replies[1].templates[0]", "这款售价{price}元")]


def test_a_plain_group_named_templates_keeps_its_siblings() -> None:
    got = [t.id for t in parse_templates("r.yaml", "greeting: 您好\ntemplates:\n  bye: 再见\n").templates]
    assert got == ["greeting", "templates.bye"]


def test_markdown_suffix_is_read_as_rasa_markdown() -> None:
    assert source_format("data/responses.md") == "markdown"


AIML = """\
<?xml version="1.0" encoding="UTF-8"?>
<aiml version="1.0">
  <category>
    <pattern>你好</pattern>
    <template>
      <think><set name="topic">问候</set></think>
      <random>
        <li>您好，<get name="user" />，
          请问有什么可以帮您？</li>
        <li>Hi &amp; welcome!</li>
      </random>
    </template>
  </category>
  <category>
    <pattern>* 是谁</pattern>
    <template><srai>WHO</srai></template>
  </category>
  <category>
    <pattern>营业时间</pattern>
    <template>我们<star/>每天九点营业。</template>
  </category>
</aiml>
"""


def test_aiml_templates_variants_and_variables() -> None:
    source = parse_templates("bot.aiml", AIML)
    assert source.format == "aiml"
    got = [(t.label, t.text) for t in source.templates]
    assert got == [("你好[0]", "您好，{user}，请问有什么可以帮您？"), ("你好[1]", "Hi & welcome!"),
                   ("营业时间", "我们{star}每天九点营业。")]
    first = source.templates[0]
    assert first.position(0) == (8, 13)                       # 您
    assert first.position(first.text.index("请")) == (9, 11)  # after the folded line break
    assert source_format("bot.xml") == "aiml"


def test_aiml_xml_in_a_directory_only_when_it_is_aiml(tmp_path) -> None:
    from scriptcheck.templates.config import LintConfig
    from scriptcheck.templates.lint import expand_paths

    (tmp_path / "bot.xml").write_text(AIML, encoding="utf-8")
    (tmp_path / "pom.xml").write_text("<project><name>x</name></project>", encoding="utf-8")
    (tmp_path / "more.aiml").write_text(AIML, encoding="utf-8")
    names = sorted(p.rsplit("/", 1)[-1] for p in expand_paths([str(tmp_path)], LintConfig()))
    assert names == ["bot.xml", "more.aiml"]


def test_a_directory_is_expanded_without_hidden_directories_packages_or_virtual_environments(tmp_path) -> None:
    # lint's walk (scriptcheck.io.walk, score's too: tests/test_io_walk.py)
    from scriptcheck.templates.config import LintConfig
    from scriptcheck.templates.lint import expand_paths

    def write(relative: str, text: str = "你自己看着办\n") -> None:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")

    write("replies/bot.yml", "greet: 您好\n")
    write("faq.txt", "您好，请问有什么可以帮您？\n")
    write(".hidden.txt")
    for other in (".git/logs/x.txt", ".venv/lib/y.json", "node_modules/pkg/z.json", "web/bower_components/a.json",
                  "src/__pycache__/c.txt", "__pypackages__/3.11/lib/d.txt", "lib/site-packages/e.yaml",
                  "env/share/f.txt"):
        write(other)
    write("env/pyvenv.cfg", "home = /usr/bin\n")  # a virtual environment of any name
    found = sorted(Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([str(tmp_path)], LintConfig()))
    assert found == ["faq.txt", "replies/bot.yml"]
    # A skipped directory or file named on the command line is linted as asked.
    named = list(expand_paths([str(tmp_path / "node_modules")], LintConfig()))
    assert named == [str(tmp_path / "node_modules/pkg/z.json")]
    assert list(expand_paths([str(tmp_path / ".hidden.txt")], LintConfig())) == [str(tmp_path / ".hidden.txt")]


def test_word_lists_found_in_a_directory_are_reported_not_linted(tmp_path) -> None:
    from click.testing import CliRunner

    from scriptcheck.cli import cli

    # A vocabulary, a stop-word list and a segmenter's dictionary (word, tag, count): their
    # words are no replies. The reply file has short lines too, but punctuated.
    (tmp_path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", *"你我他滚笨蛋傻子的了吗呢吧啊哦嗯去死", "##们"]) + "\n",
                                        encoding="utf-8")
    (tmp_path / "stop_words.txt").write_text("\n".join(["滚", "你丫", "呵呵", "切", *[f"词{i}" for i in range(30)]]) + "\n",
                                             encoding="utf-8")
    (tmp_path / "userdict.txt").write_text("\n".join(f"笨蛋{i} n {i}" for i in range(25)) + "\n", encoding="utf-8")
    replies = [f"您好，订单{i}已发货。" for i in range(24)] + ["你自己看着办吧。"]
    (tmp_path / "replies.txt").write_text("\n".join(replies) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--isolated", str(tmp_path)])
    linted = {line.split(":", 1)[0].rsplit("/", 1)[-1] for line in result.stdout.splitlines() if line.strip()}
    assert linted == {"replies.txt"}, result.stdout
    (note,) = [line for line in result.stderr.splitlines() if "word lists" in line]
    assert note.startswith("scriptcheck: warning: 3 text file(s)")
    assert "stop_words.txt" in note and "name a file" in note
    # Named on the command line, a word list is linted as asked.
    named = CliRunner().invoke(cli, ["lint", "--isolated", str(tmp_path / "vocab.txt")])
    assert "vocab.txt:" in named.stdout and "word lists" not in named.stderr


def test_labelled_faq_text_reads_the_agents_lines_without_their_labels() -> None:
    text = "问：你们几点发货？\n答：您好，下午五点前付款当天发货。\nQ: 能开发票吗\nA: 可以的，请备注抬头。\n普通一行\n"
    source = parse_templates("faq.txt", text)
    got = [(t.text, t.position(0)) for t in source.templates]
    assert got == [("您好，下午五点前付款当天发货。", (2, 3)), ("可以的，请备注抬头。", (4, 4)), ("普通一行", (5, 1))]


def test_a_flow_records_machinery_is_not_a_reply() -> None:
    # Dialogue-flow and knowledge-base files (fresh chatbot repositories, s57): a step's name,
    # intent, condition and next step, an enum's label and aliases, a command's keywords are no
    # replies; the prompts inside the step's slots are.
    text = ('{"name": "快点说", "intent": "快点说", "nodes": {"0": {"type": "response", "slots": '
            '[{"name": "plate", "response": "请问您的车牌号是多少？"}], "dm": [{"cond": {"==": ["x", "拒绝"]}, '
            '"nextNode": "6"}]}}, "enums": [{"label": "6人", "aliases": ["六人", "6"]}], '
            '"commands": {"cancel": {"keywords": ["不预订了"], "action": "cancel"}}}')
    got = [(t.label, t.text) for t in parse_templates("flow.json", text).templates]
    # the slot's own ASCII name beside its prompt is one label-like key alone, read as before
    assert got == [("nodes.0.slots[0].name", "plate"), ("nodes.0.slots[0].response", "请问您的车牌号是多少？")]


def test_one_label_like_key_alone_is_still_a_reply_id() -> None:
    text = "greeting: [您好, 您好呀]\nname: 请问您怎么称呼？\ntype: 请问您要办哪种业务？\n"
    got = [(t.label, t.text) for t in parse_templates("replies.yaml", text).templates]
    # two label-like keys (name, type) and no record around them: an id-to-text file, read whole
    assert [text for _, text in got] == ["您好", "您好呀", "请问您怎么称呼？", "请问您要办哪种业务？"]
