"""One module per `efw` command group; each exposes `register(subparsers)`."""
