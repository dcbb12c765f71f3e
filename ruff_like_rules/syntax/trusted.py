"""libcst's parser without libcst's per-node validation.

Every node libcst builds checks its own fields in ``__post_init__`` (about a seventh of a
parse): a guard for trees built by hand, which a tree from the parser cannot fail, since the
parser only builds what the grammar allows. Parsing is the analysis' largest cost, so it
skips the check; nodes built by fixes are still validated.
"""

from __future__ import annotations

import threading

import libcst as cst

_node_class = cst.CSTNode
_validating_post_init = _node_class.__post_init__
_lock = threading.Lock()


def _skip(self: cst.CSTNode) -> None:  # noqa: ARG001 - stands in for the validating hook
    return None


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module`` of ``text``; raises its ``ParserSyntaxError`` likewise."""
    with _lock:  # one parse at a time restores the hook; a node built by hand on another
        # thread meanwhile would go unchecked, which only the language server's one worker could do
        _node_class.__post_init__ = _skip  # type: ignore[method-assign]
        try:
            return cst.parse_module(text)
        finally:
            _node_class.__post_init__ = _validating_post_init  # type: ignore[method-assign]
