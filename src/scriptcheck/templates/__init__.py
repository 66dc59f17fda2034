"""Linting chatbot reply templates: sources, placeholders, configuration, suppression, baseline.

The modules are imported by name (``scriptcheck.templates.sources`` …). This package module
stays empty on purpose: :mod:`scriptcheck.rules.template` imports the placeholder and
script-mixing helpers from here while the scorer is being imported, so importing the linter
(which needs the scorer) from this file would create an import cycle.
"""

__all__: list[str] = []
