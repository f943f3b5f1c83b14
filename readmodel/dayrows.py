"""What the snapshot (readmodel/snapshot.py) hands out for a day: its rows, made only as they are read, and its
share of the process's store of encoded lines, bounded in bytes."""

import threading
from collections.abc import Sequence

import cachetools
from django.conf import settings

from jurisdictions.models import Jurisdiction

# What an encoded line costs beyond its text, for the byte bound: the bytes object's header, its key (the unit's
# tuple, and in the worst case, one line per request, the request's own (owner, kind) tuples and site address) and
# the store's bookkeeping (cachetools keeps three dict entries a line, one of them in an OrderedDict). Measured
# 587 bytes in that worst case (tests/test_per_version.py); 200 let a store of short CSV lines hold 2.7 times its
# bound.
ENCODED_OVERHEAD = 640


def encoded_size(value) -> int:
    return len(value) + ENCODED_OVERHEAD


_store: cachetools.LRUCache | None = None
_store_lock = threading.Lock()


def shared_store() -> cachetools.LRUCache:
    """The process's one store of encoded lines, for every snapshot it holds (the current one and the releases it
    keeps), bounded in bytes by settings.ENCODED_CACHE_MB all together: a store per snapshot multiplied the bound
    by the releases a reader walks. Made again if the setting changes (tests)."""
    global _store
    size = int(settings.ENCODED_CACHE_MB * 1024 * 1024)
    with _store_lock:
        if _store is None or _store.maxsize != size:
            _store = cachetools.LRUCache(maxsize=size, getsizeof=encoded_size)
        return _store


class Encoded:
    """A view of the shared store for one snapshot and one kind (a format, a site address): `get(key)`, `key in`,
    `[key]`, `[key] = bytes`. Least recently used lines go first when the store is full, whoever's they are.
    `owner` is the snapshot's token (an object that identifies it without keeping it alive)."""

    __slots__ = ("store", "lock", "kind")

    def __init__(self, owner, kind: tuple):
        self.store, self.lock, self.kind = shared_store(), _store_lock, (owner, kind)

    def get(self, key):
        with self.lock:
            return self.store.get((self.kind, key))

    def __contains__(self, key) -> bool:
        with self.lock:
            return (self.kind, key) in self.store

    def __getitem__(self, key):
        with self.lock:
            return self.store[(self.kind, key)]

    def __setitem__(self, key, value) -> None:
        # A copy of exactly its length: orjson's bytes keep the buffer they were written in (about 4 KB for a
        # 1.6 KB line), which the byte bound would not see.
        if isinstance(value, bytes):
            value = bytes(memoryview(value))
        with self.lock:
            self.store[(self.kind, key)] = value


class DayRows(Sequence):
    """The rows of some units on one day, in list order, each made only when read: a page of N rows costs N rows.

    It looks like the `Rows` the filters and the paginator take (`.model`, `.all()`, `.narrowed()`, `.having()`);
    `where_unit` and `with_status` narrow it without making a row (a unit's own fields; the epoch's status codes).
    """

    model = Jurisdiction

    def __init__(self, snapshot, epoch: int, positions: tuple):
        # snapshot: the readmodel.snapshot.Snapshot the rows come from (its `_row_at`, units and epoch index).
        self.snapshot, self.epoch, self.positions = snapshot, epoch, positions

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return DayRows(self.snapshot, self.epoch, self.positions[index])
        return self.snapshot._row_at(self.positions[index], self.epoch)

    def __iter__(self):
        row_at, epoch = self.snapshot._row_at, self.epoch
        return (row_at(position, epoch) for position in self.positions)

    def all(self):
        return self

    def _kept(self, positions) -> "DayRows":
        return DayRows(self.snapshot, self.epoch, tuple(positions))

    def where_unit(self, keep) -> "DayRows":
        units = self.snapshot.ordered_units
        return self._kept(position for position in self.positions if keep(units[position]))

    def with_status(self, wanted) -> "DayRows":
        statuses = self.snapshot.epochs.statuses
        codes = self.snapshot.epochs.codes(self.epoch)
        wanted = {statuses.index(status) for status in wanted}
        return self._kept(position for position in self.positions if codes[position] in wanted)

    def narrowed(self, keep) -> "DayRows":
        row_at, epoch = self.snapshot._row_at, self.epoch
        return self._kept(position for position in self.positions if keep(row_at(position, epoch)))

    def having(self, value_of, wanted) -> "DayRows":
        wanted = set(wanted)
        return self.narrowed(lambda row: value_of(row) in wanted)
