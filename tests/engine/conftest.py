"""Fixtures for engine tests: an engine on a virtual clock and a one-call runner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from engine_support import START, RunMachine

from eventframework.local.engine import Engine, Execution, VirtualClock


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def engine(clock: VirtualClock) -> Engine:
    return Engine(clock=clock)


@pytest.fixture
def run_machine(engine: Engine) -> RunMachine:
    """Register `definition` and start it once; returns the finished execution."""

    def run(
        definition: Mapping[str, Any], input: Any = None, lambdas: Mapping[str, Any] | None = None
    ) -> Execution:
        machine = engine.register(definition, name=f"m{len(engine.state_machines)}", lambdas=lambdas)
        return engine.start(machine.arn, input if input is not None else {})

    return run
