"""`python -m api`: the HTTP front door, configured from the environment (as `escalation serve`)."""

from starter.serve_cli import serve_main

serve_main()
