"""Hostile-input fuzzing with Hypothesis: the pure layer, the policy loader and both workflows.

How the async workflow tests use Hypothesis: pytest-asyncio (1.5, installed) recognises an
``async def`` test decorated with ``@given`` and runs each generated example as one coroutine on
the test's event loop (the session loop here), so the worker and the Temporal client created by
the fixtures keep working between examples. The fixtures are function scoped on purpose: one
time-skipping server, one worker and one long-lived workflow per test function, shared by every
example (hence ``HealthCheck.function_scoped_fixture`` is suppressed). Each example draws a batch
of payloads with ``st.data()`` and sends it to that same workflow. ``derandomize=True`` and no
example database make every run, locally and in CI, send exactly the same payloads.
"""
