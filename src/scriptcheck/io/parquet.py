"""Reading transcripts from Parquet: one row per conversation (nested ``turns``) or one row per
utterance (grouped into conversations here, as ``score_utterances`` does on Spark).

pyarrow is an optional extra (``pip install "scriptcheck[parquet]"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from scriptcheck.errors import InputError
from scriptcheck.io.records import Record
from scriptcheck.tables import without_nulls

__all__ = ["UtteranceColumns", "read_parquet"]

_BATCH_ROWS = 4096


@dataclass(frozen=True)
class UtteranceColumns:
    """Column names of a one-row-per-utterance table; other columns become metadata (taken
    from a conversation's first row)."""

    conversation: str = "conversation_id"
    order: str | None = "seq"
    speaker: str = "speaker"
    text: str = "text"
    start: str | None = "start"
    end: str | None = "end"


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:  # an optional extra: say how to get it
        raise InputError('reading Parquet needs pyarrow: pip install "scriptcheck[parquet]"') from None
    return pq


def read_parquet(path: str, columns: UtteranceColumns | None = None) -> Iterator[Record]:
    """Records of a Parquet file: nested conversations when it has a ``turns`` column, else
    utterance rows named by ``columns`` (defaults: ``conversation_id``, ``seq``, ``speaker``,
    ``text``, ``start``, ``end``). A file that cannot be opened is one error record."""
    pq = _pyarrow_parquet()
    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        yield Record(path, 0, error=InputError(f"cannot read Parquet: {exc}", file=path))
        return
    names = handle.schema_arrow.names
    if "turns" in names:
        yield from _nested(handle, path)
    else:
        yield from _utterances(handle, path, columns or UtteranceColumns(), names)


def _nested(handle, path: str) -> Iterator[Record]:
    row_number = 0
    for batch in handle.iter_batches(batch_size=_BATCH_ROWS):
        for row in batch.to_pylist():
            row_number += 1
            yield Record(path, row_number, raw=without_nulls(row))


def _utterances(handle, path: str, cols: UtteranceColumns, names: list[str]) -> Iterator[Record]:
    missing = [c for c in (cols.conversation, cols.speaker, cols.text) if c not in names]
    if missing:
        yield Record(path, 0, error=InputError(
            f"no 'turns' column and no utterance column(s) {missing} (columns: {', '.join(names)})", file=path))
        return
    # Grouping needs a conversation's rows together: the table is read whole, then sorted.
    table = handle.read()
    keys = [(cols.conversation, "ascending")] + ([(cols.order, "ascending")] if cols.order in names else [])
    table = table.sort_by(keys)
    turn_columns = {cols.speaker: "speaker", cols.text: "text"}
    for name, target in ((cols.start, "start"), (cols.end, "end")):
        if name is not None and name in names:
            turn_columns[name] = target
    skip = {cols.conversation, cols.order, *turn_columns}
    current: dict | None = None
    first_row = 0
    for number, row in enumerate(table.to_pylist(), start=1):
        ident = row[cols.conversation]
        if current is None or current["id"] != ident:
            if current is not None:
                yield Record(path, first_row, raw=current)
            current = {"id": ident, "turns": []}
            current.update({k: v for k, v in row.items() if k not in skip and v is not None})
            first_row = number
        current["turns"].append({target: row[name] for name, target in turn_columns.items() if row[name] is not None})
    if current is not None:
        yield Record(path, first_row, raw=current)
