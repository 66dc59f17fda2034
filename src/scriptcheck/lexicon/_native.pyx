# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Native helper of the tone model's n-gram stage (optional, compiled): the n-gram weights of
a sentence read from a packed table.

``ngram_features.weigh`` builds every character 1–4-gram of a sentence as a str (about four
per character) and looks each up in the weights dict: a str object and a hash per n-gram, the
largest single cost of the tone model (benchmarks/RESULTS.md, branch speed5). Here the
n-grams are never made: the weights are packed once into an open-addressing table keyed by
their code points, and the sentence's n-grams are read in place from one UCS4 buffer.

It reproduces ``features()``/``weigh`` exactly: the same n-grams in the same order (unigrams
of the text, then each length from the smallest above one over the framed text), and the
caller sums what it returns with ``sum()`` as ``weigh`` does (an n-gram without a weight adds
0.0, which changes no float sum, so only the weighted ones are returned).
``tests/test_native_ngram.py`` compares the two on arbitrary text and on the shipped model.
"""

from cpython.float cimport PyFloat_FromDouble
from cpython.list cimport PyList_Append
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport int32_t, uint32_t, uint64_t

__all__ = ["NgramTable"]

# ngram_features.BEGIN / END (the same values; a test compares them).
BEGIN = "^"
END = "$"
cdef Py_UCS4 _BEGIN = u"^"
cdef Py_UCS4 _END = u"$"


cdef inline uint64_t _hash(const uint32_t *chars, Py_ssize_t n) nogil:
    """FNV-1a over the code points (and the length, so that no two lengths share a chain)."""
    cdef uint64_t h = 14695981039346656037ULL ^ <uint64_t> n
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ chars[i]) * 1099511628211ULL
    return h ^ (h >> 29)


cdef class NgramTable:
    """The weights of the n-grams of length 1..``high`` of a weights mapping, packed for
    :meth:`weights_of`. Keys of other lengths are left out: ``features()`` never makes them.
    """

    cdef uint32_t *chars  # code points of entry k at chars[k * high : k * high + length]
    cdef int32_t *lengths
    cdef double *values
    cdef int32_t *slots  # open addressing: entry number, or -1
    cdef Py_ssize_t count, mask, width
    cdef readonly Py_ssize_t low, high

    def __cinit__(self, weights, Py_ssize_t low, Py_ssize_t high):
        if not 1 <= low <= high:
            raise ValueError(f"orders must satisfy 1 <= low <= high, not {low}, {high}")
        self.low, self.high, self.width = low, high, high
        keys = [(key, float(weight)) for key, weight in weights.items()
                if isinstance(key, str) and 1 <= len(key) <= high and float(weight) != 0.0]
        cdef Py_ssize_t n = len(keys), size = 8, k, j, slot
        while size < 2 * n:
            size <<= 1
        self.mask = size - 1
        self.chars = <uint32_t *> PyMem_Malloc((n * high + 1) * sizeof(uint32_t))
        self.lengths = <int32_t *> PyMem_Malloc((n + 1) * sizeof(int32_t))
        self.values = <double *> PyMem_Malloc((n + 1) * sizeof(double))
        self.slots = <int32_t *> PyMem_Malloc(size * sizeof(int32_t))
        if not (self.chars and self.lengths and self.values and self.slots):
            raise MemoryError()
        for slot in range(size):
            self.slots[slot] = -1
        cdef Py_UCS4 ch
        cdef str key
        for k in range(n):
            key = keys[k][0]
            j = 0
            for ch in key:
                self.chars[k * high + j] = ch
                j += 1
            self.lengths[k] = <int32_t> j
            self.values[k] = keys[k][1]
            slot = <Py_ssize_t> (_hash(self.chars + k * high, j) & <uint64_t> self.mask)
            while self.slots[slot] >= 0:  # a dict has each key once: no duplicate to replace
                slot = (slot + 1) & self.mask
            self.slots[slot] = <int32_t> k
        self.count = n

    def __dealloc__(self):
        PyMem_Free(self.chars)
        PyMem_Free(self.lengths)
        PyMem_Free(self.values)
        PyMem_Free(self.slots)

    def __len__(self):
        return self.count

    cdef inline Py_ssize_t _find(self, const uint32_t *gram, Py_ssize_t n):
        """The entry of the n-gram ``gram[:n]``, or -1."""
        cdef Py_ssize_t slot = <Py_ssize_t> (_hash(gram, n) & <uint64_t> self.mask), i
        cdef int32_t k
        cdef const uint32_t *chars
        while True:
            k = self.slots[slot]
            if k < 0:
                return -1
            if self.lengths[k] == n:
                chars = self.chars + k * self.width
                for i in range(n):
                    if chars[i] != gram[i]:
                        break
                else:
                    return k
            slot = (slot + 1) & self.mask

    def weights_of(self, str search):
        """The weights of the n-grams ``features(search, original, low, high)`` makes, in its
        order, those without a weight (or with 0.0) left out: a list of floats."""
        cdef Py_ssize_t size = len(search), framed = size + 2, i, n, k
        cdef uint32_t *buffer = <uint32_t *> PyMem_Malloc(framed * sizeof(uint32_t))
        cdef Py_UCS4 ch
        if buffer == NULL:
            raise MemoryError()
        cdef list out = []
        try:
            buffer[0] = _BEGIN
            i = 1
            for ch in search:
                buffer[i] = ch
                i += 1
            buffer[framed - 1] = _END
            if self.low == 1:  # unigrams: of the text, not of the frame
                for i in range(1, framed - 1):
                    k = self._find(buffer + i, 1)
                    if k >= 0:
                        PyList_Append(out, PyFloat_FromDouble(self.values[k]))
            n = 2 if self.low < 2 else self.low
            while n <= self.high:
                for i in range(framed - n + 1):
                    k = self._find(buffer + i, n)
                    if k >= 0:
                        PyList_Append(out, PyFloat_FromDouble(self.values[k]))
                n += 1
            return out
        finally:
            PyMem_Free(buffer)
