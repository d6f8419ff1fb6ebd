"""The access log's hash chain: which stored fields an event's hash covers, and the hash itself.

Pure (no database): the store seals each event with it when appending, the access log's `verify`
checks it. Each event's `prev_hash` is the previous event's hash in the same tenant ("" for the first).
"""
from __future__ import annotations

import hashlib
import json

# The stored fields the hash covers: all but `seq` (the chain itself orders) and `hash`.
HASHED = ("tenant_id", "at", "recorded_at", "action", "outcome", "person_id", "card_serial", "card_subject",
          "organisation_oid", "unit_oid", "usage_situation", "client_id", "document_ids", "rule_ids", "detail", "prev_hash")


def chain_hash(row: dict) -> str:
    """SHA-256 (hex) over the canonical JSON of the hashed fields as stored (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps({k: row[k] for k in HASHED}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sealed(row: dict, prev_hash: str) -> dict:
    """The row linked after `prev_hash`: a copy with its prev_hash and hash set."""
    out = {**row, "prev_hash": prev_hash}
    out["hash"] = chain_hash(out)
    return out
