"""Any bytes fed to detect + parse end in a WorkbenchError or a ParsedExport, never a crash."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.build_binary_fixtures import TIKTOK_TABLES
from workbench.errors import NotAnExportError, WorkbenchError
from workbench.io import registry
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, ParsedExport

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CTX = ParseContext(tz="America/Toronto")

#: Header words of the real exports, so random CSVs sometimes look like one of them.
HEADER_WORDS = [
    "Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares", "Video link",
    "Post time", "Post ID", "Posted", "Lifetime Post Total Reach", "Campaign", "Impr.",
    "Clicks", "Cost", "Currency code", "Sessions", "Nth week", "Reach", "Posted At",
    "Session primary channel group (Default Channel Group)", "Total users", "x", "",
]
CELLS = st.one_of(
    st.sampled_from(["", "undefined", " --", "< 10%", "1,234", "-1", "April 12",
                     "8 de marzo", "20260301", "0001", "Grand total", "Total: Account",
                     "12/19/2025", "All time", "https://www.tiktok.com/@a/video/123"]),
    st.text(max_size=12),
)
PREAMBLES = st.sampled_from([
    "", "# Start date: 20260301\n# End date: 20260331\n", "Campaign report\nAll time\n",
    "Campaign report\n\"March 27, 2026 - April 23, 2026\"\n", "# 20260301-20260331\n\n",
])


#: Words that must never reach the analyst in a "not an export we read" line.
INTERNALS = ("container", "sep=", "first line", "workbench check", "Traceback")


def run(raw: RawFile) -> None:
    try:
        kind = registry.detect(raw)
        result = kind.parse(raw, CTX)
    except NotAnExportError as exc:
        line = exc.one_line()
        assert "\n" not in line and not any(word in line for word in INTERNALS), line
        return
    except WorkbenchError:
        return
    assert isinstance(result, ParsedExport)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from([b"", b"PK\x03\x04", b"\xff\xfe",
                                                 b"\xef\xbb\xbf", b"<?xml ",
                                                 b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]))
def test_random_bytes(data, prefix):
    run(RawFile(path=Path("random.bin"), data=prefix + data))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    PREAMBLES,
    st.lists(st.sampled_from(HEADER_WORDS), min_size=1, max_size=8),
    st.lists(st.lists(CELLS, min_size=0, max_size=9), max_size=6),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_random_csv_shapes(preamble, header, rows, delimiter, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = preamble + buffer.getvalue()
    run(RawFile(path=Path("random.csv"), data=text.encode(encoding)))


OWN_FIXTURES = sorted(
    p for d in ("linkedin", "tiktok", "ga4", "google_ads", "legacy_facebook", "column_map")
    for p in (FIXTURES / d).glob("*") if p.is_file()
) + sorted(p for p in (FIXTURES / "foreign").glob("*") if p.suffix != ".py")


@pytest.mark.parametrize("path", OWN_FIXTURES, ids=lambda p: p.name)
def test_truncated_and_corrupted_fixtures(path):
    """Real-shaped files cut short, or with bytes overwritten, at several places."""
    data = path.read_bytes()
    for fraction in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95):
        position = int(len(data) * fraction)
        run(RawFile(path=path, data=data[:position]))
        run(RawFile(path=path, data=data[:position] + b"\x00\xff\xfe" + data[position + 3:]))


def test_tiktok_table_with_random_dates_only_errors_cleanly():
    rows = [TIKTOK_TABLES["Overview.csv"][0], ["February 30", "1", "1", "1", "1", "1"]]
    text = "\n".join(",".join(f'"{c}"' for c in row) for row in rows)
    run(RawFile(path=Path("Overview.csv"), data=text.encode()))
