"""Fixes: applying them to text and files (``apply``), and the synthesizers rules use to
write them (``add_initialization``, ``legacy_constructors``)."""
