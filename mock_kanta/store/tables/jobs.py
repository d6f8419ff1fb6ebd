"""Background jobs (mock_kanta.jobs): one row per job, e.g. seeding a tenant, with its progress.

A job is run by a thread of the process that queued it (its owner: host, pid and pid namespace); any worker
process, of any instance on the same database, reads its row. A tenant's reset or deletion removes its jobs
(the `tenant_id` column), and a running job stops at its next progress report.
"""
from sqlalchemy import Column, Float, ForeignKeyConstraint, Index, Integer, String, Table, Text

from mock_kanta.store.tables.base import metadata

jobs = Table(
    "jobs",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("id", String(32), primary_key=True),  # job-<12 hex>
    Column("kind", String(32), nullable=False),  # seed
    Column("params_json", Text, nullable=False),  # JSON: what the job was asked to do
    Column("state", String(16), nullable=False),  # queued | running | done | failed
    Column("done", Integer, nullable=False, default=0),  # items done (clients, for a seed)
    Column("total", Integer, nullable=False),
    Column("error", Text),  # why it failed
    Column("result_json", Text),  # JSON: its summary lines, once done
    Column("owner_host", String(255), nullable=False),
    Column("owner_pid", Integer, nullable=False),
    Column("owner_pid_ns", String(64)),
    Column("alive_at", Float, nullable=False),  # the owner's heartbeat: seconds since the epoch
    Column("created_at", String(40), nullable=False),  # ISO UTC
    Column("started_at", String(40)),
    Column("finished_at", String(40)),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
Index("ix_jobs_created", jobs.c.tenant_id, jobs.c.created_at)
