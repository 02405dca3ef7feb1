"""Another agency adopts the workbench by editing ``params/org.yaml`` only.

A copy of the project's params folder is edited to a fictional agency in Lisbon (another time
zone, another currency, no service KPIs, other hashtags and accounts); the sample
organisation's exports are then ingested and reported on with it. Nothing organisation-specific
may leak from code: the report names the Lisbon agency, its times are Lisbon times, and no
translation-service KPI or Canadian dollar appears.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from workbench.cli import SAMPLE_FOLDERS, build_parser, main, sample_fallback
from workbench.config import DEFAULT_PARAMS_DIR

MONTH = "2024-06"


def lisbon_params(target: Path) -> Path:
    shutil.copytree(DEFAULT_PARAMS_DIR, target)
    org = yaml.safe_load((target / "org.yaml").read_text(encoding="utf-8"))
    org.update({
        "name": "Associação Exemplo de Acolhimento",
        "short_name": "AEA",
        "timezone": "Europe/Lisbon",
        "currency": "EUR",
        "currency_symbol": "€",
        "website": "https://www.acolhimento.example",
        "platforms": {"facebook": {"account": "Associação Exemplo"},
                      "instagram": {"account": "acolhimento_exemplo"}},
        "brand_colours": {"green": "#2E7D32"},
        "local_hashtags": ["#Lisboa", "#Acolhimento"],
    })
    org.pop("services", None)
    (target / "org.yaml").write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def lisbon(tmp_path_factory):
    base = tmp_path_factory.mktemp("lisbon")
    params = ["--params-dir", str(lisbon_params(base / "params"))]
    raw, processed, reports = base / "raw", base / "processed", base / "reports"
    assert main([*params, "sample-data", "--out", str(raw), "--start", MONTH, "--end", MONTH]) == 0
    assert main([*params, "ingest", str(raw), "--out", str(processed)]) == 0
    assert main([*params, "report", "--month", MONTH, "--raw", str(raw),
                 "--processed", str(processed), "--reports", str(reports)]) == 0
    return {"processed": processed, "out": reports / MONTH}


def test_report_speaks_for_the_other_agency(lisbon):
    html = (lisbon["out"] / "report.html").read_text(encoding="utf-8")
    assert "Associação Exemplo de Acolhimento" in html
    # The sample's manual_kpis.csv holds translation figures: not this agency's KPIs.
    assert "Translation revenue" not in html and ">Services<" not in html
    assert re.search(r"€[\d,]+", html), "ad spend is not in the agency's currency"
    assert not re.search(r"\$[\d,]+", html)


def test_times_are_the_agency_s_and_no_service_kpis(lisbon):
    posts = pd.read_parquet(lisbon["processed"] / "posts.parquet")
    assert str(posts["published_at"].dt.tz) == "Europe/Lisbon"
    results = json.loads((lisbon["out"] / "results.json").read_text(encoding="utf-8"))
    assert results["kpis"], "no KPI at all"
    assert not [k for k in results["kpis"] if k["platform"] == "services"]
    assert results["params"]["timezone"] == "Europe/Lisbon"


def _report_args(tmp_path, monkeypatch) -> argparse.Namespace:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / ".gitkeep").write_text("")
    return build_parser().parse_args(["report"])


def test_report_alone_uses_the_sample_when_data_raw_is_empty(tmp_path, monkeypatch, capsys):
    args = _report_args(tmp_path, monkeypatch)
    written = []
    monkeypatch.setattr("workbench.sample.generate_sample",
                        lambda out, **kw: written.append((out, kw["params"]["name"])))
    assert sample_fallback(args)
    assert {k: getattr(args, k) for k in SAMPLE_FOLDERS} == SAMPLE_FOLDERS
    assert written == [(Path("data/sample/raw"), "Forest City Newcomer Services")]
    assert "SAMPLE organisation's FICTIONAL data" in capsys.readouterr().out


def test_report_alone_keeps_real_exports_and_chosen_folders(tmp_path, monkeypatch):
    args = _report_args(tmp_path, monkeypatch)
    (tmp_path / "data" / "raw" / "2024-06").mkdir()
    (tmp_path / "data" / "raw" / "2024-06" / "export.csv").write_text("x\n")
    assert not sample_fallback(args)
    assert args.raw == "data/raw"
    empty = build_parser().parse_args(["report", "--raw", "elsewhere"])
    (tmp_path / "data" / "raw" / "2024-06" / "export.csv").unlink()
    assert not sample_fallback(empty) and empty.raw == "elsewhere"


def test_money_and_service_labels_come_from_the_profile(sample_profile):
    from workbench.kpis import service_kpis
    from workbench.report.display import kpi_label, money_unit, platform_label

    assert service_kpis(sample_profile) == ["translation_revenue", "translation_inquiries"]
    assert money_unit("translation_revenue", sample_profile) == "$"
    assert money_unit("translation_inquiries", sample_profile) == ""
    assert platform_label("services", sample_profile) == "Translation services"
    shop = {"label": "Loja social", "kpis": {"vendas": {"label": "Vendas", "money": True}}}
    other = {"currency": "EUR", "services": shop}
    assert service_kpis(other) == ["vendas"] and kpi_label("vendas", other) == "Vendas"
    assert money_unit("vendas", other) == "EUR " and money_unit("cost", other) == "EUR "
    assert service_kpis({}) == [] and money_unit("cost", {}) == ""
