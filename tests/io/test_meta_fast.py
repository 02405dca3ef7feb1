"""The Meta posts fast path against the full route (the second implementation).

``meta._parse_posts`` first tries ``_parse_posts_fast``; None sends the file down the full
route. For every Meta posts fixture, generated sample exports and targeted variants, both
routes run: the fast one must either decline or give an identical ``ParsedExport`` (posts
frame exact, dtypes included; account, dates, snapshot, unknown columns, warnings, notes).
Where a variant is plainly clean the fast path must answer (else it is useless), and where
it is not (the full route warns or fails) it must decline.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from tests.io import meta_samples as ms
from workbench.errors import WorkbenchError
from workbench.io import meta
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, ParsedExport, detect
from workbench.sample import generate_sample
from workbench.sample.profile import sample_params

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
POST_KINDS = {"meta_facebook_posts": "facebook", "meta_instagram_posts": "instagram"}
ORG_PARAMS = {
    "timezone": "America/Toronto",
    "platforms": {
        "facebook": {"account": "Forest City Newcomer Services"},
        "instagram": {"account": "forestcitynewcomers"},
    },
}
FIELDS = ("path", "kind", "account", "date_min", "date_max", "snapshot_at", "unknown_columns",
          "warnings", "notes")


def full_route(raw: RawFile, ctx: ParseContext, platform: str) -> ParsedExport:
    """``_parse_posts`` with the fast path switched off."""
    with mock.patch.object(meta, "_parse_posts_fast", lambda *args: None):
        return meta._parse_posts(raw, ctx, platform, f"meta_{platform}_posts")


def assert_same_parse(fast: ParsedExport, slow: ParsedExport) -> None:
    assert list(fast.tables) == list(slow.tables) == ["posts"]
    pd.testing.assert_frame_equal(fast.tables["posts"], slow.tables["posts"], check_exact=True)
    assert isinstance(fast.tables["posts"].index, pd.RangeIndex)
    for name in FIELDS:
        a, b = getattr(fast, name), getattr(slow, name)
        assert a == b, name
        assert type(a) is type(b), name
        if isinstance(a, pd.Timestamp):
            assert (a.unit, str(a.tz)) == (b.unit, str(b.tz)), name


def check(raw: RawFile, platform: str, params: dict | None = None, tz: str = "America/Toronto",
          expect_fast: bool | None = None) -> ParsedExport | str:
    """Run both routes; fast must decline or equal the full route. Returns the fast answer."""
    ctx = ParseContext(tz=tz, params=ORG_PARAMS if params is None else params)
    kind = f"meta_{platform}_posts"
    fast = meta._fast_posts_or_reason(raw, ctx, platform, kind)
    assert (meta._parse_posts_fast(raw, ctx, platform, kind) is None) == isinstance(fast, str)
    try:
        slow = full_route(raw, ctx, platform)
    except WorkbenchError:
        assert isinstance(fast, str), "the fast path read a file the full route rejects"
        slow = None
    if slow is not None and not isinstance(fast, str):
        assert_same_parse(fast, slow)
        # and _parse_posts (as shipped) gives the fast answer
        assert_same_parse(meta._parse_posts(raw, ctx, platform, kind), slow)
    if expect_fast is not None:
        assert (not isinstance(fast, str)) == expect_fast, fast
    return fast


def posts_files(root: Path) -> list[tuple[Path, str]]:
    found = []
    for path in sorted(root.rglob("*.csv")):
        try:
            kind = detect(RawFile.read(path))
        except WorkbenchError:
            continue
        if kind.name in POST_KINDS:
            found.append((path, POST_KINDS[kind.name]))
    return found


FIXTURE_FILES = posts_files(FIXTURES)


def test_fixtures_are_found():
    names = {p.name for p, _ in FIXTURE_FILES}
    assert {"facebook_2024_sep.csv", "instagram_order1.csv", "cp1252.csv",
            "facebook_error_rows.csv"} <= names


@pytest.mark.parametrize("params", [None, {}], ids=["org", "no-profile"])
@pytest.mark.parametrize(("path", "platform"), FIXTURE_FILES,
                         ids=[str(p.relative_to(FIXTURES)) for p, _ in FIXTURE_FILES])
def test_fixture(path, platform, params):
    check(RawFile.read(path), platform, params)


@pytest.mark.parametrize("name", [f"facebook_{v}.csv" for v in ms.FB_HEADERS]
                         + [f"instagram_{v}.csv" for v in ms.IG_HEADERS])
def test_clean_fixtures_take_the_fast_path(name):
    # every header the reference documents (two Views headers, boosted-post columns,
    # French aliases, the four Instagram orders) is read fast
    platform = name.split("_")[0]
    check(RawFile.read(FIXTURES / "meta" / name), platform, expect_fast=True)


@pytest.mark.parametrize(("name", "reason"), [
    ("bad/cp1252.csv", "encoding cp1252"),
    ("bad/excel_dates.csv", "a publish time empty or not 16 characters"),
    ("bad/instagram_two_accounts.csv", "not a single (configured) account in every row"),
    ("wild/posts/facebook_error_rows.csv", "a publish time empty or not 16 characters"),
    ("wild/posts/instagram_header_only.csv", "no rows"),
    ("wild/posts/instagram_without_org_account.csv",
     "not a single (configured) account in every row"),
])
def test_fixtures_the_full_route_warns_about_are_declined(name, reason):
    path = FIXTURES / "meta" / name
    platform = POST_KINDS[detect(RawFile.read(path)).name]
    assert check(RawFile.read(path), platform) == reason
    slow = full_route(RawFile.read(path), ParseContext(tz="America/Toronto", params=ORG_PARAMS),
                      platform)  # the full route still says why
    assert slow.warnings or slow.notes


# --------------------------------------------------------------------------- generated samples


@pytest.fixture(scope="module", params=["default", "strategy"])
def sample_folder(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"sample_{request.param}") / "raw"
    generate_sample(out, seed=11, start="2025-01", end="2025-03", params=sample_params(),
                    profile=request.param)
    return out


def test_generated_samples_are_identical_and_fast(sample_folder):
    params = sample_params()
    files = posts_files(sample_folder)
    assert {platform for _, platform in files} == {"facebook", "instagram"}
    assert len(files) >= 12
    for path, platform in files:
        check(RawFile.read(path), platform, params, tz=params["timezone"], expect_fast=True)


# --------------------------------------------------------------------------- targeted variants


def fb_row(**changes) -> dict:
    row = dict(ms.FB_ROWS[0])
    row["views"] = "2500"
    row.update({k.replace("_", " "): v for k, v in changes.items()})
    return row


def ig_row(**changes) -> dict:
    row = dict(ms.IG_ROWS[1])
    row.update({k.replace("_", " "): v for k, v in changes.items()})
    return row


def raw_of(data: bytes, tmp_path: Path, name: str = "Jan-01-2025_Jan-31-2025_1.csv") -> RawFile:
    path = tmp_path / name
    path.write_bytes(data)
    return RawFile.read(path)


FB_HEADER = ms.FB_2025_JAN
IG_HEADER = ms.IG_HEADERS["order1"]


def test_captions_with_hashtags_quotes_newlines_and_spaces(tmp_path):
    captions = ['Say "hi" to #día_uno and #Two#three, ok? #4', "  padded #tag  ", "\t",
                "no tags\nhere", '"quoted"', "#", "##double #x-y", "tabs\tinside #t"]
    rows = [fb_row(post_id=f"1221{i}", title=c) for i, c in enumerate(captions)]
    rows.append(fb_row(post_id="12219", title="", description="from the description #d"))
    fast = check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", expect_fast=True)
    posts = fast.tables["posts"]
    assert posts["hashtags"].tolist()[0] == ["#día_uno", "#Two", "#three", "#4"]
    assert posts["caption"].tolist()[2] is pd.NA
    assert posts["caption"].tolist()[-1] == "from the description #d"
    ig = [ig_row(post_id=f"1797{i}", description=c) for i, c in enumerate(captions)]
    check(raw_of(ms.meta_csv(IG_HEADER, ig), tmp_path), "instagram", expect_fast=True)


def test_empty_metrics_and_placeholders(tmp_path):
    tokens = ["", "N/A", "n/a", "--", "-", " 7 ", "0", "12.6", "12.5", "1e3", "nan"]
    rows = [fb_row(post_id=f"1221{i}", reach=t, reactions=t, comments=tokens[-1 - i],
                   shares=t, reactions_comments_shares=tokens[i - 3], total_clicks=t,
                   duration_sec=t)
            for i, t in enumerate(tokens)]
    fast = check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", expect_fast=True)
    posts = fast.tables["posts"]
    assert posts["reach"].isna().tolist()[:5] == [True] * 5  # missing, never 0
    assert posts["reach"].tolist()[5:8] == [7, 0, 13]
    ig = [ig_row(post_id=f"1797{i}", views=t, reach=t, likes=tokens[-1 - i], saves=t,
                 follows=t) for i, t in enumerate(tokens)]
    check(raw_of(ms.meta_csv(IG_HEADER, ig), tmp_path), "instagram", expect_fast=True)


@pytest.mark.parametrize("cell", ["1,234", "abc", "1 234", "inf", "9007199254740993"])
def test_counts_the_fast_path_leaves_to_the_full_route(cell, tmp_path):
    rows = [fb_row(post_id="12211"), fb_row(post_id="12212", reach=cell)]
    fast = check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", expect_fast=False)
    assert fast == "a count cell that is not a plain number or placeholder"


@pytest.mark.parametrize("tz", ["America/Toronto", "UTC", "Europe/Berlin", "Asia/Kolkata"])
def test_dst_edges_and_zones(tz, tmp_path):
    times = ["11/03/2024 01:30", "03/10/2024 02:30", "03/10/2024 01:59", "11/03/2024 00:59",
             "11/03/2024 02:00", "12/31/2024 23:59", "01/01/2025 00:00", "02/29/2024 12:00"]
    rows = [fb_row(post_id=f"1221{i}", publish_time=t) for i, t in enumerate(times)]
    fast = check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", tz=tz,
                 expect_fast=True)
    utc = fast.tables["posts"]["published_at_utc"].tolist()
    assert utc[0] == pd.Timestamp("2024-11-03 08:30", tz="UTC")  # the first (daylight) 01:30
    assert utc[1] == pd.Timestamp("2024-03-10 10:00", tz="UTC")  # shifted forward to 03:00
    ig = [ig_row(post_id=f"1797{i}", publish_time=t) for i, t in enumerate(times)]
    check(raw_of(ms.meta_csv(IG_HEADER, ig), tmp_path), "instagram", tz=tz, expect_fast=True)


@pytest.mark.parametrize("cell", ["1/5/2025 9:05", "01/05/2025 09:05:00", "13/05/2025 09:05",
                                  "2025-01-05 09:05", ""])
def test_publish_times_left_to_the_full_route(cell, tmp_path):
    rows = [fb_row(post_id="12211"), fb_row(post_id="12212", publish_time=cell)]
    check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", expect_fast=False)


def test_post_types_translated_and_unknown(tmp_path):
    types = ["Photos", "Videos", "Reels", "Links", "Text", "Status", "Live", "IG carousel",
             "Carousel_album", "Reel do Instagram", "Carrossel", "Immagine di Instagram",
             "Vídeo", "Carrusel", "Something new", "", "PHOTOS", "Enlaces"]
    rows = [fb_row(post_id=f"1221{i}", post_type=t) for i, t in enumerate(types)]
    fast = check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", expect_fast=True)
    formats = fast.tables["posts"]["format"].tolist()
    assert formats[:4] == ["photo", "video", "reel", "link"]
    assert formats[9:12] == ["reel", "carousel", "photo"]
    assert formats[14:16] == ["other", "other"]
    ig = [ig_row(post_id=f"1797{i}", post_type=t) for i, t in enumerate(types)]
    check(raw_of(ms.meta_csv(IG_HEADER, ig), tmp_path), "instagram", expect_fast=True)


@pytest.mark.parametrize(("params", "names", "expect_fast"), [
    ({}, ["forestcitynewcomers"] * 3, True),  # no profile, one account
    ({"platforms": {"instagram": {"account": "ForestCityNewcomers"}}},
     ["forestcitynewcomers"] * 3, True),  # the configured account, other case
    ({"platforms": {"instagram": {"account": "org", "accounts": ["forestcitynewcomers"]}}},
     ["forestcitynewcomers", "org", "Org"], True),  # all the organisation's accounts
    ({}, ["forestcitynewcomers", "partner"], False),  # a collaboration: full route notes it
    (None, ["forestcitynewcomers", "partner"], False),
    (None, ["someoneelse"] * 2, False),  # not the configured account: a warning
    ({}, ["forestcitynewcomers", ""], False),  # an empty account cell
])
def test_instagram_accounts(params, names, expect_fast, tmp_path):
    rows = [ig_row(post_id=f"1797{i}", account_username=n) for i, n in enumerate(names)]
    check(raw_of(ms.meta_csv(IG_HEADER, rows), tmp_path), "instagram", params,
          expect_fast=expect_fast)


@pytest.mark.parametrize(("params", "names", "expect_fast"), [
    ({}, ["Forest City Newcomer Services"] * 2, True),
    ({"platforms": {"facebook": {"account": "FOREST CITY NEWCOMER SERVICES"}}},
     ["Forest City Newcomer Services"] * 2, True),
    (None, ["Another Page"] * 2, False),  # a warning: not the configured Page
    (None, ["Forest City Newcomer Services", "Another Page"], False),  # rows dropped
    ({}, ["Forest City Newcomer Services", "Another Page"], False),  # an error
])
def test_facebook_pages(params, names, expect_fast, tmp_path):
    rows = [fb_row(post_id=f"1221{i}", page_name=n) for i, n in enumerate(names)]
    check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", params,
          expect_fast=expect_fast)


def test_share_crosspost_flags_and_funded_status(tmp_path):
    flags = [("0", "1"), ("1", "0"), ("", ""), ("1", "1")]
    rows = [fb_row(post_id=f"1221{i}", is_share=s, is_crosspost=c,
                   funded_content_status="Boosted" if i == 3 else "",
                   reach_from_boosted_posts="300" if i == 0 else "0")
            for i, (s, c) in enumerate(flags)]
    fast = check(raw_of(ms.meta_csv(ms.FB_2024_JAN, rows), tmp_path), "facebook",
                 expect_fast=True)
    posts = fast.tables["posts"]
    assert posts["is_share"].tolist() == [False, True, pd.NA, True]
    assert posts["boosted"].tolist() == [True, False, False, True]  # paid reach 300, funded
    rows[1]["is share"] = "2"
    check(raw_of(ms.meta_csv(ms.FB_2024_JAN, rows), tmp_path), "facebook", expect_fast=False)


@pytest.mark.parametrize(("cell", "expect_fast"), [
    ("0", True), ("", True), ("N/A", True), ("12", True), (" 5 ", True), ("0.4", True),
    ("nan", True), ("1,200", False), (" ", False), ("yes", False),
])
def test_boosted_post_columns(cell, expect_fast, tmp_path):
    rows = [fb_row(post_id="12211", reach_from_boosted_posts="0"),
            fb_row(post_id="12212", reach_from_boosted_posts=cell)]
    rows[1]["3-second video views from boosted posts"] = "0"
    check(raw_of(ms.meta_csv(ms.FB_2024_JAN, rows), tmp_path), "facebook",
          expect_fast=expect_fast)


@pytest.mark.parametrize("drop", [("views",), ("reach",), ("views", "reach"),
                                  ("duration (sec)", "permalink", "page id", "title")])
def test_missing_optional_columns(drop, tmp_path):
    names = ms.header_names(FB_HEADER)
    header = ",".join(ms.meta_quote(n) for n in names if n.lower() not in drop)
    rows = [fb_row(post_id="12211"), fb_row(post_id="12212", description="d #x")]
    fast = check(raw_of(ms.meta_csv(header, rows), tmp_path), "facebook", expect_fast=True)
    if "reach" in drop:
        assert fast.warnings == ["no Reach column: these posts are left out of per-reach "
                                 "rate models"]
    ig_names = ms.header_names(IG_HEADER)
    ig_header = ",".join(ms.meta_quote(n) for n in ig_names if n.lower() not in drop)
    check(raw_of(ms.meta_csv(ig_header, [ig_row()]), tmp_path), "instagram", expect_fast=True)


def test_field_under_two_headers(tmp_path):
    pairs = [["2500", ""], ["", "900"], ["", ""], ["1", "2"], [" ", "3"], ["N/A", "4"]]
    rows = [fb_row(post_id=f"1221{i}", views=p) for i, p in enumerate(pairs)]
    fast = check(raw_of(ms.meta_csv(ms.FB_2024_SEP, rows), tmp_path), "facebook",
                 expect_fast=True)
    # the first non-empty cell, as the full route's fillna (" " is not empty there)
    assert fast.tables["posts"]["views"].tolist() == [2500, 900, pd.NA, 1, pd.NA, pd.NA]


def test_file_level_declines(tmp_path):
    good = ms.meta_csv(FB_HEADER, [fb_row(post_id="12211"), fb_row(post_id="12212")])
    variants = {
        "crlf": good.replace(b"\n", b"\r\n"),
        "no final newline": good[:-1],
        "text after a closing quote": good.replace(b'"Job fair', b'"Job" fair', 1),
        "a row one cell longer": good[:-1] + b",extra\n",
        "a blank line": good + b"\n" + good.split(b"\n")[1] + b"\n",
        "semicolons": good.replace(b",", b";"),
        "header only": good.split(b"\n")[0] + b"\n",
        "damaged ID": good.replace(b"12211", b"1.2211E+04", 1),
    }
    for label, data in variants.items():
        fast = check(raw_of(data, tmp_path), "facebook", expect_fast=False)
        assert isinstance(fast, str), label
    # the unchanged bytes are fast, with and without the BOM
    check(raw_of(good, tmp_path), "facebook", expect_fast=True)
    check(raw_of(good[3:], tmp_path), "facebook", expect_fast=True)


def test_columns_share_no_memory(tmp_path):
    rows = [fb_row(post_id=f"1221{i}") for i in range(4)]
    fast = check(raw_of(ms.meta_csv(FB_HEADER, rows), tmp_path), "facebook", tz="UTC",
                 expect_fast=True)
    posts = fast.tables["posts"]
    arrays = {}
    for name in posts.columns:
        array = posts[name].array
        data = getattr(array, "_data", None)
        if data is None and hasattr(array, "_ndarray"):
            data = array._ndarray
        if isinstance(data, np.ndarray):
            arrays[name] = data
    assert {"published_at", "published_at_utc", "reach", "interactions"} <= set(arrays)
    names = sorted(arrays)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not np.shares_memory(arrays[a], arrays[b]), (a, b)
    # writing one column leaves the other alone
    before = posts["published_at"].copy()
    posts.loc[0, "published_at_utc"] = pd.Timestamp("2000-01-01", tz="UTC")
    pd.testing.assert_series_equal(posts["published_at"], before)


def test_the_public_constructor_gives_the_same_frame(monkeypatch):
    """Without pandas' internal constructor the fast route still gives the full route's frame."""
    from workbench.io import meta

    monkeypatch.delattr(pd.DataFrame, "_from_arrays")
    arrays = {"a": pd.array([1, None], dtype="Int64"), "b": pd.array(["x", None], dtype="string")}
    frame = meta._frame_of_new_arrays(arrays, 2)
    expected = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"),
                             "b": pd.array(["x", None], dtype="string")})
    pd.testing.assert_frame_equal(frame, expected)
