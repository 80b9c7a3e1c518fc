"""Shared fixtures: the app on a migrated database (SQLite, and PostgreSQL for ``@pytest.mark.db``).

Database tests are parametrised over ``sqlite`` and ``postgresql``. PostgreSQL gets one
uniquely named database per session, migrated with Alembic (never ``create_all``: the
migrations are what is tested) and dropped at the end; tables are emptied after each
test. When the server is unreachable the PostgreSQL runs are skipped with the reason
shown, unless ``MAPDOCS_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which makes it a failure.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

REPO = Path(__file__).resolve().parents[1]

SHARED_DIR = Path(os.environ.get("MAPDOCS_SHARED_DIR") or (REPO / ".." / "shared")).resolve()
POSTGRES_ADMIN_URL = os.environ.get("MAPDOCS_TEST_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key",
    "ENCRYPTION_KEY": base64.b64encode(bytes(range(32))).decode("ascii"),
    "KEY_SECRET": "test-key-secret-0123456789abcdef",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("db") and "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session", autouse=True)
def run_scratch_dirs() -> Iterator[Path]:
    """A fresh directory per run for the OCR cache and Hypothesis's examples; deleted at the end.

    ``MAPDOCS_OCR_CACHE_DIR`` is set in ``os.environ`` so that subprocesses (``mapdocs
    extract``, ``python -m extractors.isolated``, workers) share the cache: each scanned
    page is OCR'd once per run, never reused across runs (see ``extractors.ocr.cache``).
    """
    from hypothesis.configuration import set_hypothesis_home_dir

    from extractors.ocr.cache import ENV

    root = Path(tempfile.mkdtemp(prefix="mapdocs-test-run-"))
    (root / "ocr-cache").mkdir()
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(root / "ocr-cache")
    set_hypothesis_home_dir(root / "hypothesis")
    try:
        yield root
    finally:
        set_hypothesis_home_dir(None)
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DIR} (set MAPDOCS_SHARED_DIR)")
    return SHARED_DIR


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session, copied for each test."""
    from service.db import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def _postgres_unavailable(where: str, reason: str) -> None:
    message = f"PostgreSQL not reachable at {where} ({reason}); PostgreSQL runs of database tests skipped"
    if os.environ.get("MAPDOCS_REQUIRE_POSTGRES") == "1":
        pytest.fail(message + " but MAPDOCS_REQUIRE_POSTGRES=1", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a fresh, migrated PostgreSQL database for this session; dropped afterwards."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from service.db import upgrade

    admin_url = make_url(POSTGRES_ADMIN_URL)
    name = f"mapdocs_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        _postgres_unavailable(f"{admin_url.host}:{admin_url.port or 5432}",
                              type(exc.orig).__name__ if exc.orig else type(exc).__name__)
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_tables(url: str) -> None:
    import sqlalchemy as sa

    from service import models  # noqa: F401
    from service.db import Base

    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite unless the test is parametrised with ``postgresql``."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        path = tmp_path / "mapdocs.sqlite3"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_database")
    try:
        yield url
    finally:
        _empty_tables(url)


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "STORAGE_URL": f"file://{tmp_path / 'objects'}",
        "TESTING": True,
        **TEST_SECRETS,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    from service import create_app
    from service.context import EXTENSION

    app = create_app(app_config)
    yield app
    app.extensions[EXTENSION].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cli_env(app_config: dict[str, Any]) -> dict[str, str]:
    """Environment for CLI commands that reach the same database and store as ``app``."""
    return {f"MAPDOCS_{key}": str(value) for key, value in app_config.items() if key != "TESTING"}


@pytest.fixture
def runner(cli_env: dict[str, str]) -> CliRunner:
    return CliRunner(env=cli_env)


@pytest.fixture
def make_token(app: Flask) -> Callable[..., str]:
    """``make_token("triage")`` → a bearer token of a new user with that role."""
    from service.audit.operations import Actor
    from service.auth.operations import create_user, issue_token
    from service.context import EXTENSION

    def make(role: str, agency: str | None = None) -> str:
        with app.extensions[EXTENSION].db.session() as session:
            user = create_user(session, f"{role}-{uuid.uuid4().hex[:8]}", role, agency=agency,
                               actor=Actor.system())
            token = issue_token(session, user, actor=Actor.system())
            session.commit()
        return token

    return make


@pytest.fixture
def auth(make_token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """``auth("admin")`` → request headers carrying a fresh token of that role."""

    def headers(role: str, agency: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(role, agency)}"}

    return headers
