"""Thin Lambda entry points of the pull state machine: parse the event, call one pipeline step, return.

Handler names are fixed by the pull contract (`eventframework.handlers.<step>.lambda_handler`).
"""

from eventframework.handlers._runtime import ClientSource, cold_start, use_clients

__all__ = ["ClientSource", "cold_start", "use_clients"]
