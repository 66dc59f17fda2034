"""The JSON and JSON Lines writers make their bytes straight from pydantic-core
(``score_writers._json_bytes``): the bytes must be those of the text path (``render_many``
encoded as UTF-8), and a report pydantic cannot write must fail as it did on the text path."""

from __future__ import annotations

import pytest

from scriptcheck.io.transcripts import read_transcripts
from scriptcheck.models import Report
from scriptcheck.score_writers import WRITERS, ReportWriter
from scriptcheck.scoring.engine import ProfileScorer
from tests.conftest import CORPORA

_BYTES_WRITERS = [WRITERS[name] for name in ("json", "jsonl")]


def _reports() -> list[Report]:
    reports = []
    for profile, path in (("hotline", "calls.jsonl"), ("ecommerce-chat", "chats.csv"),
                          ("ecommerce-presale", "presale.txt")):
        scorer = ProfileScorer.load(profile)
        reports += [scorer.score(record.transcript) for record in read_transcripts(str(CORPORA / path))]
    return reports


@pytest.mark.parametrize("writer", _BYTES_WRITERS)
def test_bytes_are_the_encoded_text(writer) -> None:
    reports = _reports()
    assert len(reports) >= 20 and any(r.findings for r in reports)
    for chunk in ([], reports[:1], reports[:2], reports):
        got = writer.render_bytes(chunk)
        assert type(got) is bytes
        assert got == writer.render_many(chunk).encode("utf-8")


@pytest.mark.parametrize("writer", _BYTES_WRITERS)
def test_a_report_pydantic_cannot_write_fails_as_on_the_text_path(writer) -> None:
    report = _reports()[0].model_copy(update={"id": "\ud800"})  # a lone surrogate from the input

    def failure(render) -> tuple[type, str]:
        with pytest.raises(Exception) as info:
            render([report])
        return type(info.value), str(info.value)

    text_path = super(writer, writer).render_bytes
    assert text_path.__func__ is ReportWriter.render_bytes.__func__
    assert failure(writer.render_bytes) == failure(text_path)
