# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Native helpers of the text pipeline (optional, compiled): the core of
:func:`scriptcheck.text.normalize.normalize_many`, ``Normalized.span`` and the character
counts of the fuzzy step test.

Folding a transcript with ``str.translate`` costs a dict lookup and an int object per
character, and the traditional-character test and the run collapse each walk the text again.
This does all three in one pass over the characters, with the fold cached in a C array for the
Basic Multilingual Plane. It only ever reproduces what the pure-Python code computes: the fold
of a character it has not seen yet comes from the Python table itself, and anything unusual (a
character that folds into several, a traditional character) is handed back (``None``) to the
pure-Python path, which stays the reference.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.unicode cimport PyUnicode_4BYTE_KIND, PyUnicode_FromKindAndData
from libc.stdint cimport uint8_t, uint32_t
from libc.string cimport memset

__all__ = ["configure", "fold_turns", "span", "count_shared", "count_common"]

# Per BMP code point: 0 = not looked up yet, _EXPANDS = folds into several characters, else
# 1 + the single character it becomes (0 for a skipped one, so 1).
cdef uint32_t _BMP[65536]
cdef uint32_t _EXPANDS = 0xFFFFFFFF
# Bit per code point: characters OpenCC's t2s would change.
cdef uint8_t _TRADITIONAL[0x110000 >> 3]
cdef object _table = None


def configure(table, traditional):
    """Use ``table`` (code point → marked form, as for ``str.translate``) and the set of
    ``traditional`` characters; forget every fold cached so far."""
    global _table
    _table = table
    memset(_BMP, 0, sizeof(_BMP))
    memset(_TRADITIONAL, 0, sizeof(_TRADITIONAL))
    cdef uint32_t c  # a number (a Py_UCS4 would turn into a str in Python expressions)
    for ch in traditional:
        c = ord(ch)
        _TRADITIONAL[c >> 3] |= 1 << (c & 7)


cdef inline uint32_t _lookup(uint32_t c) except 0:
    """1 + the single character ``c`` folds into, or _EXPANDS."""
    cdef uint32_t cached = 0
    if c < 65536:
        cached = _BMP[c]
        if cached:
            return cached
    folded = _table[c]
    if len(folded) == 1:
        cached = <uint32_t> ord(folded) + 1
    else:
        cached = _EXPANDS
    if c < 65536:
        _BMP[c] = cached
    return cached


def fold_turns(str original, Py_UCS4 separator):
    """For ``original`` (texts joined by ``separator``): a list of (marked, joined, collapsed)
    per text, or ``None`` when the pure-Python path must decide (a character that folds into
    several, or a traditional character after folding).

    ``marked`` is the text folded one for one with skipped characters as "\\x00", ``joined``
    the same without them, ``collapsed`` ``joined`` with each run of one character reduced to
    its first (``joined`` is ``None`` when it equals ``collapsed``)."""
    if _table is None:
        raise RuntimeError("scriptcheck.text._fold.configure was never called")
    cdef Py_ssize_t size = len(original)
    cdef Py_UCS4 *marked = <Py_UCS4 *> PyMem_Malloc((3 * size + 1) * sizeof(Py_UCS4))
    if marked == NULL:
        raise MemoryError()
    cdef Py_UCS4 *joined = marked + size
    cdef Py_UCS4 *collapsed = joined + size
    cdef Py_ssize_t n_marked = 0, n_joined = 0, n_collapsed = 0
    cdef Py_UCS4 ch
    cdef uint32_t out, previous = 0
    cdef uint32_t folded
    result = []
    try:
        for ch in original:
            if ch == separator:
                result.append(_texts(marked, n_marked, joined, n_joined, collapsed, n_collapsed))
                n_marked = n_joined = n_collapsed = 0
                previous = 0  # runs end with their text (no folded character is 0)
                continue
            folded = _lookup(ch)
            if folded == _EXPANDS:
                return None
            out = folded - 1
            marked[n_marked] = out
            n_marked += 1
            if out == 0:
                continue
            if _TRADITIONAL[out >> 3] & (1 << (out & 7)):
                return None
            joined[n_joined] = out
            n_joined += 1
            if out != previous:
                collapsed[n_collapsed] = out
                n_collapsed += 1
                previous = out
        result.append(_texts(marked, n_marked, joined, n_joined, collapsed, n_collapsed))
        return result
    finally:
        PyMem_Free(marked)


cdef tuple _texts(Py_UCS4 *marked, Py_ssize_t n_marked, Py_UCS4 *joined, Py_ssize_t n_joined,
                  Py_UCS4 *collapsed, Py_ssize_t n_collapsed):
    collapsed_text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, collapsed, n_collapsed)
    joined_text = None
    if n_joined != n_collapsed:
        joined_text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, joined, n_joined)
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, marked, n_marked), joined_text, collapsed_text


def span(str marked, str joined, Py_ssize_t begin, Py_ssize_t end):
    """``Normalized.span(begin, end)`` without building the offset map: the original span of
    search characters ``[begin, end)``, for a text folded one for one (``marked`` as long as
    the original) whose search string collapses the runs of ``joined``."""
    if not 0 <= begin < end:
        raise IndexError(f"search span [{begin}, {end}) is empty or negative")
    cdef Py_ssize_t i = 0, j = -1, run = -1, start = -1, last = -1
    cdef Py_UCS4 ch, previous = 0
    cdef Py_ssize_t size = len(joined)
    for ch in marked:
        if ch != 0:
            j += 1
            if j >= size:
                break
            if j == 0 or joined[j] != previous:
                run += 1
                if run == end:
                    break
                if run == begin:
                    start = i
                previous = joined[j]
            if run == end - 1:
                last = i
        i += 1
    if start < 0 or last < 0:
        raise IndexError(f"search span [{begin}, {end}) is outside the text")
    return start, last + 1


def count_shared(str text, str alphabet):
    """How many characters of ``text`` occur in ``alphabet`` (with repeats: 好好 counts 2)."""
    cdef Py_ssize_t shared = 0
    cdef Py_UCS4 ch, a
    for ch in text:
        for a in alphabet:
            if ch == a:
                shared += 1
                break
    return shared


def count_common(str text, str reference):
    """How many characters ``text`` and ``reference`` have in common, repeats counted as often
    as both have them (好好好 and 好好 share 2): the size of their multiset intersection,
    ``sum((Counter(text) & Counter(reference)).values())``, which bounds the length of any
    common subsequence of the two (``rules.step._may_align``)."""
    cdef Py_ssize_t n = len(reference), common = 0, j
    cdef Py_UCS4 ch, r
    if n == 0 or len(text) == 0:
        return 0
    cdef unsigned char *used = <unsigned char *> PyMem_Malloc(n)
    if used == NULL:
        raise MemoryError()
    memset(used, 0, n)
    try:
        for ch in text:
            for j in range(n):
                if used[j]:
                    continue
                r = reference[j]
                if r == ch:
                    used[j] = 1
                    common += 1
                    break
    finally:
        PyMem_Free(used)
    return common
