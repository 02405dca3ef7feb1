"""End to end on generated sample data: sample-data → ingest → label → KPIs → report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from workbench.cli import main
from workbench.config import load_params
from workbench.errors import ConfigError, ReportError
from workbench.io.tables import load_tables
from workbench.kpis import kpi_table
from workbench.report.runner import NOTEBOOKS, run_report

ROOT = Path(__file__).resolve().parent.parent
START, END = "2025-01", "2025-08"


@pytest.fixture(scope="module")
def sample(tmp_path_factory, sample_params_dir):
    base = tmp_path_factory.mktemp("e2e")
    raw, processed = base / "raw", base / "processed"
    pdir = ["--params-dir", str(sample_params_dir)]
    assert main([*pdir, "sample-data", "--out", str(raw), "--seed", "11",
                 "--start", START, "--end", END, "--experiment"]) == 0
    assert main([*pdir, "ingest", str(raw), "--out", str(processed)]) == 0
    assert main([*pdir, "label", str(processed)]) == 0
    truth = json.loads((raw / "truth.json").read_text(encoding="utf-8"))
    return {"base": base, "raw": raw, "processed": processed, "truth": truth,
            "params_dir": sample_params_dir}


FB_IG_KPIS = ("posts", "post_engagement", "top_post_reach", "new_followers", "reach",
              "profile_visits")


def test_kpis_match_the_planted_truth(sample):
    tables = load_tables(sample["processed"])
    checked = 0
    for month in pd.period_range(START, END, freq="M").astype(str):
        frame = kpi_table(tables, month)
        values = {(r.platform, r.kpi): r.value for r in frame.itertuples()}
        for platform in ("facebook", "instagram"):
            expected = sample["truth"]["kpis"][month][platform]
            for kpi in FB_IG_KPIS:
                if kpi in expected:
                    assert values[(platform, kpi)] == pytest.approx(expected[kpi]), (
                        month, platform, kpi)
                    checked += 1
    assert checked >= 8 * 2 * 5


def test_every_post_has_labels(sample):
    tables = load_tables(sample["processed"])
    labels = tables["labels"]
    keys = set(zip(tables["posts"].platform, tables["posts"].post_id, strict=True))
    assert keys == set(zip(labels.platform, labels.post_id, strict=True))


@pytest.fixture(scope="module")
def report(sample):
    reports = sample["base"] / "reports"
    # Relative folders, as `make report` passes them: the notebooks run side by side while
    # papermill changes the working directory, so the runner must not depend on it.
    before = os.getcwd()
    os.chdir(sample["base"])
    try:
        out = run_report("2025-07", Path("raw"), Path("processed"), Path("reports"),
                         params_dir=sample["params_dir"])
    finally:
        os.chdir(before)
    return {"dir": out, "reports": reports}


def test_report_artefacts(report, sample):
    out = report["dir"]
    assert out.name == "2025-07"
    for name in NOTEBOOKS:
        executed = nbformat.read(out / name, as_version=4)
        code = [c for c in executed.cells if c.cell_type == "code"]
        assert any(c.outputs for c in code), name
        assert executed.metadata["papermill"]["parameters"]["month"] == "2025-07"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for key in ("month", "generated_at", "workbench_version", "params", "inputs", "kpis",
                "hypotheses", "posting_times", "topics", "warnings"):
        assert key in results, key
    assert results["month"] == "2025-07"
    assert all(len(i["sha256"]) == 64 for i in results["inputs"])
    kpis = {(k["platform"], k["kpi"]): k for k in results["kpis"]}
    # Post metrics are compared at the age basis (post_age_days: 7): the truth at that age.
    at_age = sample["truth"]["kpis_at_age"]["7"]
    expected = at_age["2025-07"]["facebook"]["post_engagement"]
    previous = at_age["2025-06"]["facebook"]["post_engagement"]
    row = kpis[("facebook", "post_engagement")]
    assert row["basis"] == "interactions in the first 7 days"
    assert row["value"] == pytest.approx(expected, rel=0.05)
    assert row["previous"] == pytest.approx(previous, rel=0.05)
    true_change = 100 * (expected - previous) / previous
    assert (row["change_pct"] > 0) == (true_change > 0)
    assert row["change_pct"] == pytest.approx(true_change, abs=5)
    assert row["ci_low"] is not None and row["ci_low"] <= row["change_pct"] <= row["ci_high"]
    assert [e["status"] for e in results["experiments"]] == ["running"]
    assert results["findings"] and all(f["text"] for f in results["findings"])
    ids = [h["id"] for h in results["hypotheses"]]
    assert "human_centred" in ids
    time_rows = [h for h in results["hypotheses"] if h["id"] == "posting_time"]
    # one joint time test per platform with a time of day; LinkedIn has none
    assert sorted(h["platform"] for h in time_rows) == ["facebook", "instagram", "tiktok"]
    by_platform = results["posting_times"]["by_platform"]
    for row in time_rows:
        assert row["p_adjusted"] == by_platform[row["platform"]]["p_adjusted"]
    for hypothesis in results["hypotheses"]:
        if hypothesis["p_value"] is not None:
            assert hypothesis["p_adjusted"] >= hypothesis["p_value"] - 1e-12
        if hypothesis["id"].startswith("posting_frequency"):
            # posts per week are compared over the organisation's whole history (issue 15)
            start, end = hypothesis["window"].split("..")
            assert start <= "2025-02" and end == "2025-07"
        else:
            assert hypothesis["window"] == "2025-02..2025-07"
        assert hypothesis["confidence"] in ("strong", "suggestive", "inconclusive")


def test_results_json_is_the_month_results(report, sample):
    """results.json is written from the one MonthResults the notebooks displayed."""
    from workbench.analysis import analyse_month, open_month
    from workbench.analysis.month import cache_path
    from workbench.stats.multiple import adjust_family

    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    ctx = open_month("2025-07", raw_dir=sample["raw"], processed_dir=sample["processed"],
                     params_dir=sample["params_dir"], params_json=json.dumps(results["params"]))
    path = cache_path(ctx)
    assert path is not None and path.exists()  # the runner's computation, shared
    month = analyse_month(ctx)
    assert json.loads(json.dumps(month.to_json()))["hypotheses"] == results["hypotheses"]
    assert results["warnings"] == (results["warnings_ingest"] + results["warnings_hypotheses"]
                                   + results["warnings_website"])
    # the family (content comparisons and posting-time tests) is adjusted exactly once
    rows = results["hypotheses"]
    expected = adjust_family([r["id"] for r in rows],
                             [float("nan") if r["p_value"] is None else r["p_value"]
                              for r in rows], alpha=results["params"]["alpha"])
    for row, p_adj in zip(rows, expected, strict=True):
        if row["p_value"] is not None:
            assert row["p_adjusted"] == pytest.approx(p_adj)


def test_month_split_over_two_processes_matches_one(report, sample):
    """The runner computed half the month in a forked process; one process gives the same."""
    from workbench.analysis import analyse_month, open_month
    from workbench.analysis.month import compute_month

    class FailedCall:  # the other process failed: compute_month computes that half itself
        def result(self):
            raise RuntimeError("the call in process 1 failed")

    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    ctx = open_month("2025-07", raw_dir=sample["raw"], processed_dir=sample["processed"],
                     params_dir=sample["params_dir"], params_json=json.dumps(results["params"]))
    in_one = compute_month(ctx, offload=lambda function, argument: FailedCall())
    assert json.dumps(in_one.to_json(), sort_keys=True, default=str) == json.dumps(
        analyse_month(ctx).to_json(), sort_keys=True, default=str)


def test_report_shows_the_website_and_the_grant(report, sample):
    """Issue 14 on the sample: visits per social platform, the blog post of the month, the
    planted UTM problems and the grant panel, in results.json and report.html."""
    from workbench.website.grant import BELOW, OK
    from workbench.website.results import analyse_website

    month, truth = "2025-07", sample["truth"]
    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    planted = truth["kpis"][month]["website"]
    social = {r["platform"]: r["sessions"] for r in results["website"]["social"]}
    kpis = {(k["platform"], k["kpi"]): k for k in results["kpis"]}
    for platform in ("facebook", "instagram", "linkedin", "tiktok"):
        assert social[platform] == planted[f"visits_from_{platform}"]
        assert kpis[("website", f"visits_from_{platform}")]["value"] == social[platform]
    planted_month = truth["website"]["months"][month]
    blog = results["website"]["blog_post_of_month"]
    assert blog["page"] == planted_month["blog_post"]
    assert blog["sessions_first_30_days"] == truth["website"]["blog_posts"][blog["page"]][
        "sessions_first_30_days"]
    found = {p["value"]: p["sessions"] for p in results["website"]["utm"]["problems"]}
    assert found == {k: float(v) for k, v in planted_month["utm_problems"].items()}
    assert any(w.startswith("UTM tagging:") for w in results["warnings"])
    # the grant: the report month is above 5 %; the planted month (the sample's last) is not
    rules = {r["rule"]: r for r in results["grant"]["rules"]}
    assert rules["ctr"]["value"] == pytest.approx(truth["grant"]["ctr_by_month"][month])
    assert rules["ctr"]["status"] == OK
    low = truth["grant"]["low_ctr_month"]
    assert low == END and all(r["month"] <= month for r in results["grant"]["ctr_by_month"])
    planted_grant = analyse_website(load_tables(sample["processed"]), low,
                                    results["params"]).grant
    assert planted_grant.status("ctr") == BELOW
    assert planted_grant.to_json()["rules"][0]["value"] == pytest.approx(
        truth["grant"]["planted_ctr"], abs=5e-4)
    page = (report["dir"] / "report.html").read_text(encoding="utf-8")
    for text in ("Website: visits from social media", "Google Ad Grant",
                 "Account click-through rate", f"{blog['page']}: ",
                 "interactions in the first 7 days", "within the usual range",
                 "too little history" if "too little history" in json.dumps(results["kpis"])
                 else "usual range"):
        assert text in page, text
    assert "s blog post: " in page and "UTM tagging:" in page
    assert results["data_quality"]["skipped"] == []


def test_report_files_keep_the_usual_permissions(report):
    import os

    umask = os.umask(0o022)
    os.umask(umask)
    for path in (report["dir"] / "report.html", report["reports"] / "index.html",
                 report["dir"] / "results.json"):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path


def test_report_html_is_code_free_and_self_contained(report):
    html = (report["dir"] / "report.html").read_text(encoding="utf-8")
    assert "Forest City Newcomer Services" in html
    assert "#1F4E9A" in html  # brand colour from org.yaml
    assert "open_month(" not in html and "import " not in html  # no code cells
    assert "<script src=" not in html and "<link " not in html  # nothing fetched
    assert "data:image/png;base64," in html  # figures inlined
    assert 'name="viewport"' in html
    index = (report["reports"] / "index.html").read_text(encoding="utf-8")
    assert "2025-07/report.html" in index


def test_failed_run_keeps_previous_report(report, sample, tmp_path):
    out = report["dir"]
    before = (out / "report.html").read_bytes()
    broken_dir = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", broken_dir)
    broken = nbformat.read(broken_dir / "02_kpis.ipynb", as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('planted failure')"))
    nbformat.write(broken, broken_dir / "02_kpis.ipynb")
    with pytest.raises(ReportError, match=r"02_kpis.ipynb failed in cell .*planted failure"):
        run_report("2025-07", sample["raw"], sample["processed"], report["reports"],
                   notebooks_dir=broken_dir, params_dir=sample["params_dir"])
    assert (out / "report.html").read_bytes() == before
    assert (out / "failed" / "02_kpis.ipynb").exists()
    assert not (report["reports"] / ".staging-2025-07").exists()


def test_a_missing_raw_folder_is_a_clear_error(tmp_path):
    from workbench.analysis import open_month

    with pytest.raises(ConfigError, match=r"raw exports folder does not exist.*sample=True"):
        open_month("2025-07", raw_dir=tmp_path / "typo", processed_dir=tmp_path / "processed",
                   params_dir=ROOT / "params")
    assert not (tmp_path / "typo").exists()  # no sample data generated behind the analyst's back


def test_cli_report_error_is_one_line(sample, capsys, tmp_path):
    code = main(["--params-dir", str(sample["params_dir"]), "report", "--month", "2031-01",
                 "--raw", str(sample["raw"]), "--processed", str(sample["processed"]),
                 "--reports", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "no posts or daily figures for 2031-01" in err and "Hint:" in err


def test_params_layering(tmp_path, sample_params_dir):
    params_file = tmp_path / "extra.yaml"
    params_file.write_text("alpha: 0.01\nwindow_months: 3\n", encoding="utf-8")
    params = load_params(sample_params_dir, params_file, [("window_months", "4"),
                                                        ("month", "2024-03")])
    assert params["alpha"] == 0.01
    assert params["window_months"] == 4
    assert params["month"] == "2024-03" and isinstance(params["month"], str)


def test_who_we_reach_finds_the_planted_drift(report, sample):
    """results.json ``audience`` holds the goals of the sample's org.yaml; the TikTok 18-34
    share rises as planted (truth.json ``audience``) and report.html shows the section."""
    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    platforms = results["audience"]["platforms"]
    assert {"facebook", "instagram", "tiktok"} <= set(platforms)
    for platform in platforms.values():
        assert platform["composition"] and platform["status"] in ("met", "not met", "unknown")
    drift = sample["truth"]["audience"]["drift"]
    (young,) = platforms["tiktok"]["goals"]
    assert young["id"] == "age_18_34" and young["direction"] == "increase"
    planted = drift["by_month"]
    assert young["value"] == pytest.approx(planted["2025-07"], abs=0.003)
    rise = young["over_window"]  # against the first snapshot of the sample (2025-01)
    assert rise["change"] == pytest.approx(planted["2025-07"] - planted["2025-01"], abs=0.004)
    assert rise["change"] > 0 and rise["real"] and young["status"] == "met"
    women = platforms["facebook"]["goals"][0]
    assert women["value"] == pytest.approx(
        sample["truth"]["audience"]["composition"]["facebook"]["women"], abs=0.01)
    html = (report["dir"] / "report.html").read_text(encoding="utf-8")
    assert "Who we reach" in html
    assert "aged 18-34 (goal: rising): met, up from" in html
    notebook = nbformat.read(report["dir"] / "04_posting_times.ipynb", as_version=4)
    shown = json.dumps([c.outputs for c in notebook.cells if c.cell_type == "code"])
    assert "Online hours are not proof of a better time to post" in shown



def test_strategy_questions_in_the_family_and_on_the_page(report):
    """Issue 15: the strategy rows sit in results.json ``hypotheses`` (adjusted with the
    family: checked above), the hashtag line and the fair top posts are on the leadership
    page, one best post per platform."""
    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    strategy = results["strategy"]
    ids = [h["id"] for h in results["hypotheses"]]
    formats = [h for h in results["hypotheses"] if h["id"].startswith("format:")]
    assert formats and all(h["sentence"].endswith(f"{h['confidence']}.") for h in formats)
    # after the content rows, before the three posting-time rows
    rows = len(strategy["hypotheses"])
    assert [h["id"] for h in strategy["hypotheses"]] == ids[len(ids) - 3 - rows:len(ids) - 3]
    html = (report["dir"] / "report.html").read_text(encoding="utf-8")
    hashtags = strategy["hashtags"]
    # The default sample tags every post with the local hashtags, as the agency does
    # (workbench.sample.calendar CalendarSettings.tag_every_post): no comparison rows, the
    # issue's one line on the page and the experiment command that would settle it. The
    # comparison itself is checked on the strategy profile (partial tagging) below.
    n = hashtags["n_posts"]
    assert n > 100 and hashtags["n_with"] == n and not hashtags["comparable"]
    assert hashtags["statement"] == (
        f"all {n} posts used the local hashtags: no comparison is possible; an experiment "
        "that drops them from a random half for 8 weeks would settle it")
    assert hashtags["command"].startswith("workbench experiment new local-hashtags-")
    shown = hashtags["statement"][:1].upper() + hashtags["statement"][1:]  # a sentence on the page
    assert esc_text(f"{shown} (set it up with: {hashtags['command']}).") in html
    assert not any(h["id"].startswith("hashtags_local") for h in results["hypotheses"])
    best = strategy["top_posts"]["best_by_platform"]
    assert sorted(b["platform"] for b in best) == sorted({b["platform"] for b in best})
    assert html.count("× its usual") == len(best) >= 3


def test_every_kpi_change_on_the_page_matches_the_matured_truth(report, sample):
    """Issue 11, done when: each KPI change shown has the truth's sign and lies in its range.

    The truth is the generator's: post KPIs at the run's age basis (``kpis_at_age``, from the
    posts' latent growth curves), page-level KPIs from its daily series and manual figures.
    Post KPIs with an interval must cover the true change; page-level KPIs, and post KPIs
    with too few posts in a month for an interval (the sample's TikTok: 3 posts in June), are
    judged by their noise band, so the page's "usual"/"unusual" word must match where the
    true change falls against that band. Every change carries one of the two (``range``
    says which) unless the KPI is planned (posts) or has too little history for a band.
    TikTok's posts are mostly downloaded once, too few repeated downloads for a growth curve
    of its own, so they are placed at the basis with the curve of all platforms (the
    generator draws one growth curve for every platform, so this is the truth's curve too).
    """
    from workbench.kpis import AS_DOWNLOADED, BAND_TOO_LITTLE, RANGE_BAND, RANGE_INTERVAL

    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    month, previous = "2025-07", "2025-06"
    days = str(results["params"]["post_age_days"])
    at_age, plain = sample["truth"]["kpis_at_age"][days], sample["truth"]["kpis"]
    checked, problems = 0, []
    for row in results["kpis"]:
        if row.get("change_pct") is None:
            continue
        platform, kpi = row["platform"], row["kpi"]
        on_basis = row.get("basis") not in (None, AS_DOWNLOADED) or kpi == "posts"
        source = at_age if on_basis and kpi in ("post_engagement", "top_post_reach",
                                                "posts") else plain
        if kpi in ("post_engagement", "top_post_reach") and not on_basis:
            problems.append(f"{platform} {kpi}: not on the age basis ({row.get('basis')})")
        expected_range = (RANGE_INTERVAL if row.get("ci_low") is not None else RANGE_BAND
                          if row.get("band_low") is not None else None)
        if row.get("range") != expected_range or (
                expected_range is None and kpi != "posts"
                and row.get("band_status") != BAND_TOO_LITTLE):
            problems.append(f"{platform} {kpi}: range {row.get('range')!r}, "
                            f"interval {row.get('ci_low')}, band {row.get('band_low')}")
        now = source.get(month, {}).get(platform, {}).get(kpi)
        then = source.get(previous, {}).get(platform, {}).get(kpi)
        if now is None or not then:
            continue
        true_change = 100 * (now - then) / then
        checked += 1
        if (row["change_pct"] > 0) != (true_change > 0) and abs(true_change) > 0.5:
            problems.append(f"{platform} {kpi}: sign {row['change_pct']:.1f} vs {true_change:.1f}")
        if row.get("ci_low") is not None:
            if not row["ci_low"] <= true_change <= row["ci_high"]:
                problems.append(f"{platform} {kpi}: truth {true_change:.1f} outside "
                                f"[{row['ci_low']:.1f}, {row['ci_high']:.1f}]")
        elif row.get("band_low") is not None:
            inside = row["band_low"] <= true_change <= row["band_high"]
            if inside != (row["band_low"] <= row["change_pct"] <= row["band_high"]):
                problems.append(f"{platform} {kpi}: truth {true_change:.1f} and the page's "
                                f"{row['change_pct']:.1f} on opposite sides of the band")
        elif abs(row["change_pct"] - true_change) > 0.5:
            problems.append(f"{platform} {kpi}: {row['change_pct']:.1f} vs the truth's "
                            f"{true_change:.1f} with neither an interval nor a band")
    assert checked >= 8, checked
    assert not problems, problems


def test_all_posts_tagged_line_and_its_experiment_command_run_end_to_end(report, sample,
                                                                        tmp_path):
    """Issue 15 §1: the default sample tags every post, so the report offers the hashtag
    experiment; the command it prints registers the experiment as printed."""
    import shlex

    import yaml

    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    hashtags = results["strategy"]["hashtags"]
    assert not hashtags["comparable"] and hashtags["command"]
    argv = shlex.split(hashtags["command"])
    assert argv[:3] == ["workbench", "experiment", "new"]
    registry, reports = tmp_path / "registry", tmp_path / "reports"
    # The start it proposes is after the last post of the history (the sample runs to
    # 2025-08, past the report month), so the registration is accepted as printed.
    assert main(["--params-dir", str(sample["params_dir"]), *argv[1:],
                 "--processed", str(sample["processed"]), "--registry", str(registry),
                 "--reports", str(reports)]) == 0
    name = hashtags["experiment"]["name"]
    record = yaml.safe_load((registry / f"{name}.yaml").read_text(encoding="utf-8"))
    assert record["hypothesis"] == "local_hashtag" and record["weeks"] == 8
    assert (reports / "experiments" / name / "schedule.csv").is_file()


def test_strategy_profile_compares_posts_with_and_without_the_local_hashtags(
        tmp_path, sample_params_dir):
    """Issue 15 §6: the second sample profile tags about half its creatives and plants ×1.3 on
    their reach (truth.json ``strategy``); through the export files, ingest and labels the
    comparison runs, finds the planted effect within its interval and words both rows."""
    from workbench.sample.profile import sample_params
    from workbench.stats.strategy import HASHTAG_ID, hashtag_comparison, sentence

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    pdir = ["--params-dir", str(sample_params_dir)]
    assert main([*pdir, "sample-data", "--out", str(raw), "--seed", "11", "--start", START,
                 "--end", END, "--profile", "strategy"]) == 0
    assert main([*pdir, "ingest", str(raw), "--out", str(processed)]) == 0
    assert main([*pdir, "label", str(processed)]) == 0
    truth = json.loads((raw / "truth.json").read_text(encoding="utf-8"))
    tables = load_tables(processed)
    rows, hashtags = hashtag_comparison(tables["posts"], tables.get("labels"),
                                        tables.get("daily"), sample_params(sample_params_dir),
                                        "2025-07", permutations=999)
    assert hashtags.comparable and hashtags.statement is None
    assert 0.3 < hashtags.n_with / hashtags.n_posts < 0.7
    pooled = {r.id: r for r in rows if r.platform == "all"}
    assert list(pooled) == [HASHTAG_ID, "hashtags_local:interactions"]
    reach = pooled[HASHTAG_ID]
    planted = truth["strategy"]["hashtag_reach"]
    assert planted == 1.3 and reach.estimate > 1 and reach.ci_low <= planted <= reach.ci_high
    secondary = pooled["hashtags_local:interactions"]  # nothing planted per person reached
    assert secondary.method == "permutation_shift"
    assert secondary.ci_low <= 1 <= secondary.ci_high
    assert sentence(reach).startswith("Posts with the local hashtags got ")


def test_posting_frequency_rows_in_the_family_on_the_page_and_in_the_plan(report):
    """Issue 15 §3: per platform, the frequency rows sit in results.json ``hypotheses`` with
    the DESIGN.md fields (adjusted with the family), the page words each answer with its
    confidence, and next month's plan carries an answer only when its row is strong."""
    from workbench.stats.hypotheses import HYPOTHESIS_FIELDS

    results = json.loads((report["dir"] / "results.json").read_text(encoding="utf-8"))
    rows = [h for h in results["hypotheses"] if h["id"].startswith("posting_frequency")]
    answers = results["strategy"]["frequency"]
    assert rows and {r["platform"] for r in rows} == {a["platform"] for a in answers}
    for row in rows:
        assert set(HYPOTHESIS_FIELDS) <= set(row)
        assert row["sentence"].endswith(f"{row['confidence']}.")
        if row["p_value"] is not None:
            assert row["p_adjusted"] >= row["p_value"] - 1e-12  # adjusted with the family
    html = (report["dir"] / "report.html").read_text(encoding="utf-8")
    for answer in answers:
        assert answer["in_family"] is True
        by_id = {r["id"]: r for r in rows if r["platform"] == answer["platform"]}
        assert answer["confidence"] == {k: r["confidence"] for k, r in by_id.items()}
        firm = answer["plan"] is not None
        resting = by_id["posting_frequency:per_post" if answer["plan"] ==
                        "extra_post_adds_less_than_average" else "posting_frequency"]
        if firm:  # the plan rests on a strong, family-adjusted row
            assert resting["confidence"] == "strong"
        else:
            assert by_id["posting_frequency"]["confidence"] != "strong"
        assert (answer["plan_line"] in results["next_month"]) == firm
        assert esc_text(answer["sentence"]) in html
    plan_lines = [line for line in results["next_month"] if line.startswith("Posting frequency")]
    assert len(plan_lines) == sum(a["plan"] is not None for a in answers)


def esc_text(text: str) -> str:
    """As the report escapes data-free text (quotes and ampersands)."""
    import html as _html

    return _html.escape(text, quote=True)
