"""``python -m scriptcheck``."""

from scriptcheck.cli import main

main()
