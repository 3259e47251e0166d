"""`efw serve`: the webhook API on loopback, each request handed to the webhook handler in-process."""
