"""The terminal UI: the Textual app, its keys, panes and widgets, over ``workbench.session``."""
