"""paraminit runtime checker and pytest plugin."""
