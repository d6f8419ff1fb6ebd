"""Wire formats: parse bytes into domain objects and build them back. No rules here."""
