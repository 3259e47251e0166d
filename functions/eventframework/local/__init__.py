"""Laptop-only tooling: the Step Functions engine, the AWS emulator, the sandbox SaaS API and the CLI.

Nothing under this package is imported by Lambda code; it is not part of the deployed artifact's
contract.
"""
