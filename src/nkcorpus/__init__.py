"""nkcorpus: search Indonesian documents from the terminal.

The core (normalize, passages, analysis, corpus, index, search) never imports
typer or rich; those belong to ``cli`` and ``render.text`` only.
"""

__version__ = "0.1.0"
