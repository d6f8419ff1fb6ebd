"""The graded rehearsal sessions (harjoituskoe): one row per session a vendor opens.

A session grades the tenant's access-log events after `opened_seq` (and, once closed,
up to `closed_seq`): sequence numbers, not sandbox times, bound it, because a rehearsal
may move the sandbox clock backwards.
"""
from sqlalchemy import Column, ForeignKeyConstraint, Index, Integer, String, Table, Text

from mock_kanta.store.tables.base import metadata

rehearsal_sessions = Table(
    "rehearsal_sessions",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),  # reh-<hex>
    Column("test", String(64), nullable=False),  # the checklist: deployment-test | register-usage-right-test
    Column("organisation_oid", String(256), nullable=False),  # the organisation rehearsing (its vendor's system)
    Column("counterpart_oid", String(256)),  # the organiser, for the register usage right test
    Column("system_name", String(200)),  # the vendor's system as the vendor names it (optional)
    Column("opened_at", String(40), nullable=False),  # ISO, the tenant's sandbox clock at opening
    Column("opened_real_at", String(40), nullable=False),  # ISO UTC, real time
    Column("opened_seq", Integer, nullable=False),  # the last access-log seq before the session
    Column("closed_at", String(40)),  # ISO, the sandbox clock at closing
    Column("closed_real_at", String(40)),
    Column("closed_seq", Integer),  # the last access-log seq graded
    Column("result", String(16)),  # passed | failed, once closed
    Column("report_json", Text),  # the frozen grading and report (JSON), once closed
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
Index("ix_rehearsal_sessions_opened", rehearsal_sessions.c.tenant_id, rehearsal_sessions.c.opened_seq)
