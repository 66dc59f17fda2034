"""The batch report page and the review of its verdicts.

``data`` reads score reports (JSONL, JSON, Parquet) and transcripts into the compact payload
the page embeds; ``render`` turns it into one self-contained, offline HTML file (Jinja2
templates shipped beside this module); ``review`` reads the verdicts reviewers export from the
page, measures per-rule precision and writes a lexicon overlay.
"""

__all__: list[str] = []
