"""Fixtures of the end-to-end tests beyond the session stack's (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.console_browser import browser


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    """One chromium per test process for every console test (a start costs about a second)."""
    yield from browser()
