"""Fixtures the end-to-end tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.processes import Stack, dev_stack


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """A fresh dev server on free ports with its SQLite file in the test's temp dir."""
    async with dev_stack(tmp_path) as running:
        yield running
