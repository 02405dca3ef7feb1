import copy

import pytest

from workbench.errors import ConfigError
from workbench.labels.rules import (
    PreparedText,
    check_label_params,
    fold,
    human_evidence,
    local_hashtags,
    parse_hashtags,
    rule_human,
    rule_topic,
    topic_audience,
)


def test_parse_hashtags_order_dedupe_and_non_tags():
    text = "Fair! #Jobs #LdnOnt #jobs #1 #Été2024 see https://x.org/#top and&#39;s mail#me"
    assert parse_hashtags(text) == ["#Jobs", "#LdnOnt", "#Été2024"]
    assert parse_hashtags(None) == []


def test_local_hashtags_any_case(params):
    tags = parse_hashtags("Fun day #ldnont #Toronto #LONDONONTARIO")
    assert local_hashtags(tags, params["local_hashtags"]) == ["#ldnont", "#LONDONONTARIO"]


def test_fold_accents_case_apostrophes():
    assert fold("Résumé d’ÉTÉ Œuvre") == "resume d'ete oeuvre"


@pytest.mark.parametrize(
    ("caption", "keyword", "expected"),
    [
        ("Free RESUME clinic", "résumé", 1),
        ("Atelier sur l’emploi", "emploi", 1),
        ("We don't stop", "don", 0),  # whole words only
        ("Teenagers welcome", "teen", 0),
        ("Come to the job-fair!", "job fair", 1),
        ("#JobFair this Friday", "job fair", 1),  # camel-case hashtag reads as words
        ("#jobsearch tips", "job search", 1),  # run-together hashtag matches a phrase
        ("New home 🏠 keys", "🏠", 1),
        ("jobs💼jobs", "jobs", 2),  # emoji separate words
    ],
)
def test_whole_word_matching(caption, keyword, expected):
    assert PreparedText.of(caption).count(keyword) == expected


def test_topic_from_english_and_french_keywords(params):
    assert rule_topic(PreparedText.of("Cours de français gratuits, CLIC"), params)[0] == \
        "language_classes"
    assert rule_topic(PreparedText.of("Know your rights as a TENANT"), params)[0] == "housing"


def test_topic_other_with_zero_confidence_when_nothing_matches(params):
    assert rule_topic(PreparedText.of("A sunny afternoon in the park"), params) == ("other", 0.0)


def test_topic_confidence_grows_with_agreeing_evidence(params):
    one = rule_topic(PreparedText.of("Ask about housing"), params)[1]
    two = rule_topic(PreparedText.of("Ask about housing, rent and your lease"), params)[1]
    mixed = rule_topic(PreparedText.of("Ask about housing and jobs"), params)[1]
    assert mixed < one < two <= 1


def test_topics_come_only_from_params(params):
    custom = copy.deepcopy(params)
    custom["topics"] = {"food_bank": {"audience": "community", "en": ["food bank"],
                                      "fr": ["banque alimentaire"]}}
    assert rule_topic(PreparedText.of("La banque alimentaire est ouverte"), custom)[0] == \
        "food_bank"
    assert rule_topic(PreparedText.of("Housing help"), custom)[0] == "other"


def test_audience_per_topic_and_platform(params):
    assert topic_audience("employment", "facebook", params) == "newcomers"
    assert topic_audience("employment", "linkedin", params) == "community"
    assert topic_audience("donor_thanks", "linkedin", params) == "donors"
    assert topic_audience("other", "facebook", params) == params["labels"]["other_audience"]


@pytest.mark.parametrize(
    ("caption", "fmt", "cue"),
    [
        ("Meet Raj, our tax clinic hero!", "text", "name_intro"),
        ("Rencontrez Yves, boulanger.", "text", "name_intro"),
        ("“I found my first job in Canada here.” – Ana", "text", "first_person_quote"),
        ("« J’ai enfin trouvé un logement. »", "text", "first_person_quote"),
        ("Thank you to Margaret, a volunteer since 2016", "text", "thanks_named_volunteer"),
        ("Son témoignage nous touche", "text", "story_word"),
        ("So many smiles from our families today", "photo", "people_in_visual"),
    ],
)
def test_human_cues(params, caption, fmt, cue):
    assert cue in human_evidence(PreparedText.of(caption), fmt, params)
    assert rule_human(PreparedText.of(caption), fmt, params)[0] is True


@pytest.mark.parametrize(
    ("caption", "fmt"),
    [
        ("Meet our staff at the open house. Register now.", "text"),  # "our" is not a name
        ("So many smiles from our families today", "text"),  # people words need a visual
        ("Thank you to Margaret for the lovely cake", "text"),  # a name but no volunteer
        ("Registration deadline is Friday. Call to book.", "photo"),
    ],
)
def test_not_human(params, caption, fmt):
    assert rule_human(PreparedText.of(caption), fmt, params)[0] is False


def test_information_outweighs_a_weak_human_cue(params):
    text = PreparedText.of("Families welcome! Free registration, call to book, link in bio.")
    human, confidence = rule_human(text, "photo", params)
    assert human is False and confidence > 0.5


def test_bad_topic_audience_is_a_config_error(params):
    bad = copy.deepcopy(params)
    bad["topics"]["housing"]["audience"] = "landlords"
    with pytest.raises(ConfigError, match=r"audience 'landlords' of topic 'housing'.*Hint: use"):
        check_label_params(bad)
