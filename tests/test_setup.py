"""The set-up script behind the README's two commands, and CI's .ci/run.

These run the real scripts in a throw-away copy of the repository whose venv is a
stand-in: its ``python`` and ``mapdocs`` only record how they were called. That
checks the decisions that make a second run quick (pip only when pyproject.toml, the
extras or the interpreter changed) and that CI fails when pytest ran no test, without
touching the network or the real venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [ROOT / ".ci" / "setup", ROOT / ".ci" / "run"]

FAKE_PYTHON = """#!/usr/bin/env bash
# Stand-in interpreter: answers the set-up script's version probe, logs everything else.
if [[ "$1" == "-c" ]]; then
  [[ "$2" == *sys.version* ]] && echo "${FAKE_PYTHON_VERSION:-3.11.99 (fake)}"
  exit 0
fi
echo "python $*" >> "${CALLS_LOG}"
"""

FAKE_MAPDOCS = """#!/usr/bin/env bash
echo "mapdocs $*" >> "${CALLS_LOG}"
"""


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_parses(script: Path) -> None:
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_is_shellcheck_clean(script: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    done = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def fake_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy2(ROOT / ".ci" / "setup", repo / ".ci" / "setup")
    shutil.copy2(ROOT / ".ci" / "run", repo / ".ci" / "run")
    (repo / "pyproject.toml").write_text('[project]\nname = "fake"\ndependencies = ["a"]\n')
    _executable(repo / ".venv" / "bin" / "python", FAKE_PYTHON)
    _executable(repo / ".venv" / "bin" / "mapdocs", FAKE_MAPDOCS)
    return repo


def _setup(repo: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = repo / "calls.log"
    log.unlink(missing_ok=True)
    environ = {**os.environ, "CALLS_LOG": str(log), "MAPDOCS_SETUP_SYSTEM_DONE": "1", **env}
    environ.pop("SUDO_USER", None)
    done = subprocess.run(["bash", str(repo / ".ci" / "setup"), *args], cwd=repo, env=environ,
                          capture_output=True, text=True, timeout=60, check=False)
    calls = log.read_text().splitlines() if log.exists() else []
    return done, calls


def _pip_calls(calls: list[str]) -> list[str]:
    return [call for call in calls if " pip install " in call]


def test_first_run_installs_then_second_run_skips_pip(fake_repo: Path) -> None:
    done, calls = _setup(fake_repo, "test", "-k", "smoke")
    assert done.returncode == 0, done.stderr
    assert _pip_calls(calls) == ["python -m pip install --quiet --disable-pip-version-check -e .[test]"]
    assert calls[-1] == "python -m pytest -k smoke"

    done, calls = _setup(fake_repo, "test", "-x")
    assert done.returncode == 0, done.stderr
    assert _pip_calls(calls) == []
    assert calls == ["python -m pytest -x"]


def test_changed_pyproject_or_interpreter_reinstalls(fake_repo: Path) -> None:
    _setup(fake_repo, "test")
    with (fake_repo / "pyproject.toml").open("a") as out:
        out.write("# a new dependency would go here\n")
    _, calls = _setup(fake_repo, "test")
    assert len(_pip_calls(calls)) == 1

    _, calls = _setup(fake_repo, "test", FAKE_PYTHON_VERSION="3.11.100 (fake)")
    assert len(_pip_calls(calls)) == 1


def test_serve_reuses_a_test_install_and_migrates_first(fake_repo: Path) -> None:
    _setup(fake_repo, "test")
    done, calls = _setup(fake_repo, "serve", "--port", "8123")
    assert done.returncode == 0, done.stderr
    assert calls == ["mapdocs db upgrade", "mapdocs serve --port 8123"]


def test_serve_alone_installs_without_test_extras_and_test_then_adds_them(fake_repo: Path) -> None:
    _, calls = _setup(fake_repo, "serve")
    assert _pip_calls(calls) == ["python -m pip install --quiet --disable-pip-version-check -e ."]
    _, calls = _setup(fake_repo, "test")
    assert _pip_calls(calls) == ["python -m pip install --quiet --disable-pip-version-check -e .[test]"]


def test_status_reports_a_stale_venv(fake_repo: Path) -> None:
    done, _ = _setup(fake_repo, "status")
    assert "python packages: to install" in done.stdout
    assert done.returncode == 1
    _setup(fake_repo, "test")
    done, _ = _setup(fake_repo, "status")
    assert "python packages: up to date (test)" in done.stdout


def test_unknown_mode_is_a_usage_error(fake_repo: Path) -> None:
    done, calls = _setup(fake_repo, "deploy")
    assert done.returncode == 2
    assert calls == []


def _ci_run(repo: Path, pytest_exit: int, summary: str) -> subprocess.CompletedProcess[str]:
    """Run .ci/run with a stand-in setup that prints ``summary`` and exits ``pytest_exit``."""
    _executable(repo / ".ci" / "setup", f"#!/usr/bin/env bash\necho '{summary}'\nexit {pytest_exit}\n")
    return subprocess.run(["bash", str(repo / ".ci" / "run")], cwd=repo, capture_output=True, text=True,
                          timeout=300, check=False)


def test_ci_run_fails_when_pytest_ran_no_test(fake_repo: Path) -> None:
    done = _ci_run(fake_repo, 5, "============ no tests ran in 0.01s ============")
    assert done.returncode == 1
    assert "no tests were collected or run" in done.stderr


def test_ci_run_passes_pytest_status_through_and_ends_on_its_summary(fake_repo: Path) -> None:
    summary = "============ 3 passed, 1 skipped in 0.10s ============"
    done = _ci_run(fake_repo, 0, summary)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == summary

    failed = "============ 1 failed, 2 passed in 0.10s ============"
    assert _ci_run(fake_repo, 1, failed).returncode == 1


@pytest.mark.parametrize(("mode", "expected"), [("serve", False), ("test", True)])
def test_only_the_test_command_installs_the_test_tools(fake_repo: Path, mode: str, expected: bool) -> None:
    """shellcheck (for the script tests) comes with the test command, never with serve."""
    tools = fake_repo / "fake-bin"
    _executable(tools / "dpkg-query", "#!/usr/bin/env bash\nprintf 'not-installed'\n")
    _executable(tools / "apt-get", '#!/usr/bin/env bash\necho "apt-get $*" >> "${CALLS_LOG}"\n')
    _executable(tools / "sudo", '#!/usr/bin/env bash\n"$@"\n')
    done, calls = _setup(fake_repo, mode, MAPDOCS_SETUP_SYSTEM_DONE="",
                         PATH=f"{tools}{os.pathsep}{os.environ['PATH']}")
    assert done.returncode == 0, done.stderr
    installs = [call for call in calls if call.startswith("apt-get") and " install " in call]
    assert len(installs) == 1 and "tesseract-ocr" in installs[0]
    assert ("shellcheck" in installs[0]) is expected
