"""`efw template sync|check`: keep template.yaml's per-source resources in step with sources/*.yaml.

Each source gets a `ScheduleV2` event on PullStateMachine (input `{"source": "<id>"}`, state from
`enabled`) and a Secrets Manager secret named `<EFW_SECRET_PREFIX><id>`. They live between marker
comments that this command rewrites, so adding a source is a YAML file, a schema and one command,
never an edit of Lambda code; a test fails when the template and sources/ disagree.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eventframework.definitions import SourceDefinition, list_sources
from eventframework.errors import EventFrameworkError
from eventframework.fetch.auth_kinds import secret_keys
from eventframework.local.monitoring_template import render_monitoring, render_push_alarms

BLOCKS = ("schedules", "secrets", "monitoring")


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


def _schedule(definition: SourceDefinition) -> list[str]:
    state = "ENABLED" if definition.enabled else "DISABLED"
    return [
        f"{logical_name(definition.id)}Schedule:",
        "  Type: ScheduleV2",
        "  Properties:",
        # In the stack's own schedule group, with its one role: SAM's default name is the logical
        # id (dev and prod stacks in one account would collide) and its default is a role per
        # schedule.
        f"    Name: {definition.id}",
        "    GroupName: !Ref PullScheduleGroup",
        "    RoleArn: !GetAtt PullScheduleRole.Arn",
        f"    Description: {json.dumps(f'Pull {definition.id} on its schedule')}",
        f"    ScheduleExpression: {definition.schedule}",
        f"    State: {state}",
        f"    Input: '{json.dumps({'source': definition.id})}'",
    ]


SECRET_KEY_REASON = (
    "Secrets Manager's AWS managed key: IAM bounds access to the functions that read the source "
    "secret prefix; a customer key would add a key policy to keep in step with them without "
    "narrowing who can read a secret"
)


def _secret_description(definition: SourceDefinition) -> str:
    return f"Connection settings and credentials of {definition.id}; put the real values in after deploying"


def _secret(definition: SourceDefinition) -> list[str]:
    placeholder = (
        {"base_url": "", **dict.fromkeys(secret_keys(definition.auth), "")} if definition.pulled else {}
    )
    if definition.webhook is not None:  # the shared secret, and its predecessor during a rotation
        placeholder.update(
            dict.fromkeys((definition.webhook.auth.secret, definition.webhook.auth.previous_secret), "")
        )
    return [
        f"{logical_name(definition.id)}Secret:",
        "  Type: AWS::SecretsManager::Secret",
        "  Metadata:",
        "    checkov:",
        "      skip:",
        "        - id: CKV_AWS_149",
        f"          comment: {json.dumps(SECRET_KEY_REASON)}",
        "  Properties:",
        f'    Name: !Sub "${{NamePrefix}}/${{Stage}}/{definition.id}"',
        f"    Description: {json.dumps(_secret_description(definition))}",
        f"    SecretString: '{json.dumps(placeholder)}'",
    ]


def _monitoring(definition: SourceDefinition) -> list[str]:
    return render_monitoring(definition, logical_name(definition.id))


def render_block(name: str, definitions: Sequence[SourceDefinition]) -> list[str]:
    """The lines of one generated block, unindented, sources in id order."""
    render = {"schedules": _schedule, "secrets": _secret, "monitoring": _monitoring}[name]
    lines: list[str] = []
    for definition in sorted(definitions, key=lambda item: item.id):
        if name == "schedules" and not definition.pulled:
            continue  # a push-only source arrives through a push channel: no schedule
        if name == "monitoring" and not definition.pulled:  # no runs to watch; its dead letters, yes
            lines.extend(render_push_alarms(definition, logical_name(definition.id)))
            continue
        if name == "secrets" and not definition.pulled and definition.webhook is None:
            continue  # pushed by AWS itself (eventbridge): nothing to authenticate, no secret
        lines.extend(render(definition))
    return lines


def _replace_block(text: str, name: str, lines: list[str], template: Path) -> str:
    begin = re.search(rf"^(?P<indent>[ ]*)# BEGIN GENERATED {name}\b.*\n", text, re.MULTILINE)
    if begin is None:
        raise TemplateSyncError(template, name, "has no BEGIN marker")
    end = re.search(rf"^[ ]*# END GENERATED {name}\b.*$", text[begin.end() :], re.MULTILINE)
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


def sync(template: Path, definitions: Sequence[SourceDefinition] | None = None) -> bool:
    """Rewrite the generated blocks; True when the file changed."""
    current = template.read_text(encoding="utf-8")
    wanted = synced_text(template, list_sources() if definitions is None else definitions)
    if wanted != current:
        template.write_text(wanted, encoding="utf-8")
    return wanted != current


def _command(args: argparse.Namespace) -> int:
    template: Path = args.template
    if args.action == "check":
        if synced_text(template, list_sources()) != template.read_text(encoding="utf-8"):
            print(f"{template} is out of sync with sources/; run `efw template sync`", file=sys.stderr)
            return 1
        print(f"{template} matches sources/")
        return 0
    changed = sync(template)
    print(f"{template} {'updated' if changed else 'already in sync'}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "template", help="generate template.yaml's per-source schedules and secrets from sources/*.yaml"
    )
    parser.add_argument("action", choices=("sync", "check"), help="sync: rewrite; check: exit 1 if stale")
    parser.add_argument("--template", type=Path, default=Path("template.yaml"), help="SAM template")
    parser.set_defaults(func=_command)
