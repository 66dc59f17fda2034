"""Headless Chromium for the report tests and benchmark: the system's browser, driven by
Playwright's Python package (no browser download: ``executable_path`` points at the system's)."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

__all__ = ["chromium_path", "FLAGS", "open_browser"]

# Flags that keep a headless Chromium from reaching out (updates, sync, QUIC probes) and let it
# run as root in containers.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    """The system's Chromium: ``$SCRIPTCHECK_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH."""
    explicit = os.environ.get("SCRIPTCHECK_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@contextmanager
def open_browser():
    """A Playwright ``Browser`` on the system's Chromium with a fresh profile directory."""
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh temporary profile (it refuses --user-data-dir here).
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
