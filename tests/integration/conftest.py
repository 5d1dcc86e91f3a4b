"""Integration tests run against the session's real Label Studio server: the ``ls_server`` and
``sample_records`` fixtures live in tests/conftest.py (shared with tests/browser); every test in
this folder is marked ``integration`` there."""
