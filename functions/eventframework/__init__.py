"""MozDef Event Framework: pull and receive security events from SaaS sources into MozDef.

Subpackages, one concern each:
    definitions  source definitions (YAML) and their validation
    fetch        the HTTP client that pages through a source's API
    process      raw-event validation, dedup and normalisation to the MozDef format
    publish      delivery to MozDef's SQS queue
    state        checkpoints, leases, dead letters and raw pages (DynamoDB and S3)
    handlers     thin Lambda entry points
    local        laptop-only tooling (Step Functions engine, emulator, sandbox, CLI); never
                 imported by Lambda code
"""

__version__ = "0.1.0"
