"""Unit tests run without AWS: settings read from a clean environment, re-read after each test so
nothing cached here leaks into the local stack of the same test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tallyboard.settings import get_settings


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
