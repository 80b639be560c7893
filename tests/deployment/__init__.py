"""Deployment tests: a package, so its conftest and module names may repeat those elsewhere in tests/."""
