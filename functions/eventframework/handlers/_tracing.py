"""The handlers' Tracer: X-Ray in Lambda, a no-op provider anywhere else.

Powertools disables tracing by itself outside Lambda, but still builds its X-Ray provider, which
imports the X-Ray SDK: ~0.15 s of every local run's and test process's start-up, for segments that are
then thrown away. Outside Lambda the Tracer here gets a provider that records nothing, so the handlers
keep their decorators and calls unchanged and the SDK is never imported. In Lambda (where the runtime
sets LAMBDA_TASK_ROOT) the Tracer is Powertools' default, X-Ray included.
"""

from __future__ import annotations

import numbers
import os
import traceback
from collections.abc import AsyncGenerator, Generator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

LAMBDA_TASK_ROOT = "LAMBDA_TASK_ROOT"  # set by the Lambda runtime (Powertools reads the same one)


class _Discarded(BaseSegment):
    """A segment that keeps nothing."""

    def close(self, end_time: int | None = None) -> None:
        return None

    def add_subsegment(self, subsegment: Any) -> None:
        return None

    def remove_subsegment(self, subsegment: Any) -> None:
        return None

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None

    def add_exception(
        self, exception: BaseException, stack: list[traceback.StackSummary], remote: bool = False
    ) -> None:
        return None


class NoTracing(BaseProvider):
    """A tracing provider for processes outside Lambda: every segment is discarded."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Generator[BaseSegment, None, None]:
        yield _Discarded()

    @asynccontextmanager
    async def in_subsegment_async(
        self, name: str | None = None, **kwargs: Any
    ) -> AsyncGenerator[BaseSegment, None]:
        yield _Discarded()

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None

    def patch(self, modules: Sequence[str]) -> None:
        return None

    def patch_all(self) -> None:
        return None


def handler_tracer(service: str) -> Tracer:
    """X-Ray through Powertools in Lambda; a disabled Tracer on :class:`NoTracing` elsewhere."""
    if os.environ.get(LAMBDA_TASK_ROOT):
        return Tracer(service=service)
    return Tracer(service=service, disabled=True, provider=NoTracing())
