"""The analyzer inside other tools: the language server (``lsp``) and the flake8 plugin."""
