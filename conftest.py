"""Test configuration: quiet TensorFlow, shared-data fixtures that skip with a reason."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

# tests/reliability_cases.py holds the assertions of the bad-input tests: rewrite them as in a test module
pytest.register_assert_rewrite("reliability_cases")

from keras_motifs.paths import ENV_VAR, shared_data_dir  # noqa: E402


@pytest.fixture(scope="session")
def shared_data():
    """Path to ``<shared>/data``; skips the test when the shared data is absent."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set {ENV_VAR} to the folder holding data/)")
    return path


@pytest.fixture(autouse=True)
def _package_logger_restored():
    """Tests that run the CLI in this process call ``logs.configure()``, which gives the package logger
    a handler on the stderr of that moment (pytest's capture, closed after the test) and stops it from
    propagating, so a later test's ``caplog`` saw nothing. Put the logger back as it was after each test."""
    import logging

    logger = logging.getLogger("keras_motifs")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]
