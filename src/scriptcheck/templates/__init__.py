"""Linting chatbot reply templates: sources, placeholders, configuration, suppression, baseline.

The modules are imported by name (``scriptcheck.templates.lint`` …); importing this package
does not load the linter. The text helpers the template rules share with the linter
(placeholders, script mixing) live in the text layer, ``scriptcheck.text``.
"""

__all__: list[str] = []
