"""The JSON structured forms (rakenteinen muoto), shaped like the public samples [S].

Coded values are `{"system": "urn:oid:…", "code", "display"}`; field names are the
Sosmeta snake_case ones the samples use.
"""
from __future__ import annotations

import copy
from datetime import date

from mock_kanta.client.coding import GENDER, SERVICE_TASK, SOCIAL_SERVICE, UNIT_REGISTER, CodeArg, coded, json_coded
from mock_kanta.client.parties import HETU_ROOT, Client, Org, Professional, TaskGrant, Unit

# [S] the asiakkuusasiakirja sample names the relationship id with this system (sic).
RELATIONSHIP_ID_SYSTEM = "urn:oid:1.2.246.1"


def unit_coded(unit: Unit | Org) -> dict:
    """A service unit (or organisation) as the JSON names it: SOTE organisation register code."""
    return {"system": f"urn:oid:{UNIT_REGISTER}", "code": unit.oid, "display": unit.name}


def services_json(services: list[CodeArg]) -> list[dict]:
    return [json_coded(coded(SOCIAL_SERVICE, s)) for s in services]


def _unit_entry(grant: TaskGrant) -> dict:
    entry = {"palveluyksikon_nimi": unit_coded(grant.unit), "asiakkuuden_alkamispvm": grant.start.isoformat()}
    if grant.end is not None:
        entry["asiakkuuden_paattymispvm"] = grant.end.isoformat()
    return entry


def _tasks(grants: list[TaskGrant]) -> list[dict]:
    """`sosiaalihuollon_palvelutehtava[]`: grants grouped by service task, in the order given."""
    tasks: dict[str, dict] = {}
    for grant in grants:
        task_code = coded(SERVICE_TASK, grant.function_code)
        task = tasks.setdefault(task_code.code, {"palvelutehtava": json_coded(task_code)})
        if grant.provider_unit:
            entry = {"sosiaalipalvelu": services_json(grant.social_services), **_unit_entry(grant)}
            task.setdefault("palveluntuottaja", []).append(entry)
        else:
            task.setdefault("palvelunjarjestajan_palveluyksikko", []).append(_unit_entry(grant))
    return list(tasks.values())


def relationship_json(relationship_id: str, client: Client, organiser: Org, grants: list[TaskGrant], start: date) -> dict:
    """The asiakkuusasiakirja structure: the client, the relationship, and the units of each service task."""
    return {"asiakkuusasiakirja": {
        "asiakkuuden_yksilointitunnus": {"system": RELATIONSHIP_ID_SYSTEM, "value": relationship_id},
        "asiakas": {
            "sukunimi": client.family,
            "etunimet": client.given,
            "henkilotunnus": {"system": HETU_ROOT, "value": client.hetu},
            "syntymaaika": client.birth_date.isoformat(),
            "sukupuoli": json_coded(coded(GENDER, client.gender_code)),
        },
        "sosiaalihuollon_asiakkuus": {"asiakkuuden_alkamispvm": start.isoformat()},
        "palvelunjarjestajan_toimintayksikko": unit_coded(organiser),
        "sosiaalihuollon_palvelutehtava": _tasks(grants),
    }}


def _merge(base: dict, extra: dict) -> dict:
    """`extra` deep-merged into `base` (extra wins for values, objects merge)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _put_services(body: dict, path: tuple[str, ...], services: list[dict]) -> None:
    node = body
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node.setdefault(path[-1], []).extend({"sosiaalipalvelu": s} for s in services)


def client_document_json(structure_name: str, *, client: Client, author: Professional, unit: Unit, day: date,
                         services: list[CodeArg], services_path: tuple[str, ...], content: dict | None) -> dict:
    """A client document's structure: client, the caller's content, planned services, date and author (laatija)."""
    body: dict = {"asiakas": [{
        "sukunimi": client.family,
        "etunimet": client.given,
        "henkilotunnus": {"system": f"urn:oid:{HETU_ROOT}", "value": client.hetu},
    }]}
    _merge(body, content or {})
    if services:
        _put_services(body, services_path, services_json(services))
    body["paivamaara"] = day.isoformat()
    author_entry = {"sukunimi": author.family, "etunimet": author.given}
    if author.title:
        author_entry["tehtavanimike"] = author.title
    author_entry["palveluyksikko"] = unit_coded(unit)
    body["laatija"] = [author_entry]
    return {structure_name: body}
