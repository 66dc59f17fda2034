"""Transcript readers: every format and encoding; bad records reported with file, line, field."""

from __future__ import annotations

import json

import pytest

from scriptcheck.io.transcripts import read_transcripts

from tests.conftest import CORPORA

GOOD_TURNS = [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"},
              {"speaker": "customer", "text": "查一下快递"}]


def read(path, **kw):
    records = list(read_transcripts(str(path), **kw))
    return [r.transcript for r in records if r.transcript], [r for r in records if r.error]


def test_bundled_corpora_read_cleanly() -> None:
    for name, count in (("calls.jsonl", 12), ("chats.csv", 8), ("presale.txt", 4)):
        good, bad = read(CORPORA / name)
        assert len(good) == count and not bad, (name, bad)


def test_jsonl_metadata_and_aliases(tmp_path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"id": 7, "agent_id": "A1", "turns": [
        {"speaker": "客服", "text": "您好", "start": 0, "end": 1, "emotion": "calm"},
        {"speaker": "顾客", "text": "你好"}]}, ensure_ascii=False) + "\n", encoding="utf-8")
    [t], bad = read(path)
    assert not bad
    assert t.id == "7" and t.agent_id == "A1"
    assert [x.speaker for x in t.turns] == ["agent", "customer"]
    assert t.turns[0].metadata == {"emotion": "calm"}


def test_broken_jsonl_records_are_reported_and_the_rest_read(tmp_path) -> None:
    lines = [
        json.dumps({"id": "ok1", "turns": GOOD_TURNS}, ensure_ascii=False),
        '{"id": "broken", "turns": [',                                        # bad JSON
        json.dumps({"turns": GOOD_TURNS}),                                     # missing id
        json.dumps({"id": "t", "turns": [{"speaker": "agent", "text": 5}]}),   # wrong type
        json.dumps({"id": "s", "turns": [{"speaker": "robot", "text": "x"}]}),  # unknown speaker
        json.dumps({"id": "e", "turns": []}),                                   # empty transcript
        "",                                                                     # blank line: skipped
        json.dumps({"id": "ok2", "turns": GOOD_TURNS}, ensure_ascii=False),
    ]
    path = tmp_path / "mixed.jsonl"
    data = ("\n".join(lines) + "\n").encode("utf-8")
    data += b'{"id": "bytes", "turns": [{"speaker": "agent", "text": "\xff\xfe"}]}\n'  # undecodable
    path.write_bytes(data)
    good, bad = read(path)
    assert [t.id for t in good] == ["ok1", "ok2"]
    by_line = {r.line: r.error for r in bad}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 9]
    assert "invalid JSON" in by_line[2].reason
    assert by_line[3].field == "id"
    assert by_line[4].field == "turns.0.text"
    assert by_line[5].field == "turns.0.speaker"
    assert "empty transcript" in by_line[6].reason
    assert "undecodable" in by_line[9].reason
    assert all(e.file == str(path) for e in by_line.values())
    assert by_line[2].describe().startswith(f"{path}:2: ")


def test_csv_groups_rows_and_reports_bad_rows(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "conversation_id,speaker,text,start,agent_id\n"
        "c1,agent,\"您好，请问有什么可以帮您？\",0,A1\n"
        "c1,customer,查快递,2.5,A1\n"
        "c2,agent,您好,0,A2\n"
        "c2,martian,hello,1,A2\n"
        "c3,agent,您好,abc,A3\n"
        "c4,agent,\"多行\n文本\",0,A4\n", encoding="utf-8")
    good, bad = read(path)
    assert [t.id for t in good] == ["c1", "c4"]
    assert good[0].agent_id == "A1" and good[0].turns[1].start == 2.5
    assert good[1].turns[0].text == "多行\n文本"
    assert {(r.line, r.error.field) for r in bad} == {(4, "speaker"), (6, "start")}


def test_csv_header_without_required_columns(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    _, [bad] = read(path)
    assert "lacks column" in bad.error.reason


def test_txt_dialogues(tmp_path) -> None:
    path = tmp_path / "d.txt"
    path.write_text("# id: x1\n# agent_id: A9\n客服：您好\n客户:查快递\n  接着上一行\n---\n"
                    "坐席：您好\nagent: ok\n顾客：谢谢\n\n这一行没有说话人\n客户：x\n", encoding="utf-8")
    good, bad = read(path)
    assert [t.id for t in good] == ["x1", "d-2"]
    assert good[0].agent_id == "A9"
    assert good[0].turns[1].text == "查快递 接着上一行"
    assert [x.speaker for x in good[1].turns] == ["agent", "agent", "customer"]
    assert bad[0].line == 11 and "speaker" in bad[0].error.reason


@pytest.mark.parametrize("content, turns", [
    # 客服小王：… was read as the customer's wrapped line: the agent's words joined the customer's turn.
    ("客户张先生：我的快递没到\n客服小王：您好，我帮您查一下\n坐席1001：请提供以下信息\n"
     "用户名：zhang\n客服电话：4001234567\nAgent_02: anything else?\n客户：没有了\n",
     [("customer", "我的快递没到"), ("agent", "您好，我帮您查一下"),
      # field lines of the agent's own turn stay wrapped into it
      ("agent", "请提供以下信息 用户名：zhang 客服电话：4001234567"),
      ("agent", "anything else?"), ("customer", "没有了")]),
    # 客服小助手 (小 and two characters: the shop's bot) was no label, so the bot's words joined the
    # customer's turn; 客服小组 (a team) was taken for a person called 小组 and started a turn.
    ("买家：在吗\n客服小助手：亲，在的，请问有什么可以帮您\n客户：发什么快递\n"
     "智能客服：默认发中通\n客服小组：售后组\n机器人：还有其他问题吗\n",
     [("customer", "在吗"), ("agent", "亲，在的，请问有什么可以帮您"), ("customer", "发什么快递"),
      ("agent", "默认发中通 客服小组：售后组"), ("agent", "还有其他问题吗")]),
], ids=["person-named", "bot-and-team"])
def test_txt_labels_with_a_name_an_id_or_a_bot_are_turns(tmp_path, content: str, turns: list) -> None:
    path = tmp_path / "labels.txt"
    path.write_text(content, encoding="utf-8")
    [transcript], bad = read(path)
    assert not bad
    assert [(t.speaker, t.text) for t in transcript.turns] == turns


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
@pytest.mark.parametrize("name", ["calls.jsonl", "chats.csv", "presale.txt"])
def test_encodings_read_like_utf8(tmp_path, name: str, encoding: str) -> None:
    text = (CORPORA / name).read_text(encoding="utf-8")
    twin = tmp_path / name
    twin.write_bytes(text.encode(encoding))
    assert read(twin)[0] == read(CORPORA / name)[0]


def test_missing_file_is_one_error_record(tmp_path) -> None:
    [record] = list(read_transcripts(str(tmp_path / "none.jsonl")))
    assert record.error is not None and "no such file" in record.error.reason


def test_whole_file_decoding_reports_a_corrupt_line_instead_of_guessing_gbk() -> None:
    from scriptcheck.errors import InputError
    from scriptcheck.io.encoding import decode_bytes

    good = "您好，请问有什么可以帮您？\n感谢您的来电，再见。\n"
    assert decode_bytes(good.encode("gbk"), file="t.txt") == (good, "gb18030")
    assert decode_bytes(b"\xef\xbb\xbf" + good.encode("utf-8"), file="t.txt") == (good, "utf-8-sig")
    corrupt = good.encode("utf-8") + b"\xff\xfe broken\n" + good.encode("utf-8")
    with pytest.raises(InputError) as err:
        decode_bytes(corrupt, file="t.txt")
    assert err.value.line == 3 and "undecodable" in err.value.reason
