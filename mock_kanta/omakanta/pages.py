"""OmaKanta side by side: /ui/omakanta (pick a client) and /ui/omakanta/<client>.

One client's documents as the client, each recorded guardian and a professional see them
by the sandbox clock, with every reason a hidden document is hidden. The decisions are
`mock_kanta.omakanta.service`'s; this module only lays them out.
"""
from __future__ import annotations

from flask import redirect, request

from mock_kanta.archivist.service import document_type_display
from mock_kanta.core.identity import HetuError, age_on, parse_hetu
from mock_kanta.omakanta import service as omakanta
from mock_kanta.ui import context, data, i18n


def register(bp) -> None:
    bp.add_url_rule("/omakanta", "omakanta", pick)
    bp.add_url_rule("/omakanta/<client>", "omakanta_client", side_by_side)


def pick():
    asked = (request.args.get("client") or "").strip().upper()
    if asked:
        return redirect(f"/ui/omakanta/{_hetu(asked)}", code=303)
    clients = data.clients_with_documents(context.store(), context.tenant())
    return context.render("omakanta_pick.html", clients=clients[:data.LIST_LIMIT],
                          truncated=len(clients) > data.LIST_LIMIT)


def side_by_side(client: str):
    client = _hetu(client)
    tenant, store, services = context.tenant(), context.store(), context.services()
    now = context.clock_now()
    on = omakanta.today_of(now)
    types = omakanta.load_types(services.settings.data_dir)
    rows = omakanta.client_documents(store, tenant, client)
    guardianships = tuple(omakanta.guardianships(store, tenant, client))
    guardian_ids = list(dict.fromkeys(g["guardian_id"] for g in guardianships))
    viewers = [{"key": "client", "viewer": omakanta.CLIENT, "title": i18n.t("omakanta.viewer_client")}]
    for gid in guardian_ids:
        viewer = omakanta.Viewer("guardian", gid, guardianships)
        standing = omakanta.guardian_standing(viewer, client, on)
        viewers.append({"key": "guardian", "viewer": viewer, "guardian_id": gid,
                        "title": i18n.t("omakanta.viewer_guardian", who=context.mask(gid)),
                        "standing": standing})
    viewers.append({"key": "professional", "viewer": omakanta.PROFESSIONAL, "title": i18n.t("omakanta.viewer_professional")})
    names = context.Names.of(store, tenant)
    documents = []
    for row in rows:
        cells = [omakanta.decide(row, v["viewer"], now, types) for v in viewers]
        documents.append({"row": row, "cells": cells, "type": document_type_display(services.codes, row) or row.get("document_type"),
                          "register": names.orgs.get(row["register_oid"]) or row["register_oid"],
                          "unit": names.units.get(row.get("service_unit_oid")) or row.get("service_unit_oid")})
    counts = [{"shown": sum(d["cells"][i].shown for d in documents), "hidden": sum(not d["cells"][i].shown for d in documents)}
              for i in range(len(viewers))]
    return context.render("omakanta_client.html", client=client, age=age_on(client, on),
                          comes_of_age=omakanta.coming_of_age(client), viewers=viewers, documents=documents, counts=counts,
                          guardianships=guardianships)


def _hetu(value: str) -> str:
    try:
        return parse_hetu(value).value
    except HetuError as exc:
        context.bad_hetu(value, exc)
