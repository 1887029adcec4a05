"""The worker's paced garbage collection, in a fresh interpreter (freezing is process-wide)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCENARIO = textwrap.dedent(
    """
    import gc
    import weakref

    from worker.collection_pacing import CollectionPacer


    class Node:
        pass


    def cycle():
        node = Node()
        node.itself = node
        return node


    pacer = CollectionPacer(growth=2.0)
    pacer.install()
    start_up = gc.get_freeze_count()
    assert start_up > 0, "start-up objects are frozen"

    pacer.pace()
    assert gc.get_freeze_count() == start_up, "nothing is frozen before a full collection ran"

    held = cycle()
    garbage = weakref.ref(held)
    gc.collect()
    pacer.pace()
    assert gc.get_freeze_count() > start_up, "the survivors of a full collection are frozen"

    del held
    gc.collect()
    assert garbage() is not None, "a frozen cycle is left alone until a thaw"

    survivors = gc.get_freeze_count()
    grown = [[] for _ in range(survivors)]
    gc.collect()
    pacer.pace()
    assert garbage() is None, "the thaw at twice the survivors collects frozen garbage"
    assert gc.get_freeze_count() >= len(grown), "and freezes what is still alive"
    pacer.uninstall()
    assert gc.get_freeze_count() == 0
    print("paced")
    """
)


def test_survivors_are_frozen_and_frozen_garbage_is_collected_at_the_growth_bound() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "paced"
