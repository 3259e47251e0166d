"""Operator tooling behind `efw executions|redrive|reprocess|deadletters`: one interface, two backends
(the local state directory with the embedded emulator and engine; a deployed stack through boto3)."""
