"""Sample data: a fictional organisation's exports in the real formats, plus the truth.

``generate_sample`` is what ``workbench sample-data`` calls; see ``generator.py``.
"""

from workbench.sample.generator import generate_sample

__all__ = ["generate_sample"]
