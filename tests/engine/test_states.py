"""Wait on the virtual clock, Choice with Assign, variable scoping and the context object."""

from __future__ import annotations

from engine_support import START, RunMachine, single

from eventframework.local.engine import VirtualClock


def test_wait_seconds_advances_virtual_clock_and_history_timestamps(
    run_machine: RunMachine, clock: VirtualClock
) -> None:
    execution = run_machine(single({"Type": "Wait", "Seconds": 90}), {"a": 1})
    assert execution.output == {"a": 1}
    assert clock.slept == [90.0]
    assert execution.history[-1]["timestamp"] == "2024-05-01T12:01:30.000Z"


def test_wait_timestamp_in_the_past_does_not_wait(run_machine: RunMachine, clock: VirtualClock) -> None:
    run_machine(single({"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z"}))
    assert clock.slept == [0.0]


def test_wait_timestamp_path_waits_until_that_instant(run_machine: RunMachine, clock: VirtualClock) -> None:
    run_machine(single({"Type": "Wait", "TimestampPath": "$.until"}), {"until": "2024-05-01T13:00:00+00:00"})
    assert clock.now() > START
    assert clock.slept == [3600.0]


def test_choice_rule_assign_applies_only_for_matched_rule(run_machine: RunMachine) -> None:
    definition = {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.more", "BooleanEquals": True, "Assign": {"route": "more"}, "Next": "Done"}
                ],
                "Default": "Done",
                "Assign": {"route": "default"},
            },
            "Done": {"Type": "Pass", "Parameters": {"route.$": "$route"}, "End": True},
        },
    }
    assert run_machine(definition, {"more": True}).output == {"route": "more"}
    assert run_machine(definition, {"more": False}).output == {"route": "default"}


def test_assign_in_map_iteration_does_not_leak_to_outer_scope(run_machine: RunMachine) -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"total": 0}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {"Inner": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}},
                },
                "Next": "Read",
            },
            "Read": {"Type": "Pass", "Parameters": {"total.$": "$total"}, "End": True},
        },
    }
    assert run_machine(definition, [1, 2]).output == {"total": 0}


def test_context_object_has_execution_state_and_machine_fields(run_machine: RunMachine) -> None:
    parameters = {"ctx.$": "$$"}
    context = run_machine(single({"Type": "Pass", "Parameters": parameters}), {"x": 1}).output["ctx"]
    assert context["Execution"]["Input"] == {"x": 1}
    assert context["Execution"]["StartTime"] == "2024-05-01T12:00:00.000Z"
    assert context["State"] == {"EnteredTime": "2024-05-01T12:00:00.000Z", "Name": "Only"}
    assert context["StateMachine"]["Id"].endswith(":stateMachine:" + context["StateMachine"]["Name"])
