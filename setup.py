"""Build hook: compile the scoring hot path with Cython when a C compiler is available.

Everything else is in pyproject.toml. The compiled modules are the same Python source (Cython's
pure-Python mode), so results are identical with or without them; what compiling buys is the
per-turn interpreter overhead (``benchmarks/bench_throughput.py`` measures both). A build
without Cython or a C compiler, or with ``SCRIPTCHECK_PURE_PYTHON=1``, installs the same package
as pure Python. Editable installs (``pip install -e .``) stay pure Python, so an edited module
is never shadowed by a stale compiled one.
"""

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

# The modules every scored turn runs through, and the three a lexicon loaded without its cache
# spends its time in (the YAML event walk, pattern checks and anchors, entry compilation: a
# 10,000-entry file loads ~9% faster, benchmarks/RESULTS.md); the rest (CLI, readers, writers,
# templates) is dominated by I/O and gains nothing from compiling.
COMPILED = [
    "src/scriptcheck/io/canonical.py",
    "src/scriptcheck/text/normalize.py",
    "src/scriptcheck/text/segment.py",
    "src/scriptcheck/text/speech.py",
    "src/scriptcheck/match/engine.py",
    "src/scriptcheck/lexicon/matcher.py",
    "src/scriptcheck/lexicon/ngram_features.py",
    "src/scriptcheck/rules/context.py",
    "src/scriptcheck/rules/step.py",
    "src/scriptcheck/rules/order.py",
    "src/scriptcheck/rules/timing.py",
    "src/scriptcheck/rules/pair.py",
    "src/scriptcheck/rules/honorific.py",
    "src/scriptcheck/rules/privacy.py",
    "src/scriptcheck/rules/plan.py",
    "src/scriptcheck/scoring/engine.py",
    "src/scriptcheck/scoring/points.py",
    "src/scriptcheck/safe_yaml.py",
    "src/scriptcheck/match/patterns.py",
    "src/scriptcheck/lexicon/compiled.py",
]

# Written for Cython only, each with a pure-Python twin that stays the reference (the module
# falls back to it when the extension is missing, and tests compare the two).
NATIVE = [
    "src/scriptcheck/text/_native.pyx",
    "src/scriptcheck/match/_native.pyx",
    "src/scriptcheck/lexicon/_native.pyx",
]

# Annotations are documentation here, not C types: `x: dict = defaultdict(list)` must work.
_DIRECTIVES = {"language_level": 3, "annotation_typing": False, "binding": True}


class OptionalBuildExt(build_ext):
    """Compile what can be compiled; whatever fails stays pure Python."""

    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:  # gcc, one module at a time, is most of the install time
            self.parallel = os.cpu_count() or 1

    def run(self):
        # A compiled module left over from an earlier build (build/lib, or src/ after a manual
        # `build_ext --inplace`) would shadow the source it was built from: none may survive
        # a build that does not compile it again.
        for ext in self.extensions:
            stale = self.get_ext_fullpath(ext.name)
            if os.path.exists(stale):
                os.remove(stale)
        if self.editable_mode or self.inplace:
            print("scriptcheck: editable install, modules stay pure Python", file=sys.stderr)
            return
        try:
            from Cython.Build import cythonize

            # Translated here, not when setup.py is read, so an editable install writes no C files.
            originals = {ext.name: ext for ext in self.extensions}
            self.extensions = cythonize(self.extensions, compiler_directives=_DIRECTIVES, quiet=True,
                                        build_dir=os.path.join(self.build_temp, "cython"))
            # cythonize returns new Extension objects: give them what setuptools' finalize_options
            # set on ours (without, setuptools failed on `_needs_stub` after linking each module,
            # which build_extension below reported as "not compiled" although it was).
            for ext in self.extensions:
                for attr in ("_full_name", "_links_to_dynamic", "_needs_stub"):
                    if hasattr(originals.get(ext.name), attr):
                        setattr(ext, attr, getattr(originals[ext.name], attr))
            super().run()
        except Exception as exc:  # no Cython, no C compiler at all, or a module Cython rejects
            print(f"scriptcheck: not compiled ({exc}); installing pure Python", file=sys.stderr)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"scriptcheck: {ext.name} not compiled ({exc}); it stays pure Python", file=sys.stderr)


class CleanBuildPy(build_py):
    """Copy the pure modules, after removing every compiled module an earlier build left in the
    build folder: pip builds in the source tree, and a module compiled by an earlier build (one
    since taken out of COMPILED, or any with SCRIPTCHECK_PURE_PYTHON=1) would otherwise be packed
    into the wheel and shadow its source. build_ext, which runs after, compiles the current ones."""

    def run(self):
        package = os.path.join(self.build_lib, "scriptcheck")
        if not getattr(self, "editable_mode", False) and os.path.isdir(package):
            for folder, _, files in os.walk(package):
                for name in files:
                    if name.endswith(tuple(EXTENSION_SUFFIXES)):
                        os.remove(os.path.join(folder, name))
        super().run()


def extensions():
    """One extension per hot module, or none when pure Python is asked for."""
    if os.environ.get("SCRIPTCHECK_PURE_PYTHON", "").strip() not in ("", "0"):
        return []
    return [Extension(_module(path), [path]) for path in COMPILED + NATIVE]


def _module(path):
    return os.path.splitext(path[len("src/"):])[0].replace("/", ".")


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt, "build_py": CleanBuildPy})
