"""JSON Schemas of the data files, generated from the pydantic models (shipped for editors)."""

from __future__ import annotations

import json

from scriptcheck.lexicon.schema import LexiconFile
from scriptcheck.profile.schema import ProfileFile

__all__ = ["SCHEMAS", "schema_json"]

SCHEMAS = {"lexicon": LexiconFile, "profile": ProfileFile}


def schema_json(kind: str) -> str:
    """The JSON Schema of ``kind`` (``lexicon`` or ``profile``) as stable, pretty JSON text."""
    schema = SCHEMAS[kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://scriptcheck.invalid/schemas/{kind}.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
