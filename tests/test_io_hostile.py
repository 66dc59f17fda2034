"""Hostile inputs to the transcript readers (io/transcripts, io/calls, io/parquet, io/records):
every record is either read or rejected with its reason and counted, nothing is lost unseen,
nothing raises, and a small file cannot make the reader build gigabytes (the Parquet bounds are
checked on what the reader converts, not on the memory a process ends up using)."""

from __future__ import annotations

import json

import pytest

from scriptcheck.io import records
from scriptcheck.io.calls import read_calls
from scriptcheck.io.transcripts import read_transcripts
from tests.hostile import run_cli

AB = {"a": "agent", "b": "customer"}


def _reasons(recs) -> list[str | None]:
    return [None if r.error is None else r.error.reason for r in recs]


# -- TXT: a lone carriage return ends a line ----------------------------------------------------

def test_txt_with_old_mac_line_ends_keeps_its_id_and_its_turns(tmp_path) -> None:
    path = tmp_path / "cr.txt"
    path.write_bytes("# id: c1\r# profile: hotline\r客服：您好，请问有什么可以帮您？\r客户：宽带断了\r客服：好的\r"
                     "\r客服：您好\r客户：再见\r".encode("utf-8"))
    first, second = read_transcripts(str(path))
    assert first.error is None and first.transcript.id == "c1"
    assert first.transcript.metadata == {"profile": "hotline"}
    assert [(t.speaker, t.text) for t in first.transcript.turns] == [
        ("agent", "您好，请问有什么可以帮您？"), ("customer", "宽带断了"), ("agent", "好的")]
    assert second.line == 7 and [t.speaker for t in second.transcript.turns] == ["agent", "customer"]


def test_txt_undecodable_bytes_cost_their_own_line_only(tmp_path) -> None:
    path = tmp_path / "cr.txt"
    path.write_bytes("客服：您好\r客户：好的\r\r客服：".encode("utf-8") + b"\xff\xfe" + "再见\r".encode("utf-8"))
    good, bad = read_transcripts(str(path))
    assert good.error is None and [t.text for t in good.transcript.turns] == ["您好", "好的"]
    assert bad.error is not None and "undecodable" in bad.error.reason and bad.error.line == 4


def test_txt_transcript_named_but_without_turns_is_rejected_not_lost(tmp_path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("# id: lonely\n\n客服：您好\n客户：好的\n", encoding="utf-8")
    lonely, other = read_transcripts(str(path))
    assert lonely.error is not None and lonely.error.field == "turns" and "no turns" in lonely.error.reason
    assert other.error is None and len(other.transcript.turns) == 2


# -- CSV (plain and call exports): a bad row is counted, a stray quote costs its row only ------

def test_plain_csv_quote_left_open_does_not_swallow_the_rows_after_it(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,speaker,text\nc1,agent,"还没关上\nc2,agent,您好\nc3,agent,再见\n', encoding="utf-8")
    recs = list(read_transcripts(str(path)))
    assert [r.transcript.id if r.error is None else None for r in recs] == [None, "c2", "c3"]
    assert "still open" in recs[0].error.reason and recs[0].error.line == 2


@pytest.mark.parametrize("calls", [False, True])
def test_csv_row_refused_by_the_csv_module_rejects_the_conversation_its_id_names(tmp_path, calls) -> None:
    path = tmp_path / "t.csv"
    head = "call_id,role,content\n" if calls else "id,speaker,text\n"
    path.write_text(head + 'c1,agent,您好\nc2,agent,"a\\"b"\nc3,agent,再见\n', encoding="utf-8")
    recs = list(read_calls(str(path)) if calls else read_transcripts(str(path)))
    assert [(r.line, r.error is None) for r in recs] == [(2, True), (3, False), (4, True)]
    assert "after its closing quote" in recs[1].error.reason


def test_call_csv_undecodable_row_rejects_its_call(tmp_path) -> None:
    path = tmp_path / "calls.csv"
    path.write_bytes("call_id,role,content\nc1,A,您好\n".encode("utf-8") + b"c1,B,\xff\xfe bad\n"
                     + "c2,A,您好\n".encode("utf-8"))
    c1, c2 = read_calls(str(path), speaker_map=AB)
    assert c1.error is not None and "undecodable" in c1.error.reason and c1.error.line == 3
    assert c2.error is None and c2.transcript.id == "c2"


def test_call_csv_quote_left_open_costs_one_call(tmp_path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text('call_id,role,content\nc1,A,"您好\nc2,A,您好\nc3,A,您好\n', encoding="utf-8")
    recs = list(read_calls(str(path), speaker_map=AB))
    assert len(recs) == 3 and "still open" in recs[0].error.reason
    assert [r.transcript.id for r in recs[1:]] == ["c2", "c3"]


def test_call_csv_field_over_the_csv_limit_is_a_rejected_row_not_a_crash(tmp_path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("call_id,role,content\nc1,A,您好\nc1,B,\"" + "长" * 140_000 + "\"\nc2,A,您好\n", encoding="utf-8")
    c1, c2 = read_calls(str(path), speaker_map=AB)
    assert "field larger than field limit" in c1.error.reason and c1.error.line == 3
    assert c2.error is None


# -- times: infinity is refused as NaN is ------------------------------------------------------

def test_call_times_that_are_not_finite_are_refused(tmp_path) -> None:
    path = tmp_path / "calls.jsonl"
    lines = [
        '{"id": "w", "turns": [{"speaker": "agent", "text": "您好", "start": 0, "end": 1e400}], "call_end": 1e400}',
        '{"call_id": "c", "role": "A", "content": "您好", "begin_time": "inf:0", "end_time": "1:0"}',
        '{"call_id": "d", "role": "A", "content": "您好", "begin_time": ' + "9" * 400 + ', "end_time": 1}',
        '{"call_id": "e", "role": "A", "content": "您好", "begin_time": 0, "end_time": 1}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    w, c, d, e = read_calls(str(path), speaker_map=AB, time_unit="ms")
    assert w.error.field == "turns.0.end" and "not a finite time" in w.error.reason
    assert c.error.field == "start" and "'inf:0'" in c.error.reason
    assert d.error.field == "start" and "not a finite time" in d.error.reason
    assert e.error is None and e.transcript.turns[0].end == 0.001


def test_plain_reader_refuses_an_infinite_turn_time_but_not_an_infinite_call_end(tmp_path) -> None:
    path = tmp_path / "t.jsonl"
    turn = {"speaker": "agent", "text": "您好"}
    path.write_text('{"id": "a", "turns": [{"speaker": "agent", "text": "您好", "start": 1e400}]}\n'
                    + json.dumps({"id": "b", "turns": [turn], "call_end": 1.5}) + "\n", encoding="utf-8")
    a, b = read_transcripts(str(path))
    assert a.error is not None and a.error.field == "turns.0.start" and "finite" in a.error.reason
    assert b.error is None


def test_a_transcript_of_too_many_turns_is_rejected_before_it_is_built(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(records, "MAX_TRANSCRIPT_TURNS", 50)
    path = tmp_path / "t.jsonl"
    turns = [{"speaker": "agent", "text": "嗯"}] * 51
    path.write_text(json.dumps({"id": "long", "turns": turns}) + "\n"
                    + json.dumps({"id": "ok", "turns": turns[:50]}) + "\n", encoding="utf-8")
    long, ok = read_transcripts(str(path))
    assert long.error is not None and long.error.field == "turns" and "51 turns" in long.error.reason
    assert ok.error is None


# -- Parquet ---------------------------------------------------------------------------------

def _parquet():
    return pytest.importorskip("pyarrow.parquet", reason='Parquet needs pyarrow: pip install ".[parquet]"')


def _write(path, columns: dict, **options) -> str:
    import pyarrow as pa

    _parquet().write_table(pa.table(columns), path, **options)
    return str(path)


def _read_parquet(path) -> list:
    return list(read_transcripts(str(path)))


@pytest.fixture
def converted(monkeypatch):
    """Counts the rows the Parquet reader converts to Python."""
    from scriptcheck.io import parquet

    seen = {"rows": 0}
    plain = getattr(parquet, "_plain", None)

    def counting(batch):
        seen["rows"] += batch.num_rows
        return plain(batch)

    if plain is not None:  # (a reader that converts otherwise fails the test by its records)
        monkeypatch.setattr(parquet, "_plain", counting)
    return seen


def test_parquet_dictionary_encoded_ids_of_interleaved_rows_are_grouped(tmp_path) -> None:
    pa = pytest.importorskip("pyarrow")
    _parquet()
    ids = pa.array(["c2", "c1", "c2", "c1"]).dictionary_encode()
    path = _write(tmp_path / "u.parquet", {"conversation_id": ids, "seq": [1, 0, 0, 1],
                                            "speaker": ["customer", "agent", "agent", "customer"],
                                            "text": ["好的", "您好", "您好", "查快递"]})
    c1, c2 = _read_parquet(path)
    assert (c1.transcript.id, c2.transcript.id) == ("c1", "c2")
    assert [t.text for t in c1.transcript.turns] == ["您好", "查快递"]
    assert [t.text for t in c2.transcript.turns] == ["您好", "好的"]


def test_parquet_conversation_of_too_many_rows_is_rejected_as_its_rows_come(tmp_path, monkeypatch, converted) -> None:
    pa = pytest.importorskip("pyarrow")
    _parquet()
    from scriptcheck.io import parquet

    monkeypatch.setattr(parquet, "MAX_TRANSCRIPT_TURNS", 100)
    n = 20_000  # one conversation of 20,000 one-character rows, then a good one
    ids = pa.DictionaryArray.from_arrays(pa.array([0] * n + [1, 1], pa.int32()), pa.array(["bomb", "ok"]))
    path = _write(tmp_path / "rows.parquet", {"conversation_id": ids, "speaker": ["agent"] * n + ["agent", "customer"],
                                              "text": ["x"] * n + ["您好", "好的"]})
    bomb, ok = _read_parquet(path)
    assert bomb.error is not None and bomb.error.field == "turns" and bomb.line == 1
    assert "20,000 utterance rows, more than the 100 turns" in bomb.error.reason
    assert ok.error is None and len(ok.transcript.turns) == 2
    assert converted["rows"] <= 100 + 2 + parquet._BATCH_ROWS  # not the 20,000 rows


def test_parquet_conversation_row_of_too_many_turns_is_not_converted(tmp_path, monkeypatch, converted) -> None:
    _parquet()
    from scriptcheck.io import parquet

    monkeypatch.setattr(parquet, "MAX_TRANSCRIPT_TURNS", 100)
    turn = {"speaker": "agent", "text": "x"}
    path = _write(tmp_path / "nested.parquet", {"id": ["bomb", "ok"], "turns": [[turn] * 5000, [turn] * 2]})
    bomb, ok = _read_parquet(path)
    assert bomb.error is not None and bomb.error.field == "turns" and "5,000 turns" in bomb.error.reason
    assert ok.error is None and len(ok.transcript.turns) == 2
    assert converted["rows"] == 1


def test_parquet_repeated_long_text_is_measured_before_it_is_converted(tmp_path, monkeypatch, converted) -> None:
    pa = pytest.importorskip("pyarrow")
    _parquet()
    from scriptcheck.io import parquet

    monkeypatch.setattr(parquet, "MAX_TRANSCRIPT_CHARS", 1000)
    # 2,000 rows of one 600-character value, stored once: 1.2 million characters in a few KB.
    text = pa.DictionaryArray.from_arrays(pa.array([0] * 2000 + [1], pa.int32()), pa.array(["长" * 600, "您好"]))
    ids = pa.array([f"c{i // 2}" for i in range(2000)] + ["ok"])
    path = _write(tmp_path / "long.parquet", {"conversation_id": ids, "speaker": ["agent"] * 2001, "text": text})
    recs = _read_parquet(path)
    assert len(recs) == 1001 and recs[-1].error is None
    assert all(r.error is not None and "1,200 characters of turn text" in r.error.reason for r in recs[:-1])
    assert converted["rows"] <= 1 + parquet._BATCH_ROWS and not any(r.raw for r in recs)


def test_parquet_footer_that_inflates_too_far_is_refused_before_reading(tmp_path, monkeypatch, converted) -> None:
    _parquet()
    from scriptcheck.io import parquet

    monkeypatch.setattr(parquet, "_INFLATE_FLOOR", 4096)
    path = _write(tmp_path / "zstd.parquet", {"conversation_id": ["c"], "speaker": ["agent"], "text": ["x" * 1_000_000]},
                  compression="zstd", use_dictionary=False)
    (record,) = _read_parquet(path)
    assert record.line == 0 and "decompression bomb" in record.error.reason and "column text" in record.error.reason
    assert converted["rows"] == 0


def test_parquet_footer_with_more_rows_than_its_bytes_can_hold_is_refused(tmp_path, monkeypatch, converted) -> None:
    pa = pytest.importorskip("pyarrow")
    _parquet()
    from scriptcheck.io import parquet

    monkeypatch.setattr(parquet, "_VALUES_FLOOR", 1000)
    n = 200_000
    one = pa.array([0] * n, pa.int32())
    path = _write(tmp_path / "rle.parquet", {
        "conversation_id": pa.DictionaryArray.from_arrays(one, pa.array(["c"])),
        "speaker": pa.DictionaryArray.from_arrays(one, pa.array(["agent"])),
        "text": pa.DictionaryArray.from_arrays(one, pa.array(["x"]))})
    (record,) = _read_parquet(path)
    assert record.line == 0 and "200,000 rows" in record.error.reason and "decompression bomb" in record.error.reason
    assert converted["rows"] == 0


def test_parquet_file_converting_to_far_more_than_its_size_stops(tmp_path, monkeypatch) -> None:
    pa = pytest.importorskip("pyarrow")
    _parquet()
    from scriptcheck.io import parquet

    monkeypatch.setattr(parquet, "_CONVERT_FLOOR", 20 << 20)
    monkeypatch.setattr(parquet, "_CONVERT_RATIO", 10)
    n = 20_000  # each conversation within every bound; together 20,000 copies of 3 KB: 60 MB from 150 KB
    text = pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array(["长" * 1000]))
    path = _write(tmp_path / "many.parquet", {"conversation_id": [f"c{i}" for i in range(n)],
                                              "speaker": ["agent"] * n, "text": text})
    recs = _read_parquet(path)
    assert recs[-1].line == 0 and "decompression bomb" in recs[-1].error.reason
    assert 0 < len(recs) - 1 < n // 2 and all(r.error is None for r in recs[:-1])


def test_parquet_unsorted_rows_past_what_is_sorted_in_memory_are_refused(tmp_path, monkeypatch) -> None:
    _parquet()
    from scriptcheck.io import parquet

    monkeypatch.setattr(parquet, "_MAX_SORT_ROWS", 3)
    path = _write(tmp_path / "u.parquet", {"conversation_id": ["a", "b", "a", "b"], "speaker": ["agent"] * 4,
                                           "text": ["您好"] * 4})
    (record,) = _read_parquet(path)
    assert record.line == 0 and "sort the file by conversation_id" in record.error.reason


def test_call_reader_reads_parquet_as_parquet_and_maps_its_speakers(tmp_path) -> None:
    _parquet()
    path = _write(tmp_path / "calls.parquet", {"conversation_id": ["c1", "c1"], "speaker": ["A", "B"],
                                                "text": ["您好", "查快递"], "start": [0, 1500], "end": [1000, 2500]})
    (record,) = read_calls(path, speaker_map=AB, time_unit="ms")
    assert record.error is None, record.error
    assert [(t.speaker, t.start) for t in record.transcript.turns] == [("agent", 0.0), ("customer", 1.5)]


def test_corrupt_parquet_is_one_unreadable_input_and_the_others_are_scored(tmp_path) -> None:
    pq = _parquet()
    path = _write(tmp_path / "bad.parquet", {"conversation_id": ["c1", "c1"], "speaker": ["agent", "customer"],
                                              "text": ["您好", "查快递"]})
    chunk = pq.read_metadata(path).row_group(0).column(2)
    data = bytearray((tmp_path / "bad.parquet").read_bytes())
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data[start:start + 12] = b"\xff" * 12  # the page header
    (tmp_path / "bad.parquet").write_bytes(bytes(data))
    (record,) = _read_parquet(path)
    assert record.line == 0 and record.error.reason.startswith("cannot read Parquet") and "\n" not in record.error.reason
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "ok", "turns": [{"speaker": "agent", "text": "您好"}]}) + "\n", encoding="utf-8")
    result = run_cli("score", "--format", "jsonl", "-o", str(tmp_path / "out.jsonl"), path, str(good), timeout=120)
    errors = [line for line in result.stderr.decode().splitlines() if line.startswith("scriptcheck:")]
    assert result.returncode == 2, result.stderr.decode()
    assert len(errors) == 1 and errors[0].startswith(f"scriptcheck: error: {path}: cannot read Parquet")
    assert "<stdout>" not in result.stderr.decode() and "Traceback" not in result.stderr.decode()
    assert [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()] == ["ok"]
