"""A local Amazon States Language interpreter (JSONPath query language) that runs this project's
state machines with their Lambda handlers in-process and AWS service integrations through boto3."""

from eventframework.local.engine.clock import Clock, SystemClock, VirtualClock
from eventframework.local.engine.definition import DefinitionError
from eventframework.local.engine.engine import Engine, EngineError, StateMachine, run
from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.execution import Execution
from eventframework.local.engine.lambdas import LambdaContext
from eventframework.local.engine.service_tasks import AwsConfig
from eventframework.local.engine.validation import validate_definition

__all__ = [
    "AwsConfig",
    "Clock",
    "DefinitionError",
    "Engine",
    "EngineError",
    "Execution",
    "LambdaContext",
    "StateMachine",
    "StatesError",
    "StatesErrorName",
    "SystemClock",
    "VirtualClock",
    "run",
    "validate_definition",
]
