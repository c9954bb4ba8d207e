"""Cache servers: the simulated one, a recording wrapper, and (separately) Redis.

Each module is imported on its own: importing the package loads none of them (the app's
first screen needs ``cache.strategies.naive`` and ``cache.scenarios.changes``, not every
strategy, scenario and the scheduler). The engine's public names are ``cache``'s.
"""
