"""Realistic models for the meta-device path, checked by both halves (tests/runtime/test_meta_agreement.py).

Each module names the initializer its trainer runs after ``to_empty()`` (``INITIALIZER``), how
to build it (``ARGS``) and what that initializer leaves behind (``LEFT_BEHIND``: class and
attribute), so the runtime check and PIN007 are held to the same answer.
"""
