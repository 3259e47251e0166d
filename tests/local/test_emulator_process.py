"""The emulator process of a local run: it serves boto3, it ends with its run however the run ends,
and a child that cannot start is reported in words, not as a hang."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable

import boto3
import pytest
from tests.support.processes import gone

from eventframework.local.emulator import process
from eventframework.local.emulator.environment import emulator_environment, patched_environment
from eventframework.local.emulator.process import EmulatorProcess, EmulatorStartError


def test_the_emulator_process_serves_boto3_and_its_first_calls_find_each_service_ready() -> None:
    with EmulatorProcess() as emulator, patched_environment(emulator.environment()):
        assert emulator.endpoint_url.startswith("http://127.0.0.1:")
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.put_item(TableName="t", Item={"pk": {"S": "a"}})
        assert dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
        boto3.client("s3").create_bucket(Bucket="pages")
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["pages"]


def test_a_prestarted_emulator_is_taken_by_the_first_deployment_only() -> None:
    process.prestart()
    prestarted = process._waiting["us-east-1"]
    with EmulatorProcess() as first, EmulatorProcess() as second:
        assert first.endpoint_url != second.endpoint_url
    assert "us-east-1" not in process._waiting
    assert prestarted.wait(10) == 0  # taken by the first, and stopped with it


def test_the_emulator_survives_a_ctrl_c_to_the_process_group_and_ends_when_its_run_is_killed(
    tmp_path: object,
) -> None:
    """SIGINT reaches the whole foreground group: the run stops at a step boundary and still needs
    the emulator to save; a SIGKILLed run closes the pipe, and the emulator must not outlive it."""
    parent = textwrap.dedent(
        """
        import sys, time
        from eventframework.local.emulator.process import EmulatorProcess
        emulator = EmulatorProcess().start()
        print(emulator._child.pid, emulator.endpoint_url, flush=True)
        time.sleep(120)
        """
    )
    run = subprocess.Popen(
        [sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert run.stdout is not None
        pid_text, endpoint = run.stdout.readline().split()
        child = int(pid_text)
        os.kill(child, signal.SIGINT)
        os.kill(child, signal.SIGTERM)
        with patched_environment(emulator_environment(endpoint, "us-east-1")):
            boto3.client("s3").list_buckets()  # still serving after both signals
        run.kill()
        run.wait(10)
        assert gone(child, within=10), "the emulator outlived its killed run"
    finally:
        if run.poll() is None:
            run.kill()


def _child_running(code: str) -> Callable[[str], subprocess.Popen[bytes]]:
    """A stand-in for the emulator's spawn: a process that runs ``code`` instead of the server."""

    def spawn(region: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    return spawn


def test_a_child_that_cannot_start_is_reported_with_what_it_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "_spawn", _child_running("print('error: OSError: no free port')"))
    with pytest.raises(EmulatorStartError, match=r"could not start \(error: OSError: no free port\)"):
        EmulatorProcess(region="eu-west-1").start()


def test_a_child_that_says_nothing_is_reported_within_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "_spawn", _child_running("import time; time.sleep(30)"))
    monkeypatch.setattr(process, "STARTUP_SECONDS", 0.5)
    with pytest.raises(EmulatorStartError, match=r"did not start within 0\.5 s"):
        EmulatorProcess(region="eu-west-1").start()
