"""The headless session layer: what both front ends stand on, with no Textual, Rich or click.

``settings`` specifies every setting once (the CLI's options and the app's fields are built
from it); ``state`` holds one session (its settings and seed, where batches run, the
investigation's casebook); ``live`` and ``child`` run the live workload in a process of its
own; ``feed`` and ``lanes`` digest events for a screen. Each module is imported on its own, so
importing this package costs nothing.
"""
