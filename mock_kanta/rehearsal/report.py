"""A graded session as the sandbox's common reports (mock_kanta.reports): JUnit XML, JSON, HTML.

One `Case` per session, one `Item` per checklist item: met = passed, missing = failed with
`why` (what was looked for, the near misses) and the evidence as lines. The HTML adds a
header shaped like the report a provider gives after the real deployment test: organisation,
system, test, date, result and the items met or missing (the official form is not public,
kanta-facts §9: this shape is modelled).
"""
from __future__ import annotations

import html
from pathlib import Path

from mock_kanta.reports import Case, Item, Report, html_report, junit_xml, report_to_dict

MODELLED = ("Modelled (verified: false): the official deployment test case, its report form and any register usage "
            "right test script are not public; this checklist follows kanta.fi's public descriptions.")
_HEAD = {"fi": "Harjoituskoeraportti", "sv": "Övningsprovsrapport", "en": "Rehearsal report"}
_ROWS = (("organisation", "Organisaatio", "Organisation", "Organisation"),
         ("organiser", "Palvelunjärjestäjä (käytetty rekisteri)", "Tjänsteanordnare (registret som används)",
          "Organiser (register used)"),
         ("system", "Järjestelmä / toimittaja", "System / leverantör", "System / vendor"),
         ("test", "Koe", "Prov", "Test"),
         ("date", "Päivämäärä", "Datum", "Date"),
         ("result", "Tulos", "Resultat", "Result"))
_STATUS = {"met": ("täyttyi", "uppfylld", "met"), "missing": ("puuttuu", "saknas", "missing")}


def to_report(result: dict, target: str = "") -> Report:
    items = [_item(i) for i in result["items"]]
    return Report(title=f"{result['title']['en']}: {_org(result['organisation'])}" + ("" if _final(result) else " (provisional)"),
                  cases=[Case(result["id"], f"{result['title']['en']} ({result['title']['fi']})", items,
                              source=result["checklist"]["file"], properties=properties(result))],
                  target=target or f"tenant {result['tenant']}", started_at=result["openedRealAt"])


def properties(result: dict) -> dict[str, str]:
    """The report header as name-value pairs (also the JUnit suite's properties)."""
    out = {"Organisation": _org(result["organisation"])}
    if result.get("organiser"):
        out["Organiser (register used)"] = _org(result["organiser"])
    out.update({
        "System / vendor": _system(result),
        "Test": f"{result['title']['fi']} / {result['title']['sv']} / {result['title']['en']} ({result['test']})",
        "Date": _date(result),
        "Result": result_line(result),
        "Session": f"{result['id']} (tenant {result['tenant']}, {result['status']})",
        "Access-log events graded": _window(result),
        "Modelled": MODELLED,
    })
    return out


def result_line(result: dict) -> str:
    total = result["met"] + result["missing"]
    missing = [i["id"] for i in result["items"] if i["status"] == "missing"]
    head = result["result"] if _final(result) else f"in progress (session open; {result['result']} so far)"
    return f"{head}: {result['met']} of {total} items met" + (f"; missing {', '.join(missing)}" if missing else "")


def report_html(result: dict, target: str = "") -> str:
    """The common HTML report with the rehearsal header inserted after its title."""
    page = html_report(to_report(result, target))
    head = "</h1>"
    at = page.find(head)
    return page if at < 0 else page[:at + len(head)] + header_html(result) + page[at + len(head):]


def report_junit(result: dict, target: str = "") -> bytes:
    return junit_xml(to_report(result, target))


def report_json(result: dict, target: str = "") -> dict:
    return report_to_dict(to_report(result, target))


def write_session_reports(result: dict, out_dir: Path | str, stem: str | None = None, target: str = "") -> dict[str, Path]:
    """`<stem>.xml`, `.json` and `.html` as `mock_kanta.reports.write_reports` writes them, with the rehearsal header."""
    import json

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or result["id"]
    paths = {"junit": out_dir / f"{stem}.xml", "json": out_dir / f"{stem}.json", "html": out_dir / f"{stem}.html"}
    paths["junit"].write_bytes(report_junit(result, target))
    paths["json"].write_text(json.dumps(report_json(result, target), ensure_ascii=False, indent=2), encoding="utf-8")
    paths["html"].write_text(report_html(result, target), encoding="utf-8")
    return paths


def header_html(result: dict) -> str:
    e = html.escape
    values = {"organisation": _org(result["organisation"]), "organiser": _org(result["organiser"]) if result.get("organiser") else None,
              "system": _system(result), "test": f"{result['title']['fi']} / {result['title']['sv']} / {result['title']['en']}",
              "date": _date(result), "result": result_line(result)}
    status = "passed" if result["result"] == "passed" and _final(result) else "failed"
    out = [f'<section class="rehearsal-header" aria-label="{e(_HEAD["en"])}">',
           f'<h2>{" · ".join(e(t) for t in _HEAD.values())}</h2><table><tbody>']
    for key, fi, sv, en in _ROWS:
        if values[key] is not None:
            cls = f' class="badge {status}"' if key == "result" else ""
            out.append(f"<tr><th scope=\"row\">{e(_label(fi, sv, en))}</th><td{cls}>{e(values[key])}</td></tr>")
    out.append('</tbody></table><table><thead><tr><th scope="col">#</th><th scope="col">Kohta · Punkt · Item</th>'
               '<th scope="col">Tulos · Resultat · Result</th></tr></thead><tbody>')
    for item in result["items"]:
        words = " · ".join(_STATUS[item["status"]])
        cls = "passed" if item["status"] == "met" else "failed"
        title = item["title"]
        out.append(f"<tr><td>{e(item['id'])}</td><td>{e(title['fi'])}<br><small>{e(title['sv'])}</small><br>"
                   f"<small>{e(title['en'])}</small></td><td class=\"badge {cls}\">{e(words)}</td></tr>")
    out.append(f"</tbody></table><p><small>{e(MODELLED)} {e(result['checklist']['source'])}</small></p></section>")
    return "".join(out)


def _item(i: dict) -> Item:
    lines = [f"evidence: {r['text']}" for r in i["evidence"]]
    if i["evidenceCount"] > len(i["evidence"]):
        lines.append(f"... and {i['evidenceCount'] - len(i['evidence'])} more")
    if i["status"] == "met":
        return Item(f"{i['id']} {i['title']['en']}", "passed", why=f"Met: found {i['lookedFor']}.", evidence=lines)
    lines += [f"near miss: {r['text']}" for r in i["nearMisses"]]
    return Item(f"{i['id']} {i['title']['en']}", "failed", why=i["why"], evidence=lines)


def _label(*texts: str) -> str:
    """One label in fi, sv and en, each said once."""
    return " · ".join(dict.fromkeys(texts))


def _final(result: dict) -> bool:
    return result["status"] == "closed"


def _org(org: dict | None) -> str:
    if not org:
        return "-"
    return f"{org['name']} ({org['oid']})" if org.get("name") else org["oid"]


def _system(result: dict) -> str:
    if not result.get("system"):
        return "not named (give `system` when opening the session)"
    return result["system"] + (" (from the documents' hl7fi:softwareSupport)" if result.get("systemNamedBy") == "documents" else "")


def _date(result: dict) -> str:
    opened = result["openedAt"][:10]
    closed = (result.get("closedAt") or "")[:10]
    real = result["openedRealAt"][:10]
    span = opened if not closed or closed == opened else f"{opened} to {closed}"
    return f"{span} (sandbox clock); opened {real} (real time)"


def _window(result: dict) -> str:
    through = result.get("closedSeq")
    upto = f"through seq {through}" if through is not None else "up to now"
    return f"after seq {result['openedSeq']} {upto}: {result['eventsGraded']} event(s)"
