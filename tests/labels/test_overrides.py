"""The override round trip: labels-export -> spreadsheet edits -> label --overrides."""

import io

import pandas as pd
import pytest

from workbench.cli import main
from workbench.errors import InputFormatError
from workbench.labels import export_labels_csv, run_label
from workbench.labels.overrides import read_override_file
from workbench.labels.rules import topic_names

from .conftest import make_posts


@pytest.fixture
def processed(tmp_path, rng):
    folder = tmp_path / "data" / "processed"
    folder.mkdir(parents=True)
    posts = make_posts(rng, 30)
    posts.to_parquet(folder / "posts.parquet", index=False)
    return folder


def _read_export(path) -> pd.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _labels(processed) -> pd.DataFrame:
    return pd.read_parquet(processed / "labels.parquet").set_index(["platform", "post_id"])


def test_export_sorted_least_confident_first_with_protected_ids(processed, params, tmp_path):
    out = export_labels_csv(processed, tmp_path / "review.csv", params)
    table = _read_export(out)
    posts = pd.read_parquet(processed / "posts.parquet")
    assert len(table) == len(posts)
    assert table.columns[:5].tolist() == ["platform", "post_id", "permalink", "date",
                                          "caption_excerpt"]
    confidence = table["confidence"].astype(float)
    assert confidence.is_monotonic_increasing
    assert table["post_id"].str.fullmatch(r'="\d{18}"').all()  # Excel keeps it as text


def test_round_trip_from_the_cli(processed, tmp_path, capsys, params, sample_params_dir):
    pdir = ["--params-dir", str(sample_params_dir)]
    review = tmp_path / "review.csv"
    assert main([*pdir, "labels-export", str(processed), "--out", str(review)]) == 0
    table = _read_export(review)
    assert main([*pdir, "label", str(processed)]) == 0
    before = _labels(processed)

    # The analyst edits two rows and confirms a third, then saves from Excel (same format).
    first, second, third = table.index[:3]
    topics = topic_names(params)
    new_topic = next(t for t in topics if t != table.loc[first, "topic"])
    flipped = "FALSE" if table.loc[second, "human_centred"] == "True" else "TRUE"
    table.loc[first, "topic"] = new_topic.replace("_", " ").title()  # "Language Classes"
    table.loc[second, "human_centred"] = flipped
    table.loc[third, "reviewed"] = "x"
    edited = tmp_path / "edited.csv"
    edited.write_bytes(table.to_csv(index=False).encode("utf-8-sig"))

    assert main([*pdir, "label", str(processed), "--overrides", str(edited)]) == 0
    printed = capsys.readouterr().out
    assert "3 rows applied" in printed
    after = _labels(processed)
    key = lambda i: (table.loc[i, "platform"], table.loc[i, "post_id"].strip('="'))  # noqa: E731
    assert after.loc[key(first), "topic"] == new_topic
    assert after.loc[key(second), "human_centred"] == (flipped == "TRUE")
    assert after.loc[key(third), "label_source"] == "override"
    untouched = [k for k in after.index if k not in {key(first), key(second), key(third)}]
    assert (after.loc[untouched, "topic"] == before.loc[untouched, "topic"]).all()
    assert (after.loc[untouched, "label_source"] == "rule").all()

    # Re-ingest (posts.parquet rewritten, labels deleted) and relabel without --overrides.
    (processed / "labels.parquet").unlink()
    posts = pd.read_parquet(processed / "posts.parquet")
    posts.iloc[::-1].to_parquet(processed / "posts.parquet", index=False)
    assert main([*pdir, "label", str(processed)]) == 0
    again = _labels(processed)
    assert again.loc[key(first), "topic"] == new_topic
    assert again.loc[key(second), "human_centred"] == (flipped == "TRUE")
    assert (processed.parent / "label_overrides.csv").exists()  # outside processed/

    # A new export shows the overridden labels.
    assert main([*pdir, "labels-export", str(processed), "--out", str(review)]) == 0
    export_again = _read_export(review)
    row = export_again[export_again["post_id"] == f'="{key(first)[1]}"'].iloc[0]
    assert row["topic"] == new_topic and row["label_source"] == "override"


def test_excel_french_locale_semicolons_cp1252_and_rounded_ids(processed, params, tmp_path):
    posts = pd.read_parquet(processed / "posts.parquet")
    a, b = posts.iloc[0], posts.iloc[1]
    rounded = f"{float(b['post_id']):.5E}"  # what Excel saves for an unprotected long ID
    text = (
        "platform;post_id;permalink;caption_excerpt;topic;human_centred\r\n"
        f"{a['platform']};{a['post_id']};;Fête du Canada, été;Holidays Events;VRAI\r\n"
        f"{b['platform']};{rounded};{b['permalink']}/;Logement;housing;faux\r\n"
    )
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1252"))
    summary = run_label(processed, params, overrides=path)
    assert "2 rows applied" in summary
    labels = _labels(processed)
    assert labels.loc[(a["platform"], a["post_id"]), "topic"] == "holidays_events"
    assert bool(labels.loc[(a["platform"], a["post_id"]), "human_centred"]) is True
    assert labels.loc[(b["platform"], b["post_id"]), "topic"] == "housing"  # via permalink


def test_bad_rows_are_reported_and_the_rest_applied(processed, params, tmp_path):
    posts = pd.read_parquet(processed / "posts.parquet")
    p = posts.iloc[:4].reset_index(drop=True)
    rows = pd.DataFrame({
        "platform": p["platform"].tolist() + ["facebook"],
        "post_id": p["post_id"].tolist() + ["999"],
        "topic": ["housing", "gardening", "youth", "employment", "housing"],
        "audience": ["newcomers", "newcomers", "martians", "donors", ""],
        "human_centred": ["true", "true", "true", "maybe", "true"],
        "colour_notes": ["", "", "", "", ""],
    })
    rows = pd.concat([rows, rows.iloc[[0]].assign(topic="employment")], ignore_index=True)
    path = tmp_path / "bad.csv"
    rows.to_csv(path, index=False)

    summary = run_label(processed, params, overrides=path)
    lines = summary.splitlines()
    assert any("column 'colour_notes': unknown column ignored" in x for x in lines)
    assert any("row 3, column 'topic': 'gardening' is not a valid topic" in x
               and "Hint: use one of:" in x for x in lines)
    assert any("row 4, column 'audience': 'martians' is not a valid audience" in x
               for x in lines)
    assert any("row 5, column 'human_centred': 'maybe' is not a valid human_centred" in x
               for x in lines)
    assert any("row 6, column 'post_id': facebook post 999 is not in posts.parquet" in x
               for x in lines)
    assert any("row 2: duplicate row for" in x and "row 7 is used instead" in x
               for x in lines)

    labels = _labels(processed)
    key = [(p.loc[i, "platform"], p.loc[i, "post_id"]) for i in range(4)]
    assert labels.loc[key[0], "topic"] == "employment"  # the later duplicate wins
    assert bool(labels.loc[key[1], "human_centred"]) is True  # the valid cells of row 3 apply
    assert labels.loc[key[2], "topic"] == "youth"
    assert labels.loc[key[3], "topic"] == "employment"
    assert labels.loc[key[3], "audience"] == "donors"
    # Nothing lost: the unknown post's override is kept for when the post comes back.
    store = read_override_file(processed.parent / "label_overrides.csv")[0]
    assert "999" in store["post_id"].str.strip('="').tolist()


def test_file_without_key_columns_is_an_error(processed, params, tmp_path):
    path = tmp_path / "nokeys.csv"
    path.write_text("topic,audience\nhousing,newcomers\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"nokeys.csv: no 'post_id' or 'permalink' "
                                               r"column.*Hint: start from the file written"):
        run_label(processed, params, overrides=path)
    assert not (processed / "labels.parquet").exists()


def test_missing_posts_table_is_an_error(tmp_path, params):
    with pytest.raises(InputFormatError, match=r"posts.parquet: posts table not found.*"
                                               r"Hint: run `workbench ingest"):
        run_label(tmp_path, params)


def test_configured_store_path_and_media_from_ingest_log(processed, params, tmp_path):
    import json

    from PIL import Image

    posts = pd.read_parquet(processed / "posts.parquet")
    first = posts.iloc[0]
    raw = tmp_path / "raw"
    (raw / "media" / first["platform"]).mkdir(parents=True)
    Image.new("RGB", (20, 20), params["brand_colours"]["blue"]).save(
        raw / "media" / first["platform"] / f"{first['post_id']}.png")
    (processed / "ingest_log.json").write_text(json.dumps({"raw_dir": str(raw)}))
    store = tmp_path / "elsewhere" / "overrides.csv"
    custom = {**params, "labels": {**params["labels"], "overrides_file": str(store)}}
    review = tmp_path / "r.csv"
    review.write_text(f"platform,post_id,topic\n{first['platform']},{first['post_id']},youth\n")
    run_label(processed, custom, overrides=review)
    assert store.exists() and not (processed.parent / "label_overrides.csv").exists()
    labels = _labels(processed)
    assert bool(labels.loc[(first["platform"], first["post_id"]), "brand_colours"]) is True
    assert labels.loc[(first["platform"], first["post_id"]), "brand_colour_share"] == 1.0
