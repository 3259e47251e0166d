"""The embedded emulator: a real moto server on loopback, provisioning from a template, snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from eventframework.local.emulator.environment import patched_environment
from eventframework.local.emulator.provision import Provisioner
from eventframework.local.emulator.server import EmulatorServer
from eventframework.local.emulator.snapshot import load_table, save_table
from eventframework.local.template.cfn import load_template

TEMPLATE = """
Globals:
  Function:
    Environment:
      Variables:
        QUEUE_URL: !Ref EventsQueue
        TABLE: !Ref StateTable
        BUCKET: !Ref PageBucket
Resources:
  EventsQueue: {Type: AWS::SQS::Queue}
  StateTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: source, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
      AttributeDefinitions:
        - {AttributeName: source, AttributeType: S}
        - {AttributeName: sk, AttributeType: S}
  PageBucket: {Type: AWS::S3::Bucket}
  Worker: {Type: AWS::Serverless::Function}
"""


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server, patched_environment(server.environment()):
        yield server


def _provision(tmp_path: Path, stack_name: str = "efw-test") -> Provisioner:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    provisioner = Provisioner(load_template(path), region="us-east-1", stack_name=stack_name)
    provisioner.provision()
    return provisioner


def test_emulator_serves_boto3_over_loopback_http(emulator: EmulatorServer) -> None:
    assert emulator.endpoint_url.startswith("http://127.0.0.1:")
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="ping")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="pong")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "pong"


def test_provisioner_creates_tables_names_the_other_stores_and_resolves_environment(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    """Tables live in the emulator; the queue and the bucket are answered for by a local deployment
    (a file, a directory), so they are named and addressed as AWS would and not created."""
    provisioner = _provision(tmp_path)
    env = provisioner.function_environment()
    assert env["TABLE"] == "efw-test-statetable"
    assert env["BUCKET"] == "efw-test-pagebucket"
    assert env["QUEUE_URL"] == "https://sqs.us-east-1.amazonaws.com/123456789012/efw-test-eventsqueue"
    assert boto3.client("dynamodb").describe_table(TableName=env["TABLE"])["Table"]["TableStatus"]
    assert provisioner.lookup("PageBucket", "Arn") == "arn:aws:s3:::efw-test-pagebucket"
    assert (
        provisioner.lookup("EventsQueue", "Arn") == "arn:aws:sqs:us-east-1:123456789012:efw-test-eventsqueue"
    )
    assert boto3.client("s3").list_buckets()["Buckets"] == []
    assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []
    assert provisioner.lookup("Worker", "Arn").endswith(":function:Worker")
    assert provisioner.tables_by_logical_id() == {"StateTable": "efw-test-statetable"}


def test_snapshot_round_trips_items_exactly(emulator: EmulatorServer, tmp_path: Path) -> None:
    table = _provision(tmp_path).tables_by_logical_id()["StateTable"]
    dynamodb = boto3.client("dynamodb")
    items = [
        {"source": {"S": "okta"}, "sk": {"S": f"k{i}"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\x01"}}
        for i in range(30)
    ]
    for item in items:
        dynamodb.put_item(TableName=table, Item=item)  # type: ignore[arg-type]
    path = tmp_path / "state" / "StateTable.jsonl"
    assert save_table(dynamodb, table, path) == 30
    dynamodb.delete_table(TableName=table)
    table = _provision(tmp_path, "efw-again").tables_by_logical_id()["StateTable"]
    assert load_table(dynamodb, table, path) == 30
    restored = dynamodb.scan(TableName=table)["Items"]
    assert sorted(restored, key=lambda item: item["sk"]["S"]) == sorted(items, key=lambda i: i["sk"]["S"])


def test_snapshot_load_of_a_missing_file_is_a_first_run(emulator: EmulatorServer, tmp_path: Path) -> None:
    table = _provision(tmp_path).tables_by_logical_id()["StateTable"]
    assert load_table(boto3.client("dynamodb"), table, tmp_path / "none.jsonl") == 0
