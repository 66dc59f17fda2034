"""Matching: the literal automaton, bounded patterns with anchors, and the matcher."""

from scriptcheck.match.automaton import LiteralAutomaton
from scriptcheck.match.engine import Hit, MatchEntry, Matcher
from scriptcheck.match.patterns import CompiledPattern, PatternProblem, compile_pattern

__all__ = ["LiteralAutomaton", "Hit", "MatchEntry", "Matcher", "CompiledPattern", "PatternProblem",
           "compile_pattern"]
