"""Control API: background jobs (api/jobs.yaml, mounted at /api/v1/jobs). The access gate has already refused a
tenant's token that names another tenant in the path."""
from __future__ import annotations

from flask import abort

from mock_kanta.api.common import JSON, current_store
from mock_kanta.jobs import service as jobs


def list_jobs(tenantId: str):
    _known(tenantId)
    return jobs.recent(current_store(), tenantId), 200, JSON


def get_job(tenantId: str, jobId: str):
    _known(tenantId)
    job = jobs.get(current_store(), tenantId, jobId)
    if job is None:
        abort(404, f"Tenant {tenantId} has no job {jobId[:40]} (a reset or deletion of the tenant removes its jobs).")
    return job, 200, JSON


def _known(tenant: str) -> None:
    if current_store().tenant(tenant) is None:
        abort(404, f"No tenant {tenant[:64]}.")
