"""Root of the test tree. Its presence makes pytest put the repository root on `sys.path` (the
`tests` folder is a package), so every tier, with or without an `__init__.py`, can import the
shared builders under `tests.support` however a test run is started."""
