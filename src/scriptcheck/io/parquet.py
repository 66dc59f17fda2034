"""Reading transcripts from Parquet: one row per conversation (nested ``turns``) or one row per
utterance (grouped into conversations here, as ``score_utterances`` does on Spark).

pyarrow is an optional extra (``pip install "scriptcheck[parquet]"``).

A Parquet file is untrusted input like any other, and a small one can hold a great deal:
dictionary and run-length encoding store a million copies of a value in a few bytes, a codec a
gigabyte of one character in kilobytes. So no file is read whole and nothing is built in Python
before its size is known (a 27 KB file of 3 million rows took 2.8 GB and 18 s as the table was
read, sorted and converted at once):

- the footer is checked before any page is read: a column chunk that inflates more than
  :data:`_INFLATE_RATIO` times past :data:`_INFLATE_FLOOR` bytes, a row group with more rows,
  or a column more values (a list's items), than :data:`_VALUES_PER_BYTE` a byte of the row
  group or of the file (past :data:`_VALUES_FLOOR`), or column chunks larger together than the
  file make the file one unreadable input, as a file that is not Parquet at all is;
- a row group is read at once with its strings dictionary-encoded (a repeated value is held
  once: Arrow holds an index a row and the distinct values, which the footer bounds), then
  taken :data:`_BATCH_ROWS` rows at a time;
- each record is measured on the Arrow data before anything of it is converted — turns
  (utterance rows), characters of turn text, bytes of values as Python would hold them — and
  one past :data:`~scriptcheck.io.records.MAX_TRANSCRIPT_TURNS` turns,
  :data:`~scriptcheck.io.records.MAX_TRANSCRIPT_CHARS` characters or :data:`_MAX_RECORD_BYTES`
  bytes is rejected with the reason, and reading goes on;
- what is converted, all records together, may not pass :data:`_CONVERT_RATIO` times the
  file's size (or :data:`_CONVERT_FLOOR`): a small file of many large records that are each
  within the bounds stops there, as one unreadable input;
- utterance rows are streamed in file order when each conversation's rows are together (as a
  first pass over the id column finds), and sorted in memory only when they are not — refused,
  with the reason, past :data:`_MAX_SORT_ROWS` rows or :data:`_MAX_SORT_BYTES` bytes;
- what pyarrow cannot read (a corrupt page, a cut file) ends the file with one error naming it
  and the reason; the records read before it stand.

An error about the whole file is a :class:`Record` with line 0, as for a file that cannot be
opened (``io.transcripts``): the ``score`` command reports it as an unreadable input (exit 2)
and goes on with the other inputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator

from scriptcheck.errors import InputError
from scriptcheck.io.records import MAX_TRANSCRIPT_CHARS, MAX_TRANSCRIPT_TURNS, Record
from scriptcheck.tables import without_nulls

__all__ = ["UtteranceColumns", "read_parquet"]

_BATCH_ROWS = 4096
# One record's values as Python holds them, estimated from Arrow: as MAX_JSON_ELEMENT and
# MAX_LINE bound one record of the text formats (io/transcripts.py).
_MAX_RECORD_BYTES = 64 * 1024 * 1024
# What each value costs besides its bytes (a Python object, a slot in a list or dict).
_ITEM_BYTES = 64
# A column chunk may inflate this many times when decompressed, or to this size whatever it is.
_INFLATE_RATIO = 100
_INFLATE_FLOOR = 64 * 1024 * 1024
# The values converted from the whole file, as Python holds them, may come to this many times its
# size, or to this size whatever the file's: real exports come to 10-20 times (a short answer
# from a handful, 〜600 times: ids, times and object headers cost more than its compressed bytes).
_CONVERT_RATIO = 1000
_CONVERT_FLOOR = 64 * 1024 * 1024
# Rows, and values of a column (a list's items), per byte of a row group and of the file: a real
# utterance or turn costs bytes of its own, a run-length-encoded bomb a bit per million.
_VALUES_PER_BYTE = 8
_VALUES_FLOOR = 1 << 22
# Utterance rows not grouped by conversation are sorted in memory, the whole file at once.
_MAX_SORT_ROWS = 1 << 22
_MAX_SORT_BYTES = 256 * 1024 * 1024
# Parquet's logical types of byte arrays that pyarrow reads as strings or bytes (not decimals).
_STRING_TYPES = frozenset({"STRING", "NONE", "JSON", "BSON", "ENUM"})


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
    ``text``, ``start``, ``end``). A file that cannot be opened or read, or whose footer says it
    would inflate past the bounds above, is one error record with line 0 (the records read
    before a page that cannot be read stand); a record past the bounds is an error record."""
    pq = _pyarrow_parquet()
    import pyarrow as pa

    read_errors = (pa.ArrowException, OSError, ValueError, TypeError, KeyError, IndexError, OverflowError)
    read = 0
    handle = None
    try:
        metadata = pq.read_metadata(path)
        try:
            size: int | None = os.stat(path).st_size
        except (OSError, ValueError):
            size = None
        problem = _footer_problem(metadata, size)
        if problem is not None:
            raise InputError(problem, file=path)
        handle = pq.ParquetFile(path, metadata=metadata, read_dictionary=_string_columns(metadata))
        names = handle.schema_arrow.names
        if size is None:  # (not a file one can stat: what its footer says it holds)
            size = sum(metadata.row_group(g).total_byte_size for g in range(metadata.num_row_groups))
        measure = _Measure(path, max(_CONVERT_FLOOR, _CONVERT_RATIO * size))
        records = _nested(handle, path, measure) if "turns" in names else \
            _utterances(handle, path, columns or UtteranceColumns(), names, measure)
        for record in records:
            read += 1
            yield record
    except InputError as exc:
        yield Record(path, 0, error=exc)
    except read_errors as exc:  # pyarrow raises several types for a file that is not (good) Parquet
        after = f" after {read:,} record(s)" if read else ""
        yield Record(path, 0, error=InputError(f"cannot read Parquet{after}: {_one_line(exc)}", file=path))
    finally:
        if handle is not None and hasattr(handle, "close"):
            handle.close()


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (pyarrow's run over several), not too long."""
    import pyarrow as pa

    text = " ".join(str(exc).split())
    if not isinstance(exc, (pa.ArrowException, OSError)) or not text:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _footer_problem(metadata, size: int | None) -> str | None:
    """Why the file (of ``size`` bytes, if known) must not be read, judged from its footer alone
    (see the module's doc), or ``None``."""
    packed_total = rows_total = 0
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        packed_group = 0
        values: dict[str, int] = {}
        for j in range(group.num_columns):
            chunk = group.column(j)
            packed, unpacked = chunk.total_compressed_size, chunk.total_uncompressed_size
            if unpacked > max(_INFLATE_FLOOR, _INFLATE_RATIO * packed):
                return (f"row group {g}, column {chunk.path_in_schema}: {packed:,} bytes inflate to {unpacked:,} "
                        f"(more than {_INFLATE_RATIO} times and {_INFLATE_FLOOR >> 20} MB: a decompression bomb?)")
            packed_group += packed
            values[chunk.path_in_schema] = values.get(chunk.path_in_schema, 0) + chunk.num_values
        most = max(_VALUES_FLOOR, _VALUES_PER_BYTE * packed_group)
        for what, count in [("rows", group.num_rows), *((f"values in column {k}", v) for k, v in values.items())]:
            if count > most:
                return (f"row group {g}: {count:,} {what} in {packed_group:,} bytes (more than {_VALUES_PER_BYTE} "
                        f"a byte past {_VALUES_FLOOR:,}: a decompression bomb?)")
        packed_total += packed_group
        rows_total += group.num_rows
    if size is not None and packed_total > size:
        return f"the footer says the column chunks hold {packed_total:,} bytes, more than the file's {size:,}"
    if size is not None and rows_total > max(_VALUES_FLOOR, _VALUES_PER_BYTE * size):
        return (f"{rows_total:,} rows in {size:,} bytes (more than {_VALUES_PER_BYTE} a byte past "
                f"{_VALUES_FLOOR:,}: a decompression bomb?)")
    return None


def _string_columns(metadata) -> list[str]:
    """The paths of the columns pyarrow reads as strings or bytes: read dictionary-encoded."""
    schema = metadata.schema
    out = []
    for i in range(len(schema)):
        column = schema.column(i)
        logical = str(column.logical_type).split("(")[0].upper()
        if column.physical_type == "BYTE_ARRAY" and logical in _STRING_TYPES:
            out.append(column.path)
    return out


def _batches(handle, columns: list[str] | None = None) -> Iterator[Any]:
    """The file's rows (of ``columns``, or all) in record batches of at most
    :data:`_BATCH_ROWS` rows, strings dictionary-encoded. A row group is read at once: read in
    batches, a column whose dictionary overflowed into plain pages (as writers do past 1 MB of
    distinct values) came with every value read so far again in each batch's dictionary (200,000
    utterances: 1.4 s instead of 0.06)."""
    for g in range(handle.metadata.num_row_groups):
        yield from handle.read_row_group(g, columns=columns).to_batches(max_chunksize=_BATCH_ROWS)


def _plain(batch):
    """``batch`` with its dictionary-encoded values decoded (what ``to_pylist`` converts value
    by value, from the whole dictionary); done only to what was measured and found small."""
    import pyarrow as pa

    arrays = []
    for array in batch.columns:
        kind = _without_dictionaries(array.type)
        if kind != array.type:
            try:
                # Nested: copied first, as a slice's cast decodes every value under the list.
                array = array.dictionary_decode() if pa.types.is_dictionary(array.type) else \
                    pa.concat_arrays([array]).cast(kind)
            except pa.ArrowNotImplementedError:  # an older pyarrow: converted as it is
                pass
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _without_dictionaries(kind):
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        return _without_dictionaries(kind.value_type)
    if pa.types.is_map(kind):
        return pa.map_(_without_dictionaries(kind.key_type), _without_dictionaries(kind.item_type))
    if pa.types.is_large_list(kind):
        return pa.large_list(kind.value_field.with_type(_without_dictionaries(kind.value_type)))
    if pa.types.is_fixed_size_list(kind):
        return pa.list_(kind.value_field.with_type(_without_dictionaries(kind.value_type)), kind.list_size)
    if pa.types.is_list(kind):
        return pa.list_(kind.value_field.with_type(_without_dictionaries(kind.value_type)))
    if pa.types.is_struct(kind):
        return pa.struct([kind.field(i).with_type(_without_dictionaries(kind.field(i).type))
                          for i in range(kind.num_fields)])
    return kind


# -- measuring what the Arrow data would be in Python, before anything is converted ----------------

class _Measure:
    """Measures of Arrow data as Python would hold it: bytes (a value's bytes and
    :data:`_ITEM_BYTES` a value) and characters of text, per row; and the bytes converted from
    the file so far, against its ``budget``. A dictionary (a row group's, shared by its batches)
    is measured once."""

    def __init__(self, path: str, budget: int) -> None:
        self.path = path
        self.budget = budget
        self.spent = 0
        self._dictionaries: dict[tuple, tuple] = {}

    def spend(self, size: int) -> None:
        """Count ``size`` bytes about to be converted; past the budget the file is refused."""
        self.spent += size
        if self.spent > self.budget:
            raise InputError(f"its values come to more than {self.budget:,} bytes ({_CONVERT_RATIO} times the file "
                             f"or {_CONVERT_FLOOR >> 20} MB): a decompression bomb?", file=self.path)

    def rows(self, batch) -> list[int]:
        """Per row of ``batch`` (a record batch), the bytes of all its values."""
        import pyarrow as pa
        import pyarrow.compute as pc

        total = pa.nulls(batch.num_rows, pa.int64()).fill_null(0)
        for i in range(batch.num_columns):
            total = pc.add(total, self.sizes(batch.column(i)))
        return total.to_pylist()

    def sizes(self, array):
        """An int64 array: the bytes of each value of ``array``."""
        import pyarrow as pa
        import pyarrow.compute as pc

        kind = array.type
        if pa.types.is_dictionary(kind):
            out = pc.take(self._of_dictionary(array, "bytes", self.sizes), array.indices)
        elif _is_bytes(kind):
            out = pc.add(pc.cast(pc.binary_length(array), pa.int64()), _ITEM_BYTES)
        elif _is_list(kind):
            lengths, items = _items(array)
            out = pc.add(_sums(self.sizes(items), lengths), _ITEM_BYTES)
        elif pa.types.is_struct(kind):
            out = _filled(len(array), _ITEM_BYTES)
            for child in array.flatten():
                out = pc.add(out, self.sizes(child))
        else:  # numbers, booleans, times, decimals: an object each
            return _filled(len(array), _ITEM_BYTES)
        return out.fill_null(_ITEM_BYTES)

    def chars(self, array) -> list[int]:
        """Per value of ``array`` (the text of a turn, or a list of turns), the characters of
        text it holds."""
        return self._chars(array).to_pylist()

    def _chars(self, array):
        import pyarrow as pa
        import pyarrow.compute as pc

        kind = array.type
        if pa.types.is_dictionary(kind):
            out = pc.take(self._of_dictionary(array, "chars", self._chars), array.indices)
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            out = pc.cast(pc.utf8_length(array), pa.int64())
        elif _is_bytes(kind):
            out = pc.cast(pc.binary_length(array), pa.int64())
        elif _is_list(kind) and pa.types.is_struct(kind.value_type) and \
                kind.value_type.get_field_index("text") >= 0:  # turns: their texts
            lengths, items = _items(array)
            out = _sums(self._chars(pc.struct_field(items, "text")), lengths)
        else:
            return _filled(len(array), 0)
        return out.fill_null(0)

    def _of_dictionary(self, array, what: str, measure):
        dictionary = array.dictionary
        key = (what, len(dictionary), dictionary.offset,
               tuple(None if b is None else (b.address, b.size) for b in dictionary.buffers()))
        held = self._dictionaries.get(key)
        if held is None:
            if len(self._dictionaries) >= 64:
                self._dictionaries.clear()
            # The dictionary is kept with its measures: its buffers' addresses stay its own.
            held = self._dictionaries[key] = (dictionary, measure(dictionary))
        return held[1]


def _is_bytes(kind) -> bool:
    import pyarrow as pa

    return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind))


def _is_list(kind) -> bool:
    import pyarrow as pa

    return (pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_map(kind)
            or pa.types.is_fixed_size_list(kind))


def _items(array):
    """``(items per value, the items one after another)`` of a list array (a null: none)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_fixed_size_list(kind):  # flatten() would skip the items of a null
        width = kind.list_size
        return _filled(len(array), width), array.values.slice(array.offset * width, len(array) * width)
    return pc.cast(pc.list_value_length(array), pa.int64()).fill_null(0), array.flatten()


def _filled(n: int, value: int):
    import pyarrow as pa

    return pa.nulls(n, pa.int64()).fill_null(value)


def _sums(inner, lengths):
    """The sums of ``inner`` over consecutive runs of ``lengths`` items."""
    import pyarrow as pa
    import pyarrow.compute as pc

    prefix = pa.concat_arrays([pa.array([0], pa.int64()), pc.cumulative_sum(inner)])
    ends = pc.cumulative_sum(lengths)
    return pc.subtract(pc.take(prefix, ends), pc.take(prefix, pc.subtract(ends, lengths)))


def _too_many_turns(count: int, what: str) -> str:
    return f"{count:,} {what}, more than the {MAX_TRANSCRIPT_TURNS:,} turns one transcript may hold"


def _too_many_chars(count: int) -> str:  # the words of io.records.build_transcript
    return f"{count:,} characters of turn text, more than the {MAX_TRANSCRIPT_CHARS:,} one transcript may hold"


def _too_large(size: int) -> str:
    return (f"{size:,} bytes of values, more than the {_MAX_RECORD_BYTES:,} one record may hold "
            "(as one JSON element or line)")


# -- one row per conversation --------------------------------------------------------------------

def _nested(handle, path: str, measure: _Measure) -> Iterator[Record]:
    done = 0  # rows of the batches before this one
    for batch in _batches(handle):
        rows = batch.num_rows
        turns = batch.column(batch.schema.names.index("turns"))
        counts = _items(turns)[0].to_pylist() if _is_list(turns.type) else [0] * rows
        chars = measure.chars(turns)
        sizes = measure.rows(batch)
        start = held = 0  # rows [start, i) wait to be converted together; their size
        for i in range(rows):
            count, size = counts[i], sizes[i]
            reason, field = (_too_many_turns(count, "turns"), "turns") if count > MAX_TRANSCRIPT_TURNS else \
                (_too_many_chars(chars[i]), "turns") if chars[i] > MAX_TRANSCRIPT_CHARS else \
                (_too_large(size), None) if size > _MAX_RECORD_BYTES else (None, None)
            if reason is not None or held + size > _MAX_RECORD_BYTES:
                yield from _converted(batch, start, i, done, path, measure, held)
                start, held = i, 0
            if reason is not None:
                line = done + i + 1
                yield Record(path, line, error=InputError(reason, file=path, line=line, field=field))
                start = i + 1
                continue
            held += size
        yield from _converted(batch, start, rows, done, path, measure, held)
        done += rows


def _converted(batch, start: int, stop: int, done: int, path: str, measure: _Measure,
               size: int) -> Iterator[Record]:
    """Records of rows ``[start, stop)`` of ``batch`` (numbered after ``done`` rows; ``size``
    bytes); a row Python cannot hold (a date past year 9999 …) is an error record of its own."""
    if start >= stop:
        return
    measure.spend(size)
    try:
        rows = _plain(batch.slice(start, stop - start)).to_pylist()
    except (ValueError, TypeError, OverflowError) as exc:  # ArrowInvalid is a ValueError
        if stop - start > 1:
            for i in range(start, stop):
                yield from _converted(batch, i, i + 1, done, path, measure, 0)
            return
        line = done + start + 1
        yield Record(path, line, error=InputError(f"cannot convert: {_one_line(exc)}", file=path, line=line))
        return
    for offset, row in enumerate(rows):
        yield Record(path, done + start + offset + 1, raw=without_nulls(row))


# -- one row per utterance -----------------------------------------------------------------------

def _utterances(handle, path: str, cols: UtteranceColumns, names: list[str], measure: _Measure) -> Iterator[Record]:
    missing = [c for c in (cols.conversation, cols.speaker, cols.text) if c not in names]
    if missing:
        yield Record(path, 0, error=InputError(
            f"no 'turns' column and no utterance column(s) {missing} (columns: {', '.join(names)})", file=path))
        return
    order = cols.order if cols.order is not None and cols.order in names else None
    turn_columns = {cols.speaker: "speaker", cols.text: "text"}
    for name, target in ((cols.start, "start"), (cols.end, "end")):
        if name is not None and name in names:
            turn_columns[name] = target
    skip = {cols.conversation, order, *turn_columns}
    meta_columns = [name for name in dict.fromkeys(names) if name not in skip]
    if _grouped(handle, cols.conversation):
        parts = ((batch, None) for batch in _batches(handle))
    else:
        parts = _sorted(handle, path, cols.conversation, order)
    yield from _conversations(parts, path, measure, cols, order, turn_columns, meta_columns)


_NOTHING = object()


def _grouped(handle, conversation: str) -> bool:
    """Whether each conversation's rows are together (one pass over the id column, holding a
    hash of each id)."""
    seen: set[int] = set()
    last: Any = _NOTHING
    for batch in _batches(handle, [conversation]):
        ids = batch.column(0)
        for start in _run_starts(ids):
            ident = ids[start].as_py()
            if last is not _NOTHING and ident == last:
                continue
            try:
                key = hash(ident)
            except TypeError:  # a list or a struct as the id
                key = hash(repr(ident))
            if key in seen:  # (or another id with the same hash: then sorted, which is as right)
                return False
            seen.add(key)
            last = ident
    return True


def _run_starts(ids) -> list[int]:
    """Where a run of equal ids may start in ``ids`` (at least wherever one does: the values are
    compared again there)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(ids)
    if n <= 1:
        return list(range(n))
    values = ids.indices if pa.types.is_dictionary(ids.type) else ids
    try:
        changed = pc.not_equal(values.slice(1), values.slice(0, n - 1))
    except pa.ArrowNotImplementedError:  # ids of a type Arrow does not compare
        return list(range(n))
    return [0, *[i + 1 for i in pc.indices_nonzero(changed.fill_null(True)).to_pylist()]]


def _sorted(handle, path: str, conversation: str, order: str | None) -> Iterator[tuple[Any, list[int]]]:
    """The rows sorted by conversation (and ``order``), in batches with their row numbers in the
    file: the whole file is read (strings dictionary-encoded) and sorted in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    metadata = handle.metadata
    rows = metadata.num_rows
    size = sum(metadata.row_group(g).total_byte_size for g in range(metadata.num_row_groups))
    if rows > _MAX_SORT_ROWS or size > _MAX_SORT_BYTES:
        by = conversation + (f" and {order}" if order else "")
        raise InputError(f"the rows of a conversation are not together and {rows:,} rows ({size:,} bytes) are more "
                         f"than the {_MAX_SORT_ROWS:,} rows or {_MAX_SORT_BYTES >> 20} MB sorted in memory: "
                         f"sort the file by {by}", file=path)
    table = handle.read().unify_dictionaries()
    names = table.schema.names
    keys = {"conversation": _sort_key(table.column(names.index(conversation)))}
    if order is not None:
        keys["order"] = _sort_key(table.column(names.index(order)))
    indices = pc.sort_indices(pa.table(keys), sort_keys=[(key, "ascending") for key in keys])
    for start in range(0, rows, _BATCH_ROWS):
        chosen = indices.slice(start, _BATCH_ROWS)
        for batch in table.take(chosen).combine_chunks().to_batches():
            yield batch, [i + 1 for i in chosen.to_pylist()]


def _sort_key(column):
    """``column`` as a key Arrow sorts: a dictionary-encoded one (which ``sort_by`` refuses)
    as each value's rank among its dictionary's values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type) or column.num_chunks == 0:
        return column
    rank = pc.rank(column.chunk(0).dictionary, sort_keys="ascending", tiebreaker="min")
    return pa.chunked_array([pc.take(rank, chunk.indices) for chunk in column.chunks], type=rank.type)


class _Conversation:
    """The rows of one conversation, as they come; past a bound, its turns are dropped (the rest
    of its rows only counted) and it is an error record."""

    def __init__(self, path: str, ident: Any, line: int, order: str | None) -> None:
        self.path, self.ident, self.line, self.order = path, ident, line, order
        self.rows = self.chars = self.size = 0
        self.turns: list[tuple[Any, dict]] = []
        self.meta: dict = {}
        self.error: InputError | None = None

    def over(self) -> bool:
        return self.rows > MAX_TRANSCRIPT_TURNS or self.chars > MAX_TRANSCRIPT_CHARS or self.size > _MAX_RECORD_BYTES

    def fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = InputError(f"cannot convert: {_one_line(exc)}", file=self.path, line=self.line)

    def record(self) -> Record:
        error = self.error
        if self.rows > MAX_TRANSCRIPT_TURNS:
            error = InputError(_too_many_turns(self.rows, "utterance rows"), file=self.path, line=self.line,
                               field="turns")
        elif self.chars > MAX_TRANSCRIPT_CHARS:
            error = InputError(_too_many_chars(self.chars), file=self.path, line=self.line, field="turns")
        elif self.size > _MAX_RECORD_BYTES:
            error = InputError(_too_large(self.size), file=self.path, line=self.line)
        if error is not None:
            return Record(self.path, self.line, error=error)
        turns = self.turns
        if self.order is not None:
            try:  # stable: rows of the same order stay in file order; no order last
                turns = sorted(turns, key=lambda item: (item[0] is None, item[0]))
            except TypeError:
                pass
        return Record(self.path, self.line, raw={"id": self.ident, "turns": [turn for _, turn in turns], **self.meta})


def _conversations(parts, path: str, measure: _Measure, cols: UtteranceColumns, order: str | None,
                   turn_columns: dict[str, str], meta_columns: list[str]) -> Iterator[Record]:
    """Conversations of consecutive rows with the same id, from ``(batch, row numbers)`` pairs
    (row numbers ``None``: the batches are the file's rows in order). Each conversation is
    measured as its rows come; a batch whose conversations are all within the bounds is
    converted at once, else each conversation's rows are, while it stays within them."""
    current: _Conversation | None = None
    done = 0
    turn_names = list(dict.fromkeys(([order] if order is not None else []) + list(turn_columns)))
    for batch, numbers in parts:
        rows = batch.num_rows
        if rows == 0:
            continue
        names = batch.schema.names
        ids = batch.column(names.index(cols.conversation))
        turns = batch.select([names.index(name) for name in turn_names])
        meta = batch.select([names.index(name) for name in meta_columns]) if meta_columns else None
        sizes = measure.rows(turns)
        meta_sizes = measure.rows(meta) if meta is not None else [0] * rows
        chars = measure.chars(turns.column(turn_names.index(cols.text)))
        bounds = _run_starts(ids) + [rows]
        # First measure every conversation of the batch, then convert what stays within bounds.
        runs = []
        for start, stop in zip(bounds, bounds[1:]):
            ident = ids[start].as_py()
            first = current is None or not (ident == current.ident)
            if first:
                if current is not None:
                    runs.append((current, None, None, False))  # done: its record comes in order
                current = _Conversation(path, ident, numbers[start] if numbers is not None else done + start + 1,
                                        order)
                current.size += meta_sizes[start]
            current.rows += stop - start
            current.chars += sum(chars[start:stop])
            current.size += sum(sizes[start:stop])
            runs.append((current, start, stop, first))
        firsts = [start for _, start, _, first in runs if first]
        cost = sum(sizes) + sum(meta_sizes[start] for start in firsts)
        turn_rows = meta_rows = None
        if cost <= _MAX_RECORD_BYTES and not any(conv.over() for conv, start, _, _ in runs if start is not None):
            measure.spend(cost)  # the batch is converted at once
            turn_rows = _pylist(turns)
            if meta is not None and firsts:
                import pyarrow as pa

                converted = _pylist(meta.take(pa.array(firsts, pa.int64())))
                meta_rows = dict(zip(firsts, converted)) if converted is not None else None
        for conv, start, stop, first in runs:
            if start is None:
                yield conv.record()
                continue
            if conv.error is not None or conv.over():
                conv.turns, conv.meta = [], {}
                continue
            if first and meta is not None:
                values = meta_rows[start] if meta_rows is not None else _one_row(meta, start, conv, measure,
                                                                                 meta_sizes[start])
                if values is not None:
                    conv.meta = {k: v for k, v in values.items() if v is not None}
            if turn_rows is not None:
                converted = turn_rows[start:stop]
            else:
                measure.spend(sum(sizes[start:stop]))
                converted = _pylist(turns.slice(start, stop - start), conv)
            for row in converted or ():
                turn = {target: row[name] for name, target in turn_columns.items() if row[name] is not None}
                conv.turns.append((row[order] if order is not None else None, turn))
        done += rows
    if current is not None:
        yield current.record()


def _one_row(batch, row: int, conv: _Conversation, measure: _Measure, size: int) -> dict | None:
    measure.spend(size)
    rows = _pylist(batch.slice(row, 1), conv)
    return rows[0] if rows else None


def _pylist(batch, conversation: _Conversation | None = None) -> list[dict] | None:
    """The rows of ``batch`` as dicts; ``None`` if Python cannot hold a value (a date past year
    9999 …): the ``conversation``'s error, or (a whole batch) converted again conversation by
    conversation."""
    try:
        return _plain(batch).to_pylist()
    except (ValueError, TypeError, OverflowError) as exc:  # ArrowInvalid is a ValueError
        if conversation is not None:
            conversation.fail(exc)
        return None
