"""Run a scenario against a sandbox: its own fresh tenant, a frozen clock, virtual cards, then the steps in order.

    run = ScenarioRun(load_scenario(path), "http://127.0.0.1:8080", "var")
    run.prepare()              # an Item: tenant created, clock frozen at start:, cards issued, guardians recorded
    run.run_step(0)            # an Item per step (the web UI plays them one by one)
    case = run.run_all()       # the rest; after the first failed step the others are skipped

`run_files(paths, target_url=None, data_dir=None)` runs several files into one
`mock_kanta.reports.Report`; without a target it starts a throw-away sandbox.

A sandbox that requires tokens gets one as `Authorization: Bearer`: the `token` given, else the
environment's MOCK_KANTA_TOKEN (an admin token, or a trainer token of the tenant given with `tenant`).

Items are said in the run's `lang` (English by default); every item's texts are kept in all
three languages too: `run.localized(0)` (a step's index, or "prepare") gives {fi, sv, en} of
{name, title, why, evidence}, `run.item_in(0, "fi")` the Item in Finnish, `run.case("sv")` the case.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from time import perf_counter
from typing import Callable

import httpx

from mock_kanta.client import Client, KantaClient, KantaClientError, Org, Professional, Unit
from mock_kanta.client.query import QueryClient, Reader
from mock_kanta.client.sender import TENANT_HEADER
from mock_kanta.reports import Case, Item, Report
from mock_kanta.reports.rendering import label
from mock_kanta.scenario.fields import HELSINKI
from mock_kanta.scenario.keys import KeyProblem, Keys
from mock_kanta.scenario.model import Scenario, Step, load_scenario
from mock_kanta.scenario.sandbox import LocalSandbox
from mock_kanta.scenario.steps import HANDLERS, Outcome, Sent, StepError
from mock_kanta.scenario.texts import LANGS, Join, Msg, say
from mock_kanta.signing.cards import CardError

TENANTS_PATH = "/api/v1/tenants"
TOKEN_ENV = "MOCK_KANTA_TOKEN"
Progress = Callable[[str], None]


def new_tenant_id(scenario_id: str) -> str:
    """scn-<scenario id>-<6 hex>: within the tenants API's [a-z0-9][a-z0-9-]{0,62}."""
    stem = re.sub(r"[^a-z0-9-]+", "-", scenario_id.lower()).strip("-")[:48] or "scenario"
    return f"scn-{stem}-{secrets.token_hex(3)}"


def bearer(token: str | None) -> dict[str, str]:
    """The Authorization header for `token`, else for MOCK_KANTA_TOKEN; none when neither is set."""
    token = token or os.environ.get(TOKEN_ENV)
    return {"Authorization": f"Bearer {token}"} if token else {}


def _seconds(start: float) -> float:
    return round(perf_counter() - start, 4)


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _reason(exc: Exception):
    """What an exception says: a StepError's Msg, else its text."""
    return exc.message if isinstance(exc, StepError) else str(exc)


@dataclass
class Said:
    """An item's texts before they are said in a language."""

    label: object  # a text or a Msg
    title: dict[str, str] | None = None
    why: object = None  # a Msg (or text)
    evidence: list = field(default_factory=list)

    def texts(self, lang: str) -> dict:
        title = (self.title.get(lang) or self.title.get("en") or next(iter(self.title.values()))) if self.title else None
        label = say(self.label, lang)
        return {"name": f"{label}: {title}" if title else label, "title": title,
                "why": say(self.why, lang), "evidence": [say(e, lang) for e in self.evidence]}


class ScenarioRun:
    """One scenario against one sandbox, step by step; its state is what the steps made so far."""

    def __init__(self, scenario: Scenario, target_url: str, data_dir: Path | str, tenant: str | None = None, *,
                 lang: str = "en", progress: Progress | None = None, timeout: float = 60.0, token: str | None = None):
        self.scenario = scenario
        self.target_url = target_url.rstrip("/")
        self.data_dir = Path(data_dir)
        self.tenant = tenant
        self.created_tenant = False
        self.lang, self.progress = lang, progress
        self.steps: list[Step] = list(scenario.steps)
        self.results: list[Item | None] = [None] * len(self.steps)
        self.preparation: Item | None = None
        self._said: dict[int | str, Said] = {}  # step index or "prepare" -> its texts in any language
        self.http = httpx.Client(timeout=timeout, headers=bearer(token))
        self.kanta: KantaClient | None = None
        self.reads: QueryClient | None = None
        self.keys: Keys | None = None
        self.now: datetime | None = None
        self.clients = {a: Client(c.hetu, c.given, c.family, c.gender) for a, c in scenario.clients.items()}
        self.professionals = {a: Professional(p.registration, p.given, p.family, p.hetu, p.title)
                              for a, p in scenario.professionals.items()}
        self.units: dict[str, tuple[Org, Unit]] = {}
        self.cards: dict[str, tuple] = {}  # alias -> (Card, signer)
        self.documents: dict[str, Sent] = {}
        self.matters: dict[str, str] = {}
        self._aliases: dict[str, str] = {}  # document id -> alias
        self._orgs: dict[str, Org] = {}
        self.unknown_orgs: set[str] = set()  # OIDs the sandbox does not know (used with a placeholder name)

    # --- what the step handlers use ---

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        """A control API call in the scenario's tenant; StepError when the sandbox does not answer."""
        headers = {TENANT_HEADER: self.tenant} if self.tenant else {}
        try:
            return self.http.request(method, self.target_url + path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise StepError(Msg("no_answer", url=self.target_url, detail=f"{type(exc).__name__}: {exc}")) from None

    def party(self, alias: str) -> tuple[Org, Unit]:
        return self.units[alias]

    def org(self, oid: str) -> Org:
        """The organisation (with its name, when the sandbox knows it)."""
        if oid not in self._orgs:
            response = self.api("GET", f"/api/v1/organisations/{oid}")
            known = response.status_code == 200
            self._orgs[oid] = Org(oid, response.json()["name"] if known else f"organisaatio {oid}")
            if not known:
                self.unknown_orgs.add(oid)
        return self._orgs[oid]

    def register_oid(self, value: str) -> str:
        """A register named by a unit alias (its organisation's register) or by its OID."""
        return self.scenario.units[value].organisation if value in self.scenario.units else value

    def name_of_register(self, oid: str) -> str:
        org = self.org(oid)
        return Msg("unknown_register", oid=oid) if oid in self.unknown_orgs else f"{org.name} ({oid})"

    def officer(self, org: Org) -> Professional:
        """Who sends an organiser's client-relationship document when the step names nobody (a fictional officer)."""
        number = int(hashlib.sha256(org.oid.encode()).hexdigest(), 16) % 10**7
        return Professional(f"2519{number:07d}", "Scenario", "Virkailija", title="sosiaalityöntekijä")

    def reader(self, professional: str, unit: str) -> Reader:
        org, unit_ = self.units[unit]
        return Reader(self.professionals[professional], organisation=org, unit=unit_,
                      certificate=self.cards[professional][0].certificate)

    def remember(self, sent: Sent) -> None:
        if sent.alias:
            self.documents[sent.alias] = sent
        self._aliases[sent.document_id] = sent.alias or sent.document_id

    def alias_of(self, document_id: str) -> str:
        return self._aliases.get(document_id, document_id)

    # --- preparing ---

    def prepare(self) -> Item:
        """Create the fresh tenant, freeze its clock, issue the cards, record the guardians (once)."""
        if self.preparation is not None:
            return self.preparation
        start, evidence = perf_counter(), []
        try:
            self._prepare(evidence)
            item = self._item("prepare", None, "passed", _seconds(start), evidence=evidence)
        except (StepError, KeyProblem, CardError, KantaClientError, httpx.HTTPError) as exc:
            item = self._item("prepare", None, "error", _seconds(start), Msg("could_not_start", detail=_reason(exc)),
                              evidence=evidence)
        self.preparation = item
        self._say(0, Msg("prepare_in", tenant=self.tenant) if self.tenant else Msg("prepare"), item)
        return item

    def _prepare(self, evidence: list[str]) -> None:
        try:
            self.http.get(self.target_url + "/healthz").raise_for_status()
        except httpx.HTTPError as exc:
            raise StepError(Msg("no_sandbox", url=self.target_url, detail=f"{type(exc).__name__}: {exc}")) from None
        self.keys = Keys(self.data_dir)
        root = self.http.get(self.target_url + "/pki/ca/root.crt")
        if root.status_code == 200 and root.content != self.keys.pki.ca_der("root"):
            raise StepError(Msg("other_sandbox", data_dir=self.data_dir, url=self.target_url))
        self._tenant(evidence)
        self._verdicts(evidence)
        self.kanta = KantaClient(self.target_url, tenant=self.tenant, http=self.http)
        self.reads = QueryClient.of(self.kanta)
        for alias, spec in self.scenario.units.items():
            org = self.org(spec.organisation)
            response = self.api("GET", f"/api/v1/service-units/{spec.unit}")
            if response.status_code == 200:
                unit = Unit(spec.unit, response.json()["name"])
                if response.json().get("organisationOid") != spec.organisation:
                    evidence.append(Msg("note_unit_elsewhere", alias=alias, unit=spec.unit,
                                        owner=response.json().get("organisationOid"), organisation=spec.organisation))
            else:
                unit = Unit(spec.unit, f"palveluyksikkö {spec.unit}")
                evidence.append(Msg("note_no_unit", unit=spec.unit, alias=alias))
            if spec.organisation in self.unknown_orgs:
                evidence.append(Msg("note_no_organisation", organisation=spec.organisation, alias=alias))
            self.units[alias] = (org, unit)
        at = self.scenario.start or datetime.now(timezone.utc)
        self.now = datetime.fromisoformat(self.kanta.clock_set(at, frozen=True)["now"])
        evidence.append(Msg("clock_frozen", time=f"{self.now.astimezone(HELSINKI):%Y-%m-%d %H:%M %Z}"))
        low, high = self.scenario.time_span(self.now)
        for alias, spec in self.scenario.professionals.items():
            card, signer, issued = self.keys.card(spec, low, high)
            self.cards[alias] = (card, signer)
            evidence.append(Msg("card_issued" if issued else "card_reused", alias=alias, card=card.id,
                                name=f"{card.given} {card.family}", registration=card.registration_number,
                                valid=f"{card.not_before:%Y-%m-%d} .. {card.not_after:%Y-%m-%d}"))
        for alias, client in self.scenario.clients.items():
            for guardian in client.guardians:
                body = {"minorClientId": client.hetu, "guardianId": self.scenario.clients[guardian].hetu,
                        "source": f"scenario {self.scenario.id}"}
                response = self.api("POST", "/api/v1/omakanta/guardians", json=body)
                if response.status_code != 201:
                    raise StepError(Msg("guardian_failed", guardian=guardian, client=alias, status=response.status_code,
                                        detail=response.text[:300]))
                evidence.append(Msg("guardian_recorded", guardian=guardian, client=alias))
        evidence.append(Msg("clients", clients=Join(f"{a} {c.hetu}" for a, c in self.scenario.clients.items())))

    def _tenant(self, evidence: list[str]) -> None:
        if self.tenant is not None:
            if self.api("GET", "/api/v1/clock").status_code == 404:
                raise StepError(Msg("no_tenant", tenant=self.tenant))
            evidence.append(Msg("tenant_given", tenant=self.tenant))
            return
        tenant = new_tenant_id(self.scenario.id)
        body = {"id": tenant, "name": self.scenario.title_in(self.lang)[:200]}
        try:
            response = self.http.post(self.target_url + TENANTS_PATH, json=body)
        except httpx.TransportError as exc:
            raise StepError(Msg("no_answer", url=self.target_url, detail=exc)) from None
        if response.status_code in (404, 405):
            raise StepError(Msg("no_tenants_api", url=self.target_url, path=TENANTS_PATH, status=response.status_code))
        if response.status_code not in (200, 201):
            raise StepError(Msg("tenant_failed", tenant=tenant, status=response.status_code, detail=response.text[:300]))
        self.tenant, self.created_tenant = tenant, True
        evidence.append(Msg("tenant_created", tenant=tenant))

    def _verdicts(self, evidence: list[str]) -> None:
        """The tenant's verdict profile as the scenario asks (organiser profiles, strict); none asked, the default."""
        spec = self.scenario.verdicts
        if spec is None:
            return
        organisers = [self.register_oid(o) for o in spec.organisers]
        response = self.api("PUT", "/api/v1/verdict-profile", json={"organisers": organisers, "strict": spec.strict})
        if response.status_code != 200:
            raise StepError(Msg("verdicts_failed", status=response.status_code, detail=response.text[:300]))
        evidence.append(Msg("verdicts_set", organisers=Join(organisers) if organisers else "-",
                            strict=Msg("answer_yes" if spec.strict else "answer_no")))

    # --- running ---

    def run_step(self, index: int) -> Item:
        """Run step `index` (0-based in `steps`) and return its Item (also kept in `results`)."""
        step = self.steps[index]
        at = {"number": step.number, "label": step.label}
        if self.prepare().status != "passed":
            item = self._item(index, step, "error", why=Msg("cannot_run_not_started", **at))
        else:
            start = perf_counter()
            try:
                outcome: Outcome = HANDLERS[step.kind](self, step)
                why = Msg("step_problems", **at, problems=Join(outcome.problems, "; ")) if outcome.problems else None
                item = self._item(index, step, "failed" if outcome.problems else "passed", _seconds(start), why,
                                  outcome.sent, outcome.received, outcome.evidence)
            except (StepError, KeyProblem, CardError) as exc:
                item = self._item(index, step, "error", _seconds(start), Msg("could_not_run", **at, detail=_reason(exc)))
            except httpx.HTTPError as exc:
                item = self._item(index, step, "error", _seconds(start),
                                  Msg("could_not_run", **at, detail=Msg("no_answer_short", detail=exc)))
            except Exception as exc:  # a fault of the runner or the sandbox: reported, never a crash of the whole run
                item = self._item(index, step, "error", _seconds(start),
                                  Msg("could_not_run", **at, detail=f"{type(exc).__name__}: {exc}"))
        self.results[index] = item
        self._say(step.number, self._heading(step), item)
        return item

    def run_all(self) -> Case:
        """Prepare if needed, run every step not yet run; after a failed step the rest are skipped."""
        stopped = None if self.prepare().status == "passed" else Msg("not_started")
        for index, step in enumerate(self.steps):
            item = self.results[index]
            if item is None:
                if stopped:
                    item = self.results[index] = self._item(index, step, "skipped", why=Msg("skipped", why=stopped))
                    self._say(step.number, self._heading(step), item)
                else:
                    item = self.run_step(index)
            if item.status in ("failed", "error") and not stopped:
                stopped = Msg("did_not_pass", number=step.number, label=step.label)
        return self.case()

    def _item(self, key: int | str, step: Step | None, status: str, seconds: float = 0.0, why=None,
              sent: str | None = None, received: str | None = None, evidence=()) -> Item:
        """The Item in the run's language; its texts kept for every language (`localized`)."""
        said = Said(step.label if step else Msg("prepare"), step.title if step else None, why, list(evidence))
        self._said[key] = said
        texts = said.texts(self.lang)
        return Item(texts["name"], status, seconds, texts["why"], sent, received, texts["evidence"],
                    step.number if step else 0)

    def localized(self, key: int | str) -> dict[str, dict] | None:
        """{fi, sv, en} of {name, title, why, evidence} of step `key` (its index) or "prepare"; None before it ran."""
        said = self._said.get(key)
        return {lang: said.texts(lang) for lang in LANGS} if said else None

    def item_in(self, key: int | str, lang: str) -> Item | None:
        """The Item of step `key` (or "prepare") said in `lang`."""
        item = self.preparation if key == "prepare" else self.results[key]
        said = self._said.get(key)
        if item is None or said is None:
            return item
        texts = said.texts(lang)
        return replace(item, name=texts["name"], why=texts["why"], evidence=texts["evidence"])

    def case(self, lang: str | None = None) -> Case:
        """The report's case in `lang` (the run's language if not given): the preparation and every step so far
        (steps not run are skipped)."""
        lang = lang or self.lang
        not_run = Msg("not_run").say(lang)
        items = [self.item_in("prepare", lang) or Item(Msg("prepare").say(lang), "skipped", why=not_run, number=0)]
        items += [self.item_in(i, lang) or Item(s.name_in(lang), "skipped", why=not_run, number=s.number)
                  for i, s in enumerate(self.steps)]
        properties = {"target": self.target_url, "tenant": self.tenant or "",
                      "start": self.scenario.start.isoformat() if self.scenario.start else Msg("real_time").say(lang),
                      "steps": str(len(self.steps))}
        if self.scenario.description:
            properties["description"] = self.scenario.description
        return Case(self.scenario.id, self.scenario.title_in(lang), items,
                    source=str(self.scenario.path or self.scenario.source), properties=properties)

    def close(self, *, delete_tenant: bool = False) -> None:
        """Close the connection; `delete_tenant` removes a tenant this run created."""
        if delete_tenant and self.created_tenant:
            try:
                self.http.delete(f"{self.target_url}{TENANTS_PATH}/{self.tenant}")
            except httpx.HTTPError:
                pass
        self.http.close()

    def _heading(self, step: Step) -> str:
        """What a progress line calls a step: its title in the run's language, else its kind and alias."""
        return step.title_in(self.lang) or step.label

    def _say(self, number: int, heading, item: Item) -> None:
        """One progress line: [step number/steps] the step's title ... its status (time), the same number as the
        reports' (the preparation is 0, the steps count from 1)."""
        if not self.progress:
            return
        status = Msg(f"progress_{item.status}").say(self.lang)
        line = f"[{number}/{len(self.steps)}] {say(heading, self.lang)} ... {status} ({_duration(item.seconds)})"
        if item.status in ("failed", "error"):
            line += "\n      " + item.why
        self.progress(line)


def run_files(paths: list[Path | str], target_url: str | None = None, data_dir: Path | str | None = None, *,
              tenant: str | None = None, lang: str = "en", progress: Progress | None = None,
              delete_tenants: bool = False, token: str | None = None) -> Report:
    """Run scenario files (each in its own fresh tenant) into one Report; without a target, in a throw-away sandbox.

    Every file is validated before anything runs (ScenarioError lists the problems)."""
    scenarios = [load_scenario(Path(p)) for p in paths]
    if target_url is None:
        if progress:
            progress(Msg("starting_throwaway").say(lang))
        with LocalSandbox() as box:
            report = _run(scenarios, box.url, box.data_dir, tenant, lang, progress, delete_tenants, token)
            report.target = Msg("throwaway_target", url=box.url).say(lang)
            return report
    if data_dir is None:
        raise ValueError("give the target's data directory (its virtual cards and CA live there)")
    return _run(scenarios, target_url, Path(data_dir), tenant, lang, progress, delete_tenants, token)


def _run(scenarios: list[Scenario], target_url: str, data_dir: Path, tenant: str | None, lang: str,
         progress: Progress | None, delete_tenants: bool, token: str | None = None) -> Report:
    cases = []
    title = scenarios[0].title_in(lang) if len(scenarios) == 1 else Msg("many_scenarios").say(lang)
    report = Report(title, cases, target=target_url, lang=lang)
    for scenario in scenarios:
        if progress:
            progress(Msg("progress_scenario", id=scenario.id, title=scenario.title_in(lang), source=scenario.source).say(lang))
        run = ScenarioRun(scenario, target_url, data_dir, tenant, lang=lang, progress=progress, token=token)
        try:
            cases.append(run.run_all())
        finally:
            run.close(delete_tenant=delete_tenants)
        if progress:
            case = cases[-1]
            progress(Msg("progress_done", id=scenario.id, status=label(lang, f"status.{case.status}"),
                         passed=case.count("passed"), failed=case.count("failed"), errors=case.count("error"),
                         skipped=case.count("skipped")).say(lang))
    return report
