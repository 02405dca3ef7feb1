"""``generate_sample``: a fictional organisation's monthly exports plus ``truth.json``.

Layout written under ``out_dir``::

    <YYYY-MM>/facebook/   post CSV + chart downloads, as downloaded a few days after the month
    <YYYY-MM>/instagram/
    <YYYY-MM>/<platform>/in-month/   earlier downloads of the same month's post export (month to
                          date, twice during the month), so posts are seen at several ages
    legacy/               one legacy Facebook Insights post export (SpreadsheetML .xls) of the
                          12 months before ``start``: older history for the same posts table
    manual_kpis.csv       month,platform,kpi,value,note
    truth.json            the planted model, every post, every download, the true KPIs

Every random draw of the sample months comes from one ``numpy`` Generator seeded once, in a
fixed order; the legacy history draws from its own child stream of the same seed, so adding it
left the monthly files and KPIs unchanged. File modification times are set to the simulated
download times, so the same arguments give byte-identical files with identical mtimes.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from workbench import __version__
from workbench.config import MONTH_RE
from workbench.errors import ConfigError
from workbench.io.atomic import write_bytes_atomic, write_json_atomic
from workbench.sample import audience_writers as aw
from workbench.sample import legacy_writer as lw
from workbench.sample import meta_writer as mw
from workbench.sample import other_writers as ow
from workbench.sample import web_writers as ww
from workbench.sample.calendar import (
    EVENING_HOURS,
    CalendarSettings,
    build_calendar,
    default_range,
    month_days,
    month_list,
)
from workbench.sample.images import post_image_png
from workbench.sample.outcomes import Model, Post, daily_series, draw_posts

#: Chart downloads per platform: (file name, title, daily metric).
CHARTS = {
    "facebook": (("Follows.csv", "Facebook follows", "follows"),
                 ("Visits.csv", "Facebook visits", "visits"),
                 ("Reach.csv", "Facebook reach", "reach"),
                 ("Views.csv", "Views", "views")),
    "instagram": (("Follows.csv", "Instagram follows", "follows"),
                  ("Profile visits.csv", "Instagram profile visits", "visits"),
                  ("Reach.csv", "Instagram reach", "reach")),
}
MANUAL_HEADER = "month,platform,kpi,value,note"
IMAGE_PLATFORMS = ("facebook", "instagram", "linkedin")
#: Months of legacy Facebook Insights history written before the sample's first month.
LEGACY_MONTHS = 12
#: Ages (days) at which truth.json holds every post's matured metrics (issue 11 §1).
TRUTH_BASIS_DAYS = (7, 28)
#: Days of the month on which the analyst re-downloads the month-to-date post export (ranges).
IN_MONTH_DOWNLOAD_DAYS = ((7, 11), (18, 23))
#: Ad Grant campaigns, one per programme.
AD_CAMPAIGNS = ["Employment Services", "LINC English Classes", "Housing Help",
                "Translation Services", "Volunteer With Us"]


class SampleWriter:
    """Collects written files, sets their mtimes and remembers them for truth.json."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: list[dict] = []

    def write(self, relpath: str, data: bytes, taken_at: datetime, kind: str, **extra) -> str:
        """Write ``data`` at ``out_dir/relpath`` with mtime ``taken_at``; return relpath."""
        path = self.out_dir / relpath
        write_bytes_atomic(path, data)
        os.chmod(path, 0o644)  # as a browser saves a download (mkstemp makes it 0600)
        stamp = taken_at.timestamp()
        os.utime(path, (stamp, stamp))
        self.files.append({"path": relpath, "kind": kind,
                           "snapshot_at": taken_at.astimezone(ZoneInfo("UTC")).isoformat(),
                           **extra})
        return relpath


def _month_bounds(month: str) -> tuple[date, date]:
    days = month_days(month)
    return days[0], days[-1]


def _next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def download_schedule(rng: np.random.Generator, months: list[str], tz: ZoneInfo) -> list[dict]:
    """When the analyst downloads each month's Meta exports, and which range.

    A few days after month M ends; every third month the range covers the previous
    month too (an overlapping download, so those posts appear twice, the second time older
    and with bigger lifetime numbers).
    """
    schedule = []
    for i, month in enumerate(months):
        first, last = _month_bounds(month)
        if i % 3 == 2:
            first = _month_bounds(months[i - 1])[0]
        nxt = _month_bounds(_next_month(month))[0]
        day = nxt + timedelta(days=int(rng.integers(2, 7)))
        taken = datetime(day.year, day.month, day.day, int(rng.integers(9, 17)),
                         int(rng.integers(0, 60)), int(rng.integers(0, 60)), tzinfo=tz)
        schedule.append({"month": month, "first": first, "last": last, "taken_at": taken,
                         "index": i})
    return schedule


def _check_month(value: str | None, name: str) -> None:
    if value is not None and not MONTH_RE.match(str(value)):
        raise ConfigError(f"--{name} is {value!r}, not YYYY-MM", hint="write a month as 2024-03")


def _prepare_out_dir(out_dir: Path) -> None:
    """Refuse to mix sample files into a folder of other files; clear an older sample."""
    if not out_dir.exists():
        out_dir.mkdir(parents=True)
        return
    entries = [p for p in out_dir.iterdir()]
    if not entries:
        return
    if not (out_dir / "truth.json").exists():
        raise ConfigError("output folder is not empty and holds no earlier sample", file=out_dir,
                          hint="choose a new or empty folder for --out")
    # An earlier sample: remove only what a sample writes (month folders, media, known files).
    for entry in entries:
        if entry.is_dir() and (re.fullmatch(r"\d{4}-\d{2}", entry.name)
                               or entry.name in ("media", "legacy")):
            shutil.rmtree(entry)
        elif entry.name in ("truth.json", "manual_kpis.csv"):
            entry.unlink()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def generate_sample(
    out_dir: Path,
    seed: int = 7,
    start: str | None = None,
    end: str | None = None,
    params: dict | None = None,
    experiment: bool = False,
    profile: str = "default",
) -> dict:
    """Write a fictional organisation's monthly exports and return the truth.

    Args:
        out_dir: Folder to write (created; an earlier sample there is replaced; any other
            non-empty folder is refused).
        seed: Seed of the single random stream.
        start: First month ``YYYY-MM`` (default: 18 months before ``end``).
        end: Last month ``YYYY-MM`` (default: the last complete month before today).
        params: Organisation profile (default: the sample organisation's own,
            :func:`workbench.sample.profile.sample_params`, never ``params/org.yaml``).
        experiment: Also run a finished content experiment (``workbench.sample.experiment``);
            off by default so the default sample stays byte-identical.
        profile: ``"default"`` or ``"strategy"``: the second profile plants a reach effect of
            the local hashtags, diminishing returns above 3 posts a week and a strong LinkedIn
            post in the last month (`workbench.sample.strategy`, truth.json ``strategy``).

    Returns:
        The truth dict also written to ``out_dir/truth.json`` (keys ``organisation``,
        ``start``, ``end``, ``model``, ``posts``, ``files``, ``kpis``, ``legacy``, ...).

    """
    _check_month(start, "start")
    _check_month(end, "end")
    if params is None:
        from workbench.sample.profile import sample_params

        params = sample_params()
    if start is None or end is None:
        default_start, default_end = default_range(date.today())
        end = end or default_end
        if start is None:
            y, m = int(end[:4]), int(end[5:7]) - 17
            while m <= 0:
                y, m = y - 1, m + 12
            start = f"{y:04d}-{m:02d}"
    if start > end:
        raise ConfigError(f"--start {start} is after --end {end}", hint="swap them")
    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir)

    rng = np.random.default_rng(seed)
    tz = mw.local_zone(params)
    months = month_list(start, end)
    org_name = str(params.get("name", "Sample Organisation"))
    platforms_cfg = params.get("platforms") or {}
    ig_user = str((platforms_cfg.get("instagram") or {}).get("account", _slug(org_name)))
    fb_name = str((platforms_cfg.get("facebook") or {}).get("account", org_name))
    page_slug = _slug(ig_user) or _slug(org_name)
    page_id = "1000" + "".join(str(d) for d in rng.integers(0, 10, 11))
    ig_account_id = "178414" + "".join(str(d) for d in rng.integers(0, 10, 11))

    if profile not in ("default", "strategy"):
        raise ConfigError(f"unknown sample profile {profile!r}", hint="use default or strategy")
    model = Model()
    # The default profile tags every post with the local hashtags (the agency's practice); the
    # strategy profile only about half, so its planted hashtag effect can be compared.
    settings = CalendarSettings(tag_every_post=profile == "default")
    creatives = build_calendar(rng, months, params, settings)
    if experiment:
        from workbench.sample import experiment as sample_experiment

        creatives, experiment_payload = sample_experiment.add_experiment(
            creatives, months, params, seed, model, tag_every_post=settings.tag_every_post)
    plant = None
    if profile == "strategy":
        from workbench.sample.strategy import default_plant

        plant = default_plant(months, params)
    posts = draw_posts(rng, creatives, months, model, page_slug, plant=plant)
    daily = {p: daily_series(rng, posts, months, p, tz) for p in ("facebook", "instagram")}
    schedule = download_schedule(rng, months, tz)

    writer = SampleWriter(out_dir)
    snapshots: dict[tuple[str, str], list[dict]] = {}
    for dl in schedule:
        _write_meta_month(rng, writer, dl, posts, daily, tz, snapshots,
                          page_id, fb_name, ig_account_id, ig_user, org_name)
    manual = _manual_kpis(rng, months, posts, daily, tz)
    # Re-downloads during each month, from their own stream so the month-end files are unchanged.
    redownload_rng = np.random.default_rng([seed, 1101])
    for i, month in enumerate(months):
        _write_meta_in_month(redownload_rng, writer, month, i, posts, tz, snapshots,
                             page_id, fb_name, ig_account_id, ig_user, org_name)
    for platform in ("linkedin", "tiktok"):
        daily[platform] = daily_series(rng, posts, months, platform, tz)
    web = ww.WebSample(seed, months)
    extra_kpis = _write_other_sources(rng, writer, schedule, posts, daily, tz, snapshots, params,
                                      org_name, web, seed=seed)
    audience_truth = aw.write_audience(writer, schedule, daily, seed, tz, _tiktok_user(
        params, org_name))
    images = _write_images(writer, posts, seed, params)
    last_taken = schedule[-1]["taken_at"]
    writer.write("manual_kpis.csv", _manual_csv(manual), last_taken, "manual_kpis")
    legacy = _write_legacy(writer, seed, months[0], params, model, tz, page_id, fb_name,
                           page_slug, settings)

    truth = {
        "organisation": org_name,
        "start": start,
        "end": end,
        "seed": seed,
        "timezone": str(tz),
        "workbench_version": __version__,
        "months": months,
        "accounts": {"facebook": {"page_id": page_id, "page_name": fb_name},
                     "instagram": {"account_id": ig_account_id, "username": ig_user}},
        "model": {**model.as_dict(), "evening_hours": list(EVENING_HOURS)},
        "effects": {"human_centred": model.human_centred, "brand_colours": model.brand_colours,
                    "evening": model.evening, "topic": model.topic, "format": model.format},
        "posts": [_post_truth(p, snapshots.get((p.platform, p.post_id), [])) for p in posts],
        "files": writer.files,
        "manual": manual,
        "kpis": _kpis(months, posts, snapshots, daily, manual, tz),
        "kpis_at_age": _kpis_at_age(months, posts, tz),
        "images": images,
        "legacy": legacy,
    }
    for month, values in extra_kpis.items():
        truth["kpis"][month].update(values)
    truth["website"], truth["grant"] = web.truth()
    truth["audience"] = audience_truth
    if plant is not None:
        from workbench.sample.strategy import truth_effects

        truth["strategy"] = truth_effects(model, plant)
    if experiment:
        sample_experiment.finish_experiment(out_dir, truth, experiment_payload, last_taken)
    truth_path = out_dir / "truth.json"
    write_json_atomic(truth_path, truth)
    os.chmod(truth_path, 0o644)
    os.utime(truth_path, (last_taken.timestamp(), last_taken.timestamp()))
    return truth


def _shift_month(month: str, delta: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _write_legacy(writer, seed, start, params, model, tz, page_id, fb_name, page_slug,
                  settings: CalendarSettings | None = None) -> dict:
    """Write the legacy Facebook Insights exports of the 12 months before ``start``.

    The post-level ``.xls`` and the page-level daily ``.csv`` (page likes gained: the
    ``new_followers`` history before the sample).

    Same page, calendar and outcome model as the sample; older dates. It draws from a child
    stream of ``seed`` so the sample months' draws, files and KPIs do not depend on it.
    ``settings``: the profile's calendar settings (local hashtags on every post or not).

    Returns:
        The ``legacy`` section of truth.json: file, months, date range, download time, post
        count, the damaged caption, monthly Facebook post KPIs and every post.

    """
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    months = month_list(_shift_month(start, -LEGACY_MONTHS), _shift_month(start, -1))
    creatives = [replace(c, platforms=("facebook",), format=lw.LEGACY_FORMAT[c.format])
                 for c in build_calendar(rng, months, params, settings or CalendarSettings())
                 if "facebook" in c.platforms]
    # Continue the audience trend backwards: month -k has median reach x (1+g)^-k.
    shrink = (1 + model.reach_growth_per_month) ** -LEGACY_MONTHS
    older = replace(model, reach_median={**model.reach_median, "facebook": {
        k: v * shrink for k, v in model.reach_median["facebook"].items()}})
    drawn = draw_posts(rng, creatives, months, older, page_slug)
    # Legacy ids are "<page id>_<post id>" (export-formats.md §3.1), older than the sample's.
    number = int(rng.integers(1_200_000_000_000_000, 1_300_000_000_000_000))
    posts = []
    for post in drawn:
        number += int(rng.integers(10**9, 10**11))
        post = replace(post, post_id=f"{page_id}_{number}")
        posts.append(replace(post, permalink=lw.permalink(post, page_slug)))
    day = _month_bounds(start)[0] + timedelta(days=int(rng.integers(2, 7)))
    taken = datetime(day.year, day.month, day.day, int(rng.integers(9, 17)),
                     int(rng.integers(0, 60)), int(rng.integers(0, 60)), tzinfo=tz)
    rows = [lw.legacy_row(p, p.snapshot(taken))
            for p in sorted(posts, key=lambda p: p.creative.published_local, reverse=True)]
    damage = lw.damage_target(rows)
    relpath = f"legacy/{lw.file_name(fb_name, taken.date())}"
    first, last = _month_bounds(months[0])[0], _month_bounds(months[-1])[1]
    writer.write(relpath, lw.spreadsheet_bytes(rows, damage), taken, "legacy_facebook_posts",
                 range=[first.isoformat(), last.isoformat()], rows=len(rows))
    entries, newest = [], {}
    for row in reversed(rows):  # publish order, like truth["posts"]
        snap = row.post.snapshot(taken)
        record = _snap_record(relpath, taken, {**snap, "clicks": {"clicks": row.consumptions}})
        record["impressions"] = row.metrics[3]
        entry = _post_truth(row.post, [record])
        entry["image"] = None  # the archive kept no images
        entries.append(entry)
        newest[row.post.post_id] = record
    kpis = {}
    for month in months:
        mine = [newest[p.post_id] for p in posts
                if p.creative.published_local.astimezone(tz).strftime("%Y-%m") == month]
        kpis[month] = {"facebook": {
            "posts": len(mine), "post_engagement": sum(s["interactions"] for s in mine),
            "top_post_reach": max((s["reach"] for s in mine), default=None)}}
    damaged = None
    if damage is not None:
        post, char = rows[damage[0]].post, rows[damage[0]].post.creative.caption[damage[1]]
        damaged = {"post_id": post.post_id, "char_index": damage[1], "char": char,
                   "bytes_written": (char.encode("utf-8")[:1] + b"?").hex(" ")}
    # The page-level export of the same range (drawn last: the post file does not move)
    series = daily_series(rng, posts, months, "facebook", tz)
    page_rows, total = [], 900 + int(rng.integers(0, 400))
    for day in sorted(series["follows"]):
        follows = series["follows"][day]
        unfollows = int(rng.poisson(0.15))
        total += follows - unfollows
        reach = series["reach"][day]
        page_rows.append({
            "day": day, "total": total, "follows": follows if follows else None,
            "unfollows": unfollows if unfollows else None,  # quiet days are empty cells
            "engaged": int(rng.binomial(reach, 0.06)), "reach": reach,
            "impressions": int(round(reach * rng.uniform(1.5, 2.2))),
            "city": int(total * 0.02)})
    page_rel = f"legacy/{lw.page_file_name(fb_name, first, last)}"
    writer.write(page_rel, lw.page_level_bytes(page_rows), taken, "legacy_facebook_page",
                 range=[first.isoformat(), last.isoformat()], rows=len(page_rows))
    for month in months:
        kpis[month]["facebook"]["new_followers"] = sum(
            r["follows"] or 0 for r in page_rows if r["day"].strftime("%Y-%m") == month)
    stamps = [p.creative.published_local for p in posts]
    return {
        "page_file": page_rel, "page_kind": "legacy_facebook_page",
        "file": relpath, "kind": "legacy_facebook_posts", "platform": "facebook",
        "account": fb_name, "months": months, "range": [first.isoformat(), last.isoformat()],
        "published_first": min(stamps).isoformat() if stamps else None,
        "published_last": max(stamps).isoformat() if stamps else None,
        "snapshot_at": taken.astimezone(ZoneInfo("UTC")).isoformat(),
        "posts_count": len(posts), "timezone_in_file": "America/Los_Angeles",
        "reach_median_factor": shrink, "invalid_bytes": damaged, "kpis": kpis,
        "posts": entries,
    }


def _write_meta_month(rng, writer, dl, posts, daily, tz, snapshots, page_id, fb_name,
                      ig_account_id, ig_user, org_name) -> None:
    month, first, last, taken = dl["month"], dl["first"], dl["last"], dl["taken_at"]
    in_range = [p for p in posts
                if first <= p.creative.published_local.astimezone(tz).date() <= last]
    in_range.sort(key=lambda p: p.creative.published_local, reverse=True)  # newest first
    # variants seen in real downloads, from the fifth month on (earlier months keep the
    # plain layout the format tests read): a two-section Follows.csv, older column names
    multi_section = dl["index"] >= 4 and dl["index"] % 2 == 0
    older_columns = dl["index"] >= 5 and dl["index"] % 2 == 1
    for platform in ("facebook", "instagram"):
        rows, variant = [], ""
        if platform == "facebook":
            variant = mw.fb_header_variant(taken.date(), dl["index"])
            header, drop = mw.FB_HEADERS[variant], ()
        else:
            variant = mw.ig_header_variant(taken.date(), dl["index"])
            header = mw.IG_HEADERS[variant]
            drop = ("Views",) if taken.date() < date(2024, 9, 1) else ()
        export_id = str(int(rng.integers(10**14, 10**16)))
        relpath = f"{month}/{platform}/{mw.range_file_name(first, last, export_id)}"
        for post in (p for p in in_range if p.platform == platform):
            snap = post.snapshot(taken)
            if platform == "facebook":
                rows.append(mw.facebook_values(post, snap, page_id, fb_name))
            elif dl["index"] >= 4 and mw.is_collab_post(post.post_id):
                # listed under the partner's account, as real exports list collaborations
                rows.append(mw.instagram_values(post, snap, *mw.COLLAB_ACCOUNT))
            else:
                rows.append(mw.instagram_values(post, snap, ig_account_id, ig_user, org_name))
            snapshots.setdefault((platform, post.post_id), []).append(
                {"file": relpath, "snapshot_at": taken.astimezone(ZoneInfo("UTC")).isoformat(),
                 "reach": snap["reach"], "views": snap["views"],
                 "interactions": snap["interactions"], **snap["components"],
                 "follows": snap["follows"],
                 "clicks": sum(v for v in snap["clicks"].values() if v is not None)
                 if platform == "facebook" else None})
        n_posts, error_rows = len(rows), 0
        if platform == "facebook" and dl["index"] >= 4 and dl["index"] % 3 == 0 and rows:
            # a row Meta writes when it fails on a post: skipped (and counted) by ingest
            rows.insert(1, mw.error_row(header, str(int(page_id) + dl["index"])))
            error_rows = 1
        writer.write(relpath, mw.posts_csv_bytes(header, rows, drop), taken,
                     f"meta_{platform}_posts", header_variant=variant, month=month,
                     range=[first.isoformat(), last.isoformat()], rows=n_posts,
                     error_rows=error_rows)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        for name, title, metric in CHARTS[platform]:
            if metric == "follows" and multi_section:
                continue  # both platforms' follows go into one file below
            # One chart, once, as a European Excel re-save (export-formats.md §1b).
            resave = platform == "facebook" and metric == "follows" and dl["index"] == 1
            # older downloads name the value column after a metric (mislabelled on visits)
            column = (mw.OLDER_COLUMNS.get(metric, "Primary")
                      if older_columns and platform == "facebook" else "Primary")
            values = [(d, daily[platform][metric][d]) for d in days]
            writer.write(f"{month}/{platform}/{name}",
                         mw.chart_csv_bytes(title, values, platform, excel_resave=resave,
                                            column=column),
                         taken, "meta_chart", title=title, metric=metric, platform=platform,
                         month=month, excel_resave=resave, column=column)
    if multi_section:
        # the real two-section Follows.csv: an untitled-platform "Follows" section (Facebook's,
        # as its sibling names Instagram), then "Instagram follows"; no platform folder
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        sections = [("Follows", "Primary", [(d, daily["facebook"]["follows"][d]) for d in days],
                     "facebook"),
                    ("Instagram follows", "Primary",
                     [(d, daily["instagram"]["follows"][d]) for d in days], "instagram")]
        writer.write(f"{month}/Follows.csv", mw.multi_chart_csv_bytes(sections), taken,
                     "meta_chart", title="Follows + Instagram follows", metric="follows",
                     platform="facebook+instagram", month=month, sections=2)


def _write_meta_in_month(rng, writer, month, index, posts, tz, snapshots, page_id, fb_name,
                         ig_account_id, ig_user, org_name) -> None:
    """Month-to-date post exports taken during ``month`` (posts CSV only, no charts).

    Each is older than the month-end download of the same posts, so the newest snapshot (what
    the posts table keeps) is unchanged; they only add earlier ages to ``post_snapshots``.
    """
    first, last = _month_bounds(month)
    for low, high in IN_MONTH_DOWNLOAD_DAYS:
        day = first + timedelta(days=int(rng.integers(low, high + 1)) - 1)
        taken = datetime(day.year, day.month, day.day, int(rng.integers(8, 18)),
                         int(rng.integers(0, 60)), int(rng.integers(0, 60)), tzinfo=tz)
        in_range = [p for p in posts
                    if first <= p.creative.published_local.astimezone(tz).date() < day
                    and p.published_utc < taken]
        in_range.sort(key=lambda p: p.creative.published_local, reverse=True)
        for platform in ("facebook", "instagram"):
            if platform == "facebook":
                variant = mw.fb_header_variant(taken.date(), index)
                header, drop = mw.FB_HEADERS[variant], ()
            else:
                variant = mw.ig_header_variant(taken.date(), index)
                header = mw.IG_HEADERS[variant]
                drop = ("Views",) if taken.date() < date(2024, 9, 1) else ()
            export_id = str(int(rng.integers(10**14, 10**16)))
            relpath = (f"{month}/{platform}/in-month/"
                       f"{mw.range_file_name(first, day - timedelta(days=1), export_id)}")
            rows = []
            for post in (p for p in in_range if p.platform == platform):
                snap = post.snapshot(taken)
                if platform == "facebook":
                    rows.append(mw.facebook_values(post, snap, page_id, fb_name))
                else:
                    rows.append(mw.instagram_values(post, snap, ig_account_id, ig_user,
                                                    org_name))
                snapshots.setdefault((platform, post.post_id), []).append(
                    {"file": relpath,
                     "snapshot_at": taken.astimezone(ZoneInfo("UTC")).isoformat(),
                     "reach": snap["reach"], "views": snap["views"],
                     "interactions": snap["interactions"], **snap["components"],
                     "follows": snap["follows"],
                     "clicks": sum(v for v in snap["clicks"].values() if v is not None)
                     if platform == "facebook" else None})
            if not rows:
                continue
            writer.write(relpath, mw.posts_csv_bytes(header, rows, drop), taken,
                         f"meta_{platform}_posts", header_variant=variant, month=month,
                         range=[first.isoformat(), (day - timedelta(days=1)).isoformat()],
                         rows=len(rows), in_month=True)


def _at_age(post: Post, days: float) -> dict:
    """The post's lifetime metrics exactly ``days`` after publishing (the matured truth)."""
    snap = post.snapshot(post.published_utc + timedelta(days=days))
    return {"reach": snap["reach"], "views": snap["views"],
            "interactions": snap["interactions"]}


def _kpis_at_age(months, posts, tz) -> dict:
    """True post KPIs of each month on each age basis: ``{days: {month: {platform: ...}}}``.

    Every post of the month counts (none is too young in the truth), so a reported change on
    the basis can be checked against the change of these sums.
    """
    out: dict[str, dict] = {}
    for days in TRUTH_BASIS_DAYS:
        by_month: dict[str, dict] = {}
        for month in months:
            entry = {}
            for platform in ("facebook", "instagram", "linkedin", "tiktok"):
                mine = [p for p in posts if p.platform == platform
                        and p.creative.published_local.astimezone(tz).strftime("%Y-%m") == month]
                if not mine:
                    continue
                at = [_at_age(p, days) for p in mine]
                entry[platform] = {  # ``reach`` holds each platform's exposure (Post.reach)
                    "posts": len(mine),
                    "post_engagement": sum(a["interactions"] for a in at),
                    "top_post_reach": max(a["reach"] or 0 for a in at),
                }
            by_month[month] = entry
        out[str(days)] = by_month
    return out


def _manual_kpis(rng, months, posts, daily, tz) -> list[dict]:
    """Figures only visible in the platforms' UIs or internal records, per month."""
    rows = []
    for i, month in enumerate(months):
        first, last = _month_bounds(month)
        social = sum(1 for p in posts if p.creative.month == month)
        for platform in ("facebook", "instagram"):
            daily_sum = sum(v for d, v in daily[platform]["reach"].items() if first <= d <= last)
            unique = int(round(daily_sum * rng.uniform(0.40, 0.60)))
            rows.append({"month": month, "platform": platform, "kpi": "reach", "value": unique,
                         "note": "Business Suite > Insights > Results, accounts reached (unique)"})
        season = 1.0 + 0.15 * np.cos(2 * np.pi * (int(month[5:7]) - 9) / 12)  # peak in September
        visits = int(round(1800 * season * (1 + 0.012 * social) * (1 + 0.01 * i)
                           * rng.lognormal(0.0, 0.08)))
        uniques = int(round(visits * rng.uniform(0.60, 0.75)))
        rows.append({"month": month, "platform": "website", "kpi": "visits", "value": visits,
                     "note": "Squarespace Analytics > Traffic"})
        rows.append({"month": month, "platform": "website", "kpi": "unique_visitors",
                     "value": uniques, "note": "Squarespace Analytics > Traffic"})
        inquiries = int(rng.poisson(24 + 0.3 * i))
        revenue = round(float(inquiries * rng.uniform(85, 140)), 2)
        rows.append({"month": month, "platform": "services", "kpi": "translation_revenue",
                     "value": revenue, "note": "finance ledger, CAD"})
        rows.append({"month": month, "platform": "services", "kpi": "translation_inquiries",
                     "value": inquiries, "note": "intake spreadsheet"})
    return rows


def _manual_csv(rows: list[dict]) -> bytes:
    lines = [MANUAL_HEADER]
    for r in rows:
        value = f"{r['value']:.2f}" if isinstance(r["value"], float) else str(r["value"])
        note = r["note"]
        if any(c in note for c in ',"\n'):
            note = '"' + note.replace('"', '""') + '"'
        lines.append(f"{r['month']},{r['platform']},{r['kpi']},{value},{note}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _post_truth(post: Post, snaps: list[dict]) -> dict:
    c = post.creative
    newest = max(snaps, key=lambda s: s["snapshot_at"]) if snaps else None
    return {
        "platform": post.platform, "post_id": post.post_id, "creative_id": c.creative_id,
        "published_at": c.published_local.isoformat(),
        "publish_time_pacific": mw.pacific_time(c.published_local),
        "month": c.published_local.strftime("%Y-%m"), "slot": c.slot,
        "image": (f"media/{post.platform}/{post.post_id}.png"
                  if c.has_image and post.platform in IMAGE_PLATFORMS else None),
        "topic": c.topic, "caption": c.caption, "language": "fr" if c.french else "en",
        "human_centred": c.human_centred, "brand_colours": c.brand_colours,
        "evening": c.evening, "hashtags": c.hashtags, "has_image": c.has_image,
        "format": post.format, "boosted": post.boosted, "is_share": post.is_share,
        "permalink": post.permalink,
        "exposure_kind": post.exposure_kind, "mu": round(post.mu, 6),
        "reach_final": post.reach, "interactions_final": post.interactions,
        "components_final": post.components,
        "newest": newest, "snapshots": snaps,
        "at_age": {str(days): _at_age(post, days) for days in TRUTH_BASIS_DAYS},
    }


def _kpis(months, posts, snapshots, daily, manual, tz) -> dict:
    """Compute the true monthly KPIs, as the written files give them (DESIGN.md KPI table)."""
    kpis: dict[str, dict] = {}
    for month in months:
        first, last = _month_bounds(month)
        entry: dict[str, dict] = {}
        for platform in ("facebook", "instagram"):
            mine = [p for p in posts if p.platform == platform
                    and p.creative.published_local.astimezone(tz).strftime("%Y-%m") == month]
            newest = [max(snapshots[(platform, p.post_id)], key=lambda s: s["snapshot_at"])
                      for p in mine]
            values = {
                "posts": len(mine),
                "post_engagement": sum(s["interactions"] for s in newest),
                "top_post_reach": max((s["reach"] for s in newest), default=None),
                "new_followers": sum(v for d, v in daily[platform]["follows"].items()
                                     if first <= d <= last),
                "reach": next(r["value"] for r in manual if r["month"] == month
                              and r["platform"] == platform and r["kpi"] == "reach"),
            }
            if platform == "instagram":
                values["profile_visits"] = sum(v for d, v in daily[platform]["visits"].items()
                                               if first <= d <= last)
            entry[platform] = values
        for platform in ("website", "services"):
            entry[platform] = {r["kpi"]: r["value"] for r in manual
                               if r["month"] == month and r["platform"] == platform}
        kpis[month] = entry
    return kpis


def _write_images(writer: SampleWriter, posts: list[Post], seed: int, params: dict) -> int:
    """Write OUT/media/<platform>/<post_id>.png for posts that kept their image."""
    colours = dict(params.get("brand_colours") or {})
    count = 0
    for post in posts:
        c = post.creative
        if not c.has_image or post.platform not in IMAGE_PLATFORMS:
            continue
        png = post_image_png(post.post_id, seed, c.brand_colours, c.human_centred, colours)
        writer.write(f"media/{post.platform}/{post.post_id}.png", png, c.published_local,
                     "image", platform=post.platform, post_id=post.post_id)
        count += 1
    return count


def _snap_record(relpath: str, taken: datetime, snap: dict) -> dict:
    return {"file": relpath, "snapshot_at": taken.astimezone(ZoneInfo("UTC")).isoformat(),
            "reach": snap["reach"], "views": snap["views"],
            "interactions": snap["interactions"], **snap["components"],
            "follows": snap["follows"], "clicks": (snap["clicks"] or {}).get("clicks")}


def _tiktok_user(params: dict, org_name: str) -> str:
    return str(((params.get("platforms") or {}).get("tiktok") or {}).get("account",
                                                                         _slug(org_name)))


def _write_other_sources(rng, writer, schedule, posts, daily, tz, snapshots, params,
                         org_name, web: ww.WebSample | None = None, seed: int = 0) -> dict:
    """LinkedIn, TikTok, GA4 and Google Ads downloads for each month; return their KPIs."""
    platforms_cfg = params.get("platforms") or {}
    li_vanity = re.sub(r"[^a-z0-9]+", "-", str((platforms_cfg.get("linkedin") or {}).get(
        "account", org_name)).lower()).strip("-")
    tt_user = _tiktok_user(params, org_name)
    website = re.sub(r"^https?://", "", str(params.get("website", "www.example.org"))).rstrip("/")
    kpis: dict[str, dict] = {}
    followers = {"linkedin": 850 + int(rng.integers(0, 300)), "tiktok": 300}
    for dl in schedule:
        month, first, last, taken = dl["month"], dl["first"], dl["last"], dl["taken_at"]
        m_first, m_last = _month_bounds(month)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        month_days_ = [d for d in days if d >= m_first]
        ms = int(taken.timestamp() * 1000)
        entry: dict[str, dict] = {}

        # LinkedIn: Created date is a UTC date; the export lists posts created in the range.
        li_posts = [p for p in posts if p.platform == "linkedin"
                    and first <= ow.utc_date(p.published_utc) <= last]
        li_posts.sort(key=lambda p: p.published_utc, reverse=True)
        pairs = [(p, p.snapshot(taken)) for p in li_posts]
        rel = f"{month}/linkedin/{li_vanity}_content_{ms}.xls"
        for p, snap in pairs:
            snapshots.setdefault(("linkedin", p.post_id), []).append(_snap_record(rel, taken, snap))
        writer.write(rel, ow.linkedin_content_bytes(days, daily["linkedin"], pairs, "Nadia Haddad"),
                     taken, "linkedin_content", month=month, rows=len(pairs))
        writer.write(f"{month}/linkedin/{li_vanity}_followers_{ms + 20417}.xls",
                     aw.linkedin_followers_bytes(days, daily["linkedin"], followers["linkedin"],
                                                 seed, dl["index"]),
                     taken, "linkedin_followers", month=month)
        writer.write(f"{month}/linkedin/{li_vanity}_visitors_{ms + 9447}.xls",
                     ow.linkedin_visitors_bytes(days, daily["linkedin"]), taken,
                     "linkedin_visitors", month=month)
        followers["linkedin"] += sum(daily["linkedin"]["follows"][d] for d in month_days_)

        # TikTok: a ZIP; dates carry no year; posts by local publish date.
        tt_posts = [p for p in posts if p.platform == "tiktok"
                    and first <= p.creative.published_local.astimezone(tz).date() <= last]
        tt_pairs = [(p, p.snapshot(taken)) for p in tt_posts]
        rel = f"{month}/tiktok/Overview_{first.isoformat()}_{int(taken.timestamp())}_{tt_user}.zip"
        for p, snap in tt_pairs:
            snapshots.setdefault(("tiktok", p.post_id), []).append(_snap_record(rel, taken, snap))
        start_followers = followers["tiktok"] - sum(daily["tiktok"]["follows"][d]
                                                    for d in days if d < m_first)
        writer.write(rel, ow.tiktok_zip_bytes(days, daily["tiktok"], tt_pairs, start_followers,
                                              taken, tz), taken, "tiktok_zip", month=month)
        followers["tiktok"] += sum(daily["tiktok"]["follows"][d] for d in month_days_)

        # Google Ads (one month each; once as the UTF-16 tab "Excel CSV").
        social = sum(1 for p in posts if p.creative.month == month)
        ads = ow.ads_rows(rng, AD_CAMPAIGNS, social)
        if web is not None:  # the grant's CTR: one planted month below 5 %
            ads = web.plant_ctr(ads, month)
        excel = dl["index"] == 2
        report = ow.ads_report_bytes(ads, m_first, m_last, excel)
        writer.write(f"{month}/ads/Campaign report.csv", report, taken, "google_ads",
                     month=month, excel_csv=excel)
        if dl["index"] == 1:  # downloaded again the next day: the same clicks, never twice
            writer.write(f"{month}/ads/Campaign report (1).csv", report,
                         taken + timedelta(days=1), "google_ads", month=month,
                         excel_csv=excel, duplicate_of="Campaign report.csv")
        # the same month at finer grains: keywords (quality scores) and search terms
        keywords = ow.ads_keyword_rows(rng, ads)
        writer.write(f"{month}/ads/Search keyword report.csv",
                     ow.ads_keyword_report_bytes(keywords, m_first, m_last), taken,
                     "google_ads", month=month, level="keyword")
        writer.write(f"{month}/ads/Search terms report.csv",
                     ow.ads_search_terms_report_bytes(ow.ads_search_term_rows(rng, keywords),
                                                      m_first, m_last), taken, "google_ads",
                     month=month, level="search_term")
        totals = {k: sum(r[k] for r in ads) for k in ("impressions", "clicks", "cost",
                                                      "conversions")}
        totals["cost"] = round(totals["cost"], 2)
        totals["ctr"] = totals["clicks"] / totals["impressions"] if totals["impressions"] else None
        entry["ads"] = totals

        # GA4 sessions by channel group, organic social rising with social activity.
        link_clicks = sum((p.clicks.get("link") or 0) for p in posts
                          if p.platform == "facebook" and p.creative.month == month)
        season = 1.0 + 0.15 * np.cos(2 * np.pi * (int(month[5:7]) - 9) / 12)
        sessions = {
            "Direct": int(round(700 * season * rng.lognormal(0, 0.1))),
            "Organic Search": int(round(900 * season * rng.lognormal(0, 0.1))),
            "Organic Social": int(round((60 + 6 * social + 0.8 * link_clicks)
                                        * rng.lognormal(0, 0.1))),
            "Referral": int(round(150 * rng.lognormal(0, 0.2))),
            "Paid Search": int(round(totals["clicks"] * rng.uniform(0.85, 0.95))),
            "Email": int(round(60 * rng.lognormal(0, 0.3))),
            "Unassigned": int(rng.integers(0, 15)),
        }
        renamed = taken.date() >= date(2024, 6, 1)
        writer.write(f"{month}/website/Traffic_acquisition_Session_primary_channel_group_"
                     f"(Default_Channel_Group).csv",
                     ow.ga4_channel_bytes(sessions, m_first, m_last, org_name, website, rng,
                                          renamed), taken, "ga4", month=month, renamed=renamed)
        # the Reports snapshot: daily active and new users by "Nth day" (GA4's calendar)
        per_day = sum(sessions.values()) / len(month_days_)
        active = [int(rng.poisson(0.8 * per_day)) for _ in month_days_]
        new = [int(rng.binomial(a, 0.7)) for a in active]
        writer.write(f"{month}/website/Reports_snapshot.csv",
                     ow.ga4_snapshot_bytes(active, new, m_first, m_last, org_name, website),
                     taken, "ga4", month=month, snapshot=True)
        entry["website"] = {"ga4_sessions": sum(sessions.values()),
                            "visits_direct": sessions["Direct"],
                            "visits_organic_search": sessions["Organic Search"],
                            "visits_organic_social": sessions["Organic Social"],
                            "visits_referral": sessions["Referral"],
                            "visits_paid_search": sessions["Paid Search"]}
        if web is not None:  # source/medium, landing pages, daily explorations
            entry["website"].update(web.write_month(writer, month, m_first, m_last, taken,
                                                    sessions, posts, tz, org_name, website))
        kpis[month] = entry

    # Post KPIs of LinkedIn (month of the UTC Created date) and TikTok (local month).
    for month in kpis:
        m_first, m_last = _month_bounds(month)
        for platform in ("linkedin", "tiktok"):
            mine = []
            for p in posts:
                if p.platform != platform or (platform, p.post_id) not in snapshots:
                    continue
                day = (ow.utc_date(p.published_utc) if platform == "linkedin"
                       else p.creative.published_local.astimezone(tz).date())
                if m_first <= day <= m_last:
                    mine.append(max(snapshots[(platform, p.post_id)],
                                    key=lambda s: s["snapshot_at"]))
            values = {
                "posts": len(mine),
                "post_engagement": sum(s["interactions"] for s in mine),
                "top_post_reach": max((s["reach"] for s in mine), default=None),
                "new_followers": sum(v for d, v in daily[platform]["follows"].items()
                                     if m_first <= d <= m_last),
            }
            if platform == "linkedin":
                values["visitors"] = sum(ow.linkedin_unique_visitors(daily["linkedin"], d)
                                         for d in daily["linkedin"]["visits"]
                                         if m_first <= d <= m_last)
            else:
                values["avg_views_per_video"] = (sum(s["reach"] for s in mine) / len(mine)
                                                 if mine else None)
            kpis[month][platform] = values
    return kpis
