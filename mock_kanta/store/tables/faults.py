"""Faults a trainer injects per tenant (mock_kanta.faults), and the marks on traffic rows a fault or a replay
made (the entry a replay replays).

A fault applies to the wire requests of one endpoint (or any) and optionally one message type; `remaining`
counts down the next N requests (atomically, across worker processes), `probability` picks requests at random.
A tenant's reset or deletion removes both tables' rows (the `tenant_id` column).
"""
from sqlalchemy import Column, Float, ForeignKeyConstraint, Integer, String, Table, Text

from mock_kanta.store.tables.base import metadata

faults = Table(
    "faults",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("id", String(32), primary_key=True),  # flt-<12 hex>
    Column("kind", String(16), nullable=False),  # delay | status | drop | refuse
    Column("endpoint", String(16), nullable=False),  # archive | validate | query | retrieve | any
    Column("message_type", String(256)),  # a template or interaction id the message must hold; NULL: any message
    Column("when_", String(8), nullable=False),  # before | after (the message is handled and stored first)
    Column("delay_ms", Integer),
    Column("jitter_ms", Integer),
    Column("status", Integer),  # the HTTP status of a `status` fault
    Column("ack", String(4)),  # AE | AR of a `refuse` fault
    Column("code", String(64)),  # the error code of a `refuse` fault
    Column("text", Text),  # its text
    Column("remaining", Integer),  # the next N requests; NULL: no count
    Column("probability", Float),  # 0 < p <= 1; NULL: every matching request
    Column("fired", Integer, nullable=False, default=0),
    Column("created_at", String(40), nullable=False),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)

traffic_marks = Table(
    "traffic_marks",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),  # the traffic row marked
    Column("replay_of", Integer),  # the entry it replays
    Column("fault_id", String(32)),  # the fault that answered it
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
