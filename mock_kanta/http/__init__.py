"""The HTTP faces' shared parts: the dispatcher, request helpers, mutual TLS."""
