"""The emulator's moto thread: moto's module list cached, every service the pipeline uses answered."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import boto3
import pytest
from moto import backends

from eventframework.local.emulator.environment import patched_environment
from eventframework.local.emulator.moto_thread import (
    PromptMotoServer,
    cache_moto_module_list,
    moto_server,
)
from eventframework.local.emulator.server import EmulatorServer


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server, patched_environment(server.environment()):
        yield server


def test_cache_moto_module_list_keeps_motos_names() -> None:
    cache_moto_module_list()
    names = tuple(backends.list_of_moto_modules())
    assert {"s3", "dynamodb", "sqs", "secretsmanager"} <= set(names)
    assert names == tuple(sorted(names))
    # Cached: the same tuple object each call, no directory listing.
    assert backends.list_of_moto_modules() is backends.list_of_moto_modules()


def test_cache_moto_module_list_is_idempotent() -> None:
    assert cache_moto_module_list()
    cached = backends.list_of_moto_modules
    assert cache_moto_module_list()
    assert backends.list_of_moto_modules is cached


def test_cache_moto_module_list_does_nothing_without_motos_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(backends, "list_of_moto_modules")
    assert cache_moto_module_list() is False
    assert not hasattr(backends, "list_of_moto_modules")


def test_moto_server_is_the_prompt_server() -> None:
    assert isinstance(moto_server(), PromptMotoServer)


def test_prompt_moto_server_stop_frees_its_port() -> None:
    server = moto_server()
    server.start()
    host, port = server.get_host_and_port()
    server.stop()
    with socket.socket() as probe:
        probe.bind((host, port))
    with pytest.raises(RuntimeError, match="not running"):
        server.get_host_and_port()


def test_emulator_answers_every_service_of_the_pipeline(emulator: EmulatorServer) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="pages")
    s3.put_object(Bucket="pages", Key="p/1.json", Body=b"[]")
    assert s3.get_object(Bucket="pages", Key="p/1.json")["Body"].read() == b"[]"

    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="state",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    dynamodb.put_item(TableName="state", Item={"pk": {"S": "okta"}, "n": {"N": "1"}})
    item = dynamodb.get_item(TableName="state", Key={"pk": {"S": "okta"}})["Item"]
    assert item["n"] == {"N": "1"}

    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "0", "MessageBody": "{}"}])
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "{}"

    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name="okta", SecretString=json.dumps({"token": "t"}))
    assert json.loads(secrets.get_secret_value(SecretId="okta")["SecretString"]) == {"token": "t"}
