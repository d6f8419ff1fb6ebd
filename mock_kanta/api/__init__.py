"""The sandbox control API (OpenAPI 3 via connexion)."""
