"""Deterministic artificial test data: clients, guardians, matters, rights and cards."""
