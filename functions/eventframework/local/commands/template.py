"""`efw template sync|check`: keep template.yaml's per-source description in step with sources/*.yaml.

template.yaml describes every source once: a row of the `Sources` mapping (keyed by the source's
PascalCase stem: id, schedule, state, alarm thresholds, secret placeholder) and its stem in the
collections of the `Fn::ForEach` loops that build the per-source resources (a pull schedule, a
Secrets Manager secret `<NamePrefix>/<Stage>/<id>`, alarms). The rows and collections live between
marker comments that this command rewrites, so adding a source is a YAML file, a schema and one
command, never an edit of Lambda code or of the loops; a test fails when the template and sources/
disagree.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eventframework.definitions import SourceDefinition, list_sources
from eventframework.errors import EventFrameworkError
from eventframework.fetch.auth_kinds import secret_keys
from eventframework.local.commands.generated import sync_or_check
from eventframework.local.template.cfn import load_template
from eventframework.local.template.monitoring import render_dashboard, staleness_window

BLOCKS = (
    "source-rows",
    "pulled-stems",
    "secret-stems",
    "alarmed-stems",
    "eventbridge-stems",
    "eventbridge-rule-arns",
    "dashboard",
)
EVENTBRIDGE_FUNCTION = "GuardDutyFunction"  # serves every source with an eventbridge: section
COLLECTION_WIDTH = 100  # the collections wrap here (a flow sequence may span lines)
# Plain words YAML 1.1 reads as booleans or null: a row quotes them, so they stay strings.
YAML_WORDS = ("true", "false", "null", "yes", "no", "on", "off", "y", "n", "~")


class TemplateSyncError(EventFrameworkError):
    """The template lacks a marker block, or its blocks are malformed; `block` names which."""

    def __init__(self, template: Path, block: str, problem: str) -> None:
        self.template = template
        self.block = block
        super().__init__(
            f"{template}: generated block {block!r} {problem}; restore the lines "
            f"'# BEGIN GENERATED {block}' and '# END GENERATED {block}'"
        )


def logical_name(source_id: str) -> str:
    """`okta-system-log` -> `OktaSystemLog` (the PascalCase stem of its logical ids)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", source_id) if part)


def has_secret(definition: SourceDefinition) -> bool:
    """Pulled sources authenticate to their API, webhooks check a shared secret; an AWS service
    pushing through EventBridge authenticates nothing, so it gets no secret."""
    return definition.pulled or definition.webhook is not None


def secret_placeholder(definition: SourceDefinition) -> dict[str, str]:
    """The keys a source's secret holds, empty: what the operator fills in after deploying."""
    placeholder = (
        {"base_url": "", **dict.fromkeys(secret_keys(definition.auth), "")} if definition.pulled else {}
    )
    if definition.webhook is not None:  # the shared secret, and its predecessor during a rotation
        placeholder.update(
            dict.fromkeys((definition.webhook.auth.secret, definition.webhook.auth.previous_secret), "")
        )
    return placeholder


def source_row(definition: SourceDefinition) -> dict[str, Any]:
    """A source's row of the Sources mapping: what the loops look up for it (strings and numbers)."""
    row: dict[str, Any] = {"Id": definition.id}
    if definition.pulled:
        period, periods = staleness_window(definition)
        row |= {
            "Schedule": definition.schedule,
            "State": "ENABLED" if definition.enabled else "DISABLED",
            "MaxLag": definition.monitoring.max_lag_seconds,
            "StalePeriod": period,
            "StalePeriods": periods,
        }
    if has_secret(definition):
        row["Secret"] = json.dumps(secret_placeholder(definition))
    if definition.eventbridge is not None:  # the pattern of its rule on the default bus
        row |= {
            "EventSource": definition.eventbridge.source,
            "DetailType": definition.eventbridge.detail_type,
        }
    return row


def _scalar(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", text) and text.lower() not in YAML_WORDS:
        return text  # a plain id or state reads best bare
    if '"' in text:
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text)


def _rows(definitions: Sequence[SourceDefinition]) -> list[str]:
    return [
        f"{logical_name(item.id)}: {{"
        + ", ".join(f"{key}: {_scalar(value)}" for key, value in source_row(item).items())
        + "}"
        for item in definitions
    ]


def _collection(stems: list[str]) -> list[str]:
    """`- [A, B, ...]` wrapped at COLLECTION_WIDTH; continuation lines sit two columns in."""
    if not stems:
        return ["- []"]
    lines: list[str] = []
    current = "- ["
    for index, stem in enumerate(stems):
        piece = stem + ("]" if index == len(stems) - 1 else ",")
        fresh = current in ("- [", "  ")
        candidate = current + ("" if fresh else " ") + piece
        if len(candidate) > COLLECTION_WIDTH and not fresh:
            lines.append(current)
            current = "  " + piece
        else:
            current = candidate
    return [*lines, current]


def _stems(keep: Callable[[SourceDefinition], bool]) -> Callable[[Sequence[SourceDefinition]], list[str]]:
    return lambda definitions: _collection([logical_name(item.id) for item in definitions if keep(item)])


RENDERERS: dict[str, Callable[[Sequence[SourceDefinition]], list[str]]] = {
    "source-rows": _rows,
    "pulled-stems": _stems(lambda item: item.pulled),  # a push-only source is never scheduled
    "secret-stems": _stems(has_secret),
    "alarmed-stems": _stems(lambda item: True),  # every source dead-letters under its own dimension
    "eventbridge-stems": _stems(lambda item: item.eventbridge is not None),
    "eventbridge-rule-arns": lambda definitions: [
        f"- !GetAtt {EVENTBRIDGE_FUNCTION}{logical_name(item.id)}.Arn"  # SAM: function + event name
        for item in definitions
        if item.eventbridge is not None
    ],
    "dashboard": render_dashboard,
}


def render_block(name: str, definitions: Sequence[SourceDefinition]) -> list[str]:
    """The lines of one generated block, unindented, sources in id order."""
    return RENDERERS[name](sorted(definitions, key=lambda item: item.id))


def _replace_block(text: str, name: str, lines: list[str], template: Path) -> str:
    begin = re.search(rf"^(?P<indent>[ ]*)# BEGIN GENERATED {name} .*\n", text, re.MULTILINE)
    if begin is None:
        raise TemplateSyncError(template, name, "has no BEGIN marker")
    end = re.search(rf"^[ ]*# END GENERATED {name}$", text[begin.end() :], re.MULTILINE)
    if end is None:
        raise TemplateSyncError(template, name, "has no END marker")
    indent = begin.group("indent")
    body = "".join(f"{indent}{line}\n" if line else "\n" for line in lines)
    return text[: begin.end()] + body + text[begin.end() + end.start() :]


def synced_text(template: Path, definitions: Sequence[SourceDefinition]) -> str:
    text = template.read_text(encoding="utf-8")
    for name in BLOCKS:
        text = _replace_block(text, name, render_block(name, definitions), template)
    return text


def expanded_json(template: Path) -> str:
    """The template with its AWS::LanguageExtensions expanded, as JSON (a CloudFormation template
    still, for tools that do not read Fn::ForEach: checkov scans this)."""
    return json.dumps(load_template(template), indent=1) + "\n"


def _command(args: argparse.Namespace) -> int:
    template: Path = args.template
    if args.action == "expand":
        if args.out is None:
            sys.stdout.write(expanded_json(template))
        else:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(expanded_json(template), encoding="utf-8")
        return 0
    wanted = synced_text(template, list_sources())
    return sync_or_check(args.action, template, wanted, origin="sources/", command="efw template sync")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "template", help="generate template.yaml's per-source rows and loop collections from sources/*.yaml"
    )
    parser.add_argument(
        "action",
        choices=("sync", "check", "expand"),
        help="sync: rewrite; check: exit 1 if stale; expand: print it with its Fn::ForEach loops expanded",
    )
    parser.add_argument("--template", type=Path, default=Path("template.yaml"), help="SAM template")
    parser.add_argument("--out", type=Path, help="expand: write here instead of standard output")
    parser.set_defaults(func=_command)
