"""The template reader: short tags and the intrinsic functions a local run evaluates."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventframework.local.template import cfn
from eventframework.local.template.cfn import IntrinsicResolver, TemplateError, load_template

TEMPLATE = """
Parameters:
  Stage: {Type: String, Default: dev}
  ExistingQueueArn: {Type: String, Default: ""}
Conditions:
  CreateQueue: !Equals [!Ref ExistingQueueArn, ""]
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Fn: {Type: AWS::Serverless::Function}
  Thing:
    Type: Custom::Thing
    Properties:
      Url: !Ref Queue
      Arn: !GetAtt Queue.Arn
      Name: !Sub "${AWS::StackName}-${Stage}-x"
      Literal: !Sub "${!NotAVariable}"
      Joined: !Join [":", [a, !Ref Stage]]
      Chosen: !If [CreateQueue, !GetAtt Queue.Arn, !Ref ExistingQueueArn]
      WithLocal: !Sub ["${Who}@${Fn.Arn}", {Who: me}]
"""


def _resolver(tmp_path: Path, **parameters: str) -> tuple[IntrinsicResolver, dict]:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    template = load_template(path)

    def lookup(logical_id: str, attribute: str | None) -> str:
        return f"{logical_id}/{attribute or 'ref'}"

    resolver = IntrinsicResolver(
        template, lookup, region="eu-west-1", account_id="1", stack_name="stk", parameters=parameters
    )
    return resolver, template


def test_load_template_turns_short_tags_into_long_form(tmp_path: Path) -> None:
    _, template = _resolver(tmp_path)
    props = template["Resources"]["Thing"]["Properties"]
    assert props["Url"] == {"Ref": "Queue"}
    assert props["Arn"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert props["Joined"] == {"Fn::Join": [":", ["a", {"Ref": "Stage"}]]}


def test_resolver_evaluates_each_intrinsic(tmp_path: Path) -> None:
    resolver, template = _resolver(tmp_path)
    resolved = resolver.resolve(template["Resources"]["Thing"]["Properties"])
    assert resolved == {
        "Url": "Queue/ref",
        "Arn": "Queue/Arn",
        "Name": "stk-dev-x",
        "Literal": "${NotAVariable}",
        "Joined": "a:dev",
        "Chosen": "Queue/Arn",
        "WithLocal": "me@Fn/Arn",
    }


def test_resolver_parameters_override_defaults_and_drive_conditions(tmp_path: Path) -> None:
    resolver, template = _resolver(tmp_path, Stage="prod", ExistingQueueArn="arn:q")
    assert resolver.condition("IsProd") is True
    assert resolver.resolve(template["Resources"]["Thing"]["Properties"]["Chosen"]) == "arn:q"


def test_resolver_names_unknown_references(tmp_path: Path) -> None:
    resolver, _ = _resolver(tmp_path)
    with pytest.raises(TemplateError, match=r"Outputs\.X: Ref to 'Nope'"):
        resolver.resolve({"Ref": "Nope"}, "Outputs.X")


def test_load_template_rejects_a_file_without_resources(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("a: 1\n")
    with pytest.raises(TemplateError, match="no Resources section"):
        load_template(path)


def test_load_template_parses_once_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    parses: list[Path] = []
    real_parse = cfn._parse
    monkeypatch.setattr(cfn, "_parse", lambda file: parses.append(file) or real_parse(file))
    first = load_template(path)
    first["Resources"].clear()  # a caller editing its copy
    second = load_template(path)
    assert parses == [path]
    assert "Queue" in second["Resources"]
    path.write_text(TEMPLATE + "  Extra: {Type: AWS::SQS::Queue}\n", encoding="utf-8")
    assert "Extra" in load_template(path)["Resources"]
    assert len(parses) == 2
