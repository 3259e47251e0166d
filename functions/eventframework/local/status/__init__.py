"""`efw status`: each source's stored state read from the local state directory or a deployed stack."""
