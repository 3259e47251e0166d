"""Task resources: which ARN forms the engine understands and how each is invoked and recorded.

Lambda functions are bound to in-process callables; `states:startExecution` queues a child run in the
same engine; every other `arn:aws:states:::` resource goes to AWS through `services.ServiceCaller`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventframework.local.engine import lambdas
from eventframework.local.engine.errors import StatesError, StatesErrorName
from eventframework.local.engine.paths import to_json_text
from eventframework.local.engine.service_tasks import ServiceCaller

if TYPE_CHECKING:
    from eventframework.local.engine.runtime import Frame, StateEnv
    from eventframework.local.engine.states.task import TaskState

LAMBDA_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?")
STATES_ARN = re.compile(
    r"arn:aws[a-z-]*:states:::(?P<sdk>aws-sdk:)?(?P<service>[a-z0-9-]+):(?P<action>[A-Za-z0-9]+)"
    r"(?P<pattern>\.sync(?::2)?|\.waitForTaskToken)?"
)
OPTIMISED_ACTIONS: Mapping[str, frozenset[str]] = {
    "lambda": frozenset({"invoke"}),
    "sqs": frozenset({"sendMessage"}),
    "dynamodb": frozenset({"getItem", "putItem", "updateItem", "deleteItem"}),
    "states": frozenset({"startExecution"}),
    "sns": frozenset({"publish"}),
}
ChildStarter = Callable[[str, Any, str | None], dict[str, Any]]


@dataclass(frozen=True)
class Resource:
    """A parsed Task `Resource`: `kind` is lambda (bare ARN), optimised or sdk."""

    kind: str
    service: str
    action: str
    pattern: str | None = None


def parse_resource(resource: str) -> Resource | None:
    """Classify a resource ARN; None when the engine cannot run it."""
    if LAMBDA_ARN.fullmatch(resource):
        return Resource("lambda", "lambda", "invoke")
    match = STATES_ARN.fullmatch(resource)
    if not match:
        return None
    service, action, pattern = match["service"], match["action"], match["pattern"]
    if match["sdk"]:
        return Resource("sdk", service, action, pattern)
    if action not in OPTIMISED_ACTIONS.get(service, frozenset()):
        return None
    return Resource("optimised", service, action, pattern)


class TaskInvoker:
    """Runs Task resources and writes the Task*/LambdaFunction* history events around them."""

    def __init__(
        self,
        lambdas_by_arn: Mapping[str, lambdas.LambdaHandler],
        services: ServiceCaller,
        start_child: ChildStarter | None = None,
    ) -> None:
        self.lambdas = dict(lambdas_by_arn)
        self.services = services
        self.start_child = start_child

    def handler_for(self, function: str) -> lambdas.LambdaHandler:
        if function in self.lambdas:
            return self.lambdas[function]
        name = lambdas.function_name_of(function)
        for arn, handler in self.lambdas.items():
            if lambdas.function_name_of(arn) == name:
                return handler
        raise StatesError(
            "Lambda.ResourceNotFoundException",
            f"Function not found: {function} (Service: AWSLambda; Status Code: 404; "
            "Error Code: ResourceNotFoundException; Proxy: null). Bind it with lambdas={arn: callable}.",
        )

    def invoke(self, frame: Frame, state: TaskState, env: StateEnv, task_input: Any, timeout: float) -> Any:
        resource = parse_resource(state.resource)
        if resource is None:
            raise StatesError(StatesErrorName.RUNTIME, f"Unsupported Task resource '{state.resource}'")
        clock = frame.runtime.clock
        started = clock.now()
        if resource.kind == "lambda":
            result = self._bare_lambda(frame, state, task_input, timeout)
        else:
            result = self._integration(frame, state, resource, task_input, timeout)
        if (clock.now() - started).total_seconds() > timeout:
            frame.runtime.history.add("TaskTimedOut", resourceType=resource.service, resource=resource.action)
            raise StatesError(StatesErrorName.TIMEOUT, f"Task '{state.name}' exceeded {timeout:g} seconds")
        return result

    def _bare_lambda(self, frame: Frame, state: TaskState, task_input: Any, timeout: float) -> Any:
        history = frame.runtime.history
        history.add("LambdaFunctionScheduled", resource=state.resource, input=to_json_text(task_input))
        history.add("LambdaFunctionStarted")
        try:
            handler = self.handler_for(state.resource)
            result, _request_id = lambdas.invoke_handler(
                handler, task_input, state.resource, frame.runtime.clock, timeout
            )
        except StatesError as error:
            history.add("LambdaFunctionFailed", error=error.error, cause=error.cause)
            raise
        history.add("LambdaFunctionSucceeded", output=to_json_text(result))
        return result

    def _integration(
        self, frame: Frame, state: TaskState, resource: Resource, task_input: Any, timeout: float
    ) -> Any:
        history = frame.runtime.history
        details = {"resourceType": resource.service, "resource": resource.action}
        region = self.services.config.region
        history.add("TaskScheduled", **details, region=region, parameters=to_json_text(task_input))
        history.add("TaskStarted", **details)
        try:
            result = self._call(frame, resource, task_input, timeout)
        except StatesError as error:
            history.add("TaskFailed", **details, error=error.error, cause=error.cause)
            raise
        history.add("TaskSucceeded", **details, output=to_json_text(result))
        return result

    def _call(self, frame: Frame, resource: Resource, task_input: Any, timeout: float) -> Any:
        parameters = task_input if isinstance(task_input, Mapping) else {}
        if resource.kind == "optimised" and resource.service == "lambda":
            function = parameters.get("FunctionName")
            if not isinstance(function, str):
                raise StatesError(StatesErrorName.RUNTIME, "lambda:invoke needs Parameters.FunctionName")
            payload = parameters.get("Payload", {})
            result, request_id = lambdas.invoke_handler(
                self.handler_for(function), payload, function, frame.runtime.clock, timeout
            )
            return lambdas.invoke_response(result, request_id)
        if resource.kind == "optimised" and resource.service == "states":
            if self.start_child is None:
                raise StatesError(StatesErrorName.RUNTIME, "states:startExecution is not available here")
            return self.start_child(
                str(parameters.get("StateMachineArn", "")),
                parameters.get("Input", {}),
                parameters.get("Name"),
            )
        return self.services.call(resource.service, resource.action, parameters, resource.kind == "sdk")
