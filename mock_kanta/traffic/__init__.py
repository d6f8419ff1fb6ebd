"""The traffic log area: every message a tenant received, its API and the live flow pages."""
