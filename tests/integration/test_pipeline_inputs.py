"""Step input parsing and configuration errors: actionable messages naming the key or variable."""

from __future__ import annotations

import pytest

from eventframework.pipeline import (
    BeginRequest,
    ConfigurationError,
    FetchRequest,
    ProcessRequest,
    RunRequestError,
    Settings,
)
from eventframework.pipeline.fetching import MAX_WAIT_SECONDS, whole_seconds


def test_begin_request_reads_state_machine_payload_and_handover() -> None:
    lease = {"owner": "exec-0", "expires_at": 1}
    event = {"input": {"source": "okta", "lease": lease}, "execution": "exec-1"}
    assert BeginRequest.from_event(event) == BeginRequest("okta", "exec-1", handed_over_from="exec-0")


def test_begin_request_missing_source_names_key_and_fix() -> None:
    with pytest.raises(RunRequestError, match=r"BeginRun: input key 'source' must be a non-empty string"):
        BeginRequest.from_event({"input": {}, "execution": "exec-1"})


def test_fetch_request_rejects_non_integer_page_number() -> None:
    with pytest.raises(RunRequestError, match="'page_number' must be an integer") as caught:
        FetchRequest.from_event({"source": "okta", "execution": "e", "cursor": None, "page_number": "2"})
    assert (caught.value.step, caught.value.key) == ("FetchPage", "page_number")


def test_process_request_defaults_run_id_to_execution() -> None:
    page = {"bucket": "b", "key": "k"}
    request = ProcessRequest.from_event({"source": "s", "execution": "e", "page": page})
    assert request.run_id == "e" and request.page.key == "k"


def test_settings_missing_variable_names_it() -> None:
    environ = {"EFW_STATE_TABLE": "t", "EFW_DEADLETTER_TABLE": "d", "EFW_PAGE_BUCKET": "b"}
    with pytest.raises(ConfigurationError, match="EFW_QUEUE_URL is not set") as caught:
        Settings.from_env(environ)
    assert caught.value.variable == "EFW_QUEUE_URL"


@pytest.mark.parametrize(
    ("wait", "expected"), [(None, 0), (0.0, 0), (0.2, 1), (7.0, 7), (7.01, 8), (86_400.0, MAX_WAIT_SECONDS)]
)
def test_whole_seconds_rounds_up_and_caps(wait: float | None, expected: int) -> None:
    assert whole_seconds(wait) == expected


def test_services_build_clients_share_the_container_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """One loader per process: each service model and the endpoint data are parsed once, not per build."""
    from eventframework.pipeline import Services
    from eventframework.state.aws import container_session

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings = Settings("t", "d", "b", "https://sqs.us-east-1.amazonaws.com/123456789012/q")
    loader = container_session()._session.get_component("data_loader")
    services = Services.build(settings)
    clients = (services.dynamodb, services.pages._client, services.publisher._client)
    assert all(client._loader is loader for client in clients)
