"""Starting and stopping: no thread left behind, misuse explained, TLS and the standalone runner."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from eventframework.local.sandbox import Fault, Sandbox, SandboxStateError, UnknownSourceError
from eventframework.local.sandbox.__main__ import main

from .support import OKTA, OKTA_AUTH, TIMEOUT, okta_first


@pytest.fixture
def threads_before() -> Iterator[set[threading.Thread]]:
    yield set(threading.enumerate())


def test_lifecycle_stop_leaves_no_thread_with_open_keepalive_connections(
    threads_before: set[threading.Thread],
) -> None:
    with Sandbox(events={OKTA: 20}, token="sandbox-token") as sandbox, requests.Session() as session:
        assert okta_first(sandbox, session).status_code == 200
        assert len(set(threading.enumerate()) - threads_before) >= 2  # server loop + kept-alive handler
        sandbox.stop()
        assert set(threading.enumerate()) - threads_before == set()


def test_lifecycle_stop_interrupts_a_slow_fault_in_flight(threads_before: set[threading.Thread]) -> None:
    sandbox = Sandbox(events={OKTA: 5}, token="sandbox-token").start()
    sandbox.inject(OKTA, Fault.slow(seconds=10.0))
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{sandbox.base_url}/api/v1/logs", headers=OKTA_AUTH, timeout=(TIMEOUT, 0.05))
    sandbox.stop()
    sandbox.stop()  # idempotent
    assert set(threading.enumerate()) - threads_before == set()


def test_lifecycle_base_url_requires_a_running_sandbox() -> None:
    sandbox = Sandbox(events={OKTA: 1})
    with pytest.raises(SandboxStateError, match="not running"):
        _ = sandbox.base_url
    with pytest.raises(SandboxStateError, match="not running"):
        sandbox.inject(OKTA, Fault.connection_reset())


def test_lifecycle_unknown_source_names_the_known_ones() -> None:
    with pytest.raises(UnknownSourceError, match="okta-system-log") as raised:
        Sandbox(events={"okta": 10})
    assert raised.value.source == "okta"


def test_lifecycle_generated_token_when_none_given() -> None:
    first, second = Sandbox(), Sandbox()
    assert first.token and first.token != second.token


def test_lifecycle_tls_serves_https_with_a_trusted_self_signed_certificate(
    threads_before: set[threading.Thread],
) -> None:
    with Sandbox(events={OKTA: 3}, token="sandbox-token", tls=True) as sandbox:
        assert sandbox.base_url.startswith("https://127.0.0.1:")
        assert sandbox.ca_file is not None
        response = requests.get(
            f"{sandbox.base_url}/api/v1/logs", headers=OKTA_AUTH, verify=str(sandbox.ca_file), timeout=TIMEOUT
        )
        assert response.status_code == 200
        assert len(response.json()) == 3
        ca_file = sandbox.ca_file
    assert not ca_file.exists()
    assert set(threading.enumerate()) - threads_before == set()


def test_lifecycle_standalone_runner_prints_url_and_token_source(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EFW_SANDBOX_TOKEN", "from-env")
    stop, started = threading.Event(), threading.Event()
    runner = threading.Thread(target=main, args=(["--events", "7"], stop, started))
    runner.start()
    try:
        assert started.wait(TIMEOUT)
        out = capsys.readouterr().out
        url = out.split("serving at ")[1].split()[0]
        response = requests.get(
            f"{url}/api/v1/logs", headers={"Authorization": "SSWS from-env"}, timeout=TIMEOUT
        )
        assert len(response.json()) == 7
    finally:
        stop.set()
        runner.join(timeout=TIMEOUT)
    assert not runner.is_alive()
    assert "token: from EFW_SANDBOX_TOKEN" in out
    assert "okta-system-log: 7 events" in out
    assert "from-env" not in out
