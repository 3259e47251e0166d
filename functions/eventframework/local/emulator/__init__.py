"""The embedded AWS emulator: a moto server on loopback, the template's stores created in it, and
their contents kept in a state directory between runs."""

from eventframework.local.emulator.server import EmulatorServer

__all__ = ["EmulatorServer"]
