"""The bureau statistics pages (/stats) and the open change feed API."""
