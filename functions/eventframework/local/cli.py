"""The `efw` command line: a thin dispatcher over one module per command group."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from eventframework.errors import EventFrameworkError
from eventframework.local.emulator.process import prestart

# The commands that deploy the template on the embedded emulator (unless pointed at a stack): their
# emulator process starts first, so that its start-up overlaps this process's imports.
EMULATED_COMMANDS = frozenset({"run", "backfill"})

# Each module exposes `register(subparsers)`; it adds its commands and sets `func` on each parser.
COMMAND_MODULES: tuple[str, ...] = (
    "eventframework.local.commands.sfn",
    "eventframework.local.commands.run",
    "eventframework.local.commands.backfill",
    "eventframework.local.commands.template",
    "eventframework.local.commands.schema",
    "eventframework.local.commands.ops",
    "eventframework.local.commands.changes",
    "eventframework.local.commands.serve",
    "eventframework.local.commands.status",
    "eventframework.local.commands.sources",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="efw", description="MozDef Event Framework command line")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words and words[0] in EMULATED_COMMANDS and "--stack" not in words and "--help" not in words:
        prestart()
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except EventFrameworkError as error:
        print(f"efw: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
