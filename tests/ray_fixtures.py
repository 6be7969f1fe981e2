"""One local Ray with 2 CPUs per test session, shared by every test that runs ``--engine ray``.

Stages reuse a Ray that is already initialised (and leave it running), so the start-up cost
(several seconds) is paid once. Worker processes inherit the environment, so they import the
same ``newskit`` as the tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def local_ray() -> Iterator[Any]:
    """Ray started on this machine with 2 CPUs (the test extra installs it)."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        yield ray
    finally:
        ray.shutdown()
