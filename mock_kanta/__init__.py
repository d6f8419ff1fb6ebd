"""mock-kanta: a sandbox of the Kanta social welfare client data repository."""

__version__ = "0.1.0"
