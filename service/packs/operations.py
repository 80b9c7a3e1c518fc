"""Building, storing and circulating a meeting's agenda packs; the information-sharing log.

Build: decide each listed case's basis and exclusions now (consent re-checked), render
each case's pages once (summary + originals flattened and shrunk), one agenda per
distinct set of cases, then one pack per member agency plus ``full`` for the chair and
administrators; store them and the manifest. Send: on or after the profile's
circulation day, mail each agency with a secure mailbox a ``/l/<token>`` link to its
own pack (the pack itself only when the panel is configured to attach), and write one
information-sharing row per case per agency as each message goes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderers.agenda import KIND as AGENDA_KIND
from renderers.agenda import AgendaContext, render_agenda
from renderers.agenda_pack import (
    FULL,
    PackCase,
    PackMeeting,
    PackSet,
    Recipient,
    build_packs,
    prepare_originals,
    render_notice,
    render_plain_agenda,
)
from renderers.case_summary import render_case_summary
from renderers.context import long_date
from renderers.convert import DocxToPdfConverter
from renderers.errors import ConversionError, RenderError
from service.audit.operations import Actor, record_event
from service.config import default_processes, setting
from service.db import utcnow
from service.links.operations import create_object_link, link_url
from service.mail import Attachment, Message, SmtpSender
from service.meetings.agenda import agenda_context
from service.meetings.errors import MeetingCancelled
from service.meetings.listing import meeting_cases
from service.meetings.queries import get_meeting
from service.models import (
    Document,
    InformationSharingEntry,
    Meeting,
    MeetingPack,
    MeetingStatus,
    PackBuild,
)
from service.packs.circulation import circulation_day, pack_message
from service.packs.disclosure import CaseDisclosure, case_ids_for, decide
from service.packs.errors import NoPacksBuilt, PackNotFound, PackRenderFailed, TooEarlyToSend
from service.packs.summaries import summary_context
from service.panels import catalogue
from service.referrals.operations import document_ids, latest_evaluation
from service.rules import Panel
from storage import ObjectNotFound, ObjectStore
from storage.keys import random_key

log = logging.getLogger(__name__)

PDF = "application/pdf"
FULL_NAME = "Panel chair and administrators"
LINK_PURPOSE = "agenda_pack"
#: what a pack holds instead of an original it cannot include (never the reason in detail)
UNREADABLE_ORIGINAL = ("The original form could not be included in this pack (it is password-protected, "
                       "damaged or not a PDF). Ask the panel administrator for a copy.")

#: turns an agenda context into PDF bytes (the Word template via LibreOffice, or the plain page)
AgendaRenderer = Callable[[AgendaContext], bytes]


@dataclass(frozen=True)
class BuiltPacks:
    build: PackBuild
    packs: PackSet
    disclosures: tuple[CaseDisclosure, ...]


@dataclass
class SendResult:
    meeting_id: str
    sent: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"meeting_id": self.meeting_id, "sent": self.sent, "skipped": self.skipped}


# --- agendas -------------------------------------------------------------------------------------

def word_agenda_renderer(session: Session, store: ObjectStore, meeting: Meeting,
                         converter: DocxToPdfConverter) -> AgendaRenderer:
    """The panel's current agenda template (or the shipped one) through LibreOffice.

    Falls back to the plain agenda if LibreOffice fails, so a stuck converter delays no pack.
    """
    from service.templates.operations import current_version, template_override

    version = current_version(session, meeting.panel, AGENDA_KIND)

    def render(ctx: AgendaContext) -> bytes:
        try:
            with template_override(session, store, meeting.panel, AGENDA_KIND, version) as template:
                pdf = render_agenda(ctx, template=template, converter=converter).pdf
        except ConversionError as exc:
            log.warning("agenda conversion failed (%s): plain agenda used in packs", type(exc).__name__)
            pdf = None
        return pdf if pdf is not None else render_plain_agenda(ctx)

    return render


# --- building ------------------------------------------------------------------------------------

def _originals(session: Session, store: ObjectStore, disclosures: Sequence[CaseDisclosure], *,
               workers: int) -> dict[str, tuple[bytes, ...]]:
    """Each case's originals made ready for packs (flattened, scans shrunk), all in one batch.

    An original that cannot be read (password, damage, Word) becomes a notice page, so one
    bad file never stops a meeting's packs.
    """
    wanted: list[tuple[str, Document]] = []
    for disclosure in disclosures:
        for document_id in document_ids(session, disclosure.referral):
            document = session.get(Document, document_id)
            if document is not None:
                wanted.append((disclosure.case_id, document))
    items: list[tuple[bytes, str]] = []
    for _, document in wanted:
        try:
            items.append((store.get_bytes(document.object_key), document.media_type))
        except ObjectNotFound:
            log.warning("an original was missing from storage and left out of a pack")
            items.append((b"", "application/x-missing"))
    prepared = prepare_originals(items, workers=workers)
    out: dict[str, list[bytes]] = {d.case_id: [] for d in disclosures}
    for (case_id, _), pdf in zip(wanted, prepared, strict=True):
        if pdf is None:
            log.warning("an original could not be included in a pack")
        out[case_id].append(pdf if pdf is not None else render_notice(UNREADABLE_ORIGINAL))
    return {case_id: tuple(pdfs) for case_id, pdfs in out.items()}


def _pack_case(session: Session, panel: Panel, meeting: Meeting, disclosure: CaseDisclosure,
               originals: tuple[bytes, ...], at: dt.datetime) -> PackCase:
    evaluation = latest_evaluation(session, disclosure.referral.id)
    ctx = summary_context(disclosure, profile=catalogue().profile_for(panel), panel_name=panel.name,
                          meeting_date=meeting.date, findings=evaluation.findings if evaluation else (),
                          at=at.date())
    return PackCase(case_id=disclosure.case_id, case_ref=disclosure.case.case_ref,
                    initials=disclosure.case.initials, summary=render_case_summary(ctx), originals=originals)


def recipients(panel: Panel, meeting: Meeting, disclosures: Sequence[CaseDisclosure]) -> list[Recipient]:
    """Each member agency with the cases it may see, then the full pack."""
    out = []
    for slug in meeting.members or [a.slug for a in panel.agencies]:
        agency = panel.agency(str(slug))
        if agency is not None and agency.slug != FULL:
            out.append(Recipient(slug=agency.slug, name=agency.name,
                                 cases=case_ids_for(disclosures, agency.slug)))
    out.append(Recipient(slug=FULL, name=FULL_NAME, cases=case_ids_for(disclosures, None)))
    return out


def build_meeting_packs(session: Session, store: ObjectStore, meeting_id: uuid.UUID, *, actor: Actor,
                        agenda_renderer: AgendaRenderer | None = None,
                        converter: DocxToPdfConverter | None = None,
                        at: dt.datetime | None = None, workers: int = 1) -> BuiltPacks:
    """Build, store and record every pack of a meeting. Commits.

    ``agenda_renderer`` wins; else the Word agenda through ``converter``; else the plain
    agenda. ``workers`` > 1 prepares the originals in that many processes.
    """
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingCancelled()
    at = at or utcnow()
    panel = catalogue().panel(meeting.panel)
    listed = meeting_cases(session, meeting.id)
    disclosures = decide(session, panel, listed, at=at)
    if agenda_renderer is None:
        agenda_renderer = (word_agenda_renderer(session, store, meeting, converter) if converter is not None
                           else render_plain_agenda)
    all_ids = {case.case_id for case in listed}

    def agenda(included: frozenset[str], withheld: int) -> bytes:
        hidden = {case_id for case_id in all_ids if str(case_id) not in included}
        return agenda_renderer(agenda_context(session, meeting, withheld=withheld, hidden_case_ids=hidden))

    try:
        shared = [d for d in disclosures if d.basis is not None]
        originals = _originals(session, store, shared, workers=workers)
        cases = [_pack_case(session, panel, meeting, d, originals[d.case_id], at) for d in shared]
        packs = build_packs(PackMeeting(meeting_id=str(meeting.id), panel_name=panel.name,
                                        meeting_date=long_date(meeting.date)),
                            cases, recipients(panel, meeting, disclosures), agenda, listed=len(listed))
    except RenderError as exc:
        log.error("pack rendering failed: %s", type(exc).__name__)
        raise PackRenderFailed(f"The packs could not be rendered ({type(exc).__name__})") from None
    build = _store(session, store, meeting, packs, disclosures, actor)
    left_out = [d for d in disclosures if d.basis is None]
    record_event(session, actor, "packs.build", object_type="meeting", object_id=meeting.id,
                 detail={"build_id": str(build.id), "packs": len(packs.packs), "cases": len(listed),
                         "left_out": {str(d.left_out): sum(1 for x in left_out if x.left_out == d.left_out)
                                      for d in left_out},
                         "unresolved_exclusions": sum(1 for d in disclosures if d.unresolved)})
    session.commit()
    return BuiltPacks(build=build, packs=packs, disclosures=tuple(disclosures))


def _store(session: Session, store: ObjectStore, meeting: Meeting, packs: PackSet,
           disclosures: Sequence[CaseDisclosure], actor: Actor) -> PackBuild:
    build = PackBuild(meeting_id=meeting.id, manifest=packs.manifest(), actor_type=actor.kind,
                      built_by=actor.id if actor.kind == "user" else None, built_at=utcnow())
    session.add(build)
    session.flush()
    by_case = {d.case_id: d for d in disclosures}
    for pack in packs.packs:
        key = random_key("packs", suffix=".pdf")
        store.put(key, pack.pdf, content_type=PDF)
        session.add(MeetingPack(
            build_id=build.id, meeting_id=meeting.id, agency=pack.agency, file=pack.file, object_key=key,
            storage_backend=store.scheme, sha256=hashlib.sha256(pack.pdf).hexdigest(), size=len(pack.pdf),
            case_ids=list(pack.cases), withheld=pack.withheld,
            disclosures={case_id: by_case[case_id].as_dict() for case_id in pack.cases}))
    session.flush()
    return build


# --- reading -------------------------------------------------------------------------------------

def latest_build(session: Session, meeting_id: uuid.UUID) -> PackBuild:
    get_meeting(session, meeting_id)
    build = session.scalar(select(PackBuild).where(PackBuild.meeting_id == meeting_id)
                           .order_by(PackBuild.built_at.desc(), PackBuild.id).limit(1))
    if build is None:
        raise NoPacksBuilt()
    return build


def build_packs_rows(session: Session, build: PackBuild) -> list[MeetingPack]:
    rows = session.scalars(select(MeetingPack).where(MeetingPack.build_id == build.id)).all()
    order = {entry["agency"]: n for n, entry in enumerate(build.manifest.get("packs", []))}
    return sorted(rows, key=lambda row: order.get(row.agency, len(order)))


def open_pack(session: Session, store: ObjectStore, meeting_id: uuid.UUID, file: str, *,
              actor: Actor) -> tuple[MeetingPack, bytes]:
    """One pack of the latest build (for chairs and administrators), audited. Commits."""
    build = latest_build(session, meeting_id)
    row = next((r for r in build_packs_rows(session, build) if r.file == file), None)
    if row is None:
        raise PackNotFound()
    data = store.get_bytes(row.object_key)
    record_event(session, actor, "packs.download", object_type="meeting", object_id=meeting_id,
                 detail={"build_id": str(build.id), "agency": row.agency})
    session.commit()
    return row, data


def sharing_log(session: Session, *, referral_id: uuid.UUID | None = None,
                meeting_id: uuid.UUID | None = None) -> list[InformationSharingEntry]:
    query = select(InformationSharingEntry)
    if referral_id is not None:
        query = query.where(InformationSharingEntry.referral_id == referral_id)
    if meeting_id is not None:
        query = query.where(InformationSharingEntry.meeting_id == meeting_id)
    query = query.order_by(InformationSharingEntry.shared_at, InformationSharingEntry.agency)
    return list(session.scalars(query))


# --- sending -------------------------------------------------------------------------------------

def _attach(panel: Panel, attach_panels: Collection[str]) -> bool:
    return bool(getattr(panel, "attach_packs", False)) or panel.slug in attach_panels


def send_meeting_packs(session: Session, store: ObjectStore, meeting_id: uuid.UUID, *, sender: SmtpSender,
                       base_url: str, link_ttl_seconds: int, actor: Actor, now: dt.datetime | None = None,
                       force: bool = False, attach_panels: Collection[str] = ()) -> SendResult:
    """Mail each member agency a link to its own pack of the latest build; log every disclosure.

    Before the profile's circulation day this refuses (``TooEarlyToSend``) unless
    ``force``. Packs already sent are not sent again; the full pack is never mailed
    (chairs and administrators download it). Each message is recorded as it goes.
    """
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingCancelled()
    now = now or utcnow()
    panel = catalogue().panel(meeting.panel)
    day = circulation_day(catalogue().profile_for(panel), meeting.date)
    if day is not None and now.date() < day and not force:
        raise TooEarlyToSend(f"This panel's packs go out on {long_date(day)}; send then, or send now "
                             "on purpose (--now, or \"now\": true)", circulation_day=day.isoformat())
    build = latest_build(session, meeting.id)
    result = SendResult(meeting_id=str(meeting.id))
    attach = _attach(panel, attach_panels)
    queue: list[tuple[Message, MeetingPack]] = []
    for row in build_packs_rows(session, build):
        agency = panel.agency(row.agency)
        if row.agency == FULL:
            result.skipped.append({"agency": row.agency, "reason": "full_pack_not_mailed"})
        elif agency is None or not agency.secure_email:
            result.skipped.append({"agency": row.agency, "reason": "no_secure_email"})
        elif row.sent_at is not None:
            result.skipped.append({"agency": row.agency, "reason": "already_sent"})
        else:
            queue.append((_message(session, store, meeting, panel, row, agency.name, agency.secure_email,
                                   attach=attach, base_url=base_url, ttl=link_ttl_seconds, actor=actor), row))

    rows = {id(message): row for message, row in queue}

    def sent(message: Message) -> None:
        row = rows[id(message)]
        _record_sent(session, meeting, row, message.to, actor, channel="attachment" if attach else "link")
        result.sent.append({"agency": row.agency, "to": message.to, "file": row.file})

    sender.send([message for message, _ in queue], on_sent=sent)
    return result


def _message(session: Session, store: ObjectStore, meeting: Meeting, panel: Panel, row: MeetingPack,
             agency_name: str, to: str, *, attach: bool, base_url: str, ttl: int, actor: Actor) -> Message:
    if attach:
        attachment = Attachment(filename=row.file, data=store.get_bytes(row.object_key))
        return pack_message(to=to, panel_name=panel.name, meeting_date=meeting.date, agency_name=agency_name,
                            url=None, expires=None, attachment=attachment)
    link = create_object_link(session, row.object_key, media_type=PDF, purpose=LINK_PURPOSE,
                              ttl_seconds=ttl, actor=actor)
    row.link_id = link.link.id
    session.commit()
    return pack_message(to=to, panel_name=panel.name, meeting_date=meeting.date, agency_name=agency_name,
                        url=link_url(base_url, link.token), expires=link.link.expires_at)


def _record_sent(session: Session, meeting: Meeting, row: MeetingPack, to: str, actor: Actor, *,
                 channel: str) -> None:
    at = utcnow()
    row.sent_at = at
    row.sent_to = to
    for case_id in row.case_ids:
        disclosure = row.disclosures[case_id]
        session.add(InformationSharingEntry(
            shared_at=at, referral_id=uuid.UUID(disclosure["referral_id"]), case_ref=disclosure["case_ref"],
            meeting_id=meeting.id, pack_id=row.id, agency=row.agency, basis=disclosure["basis"],
            chair_decision=disclosure.get("chair_decision"), channel=channel, actor_type=actor.kind,
            shared_by=actor.id if actor.kind == "user" else None))
    record_event(session, actor, "packs.send", object_type="meeting", object_id=meeting.id,
                 detail={"agency": row.agency, "pack_id": str(row.id), "cases": len(row.case_ids),
                         "withheld": row.withheld, "channel": channel})
    session.commit()


# --- settings ------------------------------------------------------------------------------------

def _setting(config: Mapping[str, Any], name: str) -> str:
    """A setting as text; names and defaults live in :data:`service.config.DEFAULTS`."""
    return str(setting(config, name) or "")


def pack_workers(config: Mapping[str, Any]) -> int:
    """Processes preparing originals (``PACKS_WORKERS``; default: up to 2, one per core)."""
    configured = _setting(config, "PACKS_WORKERS")
    return max(1, int(configured)) if configured.isdigit() else default_processes()


def attach_panels(config: Mapping[str, Any]) -> frozenset[str]:
    """Panels configured to mail packs as attachments (``PACKS_ATTACH_PANELS``: comma-separated slugs)."""
    return frozenset(s.strip() for s in _setting(config, "PACKS_ATTACH_PANELS").split(",") if s.strip())


def converter_or_none(
        config: Mapping[str, Any] | None = None) -> AbstractContextManager[DocxToPdfConverter | None]:
    """The process's shared LibreOffice converter, or None (agendas then drawn without the Word template).

    None where LibreOffice is not installed or ``PACKS_AGENDA=plain`` asks for it.
    """
    import shutil

    if shutil.which("soffice") is None or _setting(config or {}, "PACKS_AGENDA") == "plain":
        return nullcontext(None)
    from service.templates.converter import shared_converter

    return nullcontext(shared_converter())
