"""Graded rehearsal sessions (harjoituskoe): the sandbox grades a vendor's own traffic against a test's checklist.

    rehearsals = Rehearsals.from_services(services)
    session = rehearsals.open("default", "register-usage-right-test", kielo_oid, organiser_oid=keusote_oid)
    ...                                          # the vendor's system archives, queries, retrieves
    result = rehearsals.close("default", session.id)
    result["items"][0]["status"]                  # "met" | "missing", with evidence and near misses
    write_session_reports(result, "reports/")     # JUnit XML, JSON, HTML (mock_kanta.reports)

Modules: `checklist` (the YAML checklists under fixtures/rehearsals/), `scope` (the session's
parties and the access-log events it grades), `grading` (each item met or missing),
`evidence` (matchers and evidence in words), `sessions` (the sessions table), `report`.
"""
from mock_kanta.rehearsal.checklist import Checklist, ChecklistError, load_checklist, load_checklists, parse_checklist
from mock_kanta.rehearsal.grading import Grader, Grading
from mock_kanta.rehearsal.report import report_html, report_json, report_junit, to_report, write_session_reports
from mock_kanta.rehearsal.scope import Party, Scope
from mock_kanta.rehearsal.sessions import RehearsalError, Rehearsals, Session, SessionClosed, SessionNotFound

__all__ = [
    "Checklist", "ChecklistError", "Grader", "Grading", "Party", "RehearsalError", "Rehearsals", "Scope", "Session",
    "SessionClosed", "SessionNotFound", "load_checklist", "load_checklists", "parse_checklist", "report_html", "report_json",
    "report_junit", "to_report", "write_session_reports",
]
