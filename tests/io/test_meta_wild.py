"""Meta exports as they really come: one fixture per variant seen in real downloads.

The fixtures (tests/fixtures/meta/wild/, built by ``tests.io.meta_samples.build_wild``) copy
the byte structure of real files listed in tests/corpus/MANIFEST.csv, with invented
values. See docs/export-formats.md §1, §1b, §2.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.io import meta_samples as ms
from workbench.errors import InputFormatError, NotAnExportError
from workbench.io.rawfile import RawFile
from workbench.io.registry import ParseContext, detect

WILD = Path(__file__).resolve().parent.parent / "fixtures" / "meta" / "wild"
CHARTS = WILD / "charts"
POSTS = WILD / "posts"
ORG = {"platforms": {"facebook": {"account": "Forest City Newcomer Services"},
                     "instagram": {"account": "forestcitynewcomers"}}}


def parse(path: Path, params: dict | None = None):
    raw = RawFile.read(path)
    kind = detect(raw)
    return kind, kind.parse(raw, ParseContext(tz="America/Toronto",
                                              params=ORG if params is None else params))


def series(result) -> dict[tuple[str, str], list[float]]:
    daily = result.tables["daily"]
    return {(p, m): g["value"].tolist() for (p, m), g in daily.groupby(["platform", "metric"])}


FB_VALUES = [7, 12, 3]
IG_VALUES = [2, 5]


# --------------------------------------------------------------------------- chart downloads


def test_untitled_first_section_beside_instagram_is_facebook():
    kind, result = parse(CHARTS / "Follows.csv")
    assert kind.name == "meta_chart"
    assert series(result) == {("facebook", "follows"): FB_VALUES,
                              ("instagram", "follows"): IG_VALUES}
    # days without a value are omitted by Meta and stay absent (nothing invented)
    days = result.tables["daily"].query("platform == 'facebook'")["date"]
    assert days.dt.strftime("%d").tolist() == ["01", "02", "04"]
    assert any("its sibling names instagram" in n for n in result.notes)
    assert set(result.tables["daily"]["account"]) == {"Forest City Newcomer Services",
                                                      "forestcitynewcomers"}


def test_visits_sections_split_into_page_visits_and_profile_visits():
    _, result = parse(CHARTS / "Visits.csv")
    assert series(result) == {("facebook", "visits"): FB_VALUES,
                              ("instagram", "profile_visits"): IG_VALUES}


def test_tab_separated_crlf_padded_without_final_newline():
    raw = RawFile.read(CHARTS / "Reach.csv")
    assert raw.text.startswith("sep=\t\r\nFacebook reach\t\r\n")
    assert not raw.text.endswith("\n")
    _, result = parse(CHARTS / "Reach.csv")
    assert series(result) == {("facebook", "reach"): FB_VALUES,
                              ("instagram", "reach"): IG_VALUES}


def test_older_column_names_and_the_title_decides_a_mislabelled_column():
    _, visits = parse(CHARTS / "Page and profile visits.csv")
    assert series(visits) == {("facebook", "visits"): FB_VALUES,
                              ("instagram", "profile_visits"): IG_VALUES}
    assert any("column 'Facebook Page likes' ignored, the title decides" in n
               for n in visits.notes)
    _, reach = parse(CHARTS / "Reach older.csv")
    assert series(reach) == {("facebook", "reach"): FB_VALUES,
                             ("instagram", "reach"): IG_VALUES}
    _, likes = parse(CHARTS / "New likes and follows.csv")
    assert series(likes) == {("facebook", "follows"): FB_VALUES,
                             ("instagram", "follows"): IG_VALUES}


def test_hand_trimmed_file_takes_the_metric_from_its_name():
    # starts at the "Date" header, no titles, no blank line between the two sections
    raw = RawFile.read(CHARTS / "trimmed" / "visits.csv")
    assert raw.lines[1] == '"Date","Facebook Page likes"'
    _, result = parse(CHARTS / "trimmed" / "visits.csv")
    assert series(result) == {("facebook", "visits"): FB_VALUES,
                              ("instagram", "profile_visits"): IG_VALUES}
    assert any("taken from the file name" in n for n in result.notes)


def test_trimmed_file_without_a_metric_anywhere_is_rejected(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes((CHARTS / "trimmed" / "visits.csv").read_bytes())
    with pytest.raises(InputFormatError, match=r"export.csv, row 2: a Meta chart download whose "
                       r"column 'Facebook Page likes' \(no title line\) we do not know"):
        parse(path)


def test_several_series_read_primary_and_dst_flip_keeps_the_day():
    _, result = parse(CHARTS / "Views multi.csv")
    daily = result.tables["daily"]
    assert daily["value"].tolist() == [40, 41, 42]
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-11-02", "2024-11-03", "2024-11-04"]
    assert any("series Secondary, Tertiary not read" in n for n in result.notes)


@pytest.mark.parametrize(("name", "platform", "metric"), [
    ("Alcance.csv", "instagram", "reach"),
    ("Seguidores.csv", "instagram", "follows"),
    ("Visitas.csv", "instagram", "profile_visits"),
    ("Cliques no link.csv", "instagram", "link_clicks"),
    ("instagram/Alcance.csv", "instagram", "reach"),
    ("instagram/Interacoes.csv", "instagram", "interactions"),
    ("instagram/Visualizacoes.csv", "instagram", "views"),
    ("instagram/Follower.csv", "instagram", "follows"),  # trimmed: metric from the name
])
def test_portuguese_charts(name, platform, metric):
    _, result = parse(CHARTS / name)
    assert series(result) == {(platform, metric): IG_VALUES}


def test_chart_without_platform_says_to_use_the_platform_folder(tmp_path):
    path = tmp_path / "Alcance.csv"
    path.write_bytes((CHARTS / "instagram" / "Alcance.csv").read_bytes())
    with pytest.raises(InputFormatError, match=r"Alcance.csv: the chart 'Alcance' does not say "
                       r"whether it is Facebook or Instagram.*data/raw/<month>/instagram/"):
        parse(path)


def test_unknown_title_is_named_in_the_analysts_words(tmp_path):
    path = tmp_path / "instagram" / "x.csv"
    path.parent.mkdir()
    path.write_bytes(ms.chart_bytes([("Bewertungen", ["Date", "Primary"], ms.WILD_IG_DAYS)]))
    with pytest.raises(InputFormatError, match=r"a Meta chart download whose title "
                       r"'Bewertungen' and column 'Primary' we do not know"):
        parse(path)


@pytest.mark.parametrize(("date_word", "title", "platform", "metric"), [
    # French
    ("Date", "Couverture Instagram", "instagram", "reach"),
    ("Date", "Abonnés Instagram", "instagram", "follows"),
    ("Date", "Visites du profil Instagram", "instagram", "profile_visits"),
    ("Date", "Vues", "facebook", "views"),
    ("Date", "Interactions avec le contenu", "facebook", "interactions"),
    ("Date", "Clics sur le lien Instagram", "instagram", "link_clicks"),
    ("Date", "Visites de la Page Facebook", "facebook", "visits"),
    # Spanish
    ("Fecha", "Alcance de Instagram", "instagram", "reach"),
    ("Fecha", "Seguidores de Instagram", "instagram", "follows"),
    ("Fecha", "Visitas al perfil de Instagram", "instagram", "profile_visits"),
    ("Fecha", "Visualizaciones", "facebook", "views"),
    ("Fecha", "Interacciones con el contenido", "facebook", "interactions"),
    ("Fecha", "Clics en el enlace de Instagram", "instagram", "link_clicks"),
    # Portuguese (Portugal)
    ("Data", "Cliques na ligação do Instagram", "instagram", "link_clicks"),
    ("Data", "Visualizações", "facebook", "views"),
    # Italian
    ("Data", "Copertura di Instagram", "instagram", "reach"),
    ("Data", "Follower di Instagram", "instagram", "follows"),
    ("Data", "Visite al profilo Instagram", "instagram", "profile_visits"),
    ("Data", "Visualizzazioni", "facebook", "views"),
    ("Data", "Interazioni con i contenuti", "facebook", "interactions"),
    ("Data", "Clic sul link di Instagram", "instagram", "link_clicks"),
    # older English titles
    ("Date", "Page and profile visits", "facebook", "visits"),
    ("Date", "New likes and follows", "facebook", "follows"),
    ("Date", "Facebook Page new likes", "facebook", "follows"),
    ("Date", "Facebook Page reach", "facebook", "reach"),
])
def test_interface_languages(tmp_path, date_word, title, platform, metric):
    folder = tmp_path / "facebook"  # used only when the title names no platform
    folder.mkdir()
    path = folder / "chart.csv"
    path.write_bytes(ms.chart_bytes([(title, [date_word, "Primary"], ms.WILD_IG_DAYS)]))
    kind, result = parse(path)
    assert kind.name == "meta_chart"
    assert series(result) == {(platform, metric): IG_VALUES}


@pytest.mark.parametrize("name", ["Audience.csv", "seg_paises.csv", "Pubblico.csv",
                                  "Publico.csv"])
def test_audience_breakdowns_are_read(name):
    kind, result = parse(CHARTS / name)
    assert kind.name == "meta_audience"
    assert set(result.tables) == {"audience"}
    assert not any(w.startswith("skipped") for w in result.warnings)


# --------------------------------------------------------------------------- post exports


def test_meta_error_rows_are_skipped_and_counted():
    kind, result = parse(POSTS / "facebook_error_rows.csv")
    posts = result.tables["posts"]
    assert kind.name == "meta_facebook_posts"
    assert posts["post_id"].tolist() == ["100200300400501", "100200300400502"]
    assert posts["reach"].tolist() == [812, 305]
    assert posts["format"].tolist() == ["photo", "text"]
    assert any(w.startswith("skipped 2 rows Meta wrote without a post ID or publish time")
               and "An error occurred while computing metadata" in w for w in result.warnings)
    assert result.unknown_columns == []


@pytest.mark.parametrize("name", ["instagram_portuguese.csv", "instagram_portuguese_2.csv",
                                  "instagram_italian.csv"])
def test_fully_translated_instagram_exports(name):
    kind, result = parse(POSTS / name)
    posts = result.tables["posts"]
    assert kind.name == "meta_instagram_posts"
    assert posts["post_id"].tolist() == [r["post id"] for r in ms.WILD_IG_ROWS]
    assert posts["format"].tolist() == ["photo", "reel", "reel", "carousel"]
    assert posts["views"].tolist() == [2071, 7583, 1323, 904]
    assert posts["reach"].tolist() == [1203, 2154, pd.NA, 640]  # empty cell: NA, never 0
    assert posts["reactions"].tolist() == [18, 121, 19, 30]
    assert posts["comments"].tolist() == [1, 6, 1, pd.NA]
    assert posts["follows"].tolist() == [0, 2, pd.NA, 1]
    assert posts["duration_sec"].tolist() == [0, 31, 107, 0]
    assert posts["caption"].iloc[0] == "Aulas de inglês gratuitas #London"
    assert result.unknown_columns == []


def test_collaboration_posts_kept_and_flagged():
    _, result = parse(POSTS / "instagram_portuguese.csv")
    posts = result.tables["posts"]
    assert posts["is_collab"].tolist() == [False, False, True, False]
    assert posts["account"].tolist()[2] == "partner.library"
    assert result.account == "forestcitynewcomers"
    assert result.warnings == []
    # without an org profile the most frequent account is the organisation's
    _, guessed = parse(POSTS / "instagram_portuguese.csv", params={})
    assert guessed.tables["posts"]["is_collab"].tolist() == [False, False, True, False]


def test_file_without_the_organisations_account_warns():
    _, result = parse(POSTS / "instagram_without_org_account.csv")
    assert len(result.tables["posts"]) == 4
    assert any("the organisation's account 'forestcitynewcomers' is not in this export"
               in w for w in result.warnings)


def test_duration_secs_header():
    _, result = parse(POSTS / "instagram_duration_secs.csv")
    assert result.tables["posts"]["duration_sec"].tolist() == [0, 31]
    assert result.unknown_columns == []


def test_header_only_export_is_zero_posts_with_a_warning():
    kind, result = parse(POSTS / "instagram_header_only.csv")
    assert kind.name == "meta_instagram_posts"
    assert len(result.tables["posts"]) == 0
    assert any("holds no posts" in w for w in result.warnings)


def test_stories_export_is_recognised_and_skipped():
    raw = RawFile.read(POSTS / "instagram_stories.csv")
    kind = detect(raw)
    assert kind.name == "meta_instagram_stories"
    with pytest.raises(NotAnExportError, match=r"instagram_stories.csv: an Instagram Stories "
                       r"export: stories are not read .*Hint: for posts, export Insights"):
        kind.parse(raw, ParseContext(params={}))


@pytest.mark.parametrize("post_type", ["IG story", "Story do Instagram", "Storia di Instagram"])
def test_stories_recognised_by_post_type_in_any_column_order(tmp_path, post_type):
    rows = [dict(r, **{"post type": post_type}) for r in ms.WILD_IG_ROWS[:2]]
    path = tmp_path / "s.csv"
    path.write_bytes(ms.meta_csv(ms.IG_SECS_HEADER, rows, key_map=ms.SECS_KEYS))
    assert detect(RawFile.read(path)).name == "meta_instagram_stories"


def test_utf8_chart_download(tmp_path):
    path = tmp_path / "chart.csv"
    path.write_bytes(ms.chart_bytes([("Instagram reach", ["Date", "Primary"], ms.WILD_IG_DAYS)],
                                    encoding="utf-8-sig"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbfsep=,\n")
    _, result = parse(path)
    assert series(result) == {("instagram", "reach"): IG_VALUES}


#: French and Spanish Instagram headers from Meta's interface wording (no real file seen yet).
IG_FR_HEADER = ("\"Identifiant de la publication\",\"Identifiant du compte\","
                "\"Nom d'utilisateur du compte\",\"Nom du compte\",Description,\"Durée (s)\","
                "\"Heure de publication\","
                "Permalien,\"Type de publication\",\"Commentaire sur les données\",Date,Vues,"
                "Couverture,J'aime,Partages,Suivis,Commentaires,Enregistrements")
FR_KEYS = {"identifiant de la publication": "post id", "identifiant du compte": "account id",
           "nom d'utilisateur du compte": "account username", "nom du compte": "account name",
           "durée (s)": "duration (sec)", "heure de publication": "publish time",
           "permalien": "permalink", "type de publication": "post type",
           "commentaire sur les données": "data comment", "vues": "views",
           "couverture": "reach", "j'aime": "likes", "partages": "shares", "suivis": "follows",
           "commentaires": "comments", "enregistrements": "saves"}
IG_ES_HEADER = ("\"Identificador de la publicación\",\"Identificador de la cuenta\",\"Nombre de "
                "usuario de la cuenta\",\"Nombre de la cuenta\",Descripción,\"Duración (s)\","
                "\"Hora de publicación\",\"Enlace permanente\",\"Tipo de publicación\","
                "\"Comentario de datos\",Fecha,Visualizaciones,Alcance,\"Me gusta\","
                "\"Veces que se compartió\",Seguimientos,Comentarios,\"Veces que se guardó\"")
ES_KEYS = {"identificador de la publicación": "post id",
           "identificador de la cuenta": "account id",
           "nombre de usuario de la cuenta": "account username",
           "nombre de la cuenta": "account name", "descripción": "description",
           "duración (s)": "duration (sec)", "hora de publicación": "publish time",
           "enlace permanente": "permalink", "tipo de publicación": "post type",
           "comentario de datos": "data comment", "fecha": "date",
           "visualizaciones": "views", "alcance": "reach", "me gusta": "likes",
           "veces que se compartió": "shares", "seguimientos": "follows",
           "comentarios": "comments", "veces que se guardó": "saves"}


@pytest.mark.parametrize(("header", "keys", "types"), [
    (IG_FR_HEADER, FR_KEYS, {"IG image": "Image Instagram", "IG reel": "Reel Instagram",
                             "IG carousel": "Carrousel Instagram"}),
    (IG_ES_HEADER, ES_KEYS, {"IG image": "Imagen de Instagram", "IG reel": "Reel de Instagram",
                             "IG carousel": "Secuencia de Instagram"}),
], ids=["french", "spanish"])
def test_french_and_spanish_instagram_exports(tmp_path, header, keys, types):
    path = tmp_path / "export.csv"
    rows = [dict(r, **{"post type": types[r["post type"]]}) for r in ms.WILD_IG_ROWS]
    path.write_bytes(ms.meta_csv(header, rows, key_map=keys))
    kind, result = parse(path)
    posts = result.tables["posts"]
    assert kind.name == "meta_instagram_posts"
    assert posts["format"].tolist() == ["photo", "reel", "reel", "carousel"]
    assert posts["reach"].tolist() == [1203, 2154, pd.NA, 640]
    assert posts["saves"].tolist() == [4, 9, 0, 3]
    assert posts["is_collab"].tolist() == [False, False, True, False]
    assert result.unknown_columns == []
