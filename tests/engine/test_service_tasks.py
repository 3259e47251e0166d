"""AWS service integrations against moto in-process: DynamoDB, SQS, aws-sdk, error names."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from engine_support import single
from moto import mock_aws

from eventframework.local.engine import AwsConfig, Engine, VirtualClock
from eventframework.local.engine.service_tasks import to_api_names

TABLE = "Checkpoints"


@pytest.fixture
def aws_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield Engine(clock=VirtualClock(), aws=AwsConfig(region="us-east-1"))


def put_item(condition: bool) -> dict[str, object]:
    parameters: dict[str, object] = {
        "TableName": TABLE,
        "Item": {"pk": {"S": "okta"}, "cursor.$": "$.cursor"},
    }
    if condition:
        parameters["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "Parameters": parameters}


def test_dynamodb_put_then_get_round_trips_with_sdk_metadata(aws_engine: Engine) -> None:
    put = aws_engine.register(single(put_item(False)), name="put")
    assert aws_engine.start(put.arn, {"cursor": {"S": "abc"}}).status == "SUCCEEDED"
    get_state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName": TABLE, "Key": {"pk": {"S": "okta"}}},
    }
    get = aws_engine.register(single(get_state), name="get")
    output = aws_engine.start(get.arn, {}).output
    assert output["Item"] == {"pk": {"S": "okta"}, "cursor": {"S": "abc"}}
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200


def test_dynamodb_conditional_check_failure_has_aws_error_name(aws_engine: Engine) -> None:
    machine = aws_engine.register(single(put_item(True)), name="lease")
    assert aws_engine.start(machine.arn, {"cursor": {"S": "1"}}).status == "SUCCEEDED"
    second = aws_engine.start(machine.arn, {"cursor": {"S": "2"}})
    assert second.error == "DynamoDB.ConditionalCheckFailedException"
    assert "ConditionalCheckFailedException" in (second.cause or "")


def test_aws_sdk_dynamodb_error_uses_pascal_service_prefix(aws_engine: Engine) -> None:
    state = put_item(True) | {"Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem"}
    machine = aws_engine.register(single(state), name="sdk")
    aws_engine.start(machine.arn, {"cursor": {"S": "1"}})
    assert (
        aws_engine.start(machine.arn, {"cursor": {"S": "2"}}).error
        == "DynamoDb.ConditionalCheckFailedException"
    )


def test_sqs_send_message_and_missing_queue_error(aws_engine: Engine) -> None:
    url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="events")["QueueUrl"]
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl.$": "$.queue", "MessageBody.$": "$.body"},
    }
    machine = aws_engine.register(single(state), name="send")
    sent = aws_engine.start(machine.arn, {"queue": url, "body": "hello"})
    assert "MessageId" in sent.output
    missing = aws_engine.start(machine.arn, {"queue": url + "-gone", "body": "x"})
    assert missing.status == "FAILED"
    assert missing.error is not None and missing.error.startswith("SQS.")
    assert missing.error.endswith("Exception")


def test_aws_sdk_s3_put_and_get_object(aws_engine: Engine) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="pages")
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": "pages", "Key": "p1.json", "Body": '{"n":1}'},
                "ResultPath": None,
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "pages", "Key": "p1.json"},
                "ResultSelector": {"body.$": "$.Body"},
                "End": True,
            },
        },
    }
    machine = aws_engine.register(definition, name="s3")
    assert aws_engine.start(machine.arn, {}).output == {"body": '{"n":1}'}


def test_to_api_names_converts_pascal_case_to_model_member_names() -> None:
    client = boto3.client("apigateway", region_name="us-east-1")
    shape = client.meta.service_model.operation_model("GetRestApi").input_shape
    assert to_api_names({"RestApiId": "abc"}, shape) == {"restApiId": "abc"}


def test_service_caller_clients_share_the_default_sessions_models() -> None:
    """Without explicit credentials the engine's clients come from boto3's default session (models
    parsed once per process); explicit credentials keep a session of their own."""
    from eventframework.local.engine.service_tasks import ServiceCaller

    shared = ServiceCaller(AwsConfig(endpoint_url="http://127.0.0.1:9", region="eu-west-1")).client(
        "dynamodb"
    )
    assert boto3.DEFAULT_SESSION is not None
    assert shared._loader is boto3.DEFAULT_SESSION._session.get_component("data_loader")
    assert shared.meta.region_name == "eu-west-1"
    assert shared.meta.endpoint_url == "http://127.0.0.1:9"
    own = ServiceCaller(AwsConfig(region="eu-west-1", access_key_id="AKIDEXAMPLE", secret_access_key="x"))
    assert own.client("dynamodb")._loader is not shared._loader
