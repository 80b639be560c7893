"""Browser tests: a package, so their module names (test_languages) may repeat those of tests/."""
