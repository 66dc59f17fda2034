"""scriptcheck: check Chinese customer-service speech against written service standards.

>>> from scriptcheck import Checker
>>> [f.rule for f in Checker.default().check("你怎麼連這個也不懂")]
['FB006']
"""

from scriptcheck.api import Checker
from scriptcheck.errors import (ConfigError, InputError, LexiconError, ProfileError, ScriptcheckError,
                                SpecFailure)
from scriptcheck.lexicon import Lexicon, load_lexicon
from scriptcheck.lexicon.matcher import PhraseHit, PhraseMatcher, Scan
from scriptcheck.models import Finding, Report, Severity, StepResult, Transcript, Turn
from scriptcheck.profile import Profile, load_profile
from scriptcheck.scoring import ProfileScorer
from scriptcheck.text import Token, normalize, segment

__version__ = "0.1.0"

__all__ = [
    "Checker",
    "PhraseMatcher",
    "ProfileScorer",
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
    "Profile",
    "load_profile",
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
