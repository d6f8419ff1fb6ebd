"""A graded session as the sandbox's common reports (mock_kanta.reports): JUnit XML, JSON, HTML.

One `Case` per session, one `Item` per checklist item: met = passed, missing = failed with
`why` (what was looked for, the near misses) and the evidence as lines. The HTML adds a
header shaped like the report a provider gives after the real deployment test: organisation,
system, test, date, result and the items met or missing (the official form is not public,
kanta-facts §9: this shape is modelled).

Every function takes `lang` (fi, sv or en; English by default): the explanations, evidence
lines and header values are in that language (texts.yaml; a session closed before the texts
were multilingual falls back to its English), and so are the common report's labels. The HTML
header's labels stay in all three. The page is `mock_kanta/reports/templates/session_report.html`.
"""
from __future__ import annotations

from pathlib import Path

from mock_kanta.rehearsal.texts import DEFAULT_LANG, LANGS, pick_lang, say
from mock_kanta.reports import Case, Item, Report, junit_xml, report_to_dict, write_reports
from mock_kanta.reports.rendering import item_anchor, render

_ROWS = ("organisation", "organiser", "system", "test", "date", "result")


def modelled(lang: str = DEFAULT_LANG) -> str:
    return say("report.modelled", pick_lang(lang))


MODELLED = modelled()


def to_report(result: dict, target: str = "", lang: str = DEFAULT_LANG) -> Report:
    lang = pick_lang(lang)
    title = result["title"]
    items = [_item(i, lang) for i in result["items"]]
    other = "fi" if lang != "fi" else "en"
    name = title["en"] if lang == "en" else f"{title[lang]} / {title['en']}"  # the English name too: CI tools list it
    return Report(title=f"{name}: {_org(result['organisation'])}" + ("" if _final(result) else say("report.provisional", lang)),
                  cases=[Case(result["id"], f"{title[lang]} ({title[other]})", items,
                              source=result["checklist"]["file"], properties=properties(result, lang))],
                  target=target or say("report.target", lang, tenant=result["tenant"]), started_at=result["openedRealAt"],
                  lang=lang)


def properties(result: dict, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """The report header as name-value pairs (also the JUnit suite's properties), named in `lang`."""
    lang = pick_lang(lang)
    values = _values(result, lang)
    values["test"] = f"{values['test']} ({result['test']})"
    out = {say(f"report.row_{key}", lang): values[key] for key in _ROWS if values[key] is not None}
    status = say(f"report.{result['status']}", lang)
    out.update({
        say("report.row_session", lang): say("report.session", lang, id=result["id"], tenant=result["tenant"], status=status),
        say("report.row_window", lang): _window(result, lang),
        say("report.row_modelled", lang): modelled(lang),
    })
    return out


def result_line(result: dict, lang: str = DEFAULT_LANG) -> str:
    lang = pick_lang(lang)
    total = result["met"] + result["missing"]
    missing = [i["id"] for i in result["items"] if i["status"] == "missing"]
    word = say(f"report.{result['result']}", lang)
    head = word if _final(result) else say("report.in_progress", lang, result=word)
    return (say("report.result", lang, head=head, met=result["met"], total=total)
            + (say("report.missing_items", lang, ids=", ".join(missing)) if missing else ""))


def report_html(result: dict, target: str = "", lang: str = DEFAULT_LANG, report: Report | None = None) -> str:
    """The common HTML report (of `report`, else built from `result`) with the rehearsal header after its title."""
    report = report or to_report(result, target, lang)
    return render("session_report.html", report.lang, report=report, header=_header(result, report.lang, linked=True),
                  item_label="item")


def report_junit(result: dict, target: str = "", lang: str = DEFAULT_LANG) -> bytes:
    return junit_xml(to_report(result, target, lang))


def report_json(result: dict, target: str = "", lang: str = DEFAULT_LANG) -> dict:
    return report_to_dict(to_report(result, target, lang))


def write_session_reports(result: dict, out_dir: Path | str, stem: str | None = None, target: str = "",
                          lang: str = DEFAULT_LANG) -> dict[str, Path]:
    """`<stem>.xml`, `.json` and `.html` as `mock_kanta.reports.write_reports` writes them, with the rehearsal header."""
    report = to_report(result, target, lang)
    return write_reports(report, out_dir, stem or result["id"], html_page=report_html(result, target, lang, report))


def header_html(result: dict, lang: str = DEFAULT_LANG) -> str:
    """The header: labels in fi, sv and en (a form), values in `lang`."""
    lang = pick_lang(lang)
    return render("session_header.html", lang, header=_header(result, lang, linked=True))


def item_text(item: dict, name: str, lang: str = DEFAULT_LANG) -> str:
    """An item's `lookedFor` or `why` in `lang` (its English one if the session has no texts)."""
    return ((item.get("texts") or {}).get(lang) or {}).get(name) or item.get(name) or ""


def record_text(record: dict, lang: str = DEFAULT_LANG) -> str:
    """An evidence or near-miss record's line in `lang` (its English one if it has no texts)."""
    return (record.get("texts") or {}).get(lang) or record.get("text") or ""


def _item(i: dict, lang: str) -> Item:
    lines = [say("report.evidence", lang, text=record_text(r, lang)) for r in i["evidence"]]
    if i["evidenceCount"] > len(i["evidence"]):
        lines.append(say("report.more", lang, n=i["evidenceCount"] - len(i["evidence"])))
    name = f"{i['id']} {i['title'][lang]}"
    if i["status"] == "met":
        return Item(name, "passed", why=say("report.met", lang, looked_for=item_text(i, "lookedFor", lang)), evidence=lines)
    lines += [say("report.near_miss", lang, text=record_text(r, lang)) for r in i["nearMisses"]]
    return Item(name, "failed", why=item_text(i, "why", lang), evidence=lines)


def _header(result: dict, lang: str, linked: bool = False) -> dict:
    """What the header shows (session_header.html lays it out): every fact of the session once; `linked`, each
    checklist item's id links to its row in the report below."""
    values = _values(result, lang)
    values["session"] = say("report.session", lang, id=result["id"], tenant=result["tenant"],
                            status=say(f"report.{result['status']}", lang))
    values["window"] = _window(result, lang)
    verdict = "passed" if result["result"] == "passed" and _final(result) else "failed"
    rows = [{"label": _all(f"report.row_{key}"), "value": values[key], "badge": verdict if key == "result" else None}
            for key in (*_ROWS, "session", "window") if values[key] is not None]
    checklist = [{"id": item["id"], "title": item["title"][lang], "others": [item["title"][o] for o in LANGS if o != lang],
                  "badge": "passed" if item["status"] == "met" else "failed", "word": _all(f"report.item_{item['status']}"),
                  "anchor": item_anchor(1, n) if linked else None}
                 for n, item in enumerate(result["items"], 1)]
    return {"name": say("report.head", lang), "heading": _all("report.head"), "rows": rows, "checklist": checklist,
            "item": _all("report.item"), "result": _all("report.row_result"), "modelled": modelled(lang),
            "source": result["checklist"]["source"]}


def _values(result: dict, lang: str) -> dict:
    title = result["title"]
    return {"organisation": _org(result["organisation"]),
            "organiser": _org(result["organiser"]) if result.get("organiser") else None,
            "system": _system(result, lang), "test": f"{title['fi']} / {title['sv']} / {title['en']}",
            "date": _date(result, lang), "result": result_line(result, lang)}


def _all(key: str, sep: str = " · ") -> str:
    """One label in fi, sv and en, each said once."""
    return sep.join(dict.fromkeys(say(key, lang) for lang in LANGS))


def _final(result: dict) -> bool:
    return result["status"] == "closed"


def _org(org: dict | None) -> str:
    if not org:
        return "-"
    return f"{org['name']} ({org['oid']})" if org.get("name") else org["oid"]


def _system(result: dict, lang: str) -> str:
    if not result.get("system"):
        return say("report.no_system", lang)
    return result["system"] + (say("report.system_from_documents", lang) if result.get("systemNamedBy") == "documents" else "")


def _date(result: dict, lang: str) -> str:
    opened = result["openedAt"][:10]
    closed = (result.get("closedAt") or "")[:10]
    real = result["openedRealAt"][:10]
    span = opened if not closed or closed == opened else say("report.date_span", lang, start=opened, end=closed)
    return say("report.date", lang, span=span, real=real)


def _window(result: dict, lang: str) -> str:
    through = result.get("closedSeq")
    upto = say("report.window_through", lang, seq=through) if through is not None else say("report.window_now", lang)
    return say("report.window", lang, after=result["openedSeq"], upto=upto, n=result["eventsGraded"])
