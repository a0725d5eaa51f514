"""Where the reference data (national region files, Blitar boundaries) lives for the tests."""

import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]


def shared_data_dir(subfolder: str) -> Path:
    """`subfolder` (`wilayah` or `geo`) of $PORTAL_SHARED_DATA, else of `shared/data` beside the
    project. Skips the test when it is absent, but fails it when PORTAL_SHARED_DATA names it."""
    configured = os.environ.get("PORTAL_SHARED_DATA")
    data = Path(configured) if configured else PROJECT_DIR.parent / "shared" / "data"
    directory = data / subfolder
    if not directory.is_dir():
        if configured:
            pytest.fail(f"PORTAL_SHARED_DATA is set but {directory} is not a folder.")
        pytest.skip(f"The reference data is not at {directory}.")
    return directory
