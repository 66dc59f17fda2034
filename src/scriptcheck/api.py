"""The convenience object of the public API: :class:`Checker`, a phrase matcher that can also
hand out a profile scorer."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from scriptcheck.errors import ProfileError
from scriptcheck.lexicon.compiled import Lexicon
from scriptcheck.lexicon.loader import DEFAULT_LEXICONS, load_lexicons
from scriptcheck.lexicon.matcher import PhraseMatcher
from scriptcheck.lexicon.tone import ToneModel
from scriptcheck.models import Report, Transcript
from scriptcheck.profile.loader import Profile, load_profile
from scriptcheck.scoring.engine import ProfileScorer
from scriptcheck.text.segment import Segmenter

__all__ = ["Checker", "DEFAULT_LEXICONS"]


class Checker(PhraseMatcher):
    """A :class:`PhraseMatcher` over lexicons, with constructors for the common cases and, when
    built for a profile, its :class:`ProfileScorer` (``checker.scorer``) behind :meth:`score`.

    >>> Checker.default().check("你怎么连这个也不懂")[0].rule
    'FB006'
    """

    def __init__(self, lexicons: Sequence[Lexicon], profile: Profile | None = None,
                 segmenter: Segmenter | None = None, tone: ToneModel | None | str = "auto") -> None:
        super().__init__(lexicons, segmenter, tone)
        self.profile = profile
        self.scorer = ProfileScorer(profile, self) if profile is not None else None

    @classmethod
    def default(cls) -> "Checker":
        """The checker with the packaged lexicons (服务忌语, 服务用语, cues); built once, shared."""
        return _default_checker()

    @classmethod
    def from_lexicons(cls, sources: Iterable[str | Path], *, defaults: bool = True,
                      verify: bool = True, tone: bool = True) -> "Checker":
        """A checker over the packaged lexicons (unless ``defaults=False``) plus ``sources``;
        the packaged tone model (docs/tone-model.md) comes with them unless ``tone=False``."""
        names: list[str | Path] = list(DEFAULT_LEXICONS) if defaults else []
        names.extend(sources)
        return cls(load_lexicons(names, verify=verify), tone="auto" if tone else None)

    @classmethod
    def from_profile(cls, profile: str | Path | Profile, *, extra_lexicons: Iterable[str | Path] = (),
                     verify: bool = True) -> "Checker":
        """A checker for a profile (packaged name such as ``"hotline"`` or a file), with the
        profile's lexicons plus ``extra_lexicons``; use :meth:`score` on transcripts."""
        loaded = profile if isinstance(profile, Profile) else load_profile(profile)
        return cls(load_lexicons([*loaded.lexicon_sources(), *extra_lexicons], verify=verify), profile=loaded,
                   tone="auto" if loaded.data.forbidden.tone else None)

    def score(self, transcript: Transcript) -> Report:
        """Score a transcript under this checker's profile (see :meth:`from_profile`)."""
        if self.scorer is None:
            raise ProfileError("this checker has no profile; build it with Checker.from_profile(name)")
        return self.scorer.score(transcript)


@lru_cache(maxsize=1)
def _default_checker() -> Checker:
    return Checker.from_lexicons([])
