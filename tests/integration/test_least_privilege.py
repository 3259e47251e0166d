"""Each function's role grants exactly the AWS actions its code calls: no grant beyond, none missing.

The needed actions are derived, not listed: the real Lambda handlers run on moto through scenarios
that reach every AWS call of their code (a pull with a rate limit, dead letters and an oversized
one; a reprocess that republishes, reads a body from S3 and keeps what still fails; signed webhook
deliveries, valid, invalid and repeated; GuardDuty findings, new and redelivered), and each boto3
call is recorded as its IAM action under the handler that made it (tests/support/recorded_calls.py).
The granted actions are read from the roles of the translated template. The Step Functions side
(the state machines' own service integrations) is compared the same way with the ASL's resources.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from eventframework.handlers import (
    begin_run,
    cold_start,
    eventbridge,
    fetch_page,
    process_page,
    reprocess_batch,
    webhook,
)
from eventframework.local.sandbox import Fault, FaultKind, Sandbox
from eventframework.local.serve.webhook_server import proxy_event
from eventframework.state import PageStore, StateStoreError

from ..template.conftest import template, translated

__all__ = ["template", "translated"]  # tests/template's offline SAM translation, shared
from tests.support.asl_writes import release_lease, save_checkpoint
from tests.support.aws import AwsResources
from tests.support.lambda_context import lambda_context
from tests.support.recorded_calls import recording
from tests.unit.eventbridge.guardduty_world import finding
from tests.unit.webhooks.webhook_world import fixture_bytes, github_headers

REPO = Path(__file__).resolve().parents[2]
OKTA = "okta-system-log"
HANDLERS = {
    "BeginRunFunction": begin_run,
    "FetchPageFunction": fetch_page,
    "ProcessPageFunction": process_page,
    "ReprocessBatchFunction": reprocess_batch,
    "WebhookFunction": webhook,
    "GuardDutyFunction": eventbridge,
}
WEBHOOK_SECRET = "least-privilege-webhook-secret"
# Grants no call makes but a call's answer depends on: without s3:ListBucket, S3 answers a GetObject
# of a missing dead-letter body with AccessDenied instead of NoSuchKey, and the reprocess run could
# not tell "gone" from "not allowed". (The managed policies SAM attaches, for logs and X-Ray, are
# not read here: they are the Lambda runtime's, not our code's.)
AUTHORISES_AN_ANSWER = {"ReprocessBatchFunction": {("s3:ListBucket", "PageBucket/*")}}


def _invoke(function: str, event: dict[str, Any]) -> Any:
    return HANDLERS[function].lambda_handler(event, lambda_context(function))


@pytest.fixture
def definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of sources/ and schemas/ the scenario may break and mend, as an operator would."""
    for folder in ("sources", "schemas"):
        shutil.copytree(REPO / folder, tmp_path / folder)
        monkeypatch.setenv(f"EFW_{folder.upper()}_DIR", str(tmp_path / folder))
    okta = tmp_path / "sources" / f"{OKTA}.yaml"
    okta.write_text(okta.read_text().replace("page_size: 1000", "page_size: 100"))  # three pages
    return tmp_path / "schemas" / "sources" / f"{OKTA}.schema.json"


@pytest.fixture
def recorded(
    pipeline: AwsResources, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, set[tuple[str, str]]]]:
    for variable in ("EFW_SECRET_OKTA_SYSTEM_LOG", "EFW_SECRET_GITHUB_WEBHOOK"):
        monkeypatch.delenv(variable, raising=False)
    cold_start()  # no secret or client cached by an earlier test
    with Sandbox(events={OKTA: 300}, seed=5, token="okta-token") as sandbox, recording(HANDLERS) as calls:
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(
            Name=f"efw/{OKTA}", SecretString=json.dumps({"base_url": sandbox.base_url, "token": "okta-token"})
        )
        secrets.create_secret(
            Name="efw/github-webhook", SecretString=json.dumps({"webhook_secret": WEBHOOK_SECRET})
        )
        original = definitions.read_text()
        schema = json.loads(original)
        schema["required"] = [*schema.get("required", []), "fieldNoEventHas"]
        definitions.write_text(json.dumps(schema))
        _pull(pipeline, sandbox, definitions, original)
        _reprocess()
        _backfill()
        _push(pipeline)
        yield calls


def _write_schema(schema: Path, text: str) -> None:
    """A schema change as a deploy makes it: the definition is loaded afresh (its file's time moves
    on), so no validator compiled from the previous schema is reused."""
    schema.write_text(text)
    definition = schema.parents[2] / "sources" / f"{OKTA}.yaml"
    stamp = definition.stat().st_mtime_ns + 1_000_000
    os.utime(definition, ns=(stamp, stamp))


def _pull(aws: AwsResources, sandbox: Sandbox, schema: Path, mended: str) -> None:
    """The pull state machine's loop by hand: a rate limit first, the first page dead-lettered by a
    broken schema, the rest published, and two oversized events (their raw bodies go to S3): one a
    mended schema lets through, one nothing mends."""
    broken = schema.read_text()
    sandbox.inject(OKTA, Fault(FaultKind.HTTP_STATUS, status=429, retry_after=1))
    begun = _invoke("BeginRunFunction", {"input": {"source": OKTA}, "execution": "run-1"})
    owner, cursor, number = begun["lease"]["owner"], begun["cursor"], 0
    step = {"source": OKTA, "execution": "run-1", "lease_owner": owner}
    assert _invoke("FetchPageFunction", {**step, "cursor": cursor, "page_number": 1}).get("rate_limited")
    while True:
        number += 1
        page = _invoke("FetchPageFunction", {**step, "cursor": cursor, "page_number": number})["page"]
        _invoke("ProcessPageFunction", {**step, "run_id": "arn:run-1", "page": page})
        if number == 1:  # the schema is mended after the first page: the rest is published
            _write_schema(schema, mended)
        save_checkpoint(
            aws.dynamodb,
            aws.state_table,
            OKTA,
            page["next_cursor"],
            owner=owner,
            run_id="arn:run-1",
            expires_at=begun["lease"]["expires_at"],
        )
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    # Over DynamoDB's item size: their raw bodies go to S3. The broken schema (again) rejects the
    # first; the second has a time no schema fix mends.
    event = sandbox.events(OKTA)[0]
    mendable = {**event, "uuid": "huge-1", "displayMessage": "x" * 400_000}
    hopeless = {**event, "uuid": "huge-2", "published": "never", "displayMessage": "x" * 400_000}
    _write_schema(schema, broken)
    body = json.dumps([mendable, hopeless]).encode()
    ref = PageStore(aws.page_bucket, aws.s3).put(OKTA, "run-1", number + 1, body)
    page_ref = {"bucket": ref.bucket, "key": ref.key}
    _invoke("ProcessPageFunction", {**step, "run_id": "arn:run-1", "page": page_ref})
    _write_schema(schema, mended)
    release_lease(aws.dynamodb, aws.state_table, OKTA, owner=owner)


def _reprocess() -> None:
    """Schema mended: every dead letter republished but the oversized one, which still fails."""
    event: dict[str, Any] = {"input": {"source": OKTA}, "run_id": "arn:reprocess-1"}
    while True:
        result = _invoke("ReprocessBatchFunction", event)
        if not result["has_more"]:
            break
        event = {**event, "position": result["position"], "totals": result["totals"]}
    totals = result["totals"]
    assert (totals["published"], totals["still_failing"]) == (101, 1), totals  # page 1 and huge-1; huge-2


def _backfill() -> None:
    """A backfill's BeginRun reads the live record before it takes a lease of its own."""
    run_input = {
        "source": OKTA,
        "backfill": {"since": "2026-11-01T00:00:00Z", "until": "2026-11-02T00:00:00Z"},
    }
    assert _invoke("BeginRunFunction", {"input": run_input, "execution": "fill-1"})["acquired"]


def _github(delivery: str, payload: bytes) -> int:
    headers = github_headers(WEBHOOK_SECRET, payload, delivery)
    event = proxy_event(
        "POST",
        "/webhooks/github-webhook",
        headers.items(),
        payload,
        now=1_700_000_000.0,
        source_ip="127.0.0.1",
    )
    status: int = _invoke("WebhookFunction", event)["statusCode"]
    return status


def _push(aws: AwsResources) -> None:
    """Signed webhook deliveries (published, repeated, invalid, invalid and oversized) and GuardDuty
    findings (new, redelivered, invalid); then one of each while the stores are gone, so the
    delivery claim is given back for the vendor's retry."""
    body = fixture_bytes("github-webhook", "push.json")
    invalid = json.dumps({"action": "created", "sender": "octocat"}).encode()
    oversized = json.dumps({"action": "created", "sender": "octocat", "pad": "x" * 400_000}).encode()
    statuses = [
        _github("d-1", body),
        _github("d-1", body),
        _github("d-2", invalid),
        _github("d-3", oversized),
    ]
    assert statuses == [202, 200, 202, 202]  # published, a repeated delivery, dead-lettered twice
    for name in ("ssh-brute-force", "ssh-brute-force"):
        _invoke("GuardDutyFunction", finding(name))
    invalid_finding = finding("port-probe")
    invalid_finding["detail"]["severity"] = "not a number"
    _invoke("GuardDutyFunction", invalid_finding)
    # Neither MozDef's queue nor the dead-letter table answers: the work fails, the claim goes back.
    aws.sqs.delete_queue(QueueUrl=aws.queue_url)
    aws.dynamodb.delete_table(TableName=aws.deadletter_table)
    with pytest.raises(StateStoreError):
        _invoke("GuardDutyFunction", finding("credential-exfiltration"))
    assert _github("d-4", body.replace(b'"ref"', b'"ref" ', 1)) == 503


Grant = tuple[str, str]  # (action, the store it is on: a table, bucket/prefix, the queue, secrets)


def _store_of(aws: AwsResources, resource: str) -> str:
    """The store a recorded call named, as the template names it."""
    stores = {
        aws.state_table: "StateTable",
        aws.deadletter_table: "DeadLetterTable",
        aws.queue_url: "MozDefEventsQueue",
    }
    if resource in stores:
        return stores[resource]
    if resource.startswith(f"{aws.page_bucket}/"):
        return f"PageBucket/{resource.split('/', 1)[1]}"
    return "secrets" if resource.startswith("efw/") else resource


def _stores_granted(resource: Any) -> set[str]:
    """The stores a statement's Resource names (SAM policy templates and our own statements alike)."""
    text = json.dumps(resource)
    stores = {name for name in ("StateTable", "DeadLetterTable") if name in text}
    if "PageBucket" in text:
        prefixes = re.findall(r"PageBucket\.Arn\}/([a-z]+)/\*", text)
        stores |= {f"PageBucket/{prefix}" for prefix in prefixes} or {"PageBucket/*"}
    if "MozDefEventsQueue" in text:
        stores.add("MozDefEventsQueue")
    if "secretsmanager" in text:
        stores.add("secrets")
    return stores


def _granted(translated: dict[str, Any], function: str) -> set[Grant]:
    resources = translated["Resources"]
    role = resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    granted: set[Grant] = set()
    for policy in resources[role]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            for action in [actions] if isinstance(actions, str) else actions:
                granted |= {(action, store) for store in _stores_granted(statement["Resource"])}
    return granted


def test_least_privilege_function_roles_grant_exactly_what_their_code_calls(
    recorded: dict[str, set[tuple[str, str]]], translated: dict[str, Any], pipeline: AwsResources
) -> None:
    problems = []
    for function in sorted(HANDLERS):
        needed = {(action, _store_of(pipeline, resource)) for action, resource in recorded[function]}
        granted = _granted(translated, function) - AUTHORISES_AN_ANSWER.get(function, set())
        if not needed:
            problems.append(f"the scenarios never ran {function}")
        if needed - granted:
            problems.append(f"{function} calls but may not: {sorted(needed - granted)}")
        if granted - needed:
            problems.append(f"{function} may but never calls: {sorted(granted - needed)}")
    assert not problems, "\n".join(problems)
