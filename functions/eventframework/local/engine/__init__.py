"""A local Amazon States Language interpreter (JSONPath query language) that runs this project's
state machines with their Lambda handlers in-process and AWS service integrations through boto3."""
