"""Profiles: one contact-centre scenario (lexicons, transcript rules, scoring) as a YAML file."""

from scriptcheck.profile.loader import Profile, default_profile_names, load_profile
from scriptcheck.profile.schema import DIMENSIONS, ProfileFile

__all__ = ["Profile", "default_profile_names", "load_profile", "DIMENSIONS", "ProfileFile"]
