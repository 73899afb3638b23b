"""The commission engine's pure arithmetic (``calc``); the services use it."""
