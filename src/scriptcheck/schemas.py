"""JSON Schemas generated from the pydantic models: the data files (shipped for editors) and
the score report (the wire format of ``score --format json/jsonl``, pinned by a golden test)."""

from __future__ import annotations

import json

from scriptcheck.lexicon.schema import LexiconFile
from scriptcheck.models import Report
from scriptcheck.profile.schema import ProfileFile

__all__ = ["SCHEMAS", "schema_json"]

SCHEMAS = {"lexicon": LexiconFile, "profile": ProfileFile, "report": Report}


def schema_json(kind: str) -> str:
    """The JSON Schema of ``kind`` (``lexicon``, ``profile`` or ``report``) as stable, pretty JSON
    text. A report's schema describes what is written (serialization mode)."""
    schema = SCHEMAS[kind].model_json_schema(mode="serialization" if kind == "report" else "validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://scriptcheck.invalid/schemas/{kind}.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
