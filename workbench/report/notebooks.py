"""The one template of the report notebooks' parameters and setup cells.

Every report notebook starts with the same two code cells: the papermill ``parameters`` cell
and the setup cell that opens the month and loads its (cached) results. They are written from
:data:`PARAMETERS_SOURCE` and :data:`SETUP_SOURCE` by :func:`apply_template`; a test checks
that the committed notebooks match.
"""

from __future__ import annotations

from pathlib import Path

PARAMETERS_SOURCE = '''\
# Parameters: papermill injects the runner's values in a cell after this one.
month: str = ""  # month to report on as YYYY-MM; empty means the latest complete month
sample: bool = True  # True: the fictional SAMPLE organisation; False: your exports in raw_dir
raw_dir: str = "../data/raw"  # your exports as downloaded (read when sample is False)
processed_dir: str = "../data/processed"  # canonical tables (read when sample is False)
params_dir: str = "../params"  # folder holding org.yaml and monthly.yaml
params_json: str = ""  # the runner's layered settings as JSON; empty means read params_dir'''

SETUP_SOURCE = '''\
%matplotlib inline
import matplotlib.pyplot as plt
from IPython.display import display

import workbench as wb
from workbench.report import display as D
from workbench.report import figures as F
from workbench.report import sections as S

ctx = wb.open_month(month, sample=sample, raw_dir=raw_dir, processed_dir=processed_dir,
                    params_dir=params_dir, params_json=params_json)
results = wb.analyse_month(ctx)  # computed once per month and settings, then cached'''


def template_cells(notebook) -> tuple[object, object]:
    """The notebook's parameters cell and the code cell right after it."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    index = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
    return code[index], code[index + 1]


def apply_template(path: str | Path) -> bool:
    """Rewrite a report notebook's parameters and setup cells from the template.

    Returns:
        True when the file changed.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    parameters, setup = template_cells(notebook)
    if parameters.source == PARAMETERS_SOURCE and setup.source == SETUP_SOURCE:
        return False
    parameters.source, setup.source = PARAMETERS_SOURCE, SETUP_SOURCE
    setup.metadata["tags"] = ["remove-output"]
    nbformat.write(notebook, path)
    return True
