"""A Lambda context for calling handlers directly in tests: the engine's own, on a virtual clock."""

from __future__ import annotations

from datetime import timedelta

from eventframework.local.engine import LambdaContext, VirtualClock


def lambda_context(function_name: str, *, memory_mb: int = 128, timeout_seconds: float = 60) -> LambdaContext:
    clock = VirtualClock()
    return LambdaContext(
        function_name=function_name,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
        clock=clock,
        deadline=clock.now() + timedelta(seconds=timeout_seconds),
        memory_limit_in_mb=memory_mb,
    )
