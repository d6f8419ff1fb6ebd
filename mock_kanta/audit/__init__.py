"""The access log area: the hash-chained log, its API and CLI."""
