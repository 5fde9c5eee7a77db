"""The repair flow: what puts Vibes and this service back in step when the in and
out flows could not (reconcile, the extract import, the sweeps, the list copy)."""
