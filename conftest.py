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
