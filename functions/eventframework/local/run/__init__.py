"""`efw run` and `efw backfill`: one source pulled end to end on the local engine, resumable across runs."""
