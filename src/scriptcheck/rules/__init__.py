"""Transcript rule kinds: steps and order, paired responses, honorific, privacy, timing."""

from scriptcheck.rules.context import TranscriptContext
from scriptcheck.rules.honorific import check_honorific
from scriptcheck.rules.pairs import check_pair
from scriptcheck.rules.privacy import check_privacy
from scriptcheck.rules.steps import check_order, check_step
from scriptcheck.rules.template import check_hygiene, check_template_kind
from scriptcheck.rules.timing import check_timing

__all__ = ["TranscriptContext", "check_honorific", "check_pair", "check_privacy", "check_order",
           "check_step", "check_timing", "check_template_kind", "check_hygiene"]
