"""A run over a project: settings found and resolved per file, files discovered, results cached,
analyses spread over a process pool."""
