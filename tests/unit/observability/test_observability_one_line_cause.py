"""Failures in a run summary and in `efw status` are one line: a Lambda's cause is JSON with a stack trace."""

from __future__ import annotations

import json

from eventframework.observability.health import one_line_cause


def test_one_line_cause_keeps_a_lambda_errors_message_only() -> None:
    cause = json.dumps(
        {
            "errorMessage": "okta-system-log: 401 from the API",
            "errorType": "SourceAuthError",
            "stackTrace": ["a", "b"],
        }
    )
    assert one_line_cause(cause) == "okta-system-log: 401 from the API"


def test_one_line_cause_keeps_the_first_line_of_plain_text_and_nothing_of_none() -> None:
    assert one_line_cause("first\nsecond") == "first"
    assert one_line_cause(None) == ""
    assert one_line_cause('{"no": "message"}') == '{"no": "message"}'
