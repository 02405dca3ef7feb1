"""The command line skips an optional module no command uses, and notebooks still validate."""

import subprocess
import sys

PROBE = """
import sys
from workbench.cli import main
try:
    main(["--version"])  # prints the version and exits
except SystemExit:
    pass
import nbformat
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
nbformat.validate(notebook)
try:
    nbformat.validate({"nbformat": 4, "cells": "not a list"})
except nbformat.ValidationError:
    print("invalid notebook refused")
print("rfc3987_syntax imported:", sys.modules.get("rfc3987_syntax") is not None)
"""


def test_cli_process_validates_notebooks_without_the_skipped_module():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=120, check=True)
    assert "invalid notebook refused" in done.stdout
    assert "rfc3987_syntax imported: False" in done.stdout
