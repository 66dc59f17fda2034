"""scriptcheck: check Chinese customer-service speech against written service standards.

>>> from scriptcheck import Checker
>>> [f.rule for f in Checker.default().check("你怎麼連這個也不懂")]
['FB006']
"""

from scriptcheck.checker import Checker, PhraseHit, Scan
from scriptcheck.errors import (ConfigError, InputError, LexiconError, ProfileError, ScriptcheckError,
                                SpecFailure)
from scriptcheck.lexicon import Lexicon, load_lexicon
from scriptcheck.models import Finding, Report, Severity, StepResult, Transcript, Turn
from scriptcheck.text import Token, normalize, segment

__version__ = "0.1.0"

__all__ = [
    "Checker",
    "PhraseHit",
    "Scan",
    "Finding",
    "Report",
    "Severity",
    "StepResult",
    "Transcript",
    "Turn",
    "Lexicon",
    "load_lexicon",
    "Token",
    "normalize",
    "segment",
    "ScriptcheckError",
    "LexiconError",
    "ProfileError",
    "ConfigError",
    "InputError",
    "SpecFailure",
    "__version__",
]
