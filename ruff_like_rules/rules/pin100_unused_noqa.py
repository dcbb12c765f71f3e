"""PIN100: a ``# noqa`` that suppresses nothing (Ruff's RUF100, for paraminit's codes)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ruff_like_rules.rules.api import FileContext, Finding, FixAvailability, Invalid, Rule


class UnusedNoqa(Rule):
    """
    ## What it does
    Checks for `# noqa` directives that suppress nothing: a paraminit code listed where that
    rule (enabled in this run) finds nothing on the line, and `# noqa:` followed by no rule
    code at all (`# noqa: see above`), which is invalid and suppresses nothing.

    Codes of rules not enabled in the run, codes of other linters and a bare `# noqa` are left
    alone: another run or another tool may need them.

    ## Why is this bad?
    A stale `# noqa: PIN001` stays after the code it excused was fixed, and silences the next
    real finding on that line without anyone noticing. An invalid directive looks like a
    suppression but is none.

    ## Example
    ```python
    self.weight = nn.Parameter(torch.randn(4, 4))  # noqa: PIN001
    ```

    ## Use instead
    ```python
    self.weight = nn.Parameter(torch.randn(4, 4))
    ```

    ## Fix safety
    The fix is safe: it removes only codes that suppress nothing (the whole directive when
    none is left), so no finding appears or disappears. No fix is offered for an invalid
    directive, or where the comment goes on after the directive.
    """

    code = "PIN100"
    name = "unused-noqa"
    summary = "`# noqa` directive that suppresses nothing"
    fix_availability = FixAvailability.SOMETIMES
    trigger = re.compile(r"(?i:noqa)")

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        # the engine reports unused directives: they depend on every other rule's findings
        return iter(())

    VALID = (
        "import torch\nfrom torch import nn\nx = torch.FloatTensor([1.0])  # noqa: PIN004\n",
        "x = 1  # noqa: E501, PIN001\n",  # PIN001 not enabled here: another run may need it
        "x = 1  # noqa\n",
    )
    INVALID = (
        Invalid(
            source="x = 1  # noqa: PIN100\n",
            findings=((1, 8, "Unused `noqa` directive (unused: `PIN100`)"),),
            fixed="x = 1\n",
        ),
        Invalid(
            source="x = 1  # noqa: E501, PIN1\n",
            findings=((1, 8, "Unused `noqa` directive (unused: `PIN1`)"),),
            fixed="x = 1  # noqa: E501\n",
        ),
        Invalid(
            source="x = 1  # noqa: see above\n",
            findings=((1, 8, "Invalid `# noqa` directive: expected rule codes after `noqa:` (such as "
                             "`# noqa: PIN001`); it suppresses nothing"),),
        ),
    )
