"""One handler per step kind: act on the sandbox, return what was sent, what came back and every mismatch.

A handler gets the run (`mock_kanta.scenario.run.ScenarioRun`: the tenant's clients, the
sandbox time, cards, documents sent so far) and the step, and returns an `Outcome`. It
raises `StepError` when the step cannot run at all (the sandbox does not answer, a
document cannot be built); a refusal the step did not expect is a mismatch, not an error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, time

import httpx

from mock_kanta.client import (
    KantaClientError,
    TaskGrant,
    client_document,
    client_relationship_document,
    document_bytes,
    frame_bytes,
    frame_for,
    new_document_id,
    replaces_of,
    signed_bytes,
)
from mock_kanta.client.query import parse_read_answer, query_request, request_bytes, retrieve_request
from mock_kanta.client.sender import ARCHIVE_PATH, VALIDATE_PATH, parse_answer
from mock_kanta.core.model import ClinicalDocument
from mock_kanta.scenario import checks, excerpt
from mock_kanta.scenario.fields import HELSINKI
from mock_kanta.scenario.model import FAULT_KEYS, Step
from mock_kanta.scenario.texts import ByLang, Join, Msg
from mock_kanta.wire import soap


class StepError(RuntimeError):
    """The step could not run; the message (a `Msg`, or text) says why in plain words."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Outcome:
    sent: str | None = None
    received: str | None = None
    problems: list = field(default_factory=list)  # Msg (or text) each
    evidence: list = field(default_factory=list)


@dataclass
class Sent:
    """A document a grant or archive step sent, and the answer it got."""

    alias: str | None
    document: ClinicalDocument
    frame: bytes
    signed: bytes
    register: str
    ack: str | None = None

    @property
    def document_id(self) -> str:
        return self.document.document_id


# --- clock ----------------------------------------------------------------------------------


def clock(run, step: Step) -> Outcome:
    a = step.args
    try:
        if "set" in a:
            sent, state = {"time": a["set"].isoformat(), "frozen": True}, run.kanta.clock_set(a["set"], frozen=True)
        else:
            sent, state = a["advance"], run.kanta.clock_advance(**a["advance"])
    except KantaClientError as exc:
        return Outcome(json.dumps(a, default=str), exc.body.decode("utf-8", "replace"),
                       [Msg("clock_refused", status=exc.status)])
    run.now = datetime.fromisoformat(state["now"])
    return Outcome(excerpt.as_json(sent), excerpt.as_json(state),
                   evidence=[Msg("sandbox_time", time=f"{run.now.astimezone(HELSINKI):%Y-%m-%d %H:%M %Z}", mode=state["mode"])])


# --- archiving ------------------------------------------------------------------------------


def _sign(run, doc: ClinicalDocument, signers: list[str], sender_oid: str) -> bytes:
    if signers == ["none"]:
        return document_bytes(doc)
    pairs = []
    for who in signers:
        if who == "system":
            org = run.org(sender_oid)
            pairs.append((run.keys.system_signer(org.oid, org.name, run.now), "system"))
        else:
            pairs.append((run.cards[who][1], "professional"))
    return signed_bytes(doc, pairs, signed_at=run.now)


_SAID = {
    "timed_out": {"fi": "ei vastausta {seconds:g} sekunnissa (aikakatkaisu)", "sv": "inget svar inom {seconds:g} sekunder (tidsgräns)",
                  "en": "no answer within {seconds:g} seconds (timed out)"},
    "dropped": {"fi": "yhteys katkesi ilman vastausta", "sv": "förbindelsen bröts utan svar",
                "en": "the connection was closed without an answer"},
    "expected_no_answer": {"fi": "odotettiin: {wanted}; saatiin vastaus {got}", "sv": "väntat: {wanted}; fick svaret {got}",
                           "en": "expected: {wanted}; got the answer {got}"},
    "unexpected_no_answer": {"fi": "odotettiin vastausta; {what}", "sv": "väntade ett svar; {what}",
                             "en": "expected an answer; {what}"},
    "fault_set": {"fi": "vika asetettu: {fault}", "sv": "fel satt: {fault}", "en": "fault set: {fault}"},
    "faults_cleared": {"fi": "viat poistettu ({n})", "sv": "fel borttagna ({n})", "en": "faults cleared ({n})"},
    "fault_refused": {"fi": "hiekkalaatikko ei asettanut vikaa (HTTP {status}): {detail}",
                      "sv": "sandlådan satte inte felet (HTTP {status}): {detail}",
                      "en": "the sandbox did not set the fault (HTTP {status}): {detail}"},
    "verdict": {"fi": "tulos {verdict}", "sv": "utfall {verdict}", "en": "verdict {verdict}"},
    "expected_verdict": {"fi": "odotettiin tulosta {wanted}, saatiin {got}", "sv": "väntade utfallet {wanted}, fick {got}",
                         "en": "expected the verdict {wanted}, got {got}"},
}


def said(key: str, **params) -> ByLang:
    """One of this module's own texts, in fi/sv/en."""
    return ByLang({lang: text.format(**params) for lang, text in _SAID[key].items()})


def _post(run, path: str, body: bytes, content_type: str, timeout: float | None):
    """(status, bytes) of a wire POST in the run's tenant, or "timeout" | "dropped" when no answer came."""
    headers = run.kanta._headers(content_type)
    try:
        response = run.kanta.http.post(run.kanta.base_url + path, content=body, headers=headers,
                                       **({"timeout": timeout} if timeout else {}))
    except httpx.TimeoutException:
        return "timeout"
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return "dropped"
    except httpx.TransportError as exc:
        raise StepError(Msg("no_answer", url=run.target_url, detail=f"{type(exc).__name__}: {exc}")) from None
    return response.status_code, response.content


def _no_answer(step: Step, got: str, timeout: float | None) -> list:
    """The problems of a request that got no answer (`got`: timeout | dropped)."""
    what = said("timed_out", seconds=timeout or 0) if got == "timeout" else said("dropped")
    if step.expect.get("no_answer") == got:
        return []
    return [said("unexpected_no_answer", what=what)]


def _send(run, step: Step, doc: ClinicalDocument, frame, signed: bytes, register: str) -> Outcome:
    raw_frame = frame_bytes(frame)
    sent = Sent(step.args.get("id"), doc, raw_frame, signed, register)
    run.remember(sent)
    timeout = step.args.get("timeout")
    build = soap.build_soap_swa if step.args.get("transport", run.kanta.transport) == "soap" else soap.build_multipart
    body, content_type = build(raw_frame, signed)
    got = _post(run, ARCHIVE_PATH, body, content_type, timeout)
    if isinstance(got, str):
        what = said("timed_out", seconds=timeout or 0) if got == "timeout" else said("dropped")
        return Outcome(excerpt.document(raw_frame, signed), None, _no_answer(step, got, timeout), [what])
    try:
        answer = parse_answer(*got)
    except KantaClientError as exc:
        raise StepError(Msg("no_ack_answer", status=exc.status, body=exc.body[:300].decode("utf-8", "replace"))) from None
    if step.expect.get("no_answer"):
        return Outcome(excerpt.document(raw_frame, signed), excerpt.xml(answer.raw),
                       [said("expected_no_answer", wanted=step.expect["no_answer"], got=answer.ack)])
    sent.ack = answer.ack
    evidence = [Msg("document_to_register", document=doc.document_id, version=doc.version_number,
                    register=run.name_of_register(register)),
                Msg("answer_with", ack=answer.ack, rules=checks.rule_list(answer.details)) if answer.details
                else Msg("answer", ack=answer.ack)]
    return Outcome(excerpt.document(raw_frame, signed), excerpt.xml(answer.raw), checks.answer_problems(answer, step.expect),
                   evidence)


def grant(run, step: Step) -> Outcome:
    """The organiser's client-relationship document (asiakkuusasiakirja), naming the provider's unit if given."""
    a = step.args
    org, own_unit = run.party(a["organiser"])
    tasks = [TaskGrant(a["service_task"], own_unit, a["services"], a["from"], None if a.get("provider") else a.get("to"),
                       provider_unit=False)]
    if a.get("provider"):
        tasks.append(TaskGrant(a["service_task"], run.party(a["provider"])[1], a["services"], a["from"], a.get("to")))
    previous = run.documents[a["replaces"]] if a.get("replaces") else None
    relationship = (previous.document.local.client_relationship if previous and previous.document.local
                    else new_document_id(org.oid, run.now.year))
    try:
        doc = client_relationship_document(
            organiser=org, client=run.clients[a["client"]], tasks=tasks, relationship_id=relationship,
            effective_time=run.now, replaces=replaces_of(previous.document) if previous else None)
    except ValueError as exc:
        raise StepError(Msg("cannot_build_relationship", detail=exc)) from None
    author = run.professionals[a["as"]] if a.get("as") else run.officer(org)
    frame = frame_for(doc, sender_oid=org.oid, author_person=author.frame_person(), author_org=own_unit.ref(),
                      creation_time=run.now)
    return _send(run, step, doc, frame, _sign(run, doc, a.get("signer") or ["system"], org.oid), org.oid)


_DOCUMENT_ARGS = {"service_task": "function_code", "services": "social_services", "phase": "service_process",
                  "restriction": "restriction", "consent": "consent", "type": "document_type", "specific_type": "specific_type",
                  "display_format": "display_format", "content": "content", "language": "language",
                  "special_content": "special_content"}


def _effective(run, value) -> datetime:
    if value is None:
        return run.now
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(12), HELSINKI)  # a date alone: noon in Helsinki


def archive(run, step: Step) -> Outcome:
    """A client document (asiakasasiakirja) written by a professional in a unit, into a register."""
    a, d = step.args, step.args.get("document") or {}
    author = run.professionals[a["as"]]
    sender_org, unit = run.party(a["unit"])
    if a.get("sender"):
        sender_org = run.party(a["sender"])[0]
    custodian = run.org(run.register_oid(a["register"]))
    organiser = run.party(d["organiser"])[0] if d.get("organiser") else custodian
    usage = a.get("usage") or ("1" if sender_org.oid == custodian.oid else "2")
    previous = run.documents[a["replaces"]] if a.get("replaces") else None
    if a.get("matter"):
        matter = run.matters[a["matter"]]
    elif previous and previous.document.matter and previous.document.matter.id:
        matter = previous.document.matter.id.root  # a new version stays in its matter
    else:
        matter = None  # a new matter under the organiser
    options = {_DOCUMENT_ARGS[k]: v for k, v in d.items() if k in _DOCUMENT_ARGS}
    if "restriction" in options:
        options["restriction"] = {k: v for k, v in options["restriction"].items() if v is not None}
    try:
        doc = client_document(custodian=custodian, organiser=organiser, unit=unit, author=author,
                              client=run.clients[a["client"]], effective_time=_effective(run, d.get("effective")),
                              matter_id=matter, replaces=replaces_of(previous.document) if previous else None, **options)
    except ValueError as exc:
        raise StepError(Msg("cannot_build_document", detail=exc)) from None
    frame = frame_for(doc, sender_oid=sender_org.oid, author_person=author.frame_person(), author_org=unit.ref(),
                      usage_situation=usage, creation_time=run.now)
    return _send(run, step, doc, frame, _sign(run, doc, a.get("signer") or [a["as"]], sender_org.oid), custodian.oid)


# --- control API steps ----------------------------------------------------------------------


def _problem_text(response) -> str:
    try:
        body = response.json()
        return body.get("detail") or body.get("title") or response.text
    except ValueError:
        return response.text[:300]


def matter(run, step: Step) -> Outcome:
    """The organiser opens a matter (asia) for the client through the control API."""
    a = step.args
    org, _ = run.party(a["organiser"])
    body = {"matterId": new_document_id(org.oid, run.now.year), "organiserOid": org.oid, "clientId": run.clients[a["client"]].hetu}
    response = run.api("POST", "/api/v1/matters", json=body)
    if response.status_code != 201:
        return Outcome(excerpt.as_json(body), response.text,
                       [Msg("matter_refused", status=response.status_code, detail=_problem_text(response))])
    run.matters[a["id"]] = body["matterId"]
    return Outcome(excerpt.as_json(body), excerpt.as_json(response.json()), evidence=[Msg("matter", matter=body["matterId"])])


def guardian(run, step: Step) -> Outcome:
    """Records that one client is a guardian of another (in Kanta this comes from the population register)."""
    a = step.args
    body = {"minorClientId": run.clients[a["client"]].hetu, "guardianId": run.clients[a["guardian"]].hetu,
            **{k: a[k].isoformat() for k in ("since", "until") if a.get(k)}}
    response = run.api("POST", "/api/v1/omakanta/guardians", json=body)
    if response.status_code != 201:
        return Outcome(excerpt.as_json(body), response.text,
                       [Msg("guardianship_refused", status=response.status_code, detail=_problem_text(response))])
    return Outcome(excerpt.as_json(body), excerpt.as_json(response.json()))


# --- reading --------------------------------------------------------------------------------


def _read(run, step: Step, kind: str, request) -> tuple[Outcome, object]:
    raw = request_bytes(request)
    try:
        answer = run.reads.send(kind, raw)
    except KantaClientError as exc:
        raise StepError(Msg(f"no_{kind}_answer", status=exc.status, body=exc.body[:300].decode("utf-8", "replace"))) from None
    problems = checks.answer_problems(answer, step.expect)
    found = [i for i in answer.document_ids if i]
    problems += checks.listed_problems(found, step.expect, run.alias_of, what=Msg(f"the_{kind}_answer"))
    evidence = [Msg("read_answer_names" if found else "read_answer", ack=answer.ack, n=len(found),
                    names=checks.names(found, run.alias_of)),
                *([Msg("rules", rules=checks.rule_list(answer.details))] if answer.details else [])]
    return Outcome(excerpt.xml(raw), excerpt.xml(answer.raw), problems, evidence), answer


def query(run, step: Step) -> Outcome:
    """A professional searches a client's documents (the read side, modelled: docs/read-side.md)."""
    a = step.args
    reader = run.reader(a["as"], a["unit"])
    register = run.register_oid(a["register"]) if a.get("register") else None
    usage = a.get("usage") or ("2" if register and register != reader.organisation.oid else "1")
    request = query_request(
        reader, client=run.clients[a["client"]].hetu, usage=usage, register=register,
        matter=run.matters[a["matter"]] if a.get("matter") else None, service_tasks=_codes(a.get("service_tasks")),
        document_groups=_codes(a.get("document_groups")), document_types=_codes(a.get("document_types")),
        since=a.get("since"), until=a.get("until"), current_only=a.get("current_only"),
        include_voided=a.get("include_voided"), limit=a.get("limit"), interactions=run.reads.interactions, now=run.now)
    return _read(run, step, "query", request)[0]


def _codes(values) -> list[str]:
    return [v[0] if isinstance(v, tuple) else v for v in values or ()]


def retrieve(run, step: Step) -> Outcome:
    """A professional fetches one document (the stored bytes, signatures intact)."""
    a = step.args
    reader = run.reader(a["as"], a["unit"])
    sent = run.documents[a["document"]]
    usage = a.get("usage") or ("1" if sent.register == reader.organisation.oid else "2")
    request = retrieve_request(
        reader, sent.document_id, usage=usage, client=run.clients[a["client"]].hetu if a.get("client") else None,
        register=run.register_oid(a["register"]) if a.get("register") else None, include_history=a.get("history"),
        interactions=run.reads.interactions, now=run.now)
    outcome, answer = _read(run, step, "retrieve", request)
    if step.expect.get("same_as_sent") and answer.accepted:
        got = next((d.document_bytes for d in answer.documents if d.document_id == sent.document_id), None)
        if got != sent.signed:
            outcome.problems.append(Msg("retrieved_differ" if got else "no_bytes", document=a["document"]))
        else:
            outcome.evidence.append(Msg("retrieved_same", document=a["document"], size=f"{len(got):,}"))
    return outcome


# --- views ----------------------------------------------------------------------------------


def omakanta(run, step: Step) -> Outcome:
    """What OmaKanta shows the client, a guardian or a professional, and why not."""
    a, e = step.args, step.expect
    hetu = run.clients[a["client"]].hetu
    viewer = a["viewer"]
    if viewer.startswith("guardian:"):
        path = f"/api/v1/omakanta/clients/{hetu}/guardians/{run.clients[viewer.split(':', 1)[1]].hetu}"
    else:
        path = f"/api/v1/omakanta/clients/{hetu}" + ("/professional" if viewer == "professional" else "")
    params = {"register": run.register_oid(a["register"])} if a.get("register") else None
    response = run.api("GET", path, params=params)
    if response.status_code != 200:
        raise StepError(Msg("omakanta_http", status=response.status_code, detail=_problem_text(response)))
    view = response.json()
    shown = [d["documentId"] for d in view.get("shown", [])]
    hidden = {d["documentId"]: d.get("reasons") or [] for d in view.get("hidden", [])}
    name = run.alias_of
    who = (Msg("who_client") if viewer == "client" else Msg("who_professional") if viewer == "professional"
           else Msg("who_guardian", guardian=viewer.split(":", 1)[1]))
    problems = []
    for alias in e.get("visible") or ():
        doc_id = run.documents[alias].document_id
        if doc_id in hidden:
            why = Join([Join([r["code"], " (", ByLang(r.get("text"), r["code"]), ")"], "") for r in hidden[doc_id]], "; ")
            problems.append(Msg("expected_visible_hidden", document=alias, who=who,
                                why=why if hidden[doc_id] else Msg("no_reason")))
        elif doc_id not in shown:
            problems.append(Msg("expected_visible_absent", document=alias, who=who))
    if e.get("visible") == [] and shown:
        problems.append(Msg("expected_nothing_visible", who=who, shown=checks.names(shown, name)))
    for alias in e.get("hidden") or ():
        doc_id = run.documents[alias].document_id
        if doc_id in shown:
            problems.append(Msg("expected_hidden_shown", document=alias, who=who))
        elif doc_id not in hidden:
            problems.append(Msg("expected_hidden_absent", document=alias, who=who))
    if e.get("hidden") == [] and hidden:
        problems.append(Msg("expected_nothing_hidden", who=who, hidden=checks.names(list(hidden), name)))
    for alias, codes in (e.get("reasons") or {}).items():
        doc_id = run.documents[alias].document_id
        if doc_id not in hidden:
            if alias not in (e.get("hidden") or ()):  # else reported above
                problems.append(Msg("expected_reasons_shown" if doc_id in shown else "expected_reasons_absent",
                                    document=alias, who=who, codes=Join(codes)))
            continue
        got = [r["code"] for r in hidden[doc_id]]
        missing = [c for c in codes if c not in got]
        if missing:
            problems.append(Msg("expected_reasons_differ", document=alias, who=who, codes=Join(missing),
                                got=Join(got) if got else Msg("none")))
    hidden_names = Join([f"{name(i)} ({', '.join(r['code'] for r in rs)})" for i, rs in hidden.items()])
    evidence = [Msg("shown", shown=checks.names(shown, name)),
                Msg("hidden", hidden=hidden_names if hidden else Msg("none"))]
    return Outcome(f"GET {path}" + (f"?register={params['register']}" if params else ""), excerpt.as_json(view),
                   problems, evidence)


def archivist(run, step: Step) -> Outcome:
    """The archivist's view of a register: which documents arrived (and, if asked, whether they are the bytes sent)."""
    a, e = step.args, step.expect
    register = run.register_oid(a["register"])
    params = {"limit": 500, **({"client": run.clients[a["client"]].hetu} if a.get("client") else {})}
    path = f"/api/v1/archivist/registers/{register}/documents"
    rows, offset = [], 0
    while True:
        response = run.api("GET", path, params={**params, "offset": offset})
        if response.status_code != 200:
            raise StepError(Msg("archivist_http", status=response.status_code, detail=_problem_text(response)))
        page = response.json()
        rows += page["documents"]
        offset += len(page["documents"])
        if not page["documents"] or offset >= page["total"]:
            break
    found = [r["documentId"] for r in rows]
    what = Msg("the_register_of", register=run.name_of_register(register))
    problems = checks.listed_problems(found, e, run.alias_of, what=what)
    evidence = [Msg("documents_in", n=len(found), what=what, names=checks.names(found, run.alias_of))]
    if e.get("same_as_sent"):
        for alias in e.get("documents") or ():
            sent = run.documents[alias]
            if sent.document_id not in found:
                continue
            stored = run.api("GET", f"/api/v1/registers/{register}/documents/{sent.document_id}/document.xml")
            if stored.status_code != 200 or stored.content != sent.signed:
                problems.append(Msg("stored_differ", document=alias) if stored.status_code == 200
                                else Msg("stored_http", document=alias, status=stored.status_code))
            else:
                evidence.append(Msg("stored_same", document=alias, size=f"{len(sent.signed):,}"))
    summary = [{"document": run.alias_of(r["documentId"]), "status": r.get("status"), "sender": r.get("sender", {}).get("name"),
                "serviceUnit": r.get("serviceUnit", {}).get("name"), "receivedAt": r.get("receivedAt")} for r in rows]
    return Outcome(f"GET {path}", excerpt.as_json(summary), problems, evidence)


# --- faults and recorded messages ------------------------------------------------------------


def fault(run, step: Step) -> Outcome:
    """Set a fault on the run's tenant (kind: clear clears them all): docs/faults-and-replay.md."""
    a = step.args
    if a["kind"] == "clear":
        response = run.api("DELETE", "/api/v1/faults")
        if response.status_code != 200:
            raise StepError(said("fault_refused", status=response.status_code, detail=_problem_text(response)))
        return Outcome("DELETE /api/v1/faults", excerpt.as_json(response.json()),
                       evidence=[said("faults_cleared", n=response.json()["cleared"])])
    spec = {FAULT_KEYS[k]: v for k, v in a.items()}
    response = run.api("POST", "/api/v1/faults", json=spec)
    if response.status_code != 201:
        raise StepError(said("fault_refused", status=response.status_code, detail=_problem_text(response)))
    return Outcome(excerpt.as_json(spec), excerpt.as_json(response.json()),
                   evidence=[said("fault_set", fault=response.json()["id"])])


_SEND_PATHS = {"archive": ARCHIVE_PATH, "validate": VALIDATE_PATH}


def send(run, step: Step) -> Outcome:
    """Send recorded bytes as they are (an exported traffic log): the raw body, or frame and document built into
    the channel's request; the verdict and rules checked as the recording answered."""
    a = step.args
    channel = a["channel"]
    if "resend" in a:  # the same bytes again
        a = {**a, "frame": run.documents[a["resend"]].frame, "document": run.documents[a["resend"]].signed}
    if "body" in a:
        body, content_type = a["body"], a["content_type"]
    elif channel == "validate":
        body = json.dumps({"messageId": f"replay-{step.number}", "palveluPyynto": a.get("service_request") or "",
                           "level": "1", "siirtokehysXml": a["frame"].decode("utf-8"),
                           "asiakirjaXml": (a.get("document") or b"").decode("utf-8")}).encode()
        content_type = "application/json"
    else:
        build = soap.build_soap_swa if a.get("transport") == "soap" else soap.build_multipart
        body, content_type = build(a["frame"], a.get("document") or b"")
    path = _SEND_PATHS.get(channel) or run.reads.interactions[channel].path
    got = _post(run, path, body, content_type, a.get("timeout"))
    sent = f"POST {path} ({len(body)} bytes, {content_type})"
    if isinstance(got, str):
        return Outcome(sent, None, _no_answer(step, got, a.get("timeout")))
    status, raw = got
    verdict, rules = _verdict(channel, status, raw)
    problems = []
    if step.expect.get("no_answer"):
        problems.append(said("expected_no_answer", wanted=step.expect["no_answer"], got=verdict))
    if step.expect.get("verdict") and step.expect["verdict"] != verdict:
        problems.append(said("expected_verdict", wanted=step.expect["verdict"], got=verdict))
    missing = [r for r in step.expect.get("rules") or () if r not in rules]
    if missing:
        problems.append(Msg("expected_rules", rules=Join(missing), got=Join(rules) if rules else Msg("none")))
    present = [r for r in step.expect.get("not_rules") or () if r in rules]
    if present:
        problems.append(Msg("expected_no_rules", rules=Join(present), details=Join(rules)))
    received = raw[:4000].decode("utf-8", "replace")
    return Outcome(sent, received, problems, [said("verdict", verdict=verdict)])


def _verdict(channel: str, status: int, raw: bytes) -> tuple[str, list[str]]:
    """The traffic log's verdict of an answer and its error rules."""
    try:
        if channel == "validate":
            payload = json.loads(raw) if raw.strip() else None
            errors = [x["rule"] for x in (payload or {}).get("findings", []) if x.get("severity") == "error"]
            return ("valid" if status == 200 else "invalid"), errors
        answer = parse_answer(status, raw) if channel == "archive" else parse_read_answer(status, raw)
    except (KantaClientError, ValueError, AttributeError, TypeError):
        return f"HTTP {status}", []
    rules = [d.rule for d in answer.details if d.type_code == "E"]
    if channel == "archive":
        return answer.ack, rules
    return ("ok" if answer.ack == "AA" else "refused"), rules


HANDLERS = {"clock": clock, "grant": grant, "matter": matter, "archive": archive, "query": query, "retrieve": retrieve,
            "guardian": guardian, "omakanta": omakanta, "archivist": archivist, "fault": fault, "send": send}
