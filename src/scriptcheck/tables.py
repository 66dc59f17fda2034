"""Reports as Arrow tables: the one columnar schema of ``--format parquet`` and the Spark engine.

A row is a report of the wire schema (``scriptcheck schema report``) plus an ``error`` column:
a record that could not be scored is a row with its ``id`` (when it had one), its ``source``
and ``line``, and the reason in ``error``, every other column null — never a dropped row.
``metadata`` is a map of strings: string values as they are, anything else as its JSON text
(Parquet and Spark need one value type per column).

pyarrow is an optional extra (``pip install "scriptcheck[parquet]"``); it is imported when a
function here is first called.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

__all__ = ["report_schema", "report_row", "error_row", "rows_to_table", "row_to_report", "without_nulls",
           "TABLE_COLUMNS"]

TABLE_COLUMNS = ("schema_version", "id", "profile", "score", "passed", "vetoed", "dimensions", "deductions",
                 "findings", "steps", "metadata", "source", "line", "error")


def _pyarrow():
    try:
        import pyarrow
    except ImportError as exc:  # an optional extra: say how to get it
        raise ImportError('Parquet and Spark output need pyarrow: pip install "scriptcheck[parquet]"',
                          name=exc.name) from exc
    return pyarrow


def report_schema():
    """The Arrow schema of a report row (pyarrow ``Schema``)."""
    pa = _pyarrow()
    finding = pa.struct([
        ("rule", pa.string()), ("category", pa.string()), ("severity", pa.string()), ("start", pa.int64()),
        ("end", pa.int64()), ("text", pa.string()), ("message", pa.string()), ("suggestion", pa.string()),
        ("turn", pa.int64()),
    ])
    step = pa.struct([
        ("rule", pa.string()), ("name", pa.string()), ("satisfied", pa.bool_()), ("turn", pa.int64()),
        ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()), ("score", pa.float64()),
    ])
    deduction = pa.struct([("dimension", pa.string()), ("rule", pa.string()), ("points", pa.float64()),
                           ("count", pa.int64())])
    return pa.schema([
        ("schema_version", pa.int64()), ("id", pa.string()), ("profile", pa.string()), ("score", pa.float64()),
        ("passed", pa.bool_()), ("vetoed", pa.bool_()), ("dimensions", pa.map_(pa.string(), pa.float64())),
        ("deductions", pa.list_(deduction)), ("findings", pa.list_(finding)), ("steps", pa.list_(step)),
        ("metadata", pa.map_(pa.string(), pa.string())), ("source", pa.string()), ("line", pa.int64()),
        ("error", pa.string()),
    ])


def _metadata_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def report_row(report: dict, source: str | None = None, line: int | None = None) -> dict:
    """A table row from a report in its wire form (``report.model_dump(mode="json")``)."""
    row = {name: report.get(name) for name in TABLE_COLUMNS}
    row["dimensions"] = list(report["dimensions"].items())
    row["metadata"] = [(k, _metadata_value(v)) for k, v in report.get("metadata", {}).items()]
    row["source"], row["line"], row["error"] = source, line, None
    return row


def error_row(reason: str, *, ident: str | None = None, source: str | None = None, line: int | None = None) -> dict:
    """A table row for a record that could not be scored."""
    row: dict = dict.fromkeys(TABLE_COLUMNS)
    row.update({"id": ident, "source": source, "line": line, "error": reason})
    return row


def rows_to_table(rows: Iterable[dict]):
    """A pyarrow ``Table`` of rows built by :func:`report_row` / :func:`error_row`."""
    pa = _pyarrow()
    return pa.Table.from_pylist(list(rows), schema=report_schema())


def row_to_report(row: dict) -> dict:
    """The wire-form report of a scored row (``metadata`` values stay strings; see the module
    doc). Rows read back from Arrow give maps as lists of pairs, Spark as dicts: both work."""
    out = {name: row[name] for name in TABLE_COLUMNS if name not in ("source", "line", "error")}
    for key in ("dimensions", "metadata"):
        value = row[key]
        out[key] = dict(value) if value is not None else {}
    for key in ("deductions", "findings", "steps"):
        out[key] = [dict(item) for item in row[key] or []]
    return out


def without_nulls(value: Any) -> Any:
    """A row read from Arrow with its nulls dropped, recursively: a table has every column of
    its schema, and a null there means "not given" (so a transcript's defaults apply)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
