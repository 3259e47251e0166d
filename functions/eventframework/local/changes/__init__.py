"""What a deploy changed for reprocessing: per-source fingerprints of what decides whether a dead
letter passes, the record of the fingerprints a stack was last reprocessed with, and the run that
reprocesses exactly the sources whose fingerprint moved (`efw reprocess-changed`, the pipelines'
post-deploy stages)."""
