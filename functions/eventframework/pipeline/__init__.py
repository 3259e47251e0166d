"""The pull pipeline's steps as plain functions (begin a run, fetch a page, process a page).

The Lambda handlers in `eventframework.handlers` parse their event, call one of these and return
its result; the state machine `statemachines/pull.asl.json` strings them together. Everything here
takes its collaborators (stores, publisher, fetch and process functions) as arguments, so the steps
run unchanged in Lambda, in the local engine and in tests.
"""

from eventframework.pipeline.begin import BeginRequest, begin_run
from eventframework.pipeline.errors import ConfigurationError, RunRequestError
from eventframework.pipeline.fetching import FetchRequest, fetch_step
from eventframework.pipeline.processing import ProcessOutcome, ProcessRequest, process_step
from eventframework.pipeline.services import Services, Settings

__all__ = [
    "BeginRequest",
    "ConfigurationError",
    "FetchRequest",
    "ProcessOutcome",
    "ProcessRequest",
    "RunRequestError",
    "Services",
    "Settings",
    "begin_run",
    "fetch_step",
    "process_step",
]
