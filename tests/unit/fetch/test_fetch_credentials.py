"""Loading a source's secret: the env override for local runs, Secrets Manager through Powertools."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from eventframework.fetch import CredentialsError, load_credentials, secret_name


def test_load_credentials_env_override_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "EFW_SECRET_OKTA_SYSTEM_LOG", json.dumps({"base_url": "https://acme.okta.com", "token": "t"})
    )
    assert load_credentials("okta-system-log") == {"base_url": "https://acme.okta.com", "token": "t"}


def test_load_credentials_env_override_invalid_json_hides_content(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EFW_SECRET_OKTA_SYSTEM_LOG", "{token: sekrit")
    with pytest.raises(CredentialsError) as caught:
        load_credentials("okta-system-log")
    assert "EFW_SECRET_OKTA_SYSTEM_LOG" in str(caught.value)
    assert "sekrit" not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('{"token": "sekrit", "n": 1' + "0" * 5000 + "}", "is not valid JSON"),
        ('{"token": "sekrit", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "characters; a secret holds"),
        ('{"token": "sekrit", "x": ' + "[" * 3000 + "]" * 3000 + "}", "is not valid JSON"),
    ],
    ids=["huge-number", "oversized", "too-deep"],
)
def test_load_credentials_hostile_override_is_a_named_error_without_the_value(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("EFW_SECRET_OKTA_SYSTEM_LOG", value)
    with pytest.raises(CredentialsError, match=problem) as caught:
        load_credentials("okta-system-log")
    assert "EFW_SECRET_OKTA_SYSTEM_LOG" in str(caught.value) and "sekrit" not in str(caught.value)


def test_secret_name_uses_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    assert secret_name("okta-system-log") == "efw/okta-system-log"
    monkeypatch.setenv("EFW_SECRET_PREFIX", "prod/efw/")
    assert secret_name("okta-system-log") == "prod/efw/okta-system-log"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("EFW_SECRET_PREFIX", "unit-creds/")
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_load_credentials_reads_secrets_manager(aws) -> None:
    aws.create_secret(
        Name="unit-creds/acme-one", SecretString=json.dumps({"base_url": "https://a", "token": "x"})
    )
    assert load_credentials("acme-one") == {"base_url": "https://a", "token": "x"}


def test_load_credentials_missing_secret_names_it(aws) -> None:
    with pytest.raises(CredentialsError) as caught:
        load_credentials("acme-missing")
    assert "unit-creds/acme-missing" in str(caught.value)


def test_load_credentials_non_object_secret_is_refused(aws) -> None:
    aws.create_secret(Name="unit-creds/acme-list", SecretString="[1, 2]")
    with pytest.raises(CredentialsError, match="must be a JSON object"):
        load_credentials("acme-list")


def test_load_credentials_keeps_one_provider_until_forgotten(aws) -> None:
    from eventframework.fetch import credentials

    aws.create_secret(Name="unit-creds/acme-kept", SecretString=json.dumps({"token": "x"}))
    credentials.forget_secrets()
    assert load_credentials("acme-kept") == {"token": "x"}
    kept = credentials._secrets()
    aws.put_secret_value(SecretId="unit-creds/acme-kept", SecretString=json.dumps({"token": "y"}))
    assert load_credentials("acme-kept") == {"token": "x"}, "a warm container reads its cached secret"
    assert credentials._secrets() is kept
    credentials.forget_secrets()
    assert load_credentials("acme-kept") == {"token": "y"}, "a cold start reads it again"
    assert credentials._secrets() is not kept


def test_container_session_is_boto3s_default_session_made_once() -> None:
    from eventframework.state.aws import container_session

    first = container_session()
    assert first is boto3.DEFAULT_SESSION
    assert container_session() is first
