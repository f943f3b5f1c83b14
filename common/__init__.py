"""The library: dates, HTTP caching, client addresses, geometry, the API machinery, admin mixins and middleware.

It imports Django and the kept libraries, nothing of ours above it (import-linter holds this in CI)."""
