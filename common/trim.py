"""Freed memory given back to the system every `MALLOC_TRIM_REQUESTS` requests, at most once a second (glibc's
malloc_trim).

A worker's answers free most of what they allocate, but glibc's allocator keeps freed memory inside its heap and
returns only the free space at the top of it: between the bounded stores' entries (readmodel/dayrows.py, the
answer store) and the memos, what each answer's temporaries freed stays resident. Measured in one process with
10,000 distinct valid URLs after 200 warm-up requests (bench/prod_memory.py `valid_paths`, production settings),
resident memory grew 40 MB while the encoded store held 22 MB more; trimming every 1,000 requests 31 MB, every 100
26 MB (about 1 ms a trim, 9 ms the longest), once at the end 27 MB. malloc_trim also hands back free pages in the
middle of the heap, not only at its top. At most once a second (MIN_SECONDS): a worker answering repeats from the
answer store thousands of times a second would otherwise spend a few per cent of its time trimming. Where the C
library has none (musl, macOS) this does nothing."""

import ctypes
import ctypes.util
import itertools
import time

from django.conf import settings


def _malloc_trim():
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


malloc_trim = _malloc_trim()
_requests = itertools.count(1)  # next() on it is atomic under the GIL: threads share one count
MIN_SECONDS = 1.0
_last = [float("-inf")]  # when this process last trimmed (time.monotonic)


def after_request(**kwargs) -> None:
    """A `request_finished` receiver: every MALLOC_TRIM_REQUESTS-th request of the process trims (0: never), unless
    it trimmed less than MIN_SECONDS ago."""
    every = settings.MALLOC_TRIM_REQUESTS
    if malloc_trim is None or every <= 0 or next(_requests) % every:
        return
    now = time.monotonic()
    if now - _last[0] >= MIN_SECONDS:
        _last[0] = now
        malloc_trim(0)
