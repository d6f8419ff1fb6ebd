"""The documents table under its former name, for `mock_kanta.read.service` until its queries move into
`queries/` (then this module goes). Everything else imports the tables from `mock_kanta.store.tables`."""
from mock_kanta.store.tables.documents import documents

__all__ = ["documents"]
