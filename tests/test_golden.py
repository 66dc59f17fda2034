"""The wire schema is pinned: scoring the bundled corpora and linting the bundled templates give
exactly the checked-in outputs, and every report validates against the published JSON Schema.

A deliberate change to the output is a visible diff: rerun ``python tests/golden/update.py``
and review ``git diff tests/golden``.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scriptcheck.schemas import schema_json

from .golden.update import GOLDEN, run

HERE = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_output_is_the_golden_output(name: str) -> None:
    expected = (HERE / name).read_text(encoding="utf-8")
    got = run(GOLDEN[name])
    assert got, "the command printed nothing"
    assert got == expected, f"{name} changed; if on purpose: python tests/golden/update.py"


def test_every_golden_report_validates_against_the_report_schema() -> None:
    schema = json.loads(schema_json("report"))
    reports = [json.loads(line) for line in (HERE / "score.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(reports) >= 20
    for report in reports:
        jsonschema.validate(report, schema)


def test_the_report_schema_rejects_a_report_missing_a_field() -> None:
    schema = json.loads(schema_json("report"))
    report = json.loads((HERE / "score.jsonl").read_text(encoding="utf-8").splitlines()[0])
    del report["score"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema)
