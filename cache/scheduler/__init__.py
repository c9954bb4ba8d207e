"""The deterministic scheduler: virtual time, seeded interleavings, pluggable choice.

Each module is imported on its own: importing the package loads none of them (the app's
first screen needs ``cache.strategies.naive`` and ``cache.scenarios.changes``, not every
strategy, scenario and the scheduler). The engine's public names are ``cache``'s.
"""
