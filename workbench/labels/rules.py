"""Rule labels from caption text: topic, human-centred, audience, hashtags.

All vocabulary comes from the organisation profile (``params/org.yaml``: ``topics``,
``labels.human_cues``, ``labels.info_cues``, ``labels.weights``); this module only knows how
to match it. Matching is whole-word and case- and accent-insensitive, so ``Résumé``,
``resume`` and ``RESUME`` are the same word, ``l’emploi`` contains ``emploi`` and ``don't``
does not contain ``don``. Hashtags count as words (``#JobFair`` reads as "job fair" and
``#jobsearch`` matches the keyword "job search"); emoji separate words and may themselves be
topic keywords (a topic's optional ``emoji:`` list).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from workbench.errors import ConfigError

OTHER_TOPIC = "other"

# Typographic apostrophes and quotes seen in captions typed on phones.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_HASHTAG_RE = re.compile(r"(?<![\w&/])#(\w+)", re.UNICODE)
_CAMEL_RE = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
_QUOTE_RE = re.compile(r"“([^”]{8,})”|«\s*([^»]{8,}?)\s*»|\"([^\"]{8,})\"")
_NAME = r"([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’\-]+)"

DEFAULT_WEIGHTS = {
    "story_word": 2.0,
    "name_intro": 2.0,
    "first_person_quote": 2.0,
    "thanks_named_volunteer": 2.0,
    "people_in_visual": 1.0,
    "info_word": 0.5,
}


def fold(text: str) -> str:
    """Return ``text`` lower-cased, accent-free, with straight apostrophes.

    Examples:
        >>> fold("Résumé d’Été")
        "resume d'ete"
    """
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = text.replace("œ", "oe").replace("Œ", "OE").casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_hashtags(text: Any) -> list[str]:
    """Return the hashtags of a caption, in order of appearance, without duplicates.

    A hashtag is ``#`` followed by letters, digits or underscores and containing at least
    one letter (``#1`` is not a hashtag on any platform); a ``#`` inside a word, a URL
    fragment or an HTML entity (``&#39;``) is not one. Duplicates are dropped
    case-insensitively, keeping the first spelling.

    Args:
        text: The caption (NA or non-text gives an empty list).

    Returns:
        The hashtags with their ``#``, e.g. ``["#LdnOnt", "#jobs"]``.

    Examples:
        >>> parse_hashtags("Job fair! #Jobs #LdnOnt #jobs #1 and&#39;s")
        ['#Jobs', '#LdnOnt']
    """
    if not isinstance(text, str):
        return []
    seen: set[str] = set()
    tags: list[str] = []
    for body in _HASHTAG_RE.findall(text):
        if not any(ch.isalpha() for ch in body):
            continue
        key = fold(body)
        if key not in seen:
            seen.add(key)
            tags.append(f"#{body}")
    return tags


def local_hashtags(tags: Iterable[str], local: Iterable[str]) -> list[str]:
    """Return the tags in ``tags`` that are the organisation's local hashtags (any case)."""
    wanted = {fold(str(t).lstrip("#")) for t in local}
    return [t for t in tags if fold(str(t).lstrip("#")) in wanted]


def _hashtags_as_words(text: str) -> str:
    """Replace ``#JobFair`` by ``Job Fair`` so hashtags match keywords like words."""
    return _HASHTAG_RE.sub(lambda m: " " + _CAMEL_RE.sub(" ", m.group(1)).replace("_", " ") + " ",
                           text)


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole-word pattern for one folded keyword; spaces also match hyphens and line breaks."""
    folded = fold(keyword).strip()
    body = r"[\s\-]+".join(re.escape(part) for part in folded.split())
    lead = r"(?<!\w)" if folded[:1].isalnum() else ""
    # "don" is not in "don't": an English contraction continues the word.
    tail = r"(?!\w)(?!'(?:t|ll|re|ve|d|m)(?!\w))" if folded[-1:].isalnum() else ""
    return re.compile(lead + body + tail)


def _compact(text: str) -> str:
    return re.sub(r"[^\w]", "", fold(text))


@dataclass(frozen=True)
class PreparedText:
    """A caption prepared once for all the matching below.

    Attributes:
        raw: The caption as written (capitals and quotes kept, for names and quotes).
        folded: Hashtags spelled out as words, then folded.
        tag_bodies: Each hashtag folded without ``#`` or punctuation (``jobsearch``).
    """

    raw: str
    folded: str
    tag_bodies: frozenset[str]

    @classmethod
    def of(cls, caption: Any) -> PreparedText:
        """Prepare a caption (NA becomes the empty string)."""
        raw = caption if isinstance(caption, str) else ""
        raw = unicodedata.normalize("NFKC", raw).translate(_APOSTROPHES)
        tags = frozenset(_compact(t) for t in parse_hashtags(raw))
        return cls(raw=raw, folded=fold(_hashtags_as_words(raw)), tag_bodies=tags)

    def count(self, keyword: str) -> int:
        """How often ``keyword`` occurs as whole words (a hashtag spelling counts once)."""
        if not keyword or not str(keyword).strip():
            return 0
        keyword = str(keyword)
        if not any(ch.isalnum() for ch in keyword):  # an emoji or symbol keyword
            return self.raw.count(keyword)
        hits = len(_keyword_pattern(keyword).findall(self.folded))
        if hits == 0 and " " in keyword.strip() and _compact(keyword) in self.tag_bodies:
            hits = 1  # "#jobsearch" for the keyword "job search"
        return hits

    def matched(self, keywords: Iterable[str]) -> list[str]:
        """The keywords of ``keywords`` that occur at least once."""
        return [k for k in keywords if self.count(k)]


def _both_languages(entry: Any) -> list[str]:
    """Keywords of an ``{en: [...], fr: [...]}`` entry (or a plain list) as one list."""
    if entry is None:
        return []
    if isinstance(entry, Mapping):
        words: list[str] = []
        for value in entry.values():
            words.extend(str(v) for v in (value or []))
        return words
    return [str(v) for v in entry]


def topic_names(params: Mapping[str, Any]) -> list[str]:
    """Topics of the organisation profile in their configured order, then ``other``."""
    return [*(params.get("topics") or {}), OTHER_TOPIC]


def audience_names(params: Mapping[str, Any]) -> list[str]:
    """Audiences of the organisation profile."""
    return [str(a) for a in (params.get("audiences") or [])]


def topic_audience(topic: str, platform: Any, params: Mapping[str, Any]) -> str | None:
    """The audience a topic speaks to on a platform.

    A topic's ``audience`` is either one name or a mapping ``{default: ..., <platform>: ...}``;
    posts of topic ``other`` get ``labels.other_audience``.
    """
    if topic == OTHER_TOPIC:
        return (params.get("labels") or {}).get("other_audience")
    spec = ((params.get("topics") or {}).get(topic) or {}).get("audience")
    if isinstance(spec, Mapping):
        return spec.get(str(platform), spec.get("default"))
    return spec


def keyword_weight(keyword: str) -> float:
    """Evidence of one keyword hit: phrases say more than single words, emoji less."""
    if not any(ch.isalnum() for ch in keyword):
        return 0.5
    return 1.0 + 0.5 * (len(keyword.split()) - 1)


def score_topics(text: PreparedText, params: Mapping[str, Any]) -> dict[str, float]:
    """Keyword evidence per topic (topics without any hit are left out)."""
    scores: dict[str, float] = {}
    for topic, spec in (params.get("topics") or {}).items():
        spec = spec or {}
        keywords = _both_languages({"en": spec.get("en"), "fr": spec.get("fr")})
        keywords += [str(e) for e in (spec.get("emoji") or [])]
        score = sum(keyword_weight(k) * text.count(k) for k in dict.fromkeys(keywords))
        if score > 0:
            scores[topic] = score
    return scores


def rule_topic(text: PreparedText, params: Mapping[str, Any]) -> tuple[str, float]:
    """The topic with the most keyword evidence, and a confidence in [0, 1].

    Confidence is the winner's share of all evidence with one pseudo-hit added
    (``top / (total + 1)``): one lone keyword gives 0.5, two agreeing ones 0.67, a tie
    between two topics 0.33. Ties go to the topic listed first in ``topics``. No evidence
    gives ``("other", 0.0)``.
    """
    scores = score_topics(text, params)
    if not scores:
        return OTHER_TOPIC, 0.0
    best = max(scores, key=lambda t: scores[t])  # max keeps the first of equal scores
    return best, scores[best] / (sum(scores.values()) + 1.0)


def _name_follows(raw: str, lead_words: Iterable[str], stopwords: set[str]) -> bool:
    """True when one of ``lead_words`` is followed by a capitalised name (``Meet Raj``)."""
    for word in lead_words:
        lead = r"[\s\-]+".join(re.escape(p) for p in str(word).split())
        pattern = re.compile(r"(?<!\w)" + lead + r"[\s,:]+" + _NAME, re.IGNORECASE)
        for match in pattern.finditer(raw):
            name = match.group(1)
            if name[:1].isupper() and fold(name).strip("'’-") not in stopwords:
                return True
    return False


def human_evidence(
    text: PreparedText, post_format: Any, params: Mapping[str, Any]
) -> dict[str, float]:
    """Weighted human-story and information cues found in a caption.

    Cues (vocabulary in ``labels.human_cues``, weights in ``labels.weights``):

    * ``story_word``: "story", "témoignage", "spotlight", "arrived from" ...
    * ``name_intro``: "Meet" / "Rencontrez" / "Bravo à" followed by a capitalised name;
    * ``first_person_quote``: a quotation (“…”, «…», "…") containing "I", "my", "je", "j'" ...;
    * ``thanks_named_volunteer``: thanks followed by a capitalised name in a post that
      mentions volunteers;
    * ``people_in_visual``: a photo/video/reel/carousel whose caption mentions people
      ("families", "graduates", "sourires" ...);
    * ``info_word``: each distinct information cue ("register", "deadline", "inscription" ...),
      counted against the others.

    Returns:
        Mapping cue name -> weighted evidence (only cues found).
    """
    cfg = params.get("labels") or {}
    cues = cfg.get("human_cues") or {}
    weights = {**DEFAULT_WEIGHTS, **(cfg.get("weights") or {})}
    stopwords = {fold(str(w)) for w in cues.get("name_stopwords") or []}
    found: dict[str, float] = {}

    if text.matched(_both_languages(cues.get("story_words"))):
        found["story_word"] = weights["story_word"]
    if _name_follows(text.raw, _both_languages(cues.get("name_intro")), stopwords):
        found["name_intro"] = weights["name_intro"]
    first_person = _both_languages(cues.get("first_person"))
    for match in _QUOTE_RE.finditer(text.raw):
        quoted = PreparedText.of(next(g for g in match.groups() if g))
        if quoted.matched(first_person):
            found["first_person_quote"] = weights["first_person_quote"]
            break
    if text.matched(_both_languages(cues.get("volunteer_words"))) and _name_follows(
        text.raw, _both_languages(cues.get("thanks_words")), stopwords
    ):
        found["thanks_named_volunteer"] = weights["thanks_named_volunteer"]
    visual = {str(f) for f in cues.get("visual_formats") or []}
    if str(post_format) in visual and text.matched(_both_languages(cues.get("people_words"))):
        found["people_in_visual"] = weights["people_in_visual"]
    info_hits = text.matched(_both_languages(cfg.get("info_cues")))
    if info_hits:
        found["info_word"] = weights["info_word"] * len(info_hits)
    return found


def rule_human(
    text: PreparedText, post_format: Any, params: Mapping[str, Any]
) -> tuple[bool, float]:
    """Whether a post is a human story, and a confidence in [0.5, 1).

    Human-centred when the human-story evidence exceeds the information evidence. The
    confidence is a logistic function of the margin (``1 / (1 + exp(-1.5 |margin|))``):
    0.5 when the evidence is balanced or absent, 0.82 at a margin of one cue weight.
    """
    found = human_evidence(text, post_format, params)
    info = found.pop("info_word", 0.0)
    margin = sum(found.values()) - info
    return margin > 0, 1.0 / (1.0 + math.exp(-1.5 * abs(margin)))


def check_label_params(params: Mapping[str, Any]) -> None:
    """Raise ConfigError when the topics or label settings cannot be used."""
    topics = params.get("topics")
    if not isinstance(topics, Mapping) or not topics:
        raise ConfigError("'topics' is missing or empty", file="params/org.yaml",
                          hint="list topics with en:/fr: keyword lists (see the shipped org.yaml)")
    audiences = set(audience_names(params))
    for name, spec in topics.items():
        if name == OTHER_TOPIC:
            raise ConfigError("'other' is reserved for posts no topic matches",
                              file="params/org.yaml", column=f"topics.{name}",
                              hint="rename the topic")
        spec = spec or {}
        aud = spec.get("audience")
        named = list(aud.values()) if isinstance(aud, Mapping) else [aud]
        for a in named:
            if audiences and a is not None and a not in audiences:
                raise ConfigError(f"audience {a!r} of topic {name!r} is not in 'audiences'",
                                  file="params/org.yaml", column=f"topics.{name}.audience",
                                  hint=f"use one of {sorted(audiences)} or add it to 'audiences'")
    cfg = params.get("labels") or {}
    for key in ("colour_distance", "brand_share_threshold"):
        value = cfg.get(key)
        if value is not None and (not isinstance(value, (int, float)) or value < 0):
            raise ConfigError(f"'labels.{key}' is {value!r}, not a non-negative number",
                              file="params/org.yaml", hint="see the comment next to it")
