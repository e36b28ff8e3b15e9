"""The process made ready to serve: the card wording loaded, and the startup heap kept out of the
collector's way."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from service.cards.catalogue import default_catalogue


@contextmanager
def ready_to_serve() -> Iterator[None]:
    """Load what the first request would otherwise load, then freeze the objects that live as long as
    the process (modules, models, wording) out of the cyclic collector's generations until shutdown.

    A request allocates tens of thousands of containers (its parsed JSON); every full collection they
    trigger would otherwise walk the whole startup heap again, which costs more than evaluating a
    typical request. Unfrozen at shutdown, the startup heap is collectable again.
    """
    default_catalogue()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
