"""The engine: one file in, findings out.

It decodes the file, lets the prefilter keep the blocks the selected rules can concern, parses
them, builds the ``FileContext`` a rule sees, runs the rules it is handed (as classes: the engine
never imports ``rules/``) and drops what ``# noqa`` silences. Diagnostics are its plain data.
"""
