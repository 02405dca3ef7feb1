"""Caption language detector: accuracy on the hand-labelled caption sets and the rule."""

from pathlib import Path

import pandas as pd
import pytest

from workbench.labels.language import caption_languages, detect_language

HERE = Path(__file__).parent


@pytest.mark.parametrize("name", ["gold", "dev", "heldout"])
def test_accuracy_on_labelled_captions(name):
    frame = pd.read_csv(HERE / f"{name}_captions.csv")
    predicted = caption_languages(frame["caption"])
    accuracy = float((predicted == frame["language"]).fillna(False).mean())
    # Measured 1.00 on gold (98), dev (80) and heldout (60) captions.
    assert accuracy >= 0.97, accuracy


def test_bilingual_and_unknown():
    # Invented captions.
    both = ("Join us for our open house on Friday! All are welcome. / Joignez-vous à nous "
            "pour nos portes ouvertes vendredi ! Tout le monde est bienvenu. #LdnOnt")
    assert detect_language(both) == "bilingual"
    assert detect_language("Free English classes start next week for all newcomers") == "en"
    assert detect_language("Les cours de français commencent la semaine prochaine") == "fr"
    assert detect_language("🎉🎉 #LdnOnt https://example.org") is None
    assert detect_language(None) is None
    # A French caption with one English hashtag and a name is still French.
    assert detect_language("Merci à nos bénévoles pour leur aide ! #Volunteers Samuel") == "fr"


def test_accuracy_on_bilingual_and_french_captions():
    """Invented captions hand-labelled before the detector was run on them (commit 'Language:
    23 invented captions'): 12 bilingual, 7 French, 4 English with French words. Measured
    20 of 23 (0.87): every French and English caption right and no caption wrongly called
    bilingual, but 3 of 12 bilingual captions missed, each with one half too short for
    `MIN_BILINGUAL_HITS` function words (two called English, one French). Not tuned on this
    set; these numbers are the detector's as it stood."""
    frame = pd.read_csv(HERE / "language_captions.csv")
    predicted = caption_languages(frame["caption"]).astype("string").fillna("unknown")
    right = predicted == frame["language"]
    assert float(right.mean()) >= 0.86
    assert right[frame["language"] != "bilingual"].all()
    assert float(right[frame["language"] == "bilingual"].mean()) >= 0.75
    assert not (predicted[frame["language"] != "bilingual"] == "bilingual").any()
