"""Issue 15: what real chatbot repositories contain must lint cleanly — every false alarm of the
report in its own wording (fill-in brackets, list numbers, kaomoji, 你 where jieba cuts oddly,
real greeting/refusal/closing/waiting wording), every layout of Rasa read as Rasa, and the true
findings kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptcheck.rules.honorific import pronouns
from scriptcheck.templates.config import ConfigFile, LintConfig
from scriptcheck.templates.lint import Linter, expand_paths
from scriptcheck.text.mixing import punctuation_mix, script_mix
from scriptcheck.text.placeholders import mask_placeholders, scan_placeholders

KINDS = {"greeting": "greet", "closing": "bye", "waiting": "wait", "refusal": "default"}


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(LintConfig(ConfigFile(kinds=KINDS)))


def _codes(linter: Linter, path: Path) -> list[tuple[str, str]]:
    run = linter.run([str(path)])
    assert not run.errors, run.errors
    return [(f.template.label, f.rule) for f in run.findings()]


# ----------------------------------------------------------------------------- placeholders

@pytest.mark.parametrize("text", [
    "保质期[18/36]个月",
    "材质为[C级/水洗棉]",
    "这批是[Z冷藏/常温]发货",
    "配件[ABS/…]均可替换",
    "规格见[说明](http://example.com/x)",
    "会员日满减%(PLUS专享)",
])
def test_fill_in_brackets_are_not_broken_placeholders(text: str) -> None:
    assert [p for p in scan_placeholders(text) if p.kind != "placeholder"] == []


def test_fill_in_brackets_are_not_masked_so_their_text_is_still_checked() -> None:
    assert mask_placeholders("[你/您]好") == "[你/您]好"
    assert mask_placeholders("[name]好") != "[name]好"


@pytest.mark.parametrize(("text", "broken"), [
    ("{user 您好", "{user"), ("您好}", "}"), ("单号[order_no 已发出", "[order_no"), ("%(name，您好", "%(name"),
])
def test_delimiters_without_a_partner_are_still_reported(text: str, broken: str) -> None:
    assert [p.text for p in scan_placeholders(text) if p.kind == "unbalanced"] == [broken]


def test_percent_name_percent_is_a_placeholder() -> None:
    assert [p.text for p in scan_placeholders("欢迎 %user.name%！") if p.kind == "placeholder"] == ["%user.name%"]


# ----------------------------------------------------------------------------- punctuation

@pytest.mark.parametrize("text", [
    "操作步骤：1.登录 2.进入订单 3.申请售后。",
    "1.登录账号\n2.进入订单页面。",
    "谢谢亲的好评(*^▽^*)！",
    "好嘞(๑•̀ㅂ•́)و✧，马上安排。",
    "收到啦(*￣︶￣)，请稍等。",
    "好的:-)，稍后回复您。",
    "明白^_^，这就去办。",
    "请访问 https://example.com/a,b;c 查看，谢谢。",
    "Hello! 我是小安，有事请找我。",
    "Hey! How are you?今天过得好吗？",
    "客服邮箱 help.desk@example.com，欢迎来信。",
    "正在查询...请稍候。",
    "型号iPhone(256G)，已到货。",
])
def test_what_templates_contain_is_not_mixed_punctuation(text: str) -> None:
    assert punctuation_mix(text) is None


@pytest.mark.parametrize("text", ["您好,请问有什么可以帮您？", "订单已发货.请注意查收。", "详见附件(说明书)，谢谢。",
                                  "Rasa,是一个开源框架。", "客服电话:4001234567，谢谢。", "时间:3点开始，谢谢。"])
def test_mixed_sentence_punctuation_is_still_reported(text: str) -> None:
    assert punctuation_mix(text) is not None


def test_traditional_text_with_characters_both_scripts_write() -> None:
    assert script_mix("台灣門市已經了解，會在這裡公布。") is None
    assert script_mix("没關係，謝謝。") is not None


# ----------------------------------------------------------------------------- honorifics

@pytest.mark.parametrize(("text", "forms"), [
    ("我帮你查一下", ["你"]),
    ("我来教你用", ["你"]),
    ("祝你好梦", ["你"]),
    ("推荐给你好了", ["你"]),
    ("你好，欢迎光临", ["你好"]),
    ("你好我是客服小安", ["你好"]),
    ("朋友你好！", ["你好"]),
    ("你好像还没付款", ["你"]),
    ("谢谢你们的耐心", ["你们"]),
    ("妳們好厲害", ["你们"]),
    ("这款迷你冰箱", []),
    ("页面写着“你好，欢迎”", []),
    ("老板问他：你怎么来了？", []),
    ("他回应道：“快！你要吗？”", []),
    ("甲：你吃了吗？乙：你呢？", []),
    ("温馨提示：你可以在订单页申请。", ["你"]),
    ("请问：你要哪一种？", ["你"]),
])
def test_pronoun_forms_from_the_characters(text: str, forms: list[str]) -> None:
    assert [p.form for p in pronouns(text)] == forms


def test_plural_suggestion_is_the_plural() -> None:
    from scriptcheck import Checker, Transcript

    report = Checker.from_profile("base").score(
        Transcript.model_validate({"id": "t", "turns": [{"speaker": "agent", "text": "感谢你们的支持"}]}))
    found = [f for f in report.findings if f.rule == "PL001"]
    assert len(found) == 1 and found[0].text == "你们" and "各位" in found[0].suggestion


# ----------------------------------------------------------------------------- linting real shapes

REAL_SHAPES = """\
version: "3.1"
intents:
  - greet
responses:
  utter_greet:
  - text: 您好！请问我可以帮到您吗？
  - text: 您好，有什么想问小安的吗？
  - text: 您好，我是小安，有什么问题就尽管向我提问吧
  utter_default:
  - text: 抱歉，小安暂时回答不了，您可以转人工客服寻求帮助
  utter_bye:
  - text: 感谢您的咨询，祝您安好！
  utter_wait:
  - text: 请稍后…正在为您查询，好吗？
  utter_choose:
  - text: 保温时长[12/24]小时，操作：1.加热水 2.拧紧盖子 3.静置(*^▽^*)
  utter_nihao:
  - text: 时间不早了，祝你好梦
  - text: 那我推荐给你好了
"""


def test_real_shapes_lint_without_false_alarms(linter: Linter, tmp_path: Path) -> None:
    path = tmp_path / "domain.yml"
    path.write_text(REAL_SHAPES, encoding="utf-8")
    got = _codes(linter, path)
    # Only the pronoun 你 of the last two replies is left: it does address the customer.
    assert got == [("utter_nihao[0]", "PL001"), ("utter_nihao[1]", "PL001")]


TRUE_FINDINGS = """\
templates:
  utter_greet:
  - text: 你好，我是小安。
  utter_default:
  - text: 这个问题我不知道。
  utter_bye:
  - text: 好的。
  utter_wait:
  - text: 正在查询中。
  utter_broken:
  - text: "{name 您好,我帮你查{order}的物流。"
"""


def test_true_findings_stay(linter: Linter, tmp_path: Path) -> None:
    path = tmp_path / "domain.yml"
    path.write_text(TRUE_FINDINGS, encoding="utf-8")
    got = set(_codes(linter, path))
    assert {("utter_greet[0]", "PL002"), ("utter_greet[0]", "TP008"),
            ("utter_default[0]", "TP005"), ("utter_default[0]", "TP006"),
            ("utter_bye[0]", "TP001"), ("utter_bye[0]", "TP002"),
            ("utter_wait[0]", "TP003"), ("utter_wait[0]", "TP004"),
            ("utter_broken[0]", "TP101"), ("utter_broken[0]", "TP104"), ("utter_broken[0]", "PL001")} <= got


def test_a_rasa_project_is_read_in_all_its_layouts(linter: Linter, tmp_path: Path) -> None:
    (tmp_path / "data" / "responses").mkdir(parents=True)
    (tmp_path / "domain.yml").write_text(
        "version: '3.1'\nintents:\n  - greet\nslots:\n  city:\n    type: text\nactions:\n  - utter_greet\n",
        encoding="utf-8")
    (tmp_path / "data" / "nlu.yml").write_text(
        "version: '3.1'\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n", encoding="utf-8")
    (tmp_path / "data" / "responses" / "greet.yml").write_text(
        "version: '3.1'\nresponses:\n  utter_greet:\n  - text: 你好，请问有什么可以帮您？\n", encoding="utf-8")
    (tmp_path / "data" / "responses.md").write_text("## utter_bye\n- 感谢您的咨询，再见！\n", encoding="utf-8")
    (tmp_path / "data" / "nlu.md").write_text("## intent:bye\n- 拜拜你\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("## 说明\n- 你可以这样运行\n", encoding="utf-8")
    files = sorted(Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([str(tmp_path)], LintConfig()))
    assert files == ["data/nlu.yml", "data/responses.md", "data/responses/greet.yml", "domain.yml"]
    run = linter.run([str(tmp_path)])
    assert sorted((t.template.label, t.template.text) for t in run.results) == [
        ("utter_bye[0]", "感谢您的咨询，再见！"), ("utter_greet[0]", "你好，请问有什么可以帮您？")]
    assert [(f.template.label, f.rule) for f in run.findings()] == [("utter_greet[0]", "PL002")]
