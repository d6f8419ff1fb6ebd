"""OmaKanta visibility decisions: every reason, by the clock, for each viewer."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml

from mock_kanta.client import artificial_hetu
from mock_kanta.omakanta import service as om
from mock_kanta.store import Store

HKI = ZoneInfo("Europe/Helsinki")
ADULT = artificial_hetu(date(1970, 5, 6), 950)
MINOR = artificial_hetu(date(2010, 6, 15), 951)  # 18 on 15.6.2028
GUARDIAN = artificial_hetu(date(1980, 1, 2), 952)
OTHER = artificial_hetu(date(1981, 3, 4), 953)
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=HKI)
GUARDIANSHIP = {"minor_client_id": MINOR, "guardian_id": GUARDIAN, "since": date(2010, 6, 15), "until": None}


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), HKI)


def row(client=ADULT, **extra) -> dict:
    base = {"document_id": "1.2.3", "client_id": client, "status": "active", "visibility": "visible", "visible_from": None,
            "guardian_disclosure": None, "document_type": "15007", "document_group": "5", "register_oid": "1.2.246.10.1"}
    return {**base, **extra}


def guardian(guardian_id=GUARDIAN, *rows) -> om.Viewer:
    return om.Viewer("guardian", guardian_id, tuple(rows) or (GUARDIANSHIP,))


def codes(decision: om.Decision) -> list[str]:
    return [r.code for r in decision.reasons]


def test_a_current_visible_document_is_shown_to_everyone():
    doc = row(MINOR, guardian_disclosure="allowed")
    for viewer in (om.CLIENT, guardian(), om.PROFESSIONAL):
        assert om.decide(doc, viewer, NOW) == om.Decision(True)


@pytest.mark.parametrize("status, code", [("voided", "voided"), ("replaced", "replaced"), ("archived?", "not-current")])
def test_not_current_documents_are_hidden_from_every_viewer(status, code):
    doc = row(MINOR, status=status, void_reason="Väärä asiakas", replaced_by="1.2.4")
    for viewer in (om.CLIENT, guardian(), om.PROFESSIONAL):
        decision = om.decide(doc, viewer, NOW)
        assert not decision.shown and decision.reason == code
    voided = om.decide(row(status="voided", void_reason="Väärä asiakas"), om.CLIENT, NOW).reasons[0]
    assert "Väärä asiakas" in voided.text["fi"] and set(voided.text) == {"fi", "sv", "en"}
    assert "1.2.4" in om.decide(row(status="replaced", replaced_by="1.2.4"), om.CLIENT, NOW).reasons[0].text["en"]
    assert "archived?" in om.decide(row(status="archived?"), om.CLIENT, NOW).reasons[0].text["sv"]


def test_rows_without_the_version_columns_still_decide():
    doc = row(status="voided")  # no void_reason / replaced_by keys at all
    del doc["visible_from"]
    assert om.decide(doc, om.CLIENT, NOW).reasons[0].text["en"] == "The document has been voided."


def test_a_restriction_hides_from_client_and_guardian_until_lifted_but_not_from_professionals():
    doc = row(MINOR, visibility="restricted")
    far = at(date(2040, 1, 1))
    assert codes(om.decide(doc, om.CLIENT, far)) == ["restricted"]
    assert codes(om.decide(doc, guardian(), NOW)) == ["restricted"]
    assert om.decide(doc, om.PROFESSIONAL, NOW).shown
    assert codes(om.decide(row(visibility="delayed", visible_from=None), om.CLIENT, far)) == ["restricted"]


def test_a_delay_hides_until_its_day_by_the_helsinki_clock():
    doc = row(visibility="delayed", visible_from=date(2026, 12, 2))
    before = om.decide(doc, om.CLIENT, at(date(2026, 12, 1), 23))
    assert codes(before) == ["delayed"] and before.reasons[0].until == date(2026, 12, 2)
    assert "2.12.2026" in before.reasons[0].text["fi"] and "2026-12-02" in before.reasons[0].text["en"]
    # 22:30 UTC on 1.12. is already 2.12. in Helsinki
    assert om.decide(doc, om.CLIENT, datetime(2026, 12, 1, 22, 30, tzinfo=timezone.utc)).shown
    assert om.decide(doc, om.CLIENT, at(date(2027, 1, 1))).shown
    assert om.decide(doc, om.PROFESSIONAL, at(date(2026, 11, 1))).shown
    as_text = row(visibility="delayed", visible_from="2026-12-02")  # a string date (another database driver)
    assert codes(om.decide(as_text, om.CLIENT, NOW)) == ["delayed"]


def test_a_minors_prohibition_hides_from_the_guardian_only_and_a_refused_one_does_not():
    prohibited = row(MINOR, guardian_disclosure="prohibited")
    refused = row(MINOR, guardian_disclosure="prohibition-refused")
    assert codes(om.decide(prohibited, guardian(), NOW)) == ["minor-prohibited"]
    assert om.decide(prohibited, om.CLIENT, NOW).shown and om.decide(prohibited, om.PROFESSIONAL, NOW).shown
    assert om.decide(refused, guardian(), NOW).shown
    delayed_too = row(MINOR, guardian_disclosure="prohibited", visibility="delayed", visible_from=date(2026, 12, 2))
    assert codes(om.decide(delayed_too, guardian(), NOW)) == ["delayed", "minor-prohibited"]  # every reason, primary first
    assert codes(om.decide(delayed_too, guardian(), at(date(2026, 12, 3)))) == ["minor-prohibited"]  # the delay passes


def test_a_guardian_sees_nothing_from_the_minors_18th_birthday():
    doc = row(MINOR)
    assert om.decide(doc, guardian(), at(date(2028, 6, 14), 23)).shown
    adult = om.decide(doc, guardian(), at(date(2028, 6, 15), 0))
    assert codes(adult) == ["client-adult"] and adult.reasons[0].until == date(2028, 6, 15)
    assert "15.6.2028" in adult.reasons[0].text["fi"]
    assert om.decide(doc, om.CLIENT, at(date(2028, 6, 15))).shown
    assert codes(om.decide(row(ADULT), guardian(GUARDIAN, {**GUARDIANSHIP, "minor_client_id": ADULT}), NOW)) == ["client-adult"]


def test_a_29_february_birthday_comes_of_age_on_1_march():
    leap = artificial_hetu(date(2008, 2, 29), 954)
    g = guardian(GUARDIAN, {**GUARDIANSHIP, "minor_client_id": leap})
    assert om.decide(row(leap), g, at(date(2026, 2, 28))).shown
    assert om.decide(row(leap), g, at(date(2026, 3, 1))).reason == "client-adult"
    assert om.coming_of_age(leap) == date(2026, 3, 1)


def test_not_a_guardian_and_guardianship_periods():
    doc = row(MINOR)
    assert codes(om.decide(doc, guardian(OTHER), NOW)) == ["not-a-guardian"]
    ended = guardian(GUARDIAN, {**GUARDIANSHIP, "until": date(2026, 11, 1)})
    assert om.decide(doc, ended, at(date(2026, 11, 1))).shown  # `until` is the last day in force
    assert om.decide(doc, ended, NOW).reason == "not-a-guardian"
    later = guardian(GUARDIAN, {**GUARDIANSHIP, "since": date(2026, 12, 1)})
    assert om.decide(doc, later, NOW).reason == "not-a-guardian"
    of_another_child = guardian(GUARDIAN, {**GUARDIANSHIP, "minor_client_id": artificial_hetu(date(2012, 1, 1), 955)})
    assert om.decide(doc, of_another_child, NOW).reason == "not-a-guardian"
    unknown_age = om.decide(row("not-a-hetu"), guardian(GUARDIAN, {**GUARDIANSHIP, "minor_client_id": "not-a-hetu"}), NOW)
    assert codes(unknown_age) == ["client-age-unknown"]
    with pytest.raises(ValueError):
        om.Viewer("guardian")
    with pytest.raises(ValueError):
        om.Viewer("neighbour")


def test_document_types_omakanta_does_not_show():
    types = om.DocumentTypes.from_data(om._merge_types(
        yaml.safe_load(om.DOCUMENT_TYPES_YAML),
        {"kinds": {"payment-commitment": {"document_types": ["99001"]}}}))
    doc = row(MINOR, document_type="99001")
    assert om.decide(doc, om.CLIENT, NOW).shown  # the built-in table knows no code for it
    decision = om.decide(doc, om.CLIENT, NOW, types)
    assert codes(decision) == ["not-shown-in-omakanta"] and "Maksusitoumus" in decision.reasons[0].text["fi"]
    assert "Payment commitment" in decision.reasons[0].text["en"]
    assert om.decide(doc, guardian(), NOW, types).reason == "not-shown-in-omakanta"
    assert om.decide(doc, om.PROFESSIONAL, NOW, types).shown
    assert om.decide(row(document_type="77777"), om.CLIENT, NOW, types).shown  # unknown types are shown
    assert om.DEFAULT_TYPES.kind_of(row(document_type=None, document_group="1")).key == "client-relationship"
    assert om.DEFAULT_TYPES.kind_of(row(document_type="15")).key == "client-plan"


def test_the_types_override_file(tmp_path):
    assert om.load_types(tmp_path) is om.DEFAULT_TYPES
    (tmp_path / om.TYPES_OVERRIDE_FILE).write_text(
        "kinds:\n  shelter-or-domestic-violence: {document_types: ['88001']}\n  own-kind: {shown: false, document_types: ['88002']}\n",
        encoding="utf-8")
    types = om.load_types(tmp_path)
    assert types.kind_of(row(document_type="88001")).key == "shelter-or-domestic-violence"
    assert not types.kind_of(row(document_type="88001")).shown  # merged: the built-in fields stay
    assert types.kind_of(row(document_type="88002")).key == "own-kind"
    assert om.load_types(tmp_path) is types  # cached until the file changes


def test_view_splits_rows():
    rows = [row(document_id="a"), row(document_id="b", visibility="restricted"), row(document_id="c", status="replaced")]
    result = om.view(rows, om.CLIENT, NOW)
    assert [r["document_id"] for r, _ in result.shown] == ["a"]
    assert [(r["document_id"], d.reason) for r, d in result.hidden] == [("b", "restricted"), ("c", "replaced")]
    assert result.on == date(2026, 11, 2)
    assert om.decide(row(), om.CLIENT, datetime(2026, 11, 2, 23, 30)).shown  # a naive time is UTC
    assert om.today_of(datetime(2026, 11, 2, 23, 30)) == date(2026, 11, 3)


def test_guardianships_in_the_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.create_schema()
    store.ensure_tenant("t")
    om.add_guardianship(store, "t", minor_client_id=MINOR, guardian_id=GUARDIAN, since=date(2010, 6, 15))
    om.add_guardianship(store, "t", minor_client_id=MINOR, guardian_id=OTHER, since=date(2011, 1, 1),
                        until=date(2020, 12, 31), source="test")
    rows = om.guardianships(store, "t", MINOR)
    assert [(r["guardian_id"], r["until"]) for r in rows] == [(GUARDIAN, None), (OTHER, date(2020, 12, 31))]
    assert om.guardianships(store, "t", guardian_id=OTHER)[0]["source"] == "test"
    assert om.guardianships(store, "other-tenant", MINOR) == []
    assert om.overlapping_guardianship(store, "t", MINOR, GUARDIAN, date(2026, 1, 1), None) is not None
    assert om.overlapping_guardianship(store, "t", MINOR, OTHER, date(2021, 1, 1), None) is None
    assert om.overlapping_guardianship(store, "t", MINOR, OTHER, date(2009, 1, 1), date(2011, 1, 1)) is not None
    viewer = om.Viewer("guardian", OTHER, tuple(rows))
    assert om.decide(row(MINOR), viewer, NOW).reason == "not-a-guardian"
    assert om.decide(row(MINOR), viewer, at(date(2015, 1, 1))).shown
    assert om.client_documents(store, "t", MINOR) == []


def test_every_reason_has_three_languages():
    for code, texts in om.REASONS.items():
        assert set(texts) == {"fi", "sv", "en"}, code
    assert om.reason("delayed", on=date(2026, 1, 5)).to_json()["until"] == "2026-01-05"
    assert om.Decision(False, (om.reason("restricted"),)).to_json()["reason"] == "restricted"


# --- the archivist's queries (same store fixtures; the HTTP side is in tests/integration/test_views.py) ---


def _stored(store, document_id: str, *, received_at: str, effective: str, findings: str = "[]", **extra) -> None:
    store.insert_document("t", {
        "document_id": document_id, "set_id": extra.pop("set_id", document_id), "version": extra.pop("version", 1),
        "register_oid": "1.2.246.10.1", "client_id": ADULT, "document_type": "15007", "document_group": "5",
        "sender_oid": "1.2.246.10.9", "service_unit_oid": "1.2.246.10.9.1", "service_request": "SP17",
        "effective_time": effective, "received_at": received_at, "status": extra.pop("status", "active"),
        "findings_json": findings, "frame_xml": b"<x/>", "document_xml": b"<x/>", **extra})


def test_archivist_filters_summary_and_versions(tmp_path):
    from mock_kanta.archivist import service as archivist

    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.create_schema()
    store.ensure_tenant("t")
    warning = '[{"rule": "SH-X-001", "severity": "warning", "location": "/", "message": {"en": "w"}}]'
    _stored(store, "1.1", received_at="2026-11-01T21:59:00.000000+00:00", effective="20261101235900+0200",
            status="replaced", findings=warning)  # 23:59 in Helsinki on 1.11.
    _stored(store, "1.2", received_at="2026-11-01T22:00:00.000000+00:00", effective="20261102000000+0200",
            set_id="1.1", version=2)  # 00:00 in Helsinki on 2.11.

    def ids(**filters):
        rows, total = archivist.documents_page(store, archivist.where("t", "1.2.246.10.1", **filters))
        assert total == len(rows)
        return sorted(r["document_id"] for r in rows)

    assert ids() == ["1.1", "1.2"]
    assert ids(date_from=date(2026, 11, 2)) == ["1.2"]
    assert ids(date_to=date(2026, 11, 1)) == ["1.1"]
    assert ids(date_from=date(2026, 11, 2), date_field="effective") == ["1.2"]
    assert ids(status="replaced") == ["1.1"] and ids(sender="1.2.246.10.8") == [] and ids(client=ADULT) == ["1.1", "1.2"]
    with pytest.raises(ValueError):
        archivist.where("t", "1.2.246.10.1", date_field="signed")

    counts = archivist.summary(store, archivist.where("t", "1.2.246.10.1"))
    assert (counts["total"], counts["clients"], counts["withWarnings"]) == (2, 1, 1)
    assert {r["status"]: r["n"] for r in counts["byStatus"]} == {"active": 1, "replaced": 1}
    assert counts["bySender"] == [{"sender_oid": "1.2.246.10.9", "n": 2}]

    sets = archivist.version_sets(store, "t", ["1.1", None])
    versions = archivist.versions_json(sets["1.1"], "1.1")
    assert (versions["count"], versions["latest"], versions["current"], versions["isCurrent"]) == (2, 2, "1.2", False)
    assert archivist.warnings(store.document("t", "1.1")) == [{"rule": "SH-X-001", "location": "/", "message": {"en": "w"}}]
    prov = archivist.provenances(store, "t", [store.document("t", "1.1", summary=True)])["1.1"]
    assert "documentError" in prov  # unreadable stored bytes never fail the view
