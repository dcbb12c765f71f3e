"""The bottom layer: libcst trees walked fast, read a node at a time, and where they sit in the file.

Nothing here knows about torch; everything above reads code through these helpers.
"""
