"""The ``mapdocs`` command: serve, migrate, manage users, ingest and extract.

Contracts kept for scripts and later issues: ``users create`` prints only the token;
``ingest`` and ``extract`` print JSON Lines on stdout (one object per input, in order)
and human messages on stderr; exit 0 when every file succeeded, 1 when any failed,
2 for a usage error. Commands that touch the database act as the *system* actor in
the audit log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from service.config import ConfigError

log = logging.getLogger(__name__)

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str))


def _create_app() -> Any:
    from service import create_app

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextlib.contextmanager
def _app() -> Iterator[Any]:
    """The application for one command; its database connections are closed afterwards."""
    from service.context import EXTENSION

    app = _create_app()
    try:
        yield app
    finally:
        app.extensions[EXTENSION].db.dispose()


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """mapdocs: reads early help assessment forms for multi-agency panels."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


# --- serve ---------------------------------------------------------------------------------------

#: waitress reads 8 KiB per socket read and spills request bodies over 512 KiB to a temporary
#: file by default: a 1 MB form then costs ~130 reads and a disk round trip before the view
#: runs. Reading 256 KiB at a time and keeping bodies up to 4 MiB in memory (at most 4 MiB
#: per thread; larger uploads still spill to disk) cut the server's CPU per upload by a fifth.
UPLOAD_BUFFERS = {"recv_bytes": 256 * 1024, "inbuf_overflow": 4 * 1024 * 1024}


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads (4 served 1 MB uploads faster than 8 on 2 cores: less GIL contention).")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the API (waitress). On the embedded default, pending migrations are applied first.

    With no ``MAPDOCS_BROKER_URL`` (the embedded broker) a worker child process is
    started beside the web server, restarted if it dies and stopped on exit, so uploads
    are extracted with no broker server. With a broker URL, run ``mapdocs worker``
    separately (as many as wanted).
    """
    import signal

    import waitress

    from service.db import upgrade
    from service.jobs.celery_app import settings_of
    from service.jobs.dispatch import fail_orphaned_password_jobs, job_queue
    from service.jobs.worker import EmbeddedWorker

    app = _create_app()
    if app.config["EMBEDDED_DEFAULT"]:
        upgrade(app.config["DATABASE_URL"])
    worker = None
    if settings_of(app).embedded:
        fail_orphaned_password_jobs(app)  # the only web process is starting: no thread holds them
        worker = EmbeddedWorker()
        worker.start()
    # SIGTERM (service managers, the tests) stops waitress like Ctrl-C, so the child is stopped too
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    click.echo(f"mapdocs listening on http://{host}:{port}", err=True)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="mapdocs",
                       max_request_body_size=app.config["MAX_CONTENT_LENGTH"], **UPLOAD_BUFFERS)
    finally:
        if worker is not None:
            worker.stop()
        job_queue(app).wait_local(timeout=60)


def _raise_keyboard_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


# --- worker --------------------------------------------------------------------------------------

@cli.command()
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default MAPDOCS_WORKER_CONCURRENCY, 2).")
@click.option("--loglevel", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.option("--burst", is_flag=True, help="Run the jobs queued now in this process, then exit.")
@click.option("--exit-with-parent", is_flag=True, hidden=True)
def worker(concurrency: int | None, loglevel: str, burst: bool, exit_with_parent: bool) -> None:
    """Run background jobs (extraction, OCR pages) from MAPDOCS_BROKER_URL's queue.

    On the embedded broker (no MAPDOCS_BROKER_URL) ``mapdocs serve`` runs one for you;
    run at most one worker there.
    """
    from service.db import upgrade
    from service.jobs import worker as jobs_worker
    from service.jobs.celery_app import settings_of

    with _app() as app:
        if app.config["EMBEDDED_DEFAULT"]:  # as serve does: a worker started first finds the tables
            upgrade(app.config["DATABASE_URL"])
        summary = jobs_worker.worker_config_summary(app)
        click.echo("mapdocs worker: " + ", ".join(f"{k}={v}" for k, v in summary.items()), err=True)
        if burst:
            if settings_of(app).embedded:
                jobs_worker.prepare_embedded_broker(app)
            count = jobs_worker.run_queued(app)
            click.echo(f"ran {count} queued task(s)", err=True)
            return
        if exit_with_parent:
            jobs_worker.exit_with_parent()
        jobs_worker.run_worker(app, concurrency=concurrency, loglevel=loglevel.upper())


# --- jobs ----------------------------------------------------------------------------------------

@cli.group()
def jobs() -> None:
    """Background jobs."""


@jobs.command("requeue")
def jobs_requeue() -> None:
    """Submit unfinished jobs and pending letter batches to the broker again (after a broker outage).

    A duplicate extraction job is harmless; a batch already running is left alone.
    """
    from service.batches.dispatch import requeue_unfinished_batches
    from service.jobs.dispatch import job_queue, requeue_unfinished

    with _app() as app:
        count = requeue_unfinished(app)
        job_queue(app).flush(timeout=60)
        batches = requeue_unfinished_batches(app, include_running=False)
    click.echo(f"submitted {count} unfinished job(s) and {batches} letter batch(es)", err=True)


# --- db ------------------------------------------------------------------------------------------

@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply pending Alembic migrations to MAPDOCS_DATABASE_URL."""
    from service.audit.operations import Actor, record_event
    from service.context import EXTENSION
    from service.db import current_revision, upgrade

    with _app() as app:
        url = app.config["DATABASE_URL"]
        before = current_revision(url)
        upgrade(url)
        after = current_revision(url)
        if before != after:
            with app.extensions[EXTENSION].db.session() as session:
                record_event(session, Actor.system(), "db.upgrade", detail={"from": before, "to": after})
                session.commit()
    click.echo(f"database at revision {after}", err=True)


# --- users ---------------------------------------------------------------------------------------

@cli.group()
def users() -> None:
    """Staff users and their API tokens."""


@users.command("create")
@click.argument("name")
@click.option("--role", required=True,
              type=click.Choice(["triage", "administrator", "chair", "panel_member", "auditor", "admin"]))
@click.option("--agency", default=None, help="Agency slug (required for panel_member).")
def users_create(name: str, role: str, agency: str | None) -> None:
    """Create a user and print a new API token on stdout (and nothing else)."""
    from service.audit.operations import Actor
    from service.auth.operations import UserError, create_user, issue_token
    from service.context import EXTENSION

    if role == "panel_member" and not agency:
        raise click.UsageError("--agency is required for a panel_member")
    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        try:
            user = create_user(session, name, role, agency=agency, actor=Actor.system())
            token = issue_token(session, user, actor=Actor.system())
        except UserError as exc:
            raise click.ClickException(exc.detail) from None
        session.commit()
    click.echo(token)


@users.command("token")
@click.argument("name")
def users_token(name: str) -> None:
    """Issue another API token for an existing user (printed on stdout)."""
    from sqlalchemy import select

    from service.audit.operations import Actor
    from service.auth.operations import issue_token
    from service.context import EXTENSION
    from service.models import User

    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise click.ClickException("no such user")
        token = issue_token(session, user, actor=Actor.system())
        session.commit()
    click.echo(token)


@users.command("revoke")
@click.argument("prefix")
def users_revoke(prefix: str) -> None:
    """Revoke a token: give the whole token, or its first 8 characters."""
    from sqlalchemy import select

    from service.audit.operations import Actor
    from service.auth.operations import hash_token, revoke_token
    from service.context import EXTENSION
    from service.models import ApiToken

    if len(prefix) < 8:
        raise click.UsageError("give at least the first 8 characters of the token")
    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        rows = session.scalars(select(ApiToken).where(ApiToken.prefix == prefix[:8])).all()
        # a whole token revokes exactly that token; 8 characters revoke every token sharing them
        matching = [row for row in rows if len(prefix) == 8 or row.token_hash == hash_token(prefix)]
        if not matching:
            raise click.ClickException("no token with this prefix")
        for row in matching:
            revoke_token(session, row.id, actor=Actor.system())
        session.commit()
    click.echo(f"revoked {len(matching)} token(s)", err=True)


# --- ingest --------------------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=EXISTING_FILE)
@click.option("--panel", default=None, help="Panel slug, e.g. hackney-mat (required without --referral).")
@click.option("--password", default=None, help="Password of encrypted PDFs (used in memory only).")
@click.option("--referral", "referral_id", default=None, type=click.UUID,
              help="Attach the files (signed consent, rescan) to this existing referral instead.")
def ingest(files: Sequence[Path], panel: str | None, password: str | None,
           referral_id: uuid.UUID | None) -> None:
    """Send files to mapdocs as the API would; one JSON line per file (the upload response)."""
    from extractors.errors import ExtractionError
    from service.api.schemas import UploadResponseSchema
    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.documents.operations import ingest_document
    from service.errors import ServiceError
    from service.jobs.dispatch import job_queue
    from service.referrals.operations import attach_document

    if (panel is None) == (referral_id is None):
        raise click.UsageError("give either --panel SLUG, or --referral ID to attach to an existing referral")
    schema = UploadResponseSchema()
    failed = False
    with _app() as app:
        svc = app.extensions[EXTENSION]
        queue = job_queue(app)
        for path in files:
            with svc.db.session() as session:
                try:
                    if referral_id is not None:
                        outcome = attach_document(
                            session, svc.store, svc.extraction, referral_id, data=path.read_bytes(),
                            password=password, key_secret=svc.settings.key_secret,
                            max_bytes=svc.settings.max_upload_bytes, actor=Actor.system(), jobs=queue)
                    else:
                        outcome = ingest_document(
                            session, svc.store, svc.extraction, data=path.read_bytes(), panel=str(panel),
                            password=password, key_secret=svc.settings.key_secret,
                            max_bytes=svc.settings.max_upload_bytes, actor=Actor.system(), jobs=queue)
                except (ExtractionError, ServiceError) as exc:
                    failed = True
                    _echo_json({"file": path.name, "error": {"type": exc.slug, "detail": exc.detail}})
                    continue
                _echo_json(schema.dump(outcome))
        queue.wait_local()  # a password job runs in this process: finish it before exiting
    sys.exit(1 if failed else 0)


# --- extract -------------------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=EXISTING_FILE)
@click.option("--panel", default=None, help="Panel slug the forms are for.")
@click.option("--password", default=None, help="Password of encrypted PDFs (used in memory only).")
def extract(files: Sequence[Path], panel: str | None, password: str | None) -> None:
    """Read referral records from files, without a database: one JSON line per file on stdout."""
    from service.panels import get_panel

    if panel is not None and get_panel(panel) is None:
        raise click.BadParameter("no panel with this slug", param_hint="--panel")
    failed = False
    progress = Progress(len(files))
    for path in files:
        line = extract_file(path, panel=panel, password=password)
        failed = failed or line["error"] is not None
        _echo_json(line)
        progress.advance()
    progress.close()
    sys.exit(1 if failed else 0)


class Progress:
    """``[#####     ] 3/10`` on stderr while ``extract`` reads many files; stdout stays JSON Lines.

    Drawn in place (carriage return) on a terminal; elsewhere (a log file, CI) one
    line per file, so the log still tells how far a run got.
    """

    WIDTH = 30

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = total > 1
        self.live = self.enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._draw()

    def advance(self) -> None:
        self.done += 1
        self._draw()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled or (not self.live and self.done == 0):
            return
        filled = self.WIDTH * self.done // self.total
        bar = f"[{'#' * filled}{' ' * (self.WIDTH - filled)}] {self.done}/{self.total}"
        self.stream.write(("\r" + bar) if self.live else bar + "\n")
        self.stream.flush()


def extract_file(path: Path, *, panel: str | None, password: str | None) -> dict[str, Any]:
    """One ``mapdocs extract`` output line. Never raises: any failure becomes ``error``."""
    from extractors.base import ExtractionContext
    from extractors.errors import ExtractionError
    from service.documents.operations import extract_bytes

    line: dict[str, Any] = {"file": path.name, "record": None, "confidence": {}, "provenance": {},
                            "issues": [], "error": None}
    try:
        data = path.read_bytes()
    except OSError as exc:
        line["error"] = {"type": ExtractionError.slug,
                         "detail": f"The file cannot be read ({type(exc).__name__})"}
        return line
    outcome = extract_bytes(data, ExtractionContext(panel=panel, password=password))
    if outcome.error_slug is None:
        line.update(record=outcome.record, confidence=outcome.confidence, provenance=outcome.provenance,
                    issues=[{key: issue[key] for key in ("path", "severity", "message")}
                            for issue in outcome.issues])
    else:
        line["error"] = {"type": outcome.error_slug, "detail": outcome.error_detail}
    if line["error"] is not None:
        click.echo(f"{path.name}: {line['error']['type']}", err=True)
    return line


# --- check ---------------------------------------------------------------------------------------

@cli.command()
@click.argument("files", nargs=-1, required=True, type=EXISTING_FILE)
@click.option("--panel", required=True, help="Panel slug whose rules apply, e.g. barnet-map.")
@click.option("--password", default=None, help="Password of encrypted PDFs (used in memory only).")
def check(files: Sequence[Path], panel: str, password: str | None) -> None:
    """Read each file and check it against the panel's rules, without a database.

    One JSON line per file: ``{"file", "route", "findings": [{"rule", "severity",
    "message", "path"}], "error"}``; received now, next meeting from the cadence.
    """
    from service.panels import get_panel

    if get_panel(panel) is None:
        raise click.BadParameter("no panel with this slug", param_hint="--panel")
    failed = False
    for path in files:
        line = check_file(path, panel=panel, password=password)
        failed = failed or line["error"] is not None
        _echo_json(line)
    sys.exit(1 if failed else 0)


def check_file(path: Path, *, panel: str, password: str | None) -> dict[str, Any]:
    """One ``mapdocs check`` line: ``extract_file``'s reading, then the engine. Never raises."""
    from service.db import utcnow
    from service.panels import catalogue
    from service.rules import evaluate

    extracted = extract_file(path, panel=panel, password=password)
    line: dict[str, Any] = {"file": path.name, "route": None, "findings": [], "error": extracted["error"]}
    if extracted["error"] is not None or extracted["record"] is None:
        return line
    panels = catalogue()
    chosen = panels.panel(panel)
    result = evaluate(extracted["record"], profile=panels.profile_for(chosen), panel=chosen,
                      confidence=extracted["confidence"], uploaded_at=utcnow())
    line["route"] = str(result.route)
    line["findings"] = [{key: finding.as_dict()[key] for key in ("rule", "severity", "message", "path")}
                        for finding in result.findings]
    return line


# --- referrals -----------------------------------------------------------------------------------

@cli.group()
def referrals() -> None:
    """Referrals: show one, correct fields, record the social-care referral, set the family's contact."""


def _parse_assignment(text: str) -> tuple[str, Any]:
    path, sep, raw = text.partition("=")
    if not sep or not path:
        raise click.BadParameter(f"{text.split('=', 1)[0]!r}: expected PATH=VALUE",
                                 param_hint="PATH=VALUE")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw  # not JSON: the text itself
    return path.strip(), value


@referrals.command("show")
@click.argument("referral_id", type=click.UUID)
def referrals_show(referral_id: uuid.UUID) -> None:
    """Print one referral as the API returns it (audited as a disclosure)."""
    from service.api.schemas import ReferralSchema
    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.errors import ServiceError
    from service.referrals.summary import describe_referral

    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        try:
            body = describe_referral(session, referral_id, actor=Actor.system())
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
        _echo_json(ReferralSchema().dump(body))


@referrals.command("correct")
@click.argument("referral_id", type=click.UUID)
@click.argument("assignments", nargs=-1, required=True)
def referrals_correct(referral_id: uuid.UUID, assignments: Sequence[str]) -> None:
    """Correct fields: ``PATH=VALUE`` (VALUE read as JSON when it parses, else as text); re-check.

    Prints ``{"id", "route", "versions"}``.
    """
    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.errors import ServiceError
    from service.models import Referral
    from service.referrals.operations import correct_referral

    changes = dict(_parse_assignment(text) for text in assignments)
    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        try:
            rows = correct_referral(session, referral_id, changes, actor=Actor.system())
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
        referral = session.get(Referral, referral_id)
        _echo_json({"id": str(referral_id), "route": referral.route if referral else None,
                    "versions": [row.version for row in rows]})


@referrals.command("confirm-harm-referral")
@click.argument("referral_id", type=click.UUID)
@click.option("--made-at", type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              default=None, help="When the referral to social care was made (UTC; default now).")
@click.option("--reference", default=None, help="Social care's reference for the referral.")
@click.option("--by", "made_by", default=None, help="Who made the referral (a role or officer id).")
def referrals_confirm_harm_referral(referral_id: uuid.UUID, made_at: Any, reference: str | None,
                                    made_by: str | None) -> None:
    """Record that the referral to children's social care was made: the significant-harm clock stops."""
    import datetime as dt

    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.db import utcnow
    from service.errors import ServiceError
    from service.referrals.operations import record_social_care_referral

    when = made_at.replace(tzinfo=dt.UTC) if made_at is not None else utcnow()
    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        try:
            referral = record_social_care_referral(session, referral_id, made_at=when, reference=reference,
                                                   by=made_by, actor=Actor.system())
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
        _echo_json({"id": str(referral_id), "route": referral.route, "made_at": when.isoformat()})


@referrals.command("contact")
@click.argument("referral_id", type=click.UUID)
@click.option("--email", default=None, help="The family's e-mail address for letter links.")
@click.option("--post", "by_post", is_flag=True, help="The family wants letters by post, not e-mail.")
@click.option("--large-print", is_flag=True, help="Send (or print) the large-print letter.")
@click.option("--clear", is_flag=True, help="Forget the family's contact details.")
def referrals_contact(referral_id: uuid.UUID, email: str | None, by_post: bool, large_print: bool,
                      clear: bool) -> None:
    """Set how the family wants its letters (kept beside the referral, not in its record); audited.

    Prints ``{"referral_id", "email", "channel", "large_print"}``; with ``--clear``,
    ``{"referral_id", "cleared"}``.
    """
    from service.audit.operations import Actor
    from service.contacts.operations import Channel, ContactInput, clear_contact, set_contact
    from service.context import EXTENSION
    from service.errors import ServiceError

    if clear and (email is not None or by_post or large_print):
        raise click.UsageError("--clear takes no other option")
    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        try:
            if clear:
                clear_contact(session, referral_id, actor=Actor.system())
                _echo_json({"referral_id": str(referral_id), "cleared": True})
                return
            data = ContactInput(email=email, channel=Channel.POST if by_post else Channel.EMAIL,
                                large_print=large_print)
            contact = set_contact(session, referral_id, data, actor=Actor.system())
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
        _echo_json({"referral_id": str(referral_id), "email": contact.email, "channel": contact.channel,
                    "large_print": contact.large_print})


# --- meetings ------------------------------------------------------------------------------------

DATE = click.DateTime(["%Y-%m-%d"])


@cli.group()
def meetings() -> None:
    """Panel meetings: create, list, list cases, move, cancel, render the agenda."""


@contextlib.contextmanager
def _meetings_session() -> Iterator[Any]:
    """A session for one meetings/templates command; domain refusals become exit 1 with the message."""
    from service.context import EXTENSION
    from service.errors import ServiceError

    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        try:
            yield app.extensions[EXTENSION], session
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None


def _meeting_line(meeting: Any) -> dict[str, Any]:
    return {"id": str(meeting.id), "panel": meeting.panel, "date": meeting.date.isoformat(),
            "start_time": meeting.start_time, "duration_minutes": meeting.duration_minutes,
            "papers_deadline": meeting.papers_deadline.isoformat(), "status": meeting.status}


@meetings.command("create")
@click.option("--panel", required=True, help="Panel slug, e.g. barnet-map.")
@click.option("--date", "day", required=True, type=DATE, help="Meeting date, YYYY-MM-DD.")
@click.option("--start-time", default=None, help="HH:MM (default: the panel's).")
@click.option("--venue", default=None, help="Venue (default: the panel's).")
@click.option("--duration", type=click.IntRange(15, 480), default=None,
              help="Minutes (default: the panel's).")
def meetings_create(panel: str, day: Any, start_time: str | None, venue: str | None,
                    duration: int | None) -> None:
    """Create one meeting; prints its id and nothing else."""
    from service.audit.operations import Actor
    from service.meetings.operations import create_meeting

    with _meetings_session() as (_svc, session):
        meeting = create_meeting(session, panel, day.date(), actor=Actor.system(), start_time=start_time,
                                 venue=venue, duration_minutes=duration)
        click.echo(str(meeting.id))


@meetings.command("generate")
@click.option("--panel", required=True, help="Panel slug.")
@click.option("--count", required=True, type=click.IntRange(1, 52), help="How many meetings.")
@click.option("--from", "start", type=DATE, default=None, help="First possible date (default today).")
def meetings_generate(panel: str, count: int, start: Any) -> None:
    """Create the next COUNT meetings from the panel's cadence; prints each new id, one a line."""
    import datetime as dt

    from service.audit.operations import Actor
    from service.meetings.operations import generate_meetings

    with _meetings_session() as (_svc, session):
        created = generate_meetings(session, panel, count=count,
                                    start=start.date() if start else dt.date.today(), actor=Actor.system())
        for meeting in created:
            click.echo(str(meeting.id))


@meetings.command("list")
@click.option("--panel", required=True, help="Panel slug.")
@click.option("--include-cancelled", is_flag=True, help="Show cancelled meetings too.")
def meetings_list(panel: str, include_cancelled: bool) -> None:
    """The panel's meetings as JSON Lines ``{"id", "panel", "date", "start_time", ...}``."""
    from service.meetings.operations import list_meetings

    with _meetings_session() as (_svc, session):
        for meeting in list_meetings(session, panel, include_cancelled=include_cancelled):
            _echo_json(_meeting_line(meeting))


@meetings.command("list-ready")
@click.option("--panel", required=True, help="Panel slug.")
def meetings_list_ready(panel: str) -> None:
    """List ready referrals not yet listed, and reviews falling due; prints each as a cases line."""
    from service.audit.operations import Actor
    from service.meetings.listing import list_ready, meeting_cases

    with _meetings_session() as (_svc, session):
        rows = list_ready(session, panel, actor=Actor.system())
        listed = {row.id for row in rows}
        for meeting_id in dict.fromkeys(row.meeting_id for row in rows if row.meeting_id is not None):
            for case in meeting_cases(session, meeting_id):
                if case.case_id in listed:
                    _echo_json(case.as_line())


@meetings.command("cases")
@click.argument("meeting_id", type=click.UUID)
def meetings_cases(meeting_id: uuid.UUID) -> None:
    """JSON Lines ``{"case_id", "referral_id", "case_ref", "initials", "section", "slot", "late"}``."""
    from service.meetings.listing import meeting_cases

    with _meetings_session() as (_svc, session):
        for case in meeting_cases(session, meeting_id):
            _echo_json(case.as_line())


@meetings.command("move")
@click.argument("meeting_id", type=click.UUID)
@click.option("--date", "day", type=DATE, default=None, help="New date, YYYY-MM-DD.")
@click.option("--start-time", default=None, help="New start, HH:MM.")
@click.option("--venue", default=None, help="New venue.")
@click.option("--duration", type=click.IntRange(15, 480), default=None, help="New length in minutes.")
def meetings_move(meeting_id: uuid.UUID, day: Any, start_time: str | None, venue: str | None,
                  duration: int | None) -> None:
    """Move a meeting; its cases move with it (late ones marked). Prints the meeting as JSON."""
    from service.audit.operations import Actor
    from service.meetings.operations import move_meeting

    if day is None and start_time is None and venue is None and duration is None:
        raise click.UsageError("give at least one of --date, --start-time, --venue, --duration")
    with _meetings_session() as (_svc, session):
        meeting = move_meeting(session, meeting_id, actor=Actor.system(), date=day.date() if day else None,
                               start_time=start_time, venue=venue, duration_minutes=duration)
        _echo_json(_meeting_line(meeting))


@meetings.command("cancel")
@click.argument("meeting_id", type=click.UUID)
@click.option("--reason", default=None, help="Why (kept as a flag in the audit log, not the text).")
def meetings_cancel(meeting_id: uuid.UUID, reason: str | None) -> None:
    """Cancel a meeting; its cases move to the next one. Prints ``{"id", "status", "moved_to"}``."""
    from sqlalchemy import select

    from service.audit.operations import Actor
    from service.meetings.operations import cancel_meeting
    from service.models import AuditEvent

    with _meetings_session() as (_svc, session):
        meeting = cancel_meeting(session, meeting_id, actor=Actor.system(), reason=reason)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.cancel",
                                                         AuditEvent.object_id == str(meeting.id))).first()
        _echo_json({"id": str(meeting.id), "status": meeting.status,
                    "moved_to": event.detail.get("moved_to") if event else None})


@meetings.command("agenda")
@click.argument("meeting_id", type=click.UUID)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the agenda into (created if missing).")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "both"]), default="both",
              show_default=True)
def meetings_agenda(meeting_id: uuid.UUID, out_dir: Path, fmt: str) -> None:
    """Render the agenda (stored and audited too); prints each file written, one a line."""
    from service.audit.operations import Actor
    from service.meetings.agenda import generate_agenda

    out_dir.mkdir(parents=True, exist_ok=True)
    with _meetings_session() as (svc, session):
        for one in (["docx", "pdf"] if fmt == "both" else [fmt]):
            doc = generate_agenda(session, svc.store, meeting_id, fmt=one, actor=Actor.system())
            target = out_dir / doc.filename
            target.write_bytes(doc.data)
            click.echo(str(target))


# --- templates -----------------------------------------------------------------------------------

@cli.group()
def templates() -> None:
    """A panel's own Word templates: upload (checked, versioned), list versions."""


@templates.command("upload")
@click.argument("kind")
@click.argument("file", type=EXISTING_FILE)
@click.option("--panel", required=True, help="Panel slug the template is for.")
def templates_upload(kind: str, file: Path, panel: str) -> None:
    """Upload a template; an unknown or misspelt variable is refused (exit 1) with its name.

    Prints ``{"id", "panel", "kind", "version"}``.
    """
    from service.audit.operations import Actor
    from service.templates.operations import upload_template

    with _meetings_session() as (svc, session):
        row = upload_template(session, svc.store, panel, kind, file.read_bytes(), actor=Actor.system())
        _echo_json({"id": str(row.id), "panel": row.panel, "kind": row.kind, "version": row.version})


@templates.command("list")
@click.argument("kind")
@click.option("--panel", required=True, help="Panel slug.")
def templates_list(kind: str, panel: str) -> None:
    """The panel's uploaded versions of KIND, newest first, as JSON Lines."""
    from service.templates.operations import list_versions

    with _meetings_session() as (_svc, session):
        for row in list_versions(session, panel, kind):
            _echo_json({"id": str(row.id), "version": row.version, "sha256": row.sha256,
                        "uploaded_at": row.uploaded_at.isoformat(), "uploader_type": row.uploader_type})


# --- packs ---------------------------------------------------------------------------------------

#: ``packs send`` exit status when the panel's circulation day has not come (nothing was sent)
EXIT_NOT_YET = 3


@cli.group()
def packs() -> None:
    """Agenda packs: one PDF per member agency plus the full pack; circulate links to them."""


@packs.command("build")
@click.argument("meeting_id", type=click.UUID)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for <agency-slug>.pdf, full.pdf and manifest.json.")
@click.option("--plain-agenda", is_flag=True,
              help="Draw the agenda directly instead of through the Word template and LibreOffice.")
def packs_build(meeting_id: uuid.UUID, out_dir: Path, plain_agenda: bool) -> None:
    """Build and store every pack of a meeting (consent re-checked now), and write them to --out.

    ``manifest.json`` is exactly ``{"meeting_id", "packs": [{"agency", "file", "cases", "withheld"}]}``;
    the ``full`` entry is the chair's and administrators' pack.
    """
    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.errors import ServiceError
    from service.packs.operations import build_meeting_packs, converter_or_none, pack_workers

    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        store = app.extensions[EXTENSION].store
        try:
            with converter_or_none(app.config) as converter:
                built = build_meeting_packs(session, store, meeting_id, actor=Actor.system(),
                                            converter=None if plain_agenda else converter,
                                            workers=pack_workers(app.config))
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    for pack in built.packs.packs:
        (out_dir / pack.file).write_bytes(pack.pdf)
    manifest = built.packs.manifest()
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    click.echo(f"wrote {len(manifest['packs'])} packs and manifest.json to {out_dir}", err=True)


@packs.command("send")
@click.argument("meeting_id", type=click.UUID)
@click.option("--now", "send_now", is_flag=True,
              help="Send even though the panel's circulation day (e.g. Monday for Barnet) has not come.")
@click.option("--base-url", default=None,
              help="Public URL the /l/<token> links start with (default MAPDOCS_PUBLIC_BASE_URL).")
def packs_send(meeting_id: uuid.UUID, send_now: bool, base_url: str | None) -> None:
    """Mail each member agency's secure mailbox a link to its own pack of the latest build.

    Prints ``{"meeting_id", "sent": [{"agency", "to", "file"}], "skipped": [{"agency", "reason"}]}``.
    Before the circulation day nothing is sent and the exit status is 3, unless ``--now``.
    SMTP from ``MAPDOCS_SMTP_URL`` and ``MAPDOCS_MAIL_FROM``.
    """
    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.errors import ServiceError
    from service.mail import SmtpSender, mail_settings
    from service.packs.errors import TooEarlyToSend
    from service.packs.operations import attach_panels, send_meeting_packs

    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        services = app.extensions[EXTENSION]
        base = base_url or services.settings.public_base_url
        if not base:
            raise click.UsageError("set MAPDOCS_PUBLIC_BASE_URL or --base-url: links need it")
        try:
            result = send_meeting_packs(
                session, services.store, meeting_id, sender=SmtpSender(mail_settings(app.config)),
                base_url=base, link_ttl_seconds=services.settings.link_ttl_seconds, actor=Actor.system(),
                force=send_now, attach_panels=attach_panels(app.config))
        except TooEarlyToSend as exc:
            click.echo(f"Error: {exc.detail}", err=True)
            sys.exit(EXIT_NOT_YET)
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
    _echo_json(result.as_dict())


# --- decisions -----------------------------------------------------------------------------------

@cli.group()
def decisions() -> None:
    """The chair's decision for a listed case: record (or change, keeping earlier versions), show."""


def _parse_actions(texts: Sequence[str]) -> tuple[Any, ...]:
    from service.decisions.model import ActionInput

    try:
        return tuple(ActionInput.parse(text) for text in texts)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--action") from None


@decisions.command("record")
@click.argument("case_id", type=click.UUID)
@click.option("--outcome", required=True, help="Outcome id from the panel's profile.")
@click.option("--reason", required=True, help="Why, in plain words.")
@click.option("--lead-professional", "lead_name", required=True, help="Lead professional's name.")
@click.option("--lead-agency", required=True, help="Lead professional's agency.")
@click.option("--lead-contact", required=True, help="How the family reaches them (phone or e-mail).")
@click.option("--review-date", required=True, type=DATE, help="YYYY-MM-DD, within the panel's interval.")
@click.option("--taf-date", type=DATE, default=None,
              help="First Team Around the Family meeting, YYYY-MM-DD (needed where the outcome starts one).")
@click.option("--child-views", default=None, help="How the child's views were taken into account.")
@click.option("--dissent", default=None, help="Any dissent from the decision.")
@click.option("--action", "actions", multiple=True, help="'what|who|YYYY-MM-DD' (repeatable).")
def decisions_record(case_id: uuid.UUID, outcome: str, reason: str, lead_name: str, lead_agency: str,
                     lead_contact: str, review_date: Any, taf_date: Any, child_views: str | None,
                     dissent: str | None, actions: tuple[str, ...]) -> None:
    """Record the decision for CASE_ID and print its id; a broken panel rule exits 1 and says which."""
    from service.audit.operations import Actor
    from service.decisions import operations as ops
    from service.decisions.model import DecisionInput

    data = DecisionInput(outcome_id=outcome, reason=reason, lead_name=lead_name, lead_agency=lead_agency,
                         lead_contact=lead_contact, review_date=review_date.date(),
                         taf_date=taf_date.date() if taf_date else None, child_views=child_views,
                         dissent=dissent, actions=_parse_actions(actions))
    with _meetings_session() as (svc, session):
        row = ops.record_decision(session, case_id, data, actor=Actor.system(), store=svc.store)
        click.echo(str(row.id))


@decisions.command("show")
@click.argument("case_id", type=click.UUID)
@click.option("--all-versions", is_flag=True, help="Every version, oldest first, as JSON Lines.")
def decisions_show(case_id: uuid.UUID, all_versions: bool) -> None:
    """The case's current decision as JSON (exit 1 when none is recorded)."""
    from service.decisions import operations as ops
    from service.decisions.shapes import decision_json

    with _meetings_session() as (_svc, session):
        rows = ops.decision_versions(session, case_id)
        if not rows:
            raise click.ClickException("no decision is recorded for this case")
        for row in rows if all_versions else rows[-1:]:
            _echo_json(decision_json(row))


# --- the deadline list ---------------------------------------------------------------------------

@cli.command("overdue")
@click.option("--panel", default=None, help="Only this panel's items.")
def overdue_list(panel: str | None) -> None:
    """Overdue post-panel deadlines, one JSON line each.

    Lines are ``{"kind", "panel", "referral_id", "case_id", "case_ref", "decision_id", "due"}``;
    kinds: decision_not_notified, letter_not_sent, review_past_due, social_care_not_confirmed.
    """
    from service.overdue.operations import overdue_items

    with _meetings_session() as (_svc, session):
        for item in overdue_items(session, panel=panel):
            _echo_json(item.as_line())


@cli.group()
def letters() -> None:
    """Letters to families, notices to referrers and summaries for professionals after panel."""


class _StepBar:
    """A ``progress(done, total)`` callback drawing :class:`Progress` on stderr, once the total is known.

    The letters commands stay synchronous with their exact stdout; the API runs the same
    operations as background batches and reports the same steps as ``done``/``total``.
    """

    def __init__(self) -> None:
        self.bar: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = Progress(total)
        while self.bar.done < min(done, total):
            self.bar.advance()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@letters.command("build")
@click.argument("meeting_id", type=click.UUID)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the documents and manifest.json.")
def letters_build(meeting_id: uuid.UUID, out_dir: Path) -> None:
    """Build and store every letter, notice and summary of a meeting's decisions (consent re-checked).

    ``manifest.json`` is exactly ``{"meeting_id", "documents": [{"case_id", "recipient", "kind",
    "variant", "file"}]}``. Cases whose consent is no longer in force get no family letter.
    """
    from service.batches.errors import KNOWN, known_failure
    from service.context import EXTENSION
    from service.errors import ServiceError
    from service.letters.operations import build_meeting_letters
    from service.packs.operations import converter_or_none

    bar = _StepBar()
    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        store = app.extensions[EXTENSION].store
        try:
            with converter_or_none(app.config) as converter:
                report = build_meeting_letters(session, store, meeting_id, converter=converter, progress=bar)
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
        except KNOWN as exc:
            failure = known_failure(exc)
            raise click.ClickException(failure[1] if failure else "The letters could not be made") from None
        finally:
            bar.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    for doc in report.documents:
        (out_dir / doc.file).write_bytes(doc.pdf)
    (out_dir / "manifest.json").write_text(json.dumps(report.manifest(), indent=2) + "\n", encoding="utf-8")
    for case_id, reason in report.skipped.items():
        click.echo(f"case {case_id}: no family letter ({reason})", err=True)
    click.echo(f"wrote {len(report.documents)} documents and manifest.json to {out_dir}", err=True)


# --- tracking forms --------------------------------------------------------------------------------

@cli.group()
def tracking() -> None:
    """A family's support-plan tracking form: rate progress, set an action's status, build DOCX, PDF, CSV.

    Rating and setting a status also store the family's next tracking form version.
    """


@tracking.command("rate")
@click.argument("case_id", type=click.UUID)
@click.option("--review-date", required=True, type=DATE, help="The review's date, YYYY-MM-DD.")
@click.option("--rating", "ratings", multiple=True, required=True,
              help="'N=R' or 'N=R|note': desired outcome N (from 1), rating R from 0 to 10 (repeatable).")
def tracking_rate(case_id: uuid.UUID, review_date: Any, ratings: tuple[str, ...]) -> None:
    """Record the review's rating of each desired outcome named (stores a new form); prints how many."""
    from service.audit.operations import Actor
    from service.tracking.operations import RatingInput, rate_progress

    try:
        parsed = [RatingInput.parse(text) for text in ratings]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rating") from None
    with _meetings_session() as (svc, session):
        rows = rate_progress(session, case_id, review_date.date(), parsed, actor=Actor.system(),
                             store=svc.store)
        _echo_json({"case_id": str(case_id), "ratings": len(rows)})


@tracking.command("action")
@click.argument("case_id", type=click.UUID)
@click.argument("number", type=click.IntRange(min=1))
@click.option("--status", required=True, type=click.Choice(["open", "in_progress", "done", "dropped"]),
              help="The action's status now.")
@click.option("--note", default=None, help="What changed, shown on the tracking form.")
def tracking_action(case_id: uuid.UUID, number: int, status: str, note: str | None) -> None:
    """Set action NUMBER (from 1) of CASE_ID's current decision; stores a new form version.

    Prints ``{"case_id", "action", "status", "form_version"}``; exit 1 when the case has no
    decision or no such action, 2 for an unknown status.
    """
    from service.audit.operations import Actor
    from service.tracking.operations import set_action_status

    with _meetings_session() as (svc, session):
        done = set_action_status(session, svc.store, case_id, number, status, actor=Actor.system(), note=note)
        _echo_json({"case_id": str(case_id), "action": done.number, "status": done.change.status,
                    "form_version": done.form_version})


@tracking.command("build")
@click.argument("case_id", type=click.UUID)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for tracking_form.docx, tracking_form.pdf and tracking_form.csv.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (no LibreOffice start).")
def tracking_build(case_id: uuid.UUID, out_dir: Path, no_pdf: bool) -> None:
    """Build the family's tracking form from every decision and rating so far; prints the files written."""
    from service.packs.operations import converter_or_none
    from service.tracking.operations import build_tracking_form

    converters = contextlib.nullcontext(None) if no_pdf else converter_or_none()
    with _meetings_session() as (_svc, session), converters as converter:
        files = build_tracking_form(session, case_id, converter=converter)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {"docx": files.docx, "csv": files.csv, "pdf": files.pdf}
    names = []
    for ext, data in written.items():
        if data is not None:
            (out_dir / f"tracking_form.{ext}").write_bytes(data)
            names.append(f"tracking_form.{ext}")
    _echo_json({"case_id": str(case_id), "files": names})


@letters.command("send")
@click.argument("meeting_id", type=click.UUID)
@click.option("--base-url", default=None,
              help="Public URL the /l/<token> links start with (default MAPDOCS_PUBLIC_BASE_URL).")
def letters_send(meeting_id: uuid.UUID, base_url: str | None) -> None:
    """Mail families and referrers a link to their letter (family links ask for a child's date of birth).

    Prints ``{"meeting_id", "sent": [{"file", "recipient"}], "skipped": [{"file", "reason"}]}``;
    skipped letters have no e-mail address and are printed for post.
    """
    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.errors import ServiceError
    from service.letters.delivery import send_meeting_letters
    from service.mail import SmtpSender, mail_settings

    with _app() as app, app.extensions[EXTENSION].db.session() as session:
        base = base_url or app.extensions[EXTENSION].settings.public_base_url
        if not base:
            raise click.UsageError("set MAPDOCS_PUBLIC_BASE_URL or --base-url: links need it")
        bar = _StepBar()
        try:
            result = send_meeting_letters(session, meeting_id, sender=SmtpSender(mail_settings(app.config)),
                                          base_url=base, actor=Actor.system(), progress=bar)
        except ServiceError as exc:
            raise click.ClickException(exc.detail) from None
        finally:
            bar.close()
    _echo_json(result.as_dict(meeting_id))


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``mapdocs``."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="mapdocs")
