"""The embedded AWS emulator: a moto server on loopback (in a process of its own for a local run),
the template's stores created in it, and their contents kept in a state directory between runs."""
