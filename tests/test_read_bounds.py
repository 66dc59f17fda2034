"""Transcript readers against the second hostile probe (F7, F16, F18): a record holding more JSON
values than a transcript can use is refused before json builds them, a key or CSV column given
twice is an error rather than silently last-wins, a .json file cut inside an element says so, data
quoted in an error is cut to a few hundred characters."""

from __future__ import annotations

import json
import random

import pytest

from scriptcheck.errors import InputError
from scriptcheck.io import jsontext, records, transcripts
from scriptcheck.io.calls import read_calls
from scriptcheck.io.jsontext import too_many_values
from scriptcheck.io.quoting import QUOTE_CHARS, quoted
from scriptcheck.io.records import MAX_RECORD_VALUES, MAX_TRANSCRIPT_TURNS
from scriptcheck.io.transcripts import read_transcripts
from scriptcheck.templates import sources
from scriptcheck.templates.sources import parse_templates

GOOD = {"id": "ok", "turns": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]}
AB = {"a": "agent", "b": "customer"}


def _values(value) -> int:
    """The JSON values a decoded value holds: itself and everything in it (not keys)."""
    if isinstance(value, dict):
        return 1 + sum(_values(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_values(v) for v in value)
    return 1


def _random_json(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.3:  # scalars, some with the characters the count must not take for structure
        return rng.choice([0, -1.5e3, "a,b", "[{", "}]", "", None, True, '\\"]', "你好"])
    if roll < 0.65:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {f"k{i},[:": _random_json(rng, depth + 1) for i in range(rng.randint(0, 4))}


@pytest.fixture
def small_bound(monkeypatch):
    """A record may hold 50 values: the refusal is shown on small inputs (the real bound needs
    megabytes of text, which the count reads in the same way)."""
    monkeypatch.setattr(records, "MAX_RECORD_VALUES", 50)
    monkeypatch.setattr(transcripts, "MAX_RECORD_VALUES", 50)
    return 50


def _parse_counter(monkeypatch) -> list[int]:
    """Counts the objects json builds for transcript records (io.jsontext.unique_object)."""
    built = [0]
    original = jsontext.unique_object

    def counting(pairs):
        built[0] += 1
        return original(pairs)

    monkeypatch.setattr(jsontext, "unique_object", counting)
    monkeypatch.setattr(transcripts, "unique_object", counting)
    return built


# -- the value count -----------------------------------------------------------------------------

@pytest.mark.parametrize("alone", [True, False])
def test_the_count_agrees_with_the_values_json_builds(alone, monkeypatch) -> None:
    monkeypatch.setattr(jsontext, "WINDOW", 16)  # values longer than a window: counted piece by piece
    rng = random.Random(7)
    for _ in range(400):
        value = _random_json(rng)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
        if not alone:
            text += ', {"more": [1, 2, 3, 4, 5, 6, 7, 8, 9]}'  # what follows is not the value's
        n = _values(value)
        assert too_many_values(text, 0, n, alone=alone) is False, text
        if n > 1:
            assert too_many_values(text, 0, n - 1, alone=alone) is True, text


def test_blank_empty_containers_and_brackets_in_strings_are_not_values() -> None:
    text = '{"a": [ ], "b": { \n }, "c": "[[{{,,", "d": [[]]}'
    assert _values(json.loads(text)) == 6
    assert not too_many_values(text, 0, 6) and too_many_values(text, 0, 5)


def test_an_unterminated_string_of_escapes_is_counted_in_linear_time() -> None:
    # Each quote starts a string that never ends: a string regex retried from each of them was quadratic.
    text = "[" + '"\\' * 200_000
    assert too_many_values(text, 0, 10) is False  # the array and one (unterminated) string


def test_every_transcript_under_the_turn_cap_fits_the_value_bound() -> None:
    # A turn with every field a turn has and a dozen values of metadata, times the turn cap.
    turn = {"speaker": "agent", "text": "您好", "start": 1.0, "end": 2.5,
            "metadata": {"channel": 0, "confidence": 0.9, "emotion": "neutral",
                         "words": [{"w": "您好", "s": 1.0}, {"w": "好", "s": 1.2}]}}
    per_turn = _values(turn)
    record_overhead = _values({"id": "x", "turns": [], "metadata": {"agent_id": "a", "profile": "hotline"}})
    assert per_turn * MAX_TRANSCRIPT_TURNS + record_overhead <= MAX_RECORD_VALUES


# -- JSON Lines ------------------------------------------------------------------------------------

def test_a_jsonl_record_with_too_many_values_is_refused_before_any_is_built(tmp_path, monkeypatch,
                                                                             small_bound) -> None:
    built = _parse_counter(monkeypatch)
    hostile = {"id": "a", "turns": GOOD["turns"], "m": [{}] * 200}  # would be 200 objects
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(hostile) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    first, second = read_transcripts(str(path))
    assert first.error.reason == "more than 50 JSON values (objects, arrays, strings, numbers) in one record"
    assert first.error.line == 1
    assert second.error is None and second.transcript.id == "ok"
    assert built[0] == 2  # the good record's object and turn: none of the hostile one's


def test_a_record_at_the_bound_is_read(tmp_path, small_bound) -> None:
    record = {"id": "a", "turns": GOOD["turns"] * 11}  # 1 + 1 + 1 + 11 * 3 = 36 values
    record["m"] = [0] * (small_bound - _values(record) - 1)  # the list and its items: exactly 50
    assert _values(record) == small_bound
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")
    assert [r.error for r in read_transcripts(str(path))] == [None]
    record["m"].append(0)
    path.write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")
    assert "more than 50 JSON values" in next(read_transcripts(str(path))).error.reason


def test_a_call_export_record_is_bounded_too(tmp_path, small_bound) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"call_id": "c", "sentences": [{"spk": "a", "content": "您好"}] * 40}) + "\n"
                    + json.dumps({"call_id": "d", "sentences": [{"spk": "a", "content": "您好"}]}) + "\n",
                    encoding="utf-8")
    first, second = read_calls(str(path), speaker_map=AB)
    assert "more than 50 JSON values" in first.error.reason
    assert second.error is None


# -- .json arrays --------------------------------------------------------------------------------

def test_a_json_element_with_too_many_values_is_refused_before_any_is_built(tmp_path, monkeypatch,
                                                                              small_bound) -> None:
    built = _parse_counter(monkeypatch)
    hostile = {"id": "a", "turns": GOOD["turns"], "m": [{}] * 200}
    path = tmp_path / "t.json"
    path.write_text(json.dumps([GOOD, hostile, GOOD]), encoding="utf-8")  # one line: the buffer runs on
    ok, bad = list(read_transcripts(str(path)))  # as other broken elements, it ends the file's reading
    assert ok.error is None
    assert bad.error.reason == "element 1: more than 50 JSON values (objects, arrays, strings, numbers) in one record"
    assert built[0] == 2


def test_a_json_file_on_one_line_reads_every_element(tmp_path, monkeypatch, small_bound) -> None:
    # The text after each element is longer than the bound allows: each is decoded from a short
    # piece first, or counted when longer than the piece.
    monkeypatch.setattr(transcripts, "_JSON_SHORT", 300)
    monkeypatch.setattr(jsontext, "WINDOW", 64)
    long_text = dict(GOOD, id="long", turns=[{"speaker": "agent", "text": "您好" * 400}])
    elements = [dict(GOOD, id=f"t{i}") for i in range(30)] + [long_text] + [dict(GOOD, id="last")]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(elements, ensure_ascii=False), encoding="utf-8")
    read = list(read_transcripts(str(path)))
    assert [r.error for r in read] == [None] * 32
    assert [r.transcript.id for r in read] == [e["id"] for e in elements]


def test_a_json_file_cut_inside_an_element_says_it_is_truncated(tmp_path) -> None:
    path = tmp_path / "tr.json"
    path.write_text('[{"id":"a","turns":[{"speaker":"agent","text":"x"}]}, {"id":"b","turns":[{"spea',
                    encoding="utf-8")
    first, second = read_transcripts(str(path))
    assert first.error is None
    assert second.error.reason == "invalid JSON: element 1 is truncated (the file ends inside it)"
    path.write_text('{"id": "a", "turns": [', encoding="utf-8")
    assert next(read_transcripts(str(path))).error.reason == \
        "invalid JSON: the document is truncated (the file ends inside it)"
    path.write_text('[{"id": "a", "turns": [}]', encoding="utf-8")  # broken, not cut: the decoder's words
    assert "Expecting value" in next(read_transcripts(str(path))).error.reason


# -- a key or a column twice -----------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ('{"id":"a","turns":[{"speaker":"agent","text":"你怎么连这个也不懂"}],"turns":[{"speaker":"agent","text":"您好"}]}',
     "turns"),
    ('{"id":"a","id":"b","turns":[{"speaker":"agent","text":"您好"}]}', "id"),
    ('{"id":"a","turns":[{"speaker":"agent","text":"你怎么连这个也不懂","text":"您好"}]}', "text"),
])
def test_a_key_given_twice_rejects_the_record(tmp_path, text, key) -> None:
    for name, content in (("d.jsonl", text + "\n" + json.dumps(GOOD)), ("d.json", f"[{text}, {json.dumps(GOOD)}]")):
        path = tmp_path / name
        path.write_text(content + "\n", encoding="utf-8")
        first, *rest = read_transcripts(str(path))
        assert first.error is not None and f"duplicate key {key!r}" in first.error.reason, name
        if name.endswith(".jsonl"):
            assert first.error.reason == f"invalid JSON: duplicate key {key!r}"
            assert [r.transcript.id for r in rest] == ["ok"]


def test_a_call_export_row_with_a_key_twice_is_rejected(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"call_id":"c","spk":"a","content":"您好","content":"滚"}\n', encoding="utf-8")
    assert [r.error.reason for r in read_calls(str(path), speaker_map=AB)] == ["invalid JSON: duplicate key 'content'"]


@pytest.mark.parametrize("header, column", [
    ("id,speaker,text,text", "text"),
    ("id,speaker,Text,text ", "text"),  # compared as the reader compares them: case and blanks aside
    ("id,speaker,text,channel,channel", "channel"),  # metadata columns go into the report
])
def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path, header, column) -> None:
    path = tmp_path / "d.csv"
    path.write_text(f"{header}\na,agent,你怎么连这个也不懂,您好{',x' * (header.count(',') - 3)}\n", encoding="utf-8")
    (record,) = read_transcripts(str(path))
    assert record.error.line == 1
    assert record.error.reason.startswith("CSV header: duplicate column ")
    assert f"{column!r}" in record.error.reason.lower()


def test_blank_csv_column_names_are_not_duplicates(tmp_path) -> None:
    path = tmp_path / "d.csv"  # a spreadsheet export ending its header in commas
    path.write_text("id,speaker,text,,\na,agent,您好,,\n", encoding="utf-8")
    assert [r.error for r in read_transcripts(str(path))] == [None]


def test_a_call_csv_header_naming_a_column_twice_is_refused(tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("call_id,spk,content,content\nc,a,您好,滚\n", encoding="utf-8")
    (record,) = read_calls(str(path), speaker_map=AB)
    assert record.error.reason.startswith("CSV header: duplicate column 'content' (columns 3 and 4")


# -- data quoted in errors -------------------------------------------------------------------------

def test_quoted_cuts_long_data_and_says_how_long_it_was() -> None:
    assert quoted("主持人") == "'主持人'"
    long = quoted("x" * 10_000)
    assert long == repr("x" * QUOTE_CHARS) + "… (10,000 characters)"
    assert len(quoted(list(range(100_000)))) <= QUOTE_CHARS + 1


@pytest.mark.parametrize("name, content, reader", [
    ("s.jsonl", json.dumps({"id": "a", "turns": [{"speaker": "x" * 10_000, "text": "t"}]}), read_transcripts),
    ("s.csv", "id,speaker,text\na," + "x" * 10_000 + ",t", read_transcripts),
    ("s2.csv", "id,speaker,text,start\na,agent,t," + "9" * 10_000, read_transcripts),
    ("s.txt", "x" * 10_000, read_transcripts),
    ("c.jsonl", json.dumps({"call_id": "c", "spk": "x" * 10_000, "content": "t"}), read_calls),
    ("c2.jsonl", json.dumps({"call_id": "c", "spk": "a", "content": "t", "start": "9" * 10_000}), read_calls),
])
def test_a_long_value_is_cut_in_its_error(tmp_path, name, content, reader) -> None:
    path = tmp_path / name
    path.write_text(content + "\n", encoding="utf-8")
    (record,) = reader(str(path), speaker_map=AB) if reader is read_calls else reader(str(path))
    assert isinstance(record.error, InputError)
    assert len(record.error.describe()) < 600 and "…" in record.error.reason, record.error.reason


def test_a_long_key_is_cut_where_an_error_names_it(tmp_path) -> None:
    path = tmp_path / "k.jsonl"
    path.write_text(json.dumps({**GOOD, "k" * 10_000: "\ud800"}) + "\n", encoding="utf-8")
    (record,) = read_transcripts(str(path))
    assert "lone surrogate" in record.error.reason and len(record.error.describe()) < 600


# -- lint: JSON template files -----------------------------------------------------------------------

def test_a_json_template_file_over_the_node_bound_is_an_input_error(monkeypatch) -> None:
    monkeypatch.setattr(sources, "TEMPLATE_MAX_NODES", 100)
    within = json.dumps({"greeting": ["您好"] * 98})  # 100 values: the object, the list, 98 strings
    assert [t.text for t in parse_templates("t.json", within).templates][:1] == ["您好"]
    with pytest.raises(InputError, match=r"more than 100 JSON values \(the limit for one template file"):
        parse_templates("t.json", json.dumps({"a": [{}] * 500}))
