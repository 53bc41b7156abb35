"""The launched app fixtures of the UI tests, shared with the security tests."""

from tests.apps.conftest import launch, quick_assistants  # noqa: F401 - pytest fixtures
