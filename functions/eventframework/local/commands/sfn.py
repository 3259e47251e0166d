"""`efw sfn run` and `efw sfn validate`: the local Step Functions engine from the command line.

DEFINITION is an `.asl.json` file or `template.yaml#LogicalId` (a SAM state machine, with its
functions bound to their handlers). `--lambda ARN=module:function` binds extra Lambda ARNs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from eventframework.errors import EventFrameworkError
from eventframework.local.engine import Engine, SystemClock, VirtualClock, validate_definition
from eventframework.local.engine.engine import StateMachine
from eventframework.local.engine.from_template import load_state_machine
from eventframework.local.engine.lambdas import LambdaHandler
from eventframework.local.engine.service_tasks import AwsConfig


class CommandError(EventFrameworkError):
    """A command-line argument the sfn commands cannot use; says which and how to fix it."""


def register(subparsers: Any) -> None:
    sfn = subparsers.add_parser("sfn", help="run or validate a state machine on the local engine")
    commands = sfn.add_subparsers(dest="sfn_command", required=True, metavar="SUBCOMMAND")

    run = commands.add_parser("run", help="run a state machine to completion and print the result")
    run.add_argument("definition", help="an .asl.json file or template.yaml#LogicalId")
    run.add_argument("--input", default="{}", help="execution input as JSON text (default {})")
    run.add_argument("--history", action="store_true", help="also print the execution history")
    run.add_argument(
        "--lambda",
        dest="lambdas",
        action="append",
        default=[],
        metavar="ARN=module:function",
        help="bind a Lambda ARN to a Python callable (repeatable)",
    )
    run.add_argument("--endpoint-url", help="AWS endpoint for service integrations (e.g. an emulator)")
    run.add_argument("--region", default="us-east-1")
    run.add_argument("--real-time", action="store_true", help="really sleep in Wait states and back-off")
    run.add_argument(
        "--context",
        metavar="JSON",
        help='the execution\'s own context, as a recorded one had it: {"Execution": {"Name": ..., '
        '"RoleArn": ..., "StartTime": "2024-05-01T12:00:00.000Z"}} (any of the three)',
    )
    run.set_defaults(func=run_command)

    validate = commands.add_parser("validate", help="check a state machine definition statically")
    validate.add_argument("definition", help="an .asl.json file or template.yaml#LogicalId")
    validate.set_defaults(func=validate_command)


def parse_binding(text: str) -> tuple[str, LambdaHandler]:
    """`ARN=package.module:function` -> (ARN, the imported callable)."""
    arn, sep, target = text.rpartition("=")
    module_name, colon, function_name = target.partition(":")
    if not sep or not colon or not arn:
        raise CommandError(f"--lambda {text!r}: expected ARN=module:function")
    try:
        handler: LambdaHandler = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise CommandError(f"--lambda {text!r}: cannot import {target}: {error}") from None
    return arn, handler


@dataclass(frozen=True)
class ExecutionContext:
    """What `--context` may set of `$$.Execution`: a replayed recording's own values."""

    name: str | None = None
    role_arn: str | None = None
    start_time: datetime | None = None


CONTEXT_KEYS = {"Name", "RoleArn", "StartTime"}


def parse_context(text: str | None) -> ExecutionContext:
    """`--context` JSON -> ExecutionContext; anything else it holds is named with what is allowed."""
    if not text:
        return ExecutionContext()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"--context is not valid JSON: {error}") from None
    execution = raw.get("Execution") if isinstance(raw, dict) else None
    if not isinstance(execution, dict) or set(raw) != {"Execution"}:
        raise CommandError('--context must be {"Execution": {...}}; only the execution\'s values can be set')
    unknown = set(execution) - CONTEXT_KEYS
    if unknown:
        raise CommandError(
            f"--context Execution.{sorted(unknown)[0]} cannot be set; use {', '.join(sorted(CONTEXT_KEYS))}"
        )
    start = execution.get("StartTime")
    try:
        start_time = datetime.fromisoformat(str(start).replace("Z", "+00:00")) if start else None
    except ValueError:
        raise CommandError(f"--context Execution.StartTime {start!r} is not an ISO 8601 time") from None
    return ExecutionContext(execution.get("Name"), execution.get("RoleArn"), start_time)


def _load(definition: str) -> tuple[str, dict[str, Any], dict[str, LambdaHandler]]:
    """Name, definition and template-bound handlers for a DEFINITION argument."""
    path_text, _, logical_id = definition.partition("#")
    path = Path(path_text)
    if logical_id:
        loaded = load_state_machine(path, logical_id, resolver=_placeholder_resolver)
        return loaded.name, loaded.definition, loaded.lambdas
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: cannot read the definition: {error}") from None
    name = path.name.split(".")[0] or "StateMachine"
    return name, document, {}


def _placeholder_resolver(logical_id: str, attribute: str | None) -> str:
    """Without an emulator, non-function references become recognisable local names."""
    return f"local-{logical_id}" + (f"-{attribute}" if attribute else "")


def validate_command(args: argparse.Namespace) -> int:
    _name, definition, _lambdas = _load(args.definition)
    problems = validate_definition(definition)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{args.definition}: valid")
    return 1 if problems else 0


def run_command(args: argparse.Namespace) -> int:
    try:
        execution_input = json.loads(args.input)
    except json.JSONDecodeError as error:
        raise CommandError(f"--input is not valid JSON: {error}") from None
    name, definition, lambdas = _load(args.definition)
    lambdas.update(dict(parse_binding(text) for text in args.lambdas))
    context = parse_context(args.context)
    if context.start_time is not None and args.real_time:
        raise CommandError("--context StartTime needs the virtual clock: drop --real-time")
    clock = SystemClock() if args.real_time else VirtualClock(context.start_time)
    aws = AwsConfig(endpoint_url=args.endpoint_url, region=args.region)
    engine = Engine(clock=clock, aws=aws, role_arn=context.role_arn)
    machine: StateMachine = engine.register(definition, name=name, lambdas=lambdas)
    execution = engine.start(machine.arn, execution_input, name=context.name)
    print(f"status: {execution.status}")
    if execution.status == "SUCCEEDED":
        print(json.dumps(execution.output, indent=2))
    else:
        print(f"error: {execution.error}")
        print(f"cause: {execution.cause}")
    if args.history:
        print(format_history(execution.history))
    sys.stdout.flush()
    return 0 if execution.status == "SUCCEEDED" else 1


def format_history(events: list[dict[str, Any]]) -> str:
    """A readable table: id, type, then the state name or error/output summary."""
    lines = [f"{'id':>4}  {'type':<28} detail", f"{'-' * 4}  {'-' * 28} {'-' * 40}"]
    for event in events:
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        summary = details.get("name") or details.get("error") or details.get("resource") or ""
        if "index" in details:
            summary = f"{summary}[{details['index']}]"
        lines.append(f"{event['id']:>4}  {event['type']:<28} {summary}")
    return "\n".join(lines)
