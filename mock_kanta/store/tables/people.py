"""Tables about people rather than documents: who is a guardian (huoltaja) of which minor.

In Kanta the guardians come from the population information system (DVV, väestötietojärjestelmä);
in the sandbox they are recorded through the control API. Rows are never deleted: a
guardianship that ends gets a new row with `until` set.
"""
from sqlalchemy import Column, Date, ForeignKeyConstraint, Index, Integer, String, Table

from mock_kanta.store.tables.base import metadata

guardians = Table(
    "guardians",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("minor_client_id", String(32), nullable=False),  # the minor's henkilötunnus
    Column("guardian_id", String(32), nullable=False),  # the guardian's henkilötunnus
    Column("since", Date, nullable=False),
    Column("until", Date),  # last day in force; None = until the minor turns 18
    Column("source", String(200), nullable=False),  # control API | fixture | a scenario's name
    Column("recorded_at", String(40), nullable=False),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
Index("ix_guardians_minor", guardians.c.tenant_id, guardians.c.minor_client_id)
Index("ix_guardians_guardian", guardians.c.tenant_id, guardians.c.guardian_id)
