"""The process made ready to serve: the card wording loaded, and the collector kept away from what
reference counting frees anyway."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from service.cards.catalogue import default_catalogue

YOUNG_GENERATION_THRESHOLD = 100_000
"""Container allocations between two young-generation collections (CPython's default is 700).

A request's parsed JSON holds tens of thousands of containers (about 20,000 for a typical 270 KB
prefetch). It is acyclic and freed by reference counting as the request ends, but at the default the
collector walks it dozens of times while the request runs: measured on a route that only parses such a
body, that was 0.4 of its 1.4 ms. At this threshold a typical request ends before a collection starts;
cyclic garbage waits a little longer for it, which costs a few MB at most."""


@contextmanager
def ready_to_serve() -> Iterator[None]:
    """Load what the first request would otherwise load, freeze the objects that live as long as the
    process (modules, models, wording) out of the cyclic collector's generations, and collect the young
    generation only after `YOUNG_GENERATION_THRESHOLD` allocations, until shutdown.

    Every full collection would otherwise walk the whole startup heap again, which costs more than
    evaluating a typical request. At shutdown the startup heap is collectable again and the thresholds
    are what they were.
    """
    default_catalogue()
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
