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

@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the API (waitress). On the embedded default, pending migrations are applied first."""
    import waitress

    from service.db import upgrade

    app = _create_app()
    if app.config["EMBEDDED_DEFAULT"]:
        upgrade(app.config["DATABASE_URL"])
    click.echo(f"mapdocs listening on http://{host}:{port}", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="mapdocs",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"])


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
@click.option("--panel", required=True, help="Panel slug, e.g. hackney-mat.")
@click.option("--password", default=None, help="Password of encrypted PDFs (used in memory only).")
def ingest(files: Sequence[Path], panel: str, password: str | None) -> None:
    """Send files to mapdocs as the API would; one JSON line per file (the upload response)."""
    from extractors.errors import ExtractionError
    from service.api.schemas import UploadResponseSchema
    from service.audit.operations import Actor
    from service.context import EXTENSION
    from service.documents.operations import ingest_document
    from service.errors import ServiceError

    schema = UploadResponseSchema()
    failed = False
    with _app() as app:
        svc = app.extensions[EXTENSION]
        for path in files:
            with svc.db.session() as session:
                try:
                    outcome = ingest_document(
                        session, svc.store, svc.extraction, data=path.read_bytes(), panel=panel,
                        password=password, key_secret=svc.settings.key_secret,
                        max_bytes=svc.settings.max_upload_bytes, actor=Actor.system())
                except (ExtractionError, ServiceError) as exc:
                    failed = True
                    _echo_json({"file": path.name, "error": {"type": exc.slug, "detail": exc.detail}})
                    continue
                _echo_json(schema.dump(outcome))
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
    for path in files:
        line = extract_file(path, panel=panel, password=password)
        failed = failed or line["error"] is not None
        _echo_json(line)
    sys.exit(1 if failed else 0)


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


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``mapdocs``."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="mapdocs")
