"""What the running service tells its operators: one JSON log line per request and Prometheus metrics.

`metrics` imports nothing from the service, so every layer may count what it does.
"""
