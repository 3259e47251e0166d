"""The local AWS::LanguageExtensions expander, checked against AWS's documented examples.

Examples from "Examples of Fn::ForEach in the Resources section"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach-example-resource.html),
Fn::FindInMap enhancements
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap-enhancements.html),
Fn::Length and Fn::ToJsonString (the pages named in eventframework.local.template.language_extensions).
Where the documented result is a plain string and the expander leaves an equivalent `Fn::Sub` for
CloudFormation, the test says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventframework.local.template.cfn import TemplateError, load_source_template, load_template
from eventframework.local.template.language_extensions import expand

SNS_TOPICS = """
AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::LanguageExtensions
Resources:
  'Fn::ForEach::Topics':
    - TopicName
    - [Success, Failure, Timeout, Unknown]
    - 'SnsTopic${TopicName}':
        Type: 'AWS::SNS::Topic'
        Properties:
          TopicName: !Sub '${TopicName}.fifo'
          FifoTopic: true
"""


def _expand(text: str) -> dict[str, Any]:
    from eventframework.local.template.cfn import _TemplateLoader

    document: dict[str, Any] = yaml.load(text, Loader=_TemplateLoader)
    return expand(document)


def test_language_extensions_replicates_the_documented_sns_topics() -> None:
    expanded = _expand(SNS_TOPICS)
    assert "Transform" not in expanded  # the only transform declared has been applied
    assert list(expanded["Resources"]) == [
        f"SnsTopic{name}" for name in ("Success", "Failure", "Timeout", "Unknown")
    ]
    topic = expanded["Resources"]["SnsTopicSuccess"]
    # AWS prints `TopicName: Success.fifo`; an Fn::Sub with nothing left to substitute is the same.
    assert topic == {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": {"Fn::Sub": "Success.fifo"}, "FifoTopic": True},
    }


def test_language_extensions_collection_from_a_comma_delimited_list_parameter() -> None:
    """The documented variant: the collection is a Ref to a CommaDelimitedList (here its Default),
    and `Ref: TopicName` inside the fragment becomes the item."""
    expanded = _expand(
        """
Transform: AWS::LanguageExtensions
Parameters:
  pRepoARNs: {Type: CommaDelimitedList, Default: "Success,Failure"}
Resources:
  Fn::ForEach::Topics:
    - TopicName
    - !Ref pRepoARNs
    - SnsTopic${TopicName}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Join [".", [!Ref TopicName, fifo]]
"""
    )
    assert expanded["Resources"]["SnsTopicFailure"]["Properties"]["TopicName"] == {
        "Fn::Join": [".", ["Failure", "fifo"]]
    }
    assert set(expanded["Resources"]) == {"SnsTopicSuccess", "SnsTopicFailure"}


def test_language_extensions_ampersand_drops_non_alphanumeric_characters_from_keys() -> None:
    """ "Passing non-alphanumeric characters within the Collection": &{CIDR} in the logical id."""
    expanded = _expand(
        """
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Subnets:
    - CIDR
    - [10.0.2.0/24, 10.0.3.0/24]
    - Subnet&{CIDR}:
        Type: AWS::EC2::Subnet
        Properties: {CidrBlock: !Ref CIDR, VpcId: vpc-1}
"""
    )
    assert expanded["Resources"]["Subnet1002024"]["Properties"]["CidrBlock"] == "10.0.2.0/24"
    assert "Subnet1003024" in expanded["Resources"]


def test_language_extensions_nested_loops_in_resources_outputs_and_conditions() -> None:
    expanded = _expand(
        """
Transform: AWS::LanguageExtensions
Conditions:
  Fn::ForEach::Flags:
    - Name
    - [A, B]
    - Is${Name}: !Equals [!Ref AWS::Region, "${Name}"]
Resources:
  Fn::ForEach::Outer:
    - Env
    - [Dev, Prod]
    - Fn::ForEach::Inner:
        - Kind
        - [Logs, Pages]
        - ${Env}${Kind}Bucket: {Type: AWS::S3::Bucket}
Outputs:
  Fn::ForEach::Names:
    - Env
    - [Dev]
    - ${Env}LogsBucketName: {Value: !Ref "${Env}LogsBucket"}
"""
    )
    assert set(expanded["Resources"]) == {
        "DevLogsBucket",
        "DevPagesBucket",
        "ProdLogsBucket",
        "ProdPagesBucket",
    }
    assert expanded["Conditions"]["IsB"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "B"]}
    assert expanded["Outputs"] == {"DevLogsBucketName": {"Value": {"Ref": "DevLogsBucket"}}}


def test_language_extensions_loop_inside_resource_properties() -> None:
    """ "Replicate properties for an Amazon EC2 resource": a loop's keys join the object around it."""
    expanded = _expand(
        """
Transform: AWS::LanguageExtensions
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: t
      Fn::ForEach::Tags:
        - Key
        - [Team, Owner]
        - Tag${Key}: !Sub "${Key}-value"
"""
    )
    assert expanded["Resources"]["Topic"]["Properties"] == {
        "DisplayName": "t",
        "TagTeam": {"Fn::Sub": "Team-value"},
        "TagOwner": {"Fn::Sub": "Owner-value"},
    }


def test_language_extensions_find_in_map_resolves_literal_keys_and_defaults() -> None:
    expanded = _expand(
        """
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Mappings:
  Sources:
    OktaSystemLog: {Id: okta-system-log, MaxLag: 7200}
Resources:
  Fn::ForEach::Alarms:
    - Stem
    - [OktaSystemLog]
    - ${Stem}Alarm:
        Type: AWS::CloudWatch::Alarm
        Properties:
          Threshold: !FindInMap [Sources, !Ref Stem, MaxLag]
          AlarmDescription: !FindInMap [Sources, !Ref Stem, Missing, {DefaultValue: none}]
          Period: !FindInMap [Sources, !Ref AWS::Region, Period]
"""
    )
    assert expanded["Transform"] == "AWS::Serverless-2016-10-31"
    properties = expanded["Resources"]["OktaSystemLogAlarm"]["Properties"]
    assert properties["Threshold"] == 7200
    assert properties["AlarmDescription"] == "none"
    # Keys known only at deploy time: plain Fn::FindInMap, which CloudFormation resolves itself.
    assert properties["Period"] == {"Fn::FindInMap": ["Sources", {"Ref": "AWS::Region"}, "Period"]}


def test_language_extensions_refuses_a_default_it_cannot_decide_locally() -> None:
    """The documented `!FindInMap [RegionMap, !Ref AWS::Region, InstanceType, DefaultValue: t3.micro]`
    depends on the deploy region: refused, naming the place."""
    with pytest.raises(TemplateError, match=r"Resources\.Instance\.Properties\.InstanceType\.Fn::FindInMap"):
        _expand(
            """
Transform: AWS::LanguageExtensions
Mappings: {RegionMap: {us-east-1: {InstanceType: t2.micro}}}
Resources:
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: !FindInMap [RegionMap, !Ref AWS::Region, InstanceType, {DefaultValue: t3.micro}]
"""
        )


def test_language_extensions_missing_map_entry_without_default_is_an_error() -> None:
    with pytest.raises(TemplateError, match=re.escape("has no 'Nope'.'Id'")):
        _expand(
            """
Transform: AWS::LanguageExtensions
Mappings: {Sources: {A: {Id: a}}}
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !FindInMap [Sources, Nope, Id]}}
"""
        )


def test_language_extensions_length_and_to_json_string_of_literals() -> None:
    """Fn::Length of `[1, !Ref ParameterName, 3]` is 3; Fn::ToJsonString prints compact JSON."""
    expanded = _expand(
        """
Transform: AWS::LanguageExtensions
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: {"Fn::Length": [1, !Ref ParameterName, 3]}
      Tags: [{Key: k, Value: {"Fn::ToJsonString": {key1: value1, key2: [a]}}}]
"""
    )
    properties = expanded["Resources"]["Q"]["Properties"]
    assert properties["DelaySeconds"] == 3
    assert properties["Tags"][0]["Value"] == '{"key1":"value1","key2":["a"]}'


LE = "AWS::LanguageExtensions"
QUEUE = {"Type": "AWS::SQS::Queue"}


def _queue(properties: dict[str, Any]) -> dict[str, Any]:
    return {"Transform": LE, "Resources": {"Q": {**QUEUE, "Properties": properties}}}


def _loop(collection: Any, fragment: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Fn::ForEach::Q": ["X", collection, fragment or {"Q${X}": QUEUE}]}


REFUSED = {
    # the documented ToJsonString example holds a Ref: resolved at deploy time, not here
    "to-json-ref": (
        {
            "Transform": LE,
            "Resources": {
                "Q": {**QUEUE, "Properties": {"QueueName": {"Fn::ToJsonString": {"k": {"Ref": "P"}}}}}
            },
        },
        "Fn::ToJsonString of values known only at deploy time",
    ),
    "length-split": (
        {
            "Transform": LE,
            "Resources": {
                "Q": {**QUEUE, "Properties": {"DelaySeconds": {"Fn::Length": {"Fn::Split": ["|", "a|b"]}}}}
            },
        },
        "Fn::Length of anything but a literal list",
    ),
    "loop-in-parameters": (
        {"Transform": LE, "Parameters": _loop(["a"], {"P${X}": {"Type": "String"}}), "Resources": {}},
        "Fn::ForEach may appear only in Conditions, Resources and Outputs",
    ),
    "no-transform": ({"Resources": _loop(["a"])}, "does not declare Transform AWS::LanguageExtensions"),
    "duplicate": ({"Transform": LE, "Resources": _loop(["a", "a"])}, "produces the same key twice: Qa"),
    "clash": (
        {"Transform": LE, "Resources": {"Qa": QUEUE, **_loop(["a"])}},
        "produces keys that already exist: Qa",
    ),
    "output-key": ({"Transform": LE, "Resources": _loop(["a"], {"Queue": QUEUE})}, "must contain"),
    "identifier": (
        {"Transform": LE, "Parameters": {"X": {"Type": "String"}}, "Resources": _loop(["a"])},
        "already a parameter",
    ),
    "getatt": (
        {"Transform": LE, "Resources": _loop({"Fn::GetAtt": ["A", "List"]})},
        "the collection must be a list of strings",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_language_extensions_refuses_what_it_does_not_implement(case: str) -> None:
    template, problem = REFUSED[case]
    with pytest.raises(TemplateError, match=re.escape(problem)):
        expand(template)


def test_language_extensions_template_without_the_transform_is_unchanged() -> None:
    document = {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Q": {"Fn::FindInMap": ["A", "B", "C"]}}}
        }
    }
    assert expand(document) == document


def test_load_template_hands_out_the_expanded_template_and_keeps_the_source(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(SNS_TOPICS, encoding="utf-8")
    assert "SnsTopicUnknown" in load_template(path)["Resources"]
    assert list(load_source_template(path)["Resources"]) == ["Fn::ForEach::Topics"]
