"""The trainer's scenario runs (`mock_kanta.scenario.trainer`): one row per run, one per step, one per click.

A run is played by a thread of the server process that started it (its owner: host, pid and pid
namespace); any worker process, of any instance on the same database, reads its rows and queues a
click as a request. The owner takes the requests in order of `seq`, runs them and writes the results.
`asked` is the run's last request seq and `handled` the last one the owner finished, so one lookup
of the run's row tells a poller both whether there is work and whether its click is done.
"""
from sqlalchemy import Column, Float, ForeignKeyConstraint, Index, Integer, String, Table, Text

from mock_kanta.store.tables.base import metadata

trainer_runs = Table(
    "trainer_runs",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("id", String(32), primary_key=True),  # run-<12 hex>
    Column("scenario", String(200), nullable=False),  # the built-in scenario's name (its file's stem)
    Column("lang", String(8), nullable=False),  # the runner's language (of `why` and `evidence` in a result)
    Column("titles_json", Text, nullable=False),  # JSON {fi, sv, en}: the scenario's title
    Column("owner_host", String(255), nullable=False),
    Column("owner_pid", Integer, nullable=False),
    Column("owner_pid_ns", String(64)),  # the owner's pid namespace (Linux), when it could be read
    Column("status", String(16), nullable=False),  # preparing | ready | running | finished | stopped | error | expired
    Column("problem", Text),  # why the run could not start or failed
    Column("created_at", String(40), nullable=False),  # ISO UTC
    Column("updated_at", String(40), nullable=False),
    Column("alive_at", Float, nullable=False),  # the owner's heartbeat: seconds since the epoch
    Column("asked", Integer, nullable=False, default=0),  # seq of the last request queued
    Column("handled", Integer, nullable=False, default=0),  # seq of the last request the owner finished
    Column("busy", Integer),  # seq of the request being run
    Column("done", Integer, nullable=False, default=0),  # steps with a result
    Column("total", Integer, nullable=False),  # steps in the scenario
    Column("prepare_json", Text),  # JSON: the preparation's result
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
Index("ix_trainer_runs_created", trainer_runs.c.tenant_id, trainer_runs.c.created_at)

trainer_steps = Table(
    "trainer_steps",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("run_id", String(32), primary_key=True),
    Column("position", Integer, primary_key=True),  # 0-based, in the scenario's order
    Column("number", Integer, nullable=False),
    Column("label", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("titles_json", Text),  # JSON {fi, sv, en}, when the step has a title
    Column("result_json", Text),  # JSON: the step's result, once it ran (texts in fi, sv and en, messages cut)
    ForeignKeyConstraint(["tenant_id", "run_id"], ["trainer_runs.tenant_id", "trainer_runs.id"]),
)

trainer_requests = Table(
    "trainer_requests",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # never reused: a poller waits for its own
    Column("tenant_id", String(64), nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("action", String(16), nullable=False),  # next | all | stop
    Column("asked_at", String(40), nullable=False),  # ISO UTC
    ForeignKeyConstraint(["tenant_id", "run_id"], ["trainer_runs.tenant_id", "trainer_runs.id"]),
    sqlite_autoincrement=True,
)
Index("ix_trainer_requests_run", trainer_requests.c.tenant_id, trainer_requests.c.run_id, trainer_requests.c.seq)
