"""The parser without node validation: same trees, same errors, and validation back after it."""

import libcst as cst
import pytest

from ruff_like_rules.syntax.trusted import parse_module

SOURCE = "class Net(nn.Module):\n    def __init__(self):\n        self.w = nn.Parameter(torch.empty(3))  # raw\n"


def test_the_tree_is_libcsts_own():
    tree = parse_module(SOURCE)
    assert tree.deep_equals(cst.parse_module(SOURCE))
    assert tree.code == SOURCE


def test_a_syntax_error_is_libcsts():
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def f(:\n")


def test_nodes_built_by_hand_are_still_validated_after_a_parse():
    parse_module(SOURCE)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")


def test_validation_is_back_when_the_parse_fails():
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def f(:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
