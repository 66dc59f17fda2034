# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Native helpers of the matcher (optional, compiled): the loop of
:meth:`scriptcheck.match.engine.Matcher.find_many` that sorts the automaton's hits out per
text, and the one that verifies each pattern in its windows.

It runs once per automaton hit (about two dozen per transcript), and in Python each hit cost a
handful of integer objects, comparisons through the object protocol and tuple unpacking. Here
offsets and widths are C integers, and the tuples are read in place. They compute exactly what
``scriptcheck.match.engine.gather_python`` and ``verify_python`` compute (the references,
used when this is not built; ``tests/test_native_match.py`` compares them).
"""

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.list cimport PyList_Append, PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE

__all__ = ["gather", "verify"]

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


def gather(list found, values, list bounds, only, only_each):
    """``engine.gather_python(found, values, bounds, only, only_each)``, compiled."""
    cdef list out = []
    cdef Py_ssize_t at = 0, n, i, k, last
    cdef Py_ssize_t texts = PyList_GET_SIZE(bounds) - 1
    if texts < 1:
        raise IndexError("bounds must hold at least one text's start and end")
    cdef Py_ssize_t limit = <Py_ssize_t> bounds[1] - 1
    cdef Py_ssize_t start, end, width, lo, hi
    cdef bint everything
    cdef list candidates = [], allowed = [], spans
    cdef dict windows = {}
    cdef tuple hit, packed, anchors, phrases, allows, anchor
    cdef PyObject *existing
    cdef bint by_list = type(values) is list
    wanted = only if only_each is None else only_each[0]
    everything = wanted is None
    n = PyList_GET_SIZE(found)
    for i in range(n):
        hit = <tuple?> <object> PyList_GET_ITEM(found, i)
        if PyTuple_GET_SIZE(hit) != 3:
            raise ValueError("expected (literal, start, end) hits")
        start_obj = <object> PyTuple_GET_ITEM(hit, 1)  # kept: the candidates reuse these objects
        end_obj = <object> PyTuple_GET_ITEM(hit, 2)
        start = <Py_ssize_t> start_obj
        end = <Py_ssize_t> end_obj
        if end > limit:  # the first hit of a later text: finish the current one
            if candidates or windows:
                out.append((at, candidates, allowed, windows))
                candidates, allowed, windows = [], [], {}
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
            width = <Py_ssize_t> <object> PyTuple_GET_ITEM(anchor, 2)
            lo = start - width
            hi = end + width
            key = <object> PyTuple_GET_ITEM(anchor, 0)
            existing = PyDict_GetItem(windows, key)
            if existing == NULL:
                PyDict_SetItem(windows, key, [lo, hi])
                continue
            spans = <list> existing
            last = PyList_GET_SIZE(spans) - 1  # no negative indices: wraparound is off
            if lo > <Py_ssize_t> spans[last]:
                spans.append(lo)
                spans.append(hi)
            else:  # overlaps (or precedes) the previous window: widen it
                if lo < <Py_ssize_t> spans[last - 1]:
                    spans[last - 1] = lo
                if hi > <Py_ssize_t> spans[last]:
                    spans[last] = hi
        for k in range(PyTuple_GET_SIZE(phrases)):
            entry = <object> PyTuple_GET_ITEM(phrases, k)
            if everything or entry in wanted:
                PyList_Append(candidates, (entry, start_obj, end_obj))
        for k in range(PyTuple_GET_SIZE(allows)):
            PyList_Append(allowed, (<object> PyTuple_GET_ITEM(allows, k), start_obj, end_obj))
    if candidates or windows:
        out.append((at, candidates, allowed, windows))
    return out


def verify(dict windows, list verifiers, str text, Py_ssize_t base, Py_ssize_t limit, list candidates):
    """``engine.verify_python(windows, verifiers, text, base, limit, candidates)``, compiled."""
    cdef Py_ssize_t i, n, lo, endpos, m_start, m_end, mark
    cdef list spans
    cdef tuple verifier
    cdef bint anchored_end
    for key, value in windows.items():
        spans = <list?> value
        verifier = <tuple?> verifiers[key]
        if PyTuple_GET_SIZE(verifier) != 4:
            raise ValueError("expected (entry, search, finditer, anchored_end) verifiers")
        entry_index = <object> PyTuple_GET_ITEM(verifier, 0)
        search = <object> PyTuple_GET_ITEM(verifier, 1)
        finditer = <object> PyTuple_GET_ITEM(verifier, 2)
        anchored_end = <object> PyTuple_GET_ITEM(verifier, 3)
        n = PyList_GET_SIZE(spans)
        for i in range(0, n - 1, 2):
            lo = <Py_ssize_t> <object> PyList_GET_ITEM(spans, i)
            if lo < base:
                lo = base
            # A lookahead near the window's end must still see what follows (re cuts the
            # string at endpos), so give it some room past the window.
            endpos = <Py_ssize_t> <object> PyList_GET_ITEM(spans, i + 1) + _LOOKAROUND
            if endpos > limit:
                endpos = limit
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
                # re treats endpos as the end of the string, so $ would match there.
                if not (anchored_end and m_end == endpos and endpos < limit):
                    PyList_Append(candidates, (entry_index, m_start, m_end))
                m = search(text, m_end, endpos)
