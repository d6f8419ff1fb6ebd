"""Faults per tenant: delays, HTTP statuses, dropped connections and injected refusals on the wire endpoints."""
