# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Native helper of the matcher (optional, compiled): ``gather_verify``, the pass of
:meth:`scriptcheck.match.engine.Matcher.find_many` that sorts the automaton's hits out per text
and verifies each pattern in its windows.

It runs once per automaton hit (about two dozen per transcript), and in Python each hit cost a
handful of integer objects, comparisons through the object protocol and tuple unpacking. Here
offsets and widths are C integers, the tuples are read in place and the windows stay C arrays.
It computes exactly what ``scriptcheck.match.engine.gather_verify_python`` computes (the
reference, used when this is not built; ``tests/test_native_match.py`` compares them).
"""

from cpython.list cimport PyList_Append, PyList_GET_ITEM, PyList_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE

__all__ = ["gather_verify"]

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_Find(object text, object sub, Py_ssize_t start, Py_ssize_t end, int direction) except -2
    Py_ssize_t PyUnicode_FindChar(object text, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end, int direction) except -2

# engine._LOOKAROUND: room past a window for a lookahead (the same value; a test compares them).
LOOKAROUND = 16
cdef Py_ssize_t _LOOKAROUND = LOOKAROUND


cdef inline Py_ssize_t _text_at(list bounds, Py_ssize_t start):
    """``bisect_right(bounds, start) - 1``: the text a search offset lies in."""
    cdef Py_ssize_t lo = 0, hi = PyList_GET_SIZE(bounds), mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if start < <Py_ssize_t> <object> PyList_GET_ITEM(bounds, mid):
            hi = mid
        else:
            lo = mid + 1
    return lo - 1


# --- gather and verify in one pass (engine.gather_verify_python is the reference) ----------
#
# Two separate steps (gather_python, then verify_python) hand each text's pattern windows over
# as a dict of lists of Python ints: per automaton anchor two int objects, a list and a dict
# entry, and per text a 4-tuple and a Python-level call. Here the windows live in C arrays
# between the two steps and never become objects; the candidates and allow hits are the same.

cdef struct _Windows:
    Py_ssize_t *lo
    Py_ssize_t *hi
    Py_ssize_t *next  # the key's next window, or -1
    Py_ssize_t count, capacity
    Py_ssize_t *head  # per pattern: its first window, or -1
    Py_ssize_t *tail  # per pattern: its last window, or -1
    Py_ssize_t *order  # the patterns in the order their first window came
    Py_ssize_t keys


cdef int _grow(_Windows *w) except -1:
    cdef Py_ssize_t capacity = 2 * w.capacity if w.capacity else 16
    cdef Py_ssize_t *block = <Py_ssize_t *> PyMem_Realloc(w.lo, 4 * capacity * sizeof(Py_ssize_t))
    if block == NULL:
        raise MemoryError()
    # one block: lo | hi | next | order, each `capacity` long (moved up as it grows)
    cdef Py_ssize_t i, old = w.capacity
    for i in range(3, 0, -1):
        _move(block + i * capacity, block + i * old, old)
    w.lo, w.hi, w.next, w.order = block, block + capacity, block + 2 * capacity, block + 3 * capacity
    w.capacity = capacity
    return 0


cdef inline void _move(Py_ssize_t *to, Py_ssize_t *source, Py_ssize_t n) noexcept:
    cdef Py_ssize_t i
    for i in range(n - 1, -1, -1):  # to >= source: from the end, so nothing is overwritten first
        to[i] = source[i]


cdef int _window(_Windows *w, Py_ssize_t key, Py_ssize_t lo, Py_ssize_t hi) except -1:
    """The window [lo, hi) for pattern ``key``: merged into the key's last window when it
    overlaps (or precedes) it, as engine.gather_python does with each key's list."""
    cdef Py_ssize_t last = w.tail[key], new
    if last >= 0 and lo <= w.hi[last]:
        if lo < w.lo[last]:
            w.lo[last] = lo
        if hi > w.hi[last]:
            w.hi[last] = hi
        return 0
    if w.count == w.capacity:
        _grow(w)
    new = w.count
    w.count += 1
    w.lo[new], w.hi[new], w.next[new] = lo, hi, -1
    if last < 0:
        w.head[key] = new
        w.order[w.keys] = key  # keys <= windows, so order has room
        w.keys += 1
    else:
        w.next[last] = new
    w.tail[key] = new
    return 0


cdef int _may_match(str text, Py_ssize_t lo, Py_ssize_t endpos, tuple needs, bint line_start) except -1:
    """engine._may_match: 0 when the window cannot hold a non-empty match by the pattern's
    prefilter (no line start in it, or no literal of one of the needed sets), else 1."""
    cdef Py_ssize_t n, j, size
    cdef tuple literals
    if lo >= endpos or lo >= len(text):  # no character to match (and text[lo - 1] below stays inside)
        return 0
    if line_start and lo > 0 and text[lo - 1] != "\n":
        if endpos - 1 <= lo or PyUnicode_FindChar(text, 10, lo, endpos - 1, 1) < 0:
            return 0
    for n in range(PyTuple_GET_SIZE(needs)):
        literals = <tuple?> <object> PyTuple_GET_ITEM(needs, n)
        size = PyTuple_GET_SIZE(literals)
        for j in range(size):
            if PyUnicode_Find(text, <str?> <object> PyTuple_GET_ITEM(literals, j), lo, endpos, 1) >= 0:
                break
        else:
            return 0
    return 1


cdef int _verify_windows(_Windows *w, list verifiers, make_verifier, str text, Py_ssize_t base,
                         Py_ssize_t limit, list candidates) except -1:
    """engine.verify_python over the windows of ``w`` (then forgotten, ready for the next text)."""
    cdef Py_ssize_t k, key, at, lo, endpos, m_start, m_end, mark
    cdef tuple verifier
    cdef tuple needs
    cdef bint anchored_end
    for k in range(w.keys):
        key = w.order[k]
        value = <object> PyList_GET_ITEM(verifiers, key)
        if value is None:  # compiled on first need (Matcher._verifier)
            value = make_verifier(key)
            verifiers[key] = value
        verifier = <tuple?> value
        if PyTuple_GET_SIZE(verifier) == 6:  # with the pattern's prefilter (Matcher._verifier)
            needs = <tuple?> <object> PyTuple_GET_ITEM(verifier, 4)
            starts = <object> PyTuple_GET_ITEM(verifier, 5)
        elif PyTuple_GET_SIZE(verifier) == 4:
            needs, starts = (), None
        else:
            raise ValueError("expected (entry, search, finditer, anchored_end[, needs, starts]) verifiers")
        entry_index = <object> PyTuple_GET_ITEM(verifier, 0)
        search = <object> PyTuple_GET_ITEM(verifier, 1)
        finditer = <object> PyTuple_GET_ITEM(verifier, 2)
        anchored_end = <object> PyTuple_GET_ITEM(verifier, 3)
        at = w.head[key]
        while at >= 0:
            lo = w.lo[at]
            if lo < base:
                lo = base
            endpos = w.hi[at] + _LOOKAROUND
            if endpos > limit:
                endpos = limit
            at = w.next[at]
            if starts is None:
                if PyTuple_GET_SIZE(needs) and not _may_match(text, lo, endpos, needs, False):
                    continue
                m = search(text, lo, endpos)
            else:
                if not _may_match(text, lo, endpos, needs, True):
                    continue
                # _may_match found a line start: lo itself, when no newline is inside.
                if PyUnicode_FindChar(text, 10, lo, endpos - 1, 1) < 0:
                    m = starts(text, lo, endpos)
                else:
                    m = search(text, lo, endpos)
            if m is None:
                continue
            mark = PyList_GET_SIZE(candidates)
            while m is not None:
                m_start, m_end = m.span()
                if m_end <= m_start:  # finditer steps past an empty match its own way: let it
                    del candidates[mark:]
                    for m in finditer(text, lo, endpos):
                        m_start, m_end = m.span()
                        if m_end <= m_start or (anchored_end and m_end == endpos and endpos < limit):
                            continue
                        PyList_Append(candidates, (entry_index, m_start, m_end))
                    break
                if not (anchored_end and m_end == endpos and endpos < limit):
                    PyList_Append(candidates, (entry_index, m_start, m_end))
                m = search(text, m_end, endpos)
        w.head[key] = w.tail[key] = -1
    w.count = w.keys = 0
    return 0


def gather_verify(list found, values, list bounds, only, only_each, list verifiers, make_verifier, str text):
    """``engine.gather_verify_python(found, values, bounds, only, only_each, verifiers,
    make_verifier, text)``, compiled: gathering and verifying each text in one pass."""
    cdef list out = []
    cdef Py_ssize_t at = 0, n, i, k, key, patterns = PyList_GET_SIZE(verifiers)
    cdef Py_ssize_t texts = PyList_GET_SIZE(bounds) - 1
    if texts < 1:
        raise IndexError("bounds must hold at least one text's start and end")
    cdef Py_ssize_t limit = <Py_ssize_t> bounds[1] - 1
    cdef Py_ssize_t start, end, width
    cdef bint everything
    cdef list candidates = [], allowed = []
    cdef tuple hit, packed, anchors, phrases, allows, anchor
    cdef bint by_list = type(values) is list
    cdef _Windows w
    w.lo = w.hi = w.next = w.order = NULL
    w.count = w.capacity = w.keys = 0
    w.head = <Py_ssize_t *> PyMem_Malloc((2 * patterns + 1) * sizeof(Py_ssize_t))
    if w.head == NULL:
        raise MemoryError()
    w.tail = w.head + patterns
    for k in range(2 * patterns):
        w.head[k] = -1
    wanted = only if only_each is None else only_each[0]
    everything = wanted is None
    n = PyList_GET_SIZE(found)
    try:
        for i in range(n):
            hit = <tuple?> <object> PyList_GET_ITEM(found, i)
            if PyTuple_GET_SIZE(hit) != 3:
                raise ValueError("expected (literal, start, end) hits")
            start_obj = <object> PyTuple_GET_ITEM(hit, 1)  # kept: the candidates reuse these objects
            end_obj = <object> PyTuple_GET_ITEM(hit, 2)
            start = <Py_ssize_t> start_obj
            end = <Py_ssize_t> end_obj
            if end > limit:  # the first hit of a later text: finish the current one
                if candidates or w.keys:
                    _verify_windows(&w, verifiers, make_verifier, text, <Py_ssize_t> bounds[at], limit, candidates)
                    if candidates:
                        out.append((at, candidates, allowed))
                    candidates, allowed = [], []
                elif allowed:
                    allowed = []
                at = _text_at(bounds, start)
                if not 0 <= at < texts:  # the automaton never reports such a hit
                    raise IndexError(f"hit at {start} lies outside the texts")
                limit = <Py_ssize_t> bounds[at + 1] - 1
                if only_each is not None:
                    wanted = only_each[at]
                    everything = wanted is None
            if by_list:
                packed = <tuple?> <object> PyList_GET_ITEM(<list> values, <Py_ssize_t> <object> PyTuple_GET_ITEM(hit, 0))
            else:  # the lookup table's packed values, before the automaton is built
                packed = <tuple?> values[<object> PyTuple_GET_ITEM(hit, 0)]
            if PyTuple_GET_SIZE(packed) != 3:
                raise ValueError("expected (anchors, phrases, allows) values")
            anchors = <tuple?> <object> PyTuple_GET_ITEM(packed, 0)
            phrases = <tuple?> <object> PyTuple_GET_ITEM(packed, 1)
            allows = <tuple?> <object> PyTuple_GET_ITEM(packed, 2)
            for k in range(PyTuple_GET_SIZE(anchors)):
                anchor = <tuple?> <object> PyTuple_GET_ITEM(anchors, k)  # (pattern, entry, width)
                if PyTuple_GET_SIZE(anchor) != 3:
                    raise ValueError("expected (pattern, entry, width) anchors")
                if not everything and <object> PyTuple_GET_ITEM(anchor, 1) not in wanted:
                    continue
                key = <Py_ssize_t> <object> PyTuple_GET_ITEM(anchor, 0)
                if not 0 <= key < patterns:
                    raise IndexError(f"pattern {key} has no verifier")
                width = <Py_ssize_t> <object> PyTuple_GET_ITEM(anchor, 2)
                _window(&w, key, start - width, end + width)
            for k in range(PyTuple_GET_SIZE(phrases)):
                entry = <object> PyTuple_GET_ITEM(phrases, k)
                if everything or entry in wanted:
                    PyList_Append(candidates, (entry, start_obj, end_obj))
            for k in range(PyTuple_GET_SIZE(allows)):
                PyList_Append(allowed, (<object> PyTuple_GET_ITEM(allows, k), start_obj, end_obj))
        if candidates or w.keys:
            _verify_windows(&w, verifiers, make_verifier, text, <Py_ssize_t> bounds[at], limit, candidates)
            if candidates:
                out.append((at, candidates, allowed))
        return out
    finally:
        PyMem_Free(w.head)
        PyMem_Free(w.lo)
