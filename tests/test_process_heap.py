"""While serving, the cyclic collector leaves the startup heap and short-lived request data alone."""

from __future__ import annotations

import gc

from service.api.heap import YOUNG_GENERATION_THRESHOLD, ready_to_serve


def test_serving_freezes_the_startup_heap_and_collects_young_objects_less_often() -> None:
    before = gc.get_threshold()
    with ready_to_serve():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
