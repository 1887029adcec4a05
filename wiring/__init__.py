"""The Temporal wiring shared by the worker, the starter, the HTTP service and the tests."""
