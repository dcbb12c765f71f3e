"""``python -m ruff_like_rules``: the same as the ``paraminit`` command."""

from ruff_like_rules.cli import main

raise SystemExit(main())
