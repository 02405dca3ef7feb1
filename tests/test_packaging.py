"""The package as a new user gets it: ``pip install`` without extras, then the three commands.

Every module the package imports at run time must come with a plain install (``xlwt`` once
did not: ``workbench sample-data`` died with a traceback). The test builds the project into a
fresh virtual environment (no ``--system-site-packages``, which would hide a missing
dependency), with pip's configured index, and runs ``sample-data``, ``ingest`` and ``report``
on one small sample with that environment's ``workbench`` command.

Measured on the 2-core development machine under load: the install alone takes about 80 s
(40 s of CPU), the commands about a minute more, so the test is marked ``install`` and runs
with ``pytest --install`` (``.ci/run`` runs it after ``make test``), not inside ``make test``.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
#: Top-level folders of a checkout that a fresh clone does not have (or that are regenerated).
NOT_COPIED = (".venv", ".git", "data", "reports", ".pytest_cache", ".ruff_cache", ".hypothesis",
              "__pycache__", "*.egg-info", "build", "dist")


def _copy_project(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*NOT_COPIED))
    for folder in ("data/raw", "data/processed", "reports"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    return target


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.install
def test_plain_install_runs_sample_ingest_and_report(tmp_path):
    project = _copy_project(tmp_path / "project")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    # Nothing of this checkout may leak in: no PYTHONPATH, no parent virtual environment.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    _run([str(python), "-m", "pip", "install", "--quiet", str(project)], tmp_path, env)

    installed = _run([str(python), "-c", "import workbench, sys; print(workbench.__file__)"],
                     tmp_path, env)
    assert str(env_dir) in installed and str(ROOT) not in installed
    dev_only = _run([str(python), "-c",
                     "import importlib.util as u; print([m for m in ('pytest', 'nbval', "
                     "'hypothesis') if u.find_spec(m)])"], tmp_path, env)
    assert dev_only.strip() == "[]", "the fresh environment holds dev tools: not a plain install"

    workbench = str(bindir / "workbench")
    params = ["--params-dir", str(project / "params")]
    raw, processed, reports = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    _run([workbench, *params, "sample-data", "--out", str(raw), "--start", "2024-05",
          "--end", "2024-06"], tmp_path, env)
    assert (raw / "truth.json").exists()
    out = _run([workbench, *params, "ingest", str(raw), "--out", str(processed)], tmp_path, env)
    assert (processed / "posts.parquet").exists(), out
    _run([workbench, *params, "report", "--month", "2024-06", "--raw", str(raw),
          "--processed", str(processed), "--reports", str(reports),
          "--notebooks", str(project / "notebooks")], tmp_path, env)
    html = (reports / "2024-06" / "report.html").read_text(encoding="utf-8")
    organisation = yaml.safe_load((project / "params" / "org.yaml").read_text("utf-8"))["name"]
    assert organisation in html


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_runtime_import_is_a_runtime_dependency():
    """Cheap static twin of the install test: third-party imports anywhere in workbench/."""
    runtime = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    owners = packages_distributions()
    imported = set()
    for path in (ROOT / "workbench").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"workbench"}
    undeclared = {m: owners.get(m) for m in third_party
                  if not {_name(d) for d in owners.get(m, [m])} & runtime}
    assert undeclared == {}


def test_environment_yml_mirrors_pyproject():
    project = _pyproject()["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    for requirement in declared:
        assert conda.get(_name(requirement), "").replace("_", "-") == \
            requirement.replace(" ", "").replace("_", "-"), requirement
    assert any(isinstance(d, dict) and "-e ." in d.get("pip", []) for d in env["dependencies"])
