"""Scoring transcripts under a profile: the scorer (rules over a scan) and the points."""

from scriptcheck.scoring.engine import ProfileScorer
from scriptcheck.scoring.points import Score, score_findings

__all__ = ["ProfileScorer", "Score", "score_findings"]
