import base64
import stat
from pathlib import Path

import pytest

from service import create_app
from service.config import ConfigError, load_config


def test_defaults_are_the_embedded_deployment(tmp_path: Path) -> None:
    config = load_config({}, environ={"MAPDOCS_DATA_DIR": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'mapdocs.sqlite3'}"
    assert config["STORAGE_URL"] == f"file://{tmp_path / 'objects'}"
    assert config["EMBEDDED_DEFAULT"] is True
    assert config["MAX_UPLOAD_BYTES"] == 25 * 1024 * 1024
    assert config["BROKER_URL"] == ""


def test_embedded_secrets_are_generated_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_config({"DATA_DIR": str(tmp_path)}, environ={})
    second = load_config({"DATA_DIR": str(tmp_path)}, environ={})
    secrets_file = tmp_path / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    for name in ("SECRET_KEY", "ENCRYPTION_KEY", "KEY_SECRET"):
        assert first[name] and first[name] == second[name]
    assert len(first["ENCRYPTION_KEY_BYTES"]) == 32


def test_environment_then_mapping_override_defaults(tmp_path: Path) -> None:
    env = {"MAPDOCS_DATA_DIR": str(tmp_path), "MAPDOCS_MAX_UPLOAD_BYTES": "1000",
           "MAPDOCS_LINK_TTL_SECONDS": "60", "MAPDOCS_BROKER_URL": "redis://127.0.0.1:6379/0"}
    config = load_config({"MAPDOCS_LINK_TTL_SECONDS": 120}, environ=env)
    assert config["MAX_UPLOAD_BYTES"] == 1000
    assert config["LINK_TTL_SECONDS"] == 120
    assert config["BROKER_URL"] == "redis://127.0.0.1:6379/0"


def test_configured_database_without_secrets_is_a_startup_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAPDOCS_ENCRYPTION_KEY"):
        load_config({"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, environ={})
    assert not (tmp_path / "secrets.json").exists()


def test_storage_url_alone_also_requires_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_config({"DATA_DIR": str(tmp_path), "STORAGE_URL": "s3://bucket/prefix"}, environ={})


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"short").decode()])
def test_bad_encryption_key_is_refused_without_echoing_it(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config({"DATA_DIR": str(tmp_path), "ENCRYPTION_KEY": key}, environ={})
    assert key not in str(info.value)


def test_non_integer_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAPDOCS_MAX_UPLOAD_BYTES"):
        load_config({"DATA_DIR": str(tmp_path), "MAX_UPLOAD_BYTES": "lots"}, environ={})


def test_create_app_reads_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPDOCS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MAPDOCS_MAX_UPLOAD_BYTES", "2048")
    app = create_app({"TESTING": True})
    assert app.config["MAX_UPLOAD_BYTES"] == 2048
    assert app.config["MAX_CONTENT_LENGTH"] > 2048
    assert app.config["TESTING"] is True
    assert Path(app.config["DATA_DIR"]) == tmp_path
    assert (tmp_path / "secrets.json").exists()
