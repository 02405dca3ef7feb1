"""Rule labels from caption text: topic, human-centred, audience, hashtags.

All vocabulary comes from the organisation profile (``params/org.yaml``: ``topics``,
``labels.human_cues``, ``labels.info_cues``, ``labels.weights``); this module only knows how
to match it. Matching is whole-word and case- and accent-insensitive, so ``Résumé``,
``resume`` and ``RESUME`` are the same word, ``l’emploi`` contains ``emploi`` and ``don't``
does not contain ``don``. Hashtags count as words (``#JobFair`` reads as "job fair" and
``#jobsearch`` matches the keyword "job search"), and so do tagged accounts (``@UnitedWayEM``
reads as "united way em"); emoji separate words and may themselves be topic keywords (a
topic's optional ``emoji:`` list).
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
# "@UnitedWayEM" (not "name@example.org"): a tagged account, read as words like a hashtag.
_MENTION_RE = re.compile(r"(?<![\w.])@(\w+)", re.UNICODE)
_CAMEL_RE = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
_QUOTE_RE = re.compile(r"“([^”]{8,})”|«\s*([^»]{8,}?)\s*»|\"([^\"]{8,})\"")
_NAME = r"([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’\-]+)"
# A first name: "Amani", "Jean-Pierre", "O'Brien"; "Ahmad's" gives "Ahmad".
_FIRST_NAME_RE = re.compile(
    r"(?<![\w@#'’])([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[\-'’][A-ZÀ-ÖØ-Þa-zà-öø-ÿ][a-zà-öø-ÿ]+)*)"
)

DEFAULT_WEIGHTS = {
    "story_word": 2.0,
    "name_intro": 2.0,
    "first_person_quote": 2.0,
    "thanks_named_volunteer": 2.0,
    "name_action": 2.0,
    "person_pronoun": 1.0,
    "people_in_visual": 1.0,
    "info_word": 0.5,
    "organisation_thanks": 1.0,
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


def _spelled_out(match: re.Match[str]) -> str:
    return " " + _CAMEL_RE.sub(" ", match.group(1)).replace("_", " ") + " "


def _hashtags_as_words(text: str) -> str:
    """Spell hashtags and tagged accounts out as words, so they match keywords.

    ``#JobFair`` reads as "Job Fair" and ``@UnitedWayEM`` as "United Way EM".
    """
    return _MENTION_RE.sub(_spelled_out, _HASHTAG_RE.sub(_spelled_out, text))


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

    def first_position(self, keyword: str) -> float:
        """Where ``keyword`` first occurs, as a share of the caption's length (inf if absent).

        Positions in ``folded`` (words) and ``raw`` (emoji) differ slightly; this is only
        used to order topics, so the share is close enough.
        """
        keyword = str(keyword)
        if not keyword.strip():
            return math.inf
        if not any(ch.isalnum() for ch in keyword):
            at = self.raw.find(keyword)
            return at / max(len(self.raw), 1) if at >= 0 else math.inf
        match = _keyword_pattern(keyword).search(self.folded)
        if match:
            return match.start() / max(len(self.folded), 1)
        return 1.0 if self.count(keyword) else math.inf

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


def _topic_keywords(spec: Mapping[str, Any] | None) -> list[str]:
    spec = spec or {}
    keywords = _both_languages({"en": spec.get("en"), "fr": spec.get("fr")})
    keywords += [str(e) for e in (spec.get("emoji") or [])]
    return list(dict.fromkeys(keywords))


def score_topics(text: PreparedText, params: Mapping[str, Any]) -> dict[str, float]:
    """Keyword evidence per topic (topics without any hit are left out)."""
    scores: dict[str, float] = {}
    for topic, spec in (params.get("topics") or {}).items():
        score = sum(keyword_weight(k) * text.count(k) for k in _topic_keywords(spec))
        if score > 0:
            scores[topic] = score
    return scores


def _first_mention(text: PreparedText, topic: str, params: Mapping[str, Any]) -> float:
    """Where a topic's earliest keyword occurs in the caption (share of its length)."""
    spec = (params.get("topics") or {}).get(topic)
    return min((text.first_position(k) for k in _topic_keywords(spec)), default=math.inf)


def rule_topic(text: PreparedText, params: Mapping[str, Any]) -> tuple[str, float]:
    """The topic with the most keyword evidence, and a confidence in [0, 1].

    Confidence is the winner's share of all evidence with one pseudo-hit added
    (``top / (total + 1)``): one lone keyword gives 0.5, two agreeing ones 0.67, a tie
    between two topics 0.33, so it stays low whenever other topics are also mentioned.
    Ties go to the topic mentioned first in the caption (a caption names its subject up
    front and mentions side topics later: "Offre d'emploi : conseiller ... jeunesse"), then
    to the topic listed first in ``topics``. No evidence gives ``("other", 0.0)``.
    """
    scores = score_topics(text, params)
    if not scores:
        return OTHER_TOPIC, 0.0
    top = max(scores.values())
    tied = [t for t in scores if scores[t] == top]  # in configured order
    best = min(tied, key=lambda t: _first_mention(text, t, params)) if len(tied) > 1 else tied[0]
    return best, scores[best] / (sum(scores.values()) + 1.0)


def _capitalised_names(raw: str, stopwords: set[str]) -> Iterable[re.Match[str]]:
    """Capitalised words that can be a person's first name.

    Not a name: a word in ``stopwords`` (determiners, pronouns, places), or a word right
    after another capitalised word ("Open Door Language Services", "Homework Club"), which
    is a title or an organisation; "Mr. Nguyen" (a full stop between) still counts.
    """
    for match in _FIRST_NAME_RE.finditer(raw):
        if fold(match.group(1)) in stopwords:
            continue
        before = re.search(r"(\S+)[^\S\n]+$", raw[: match.start()])
        word = before.group(1) if before else ""
        if word[:1].isupper() and word[-1:].isalnum() and fold(word) not in stopwords:
            continue
        yield match


def _name_then(raw: str, stopwords: set[str], followers: Iterable[str]) -> bool:
    """True when a first name is followed by one of ``followers`` ("Amani arrived")."""
    words = [w for w in followers if str(w).strip()]
    if not words:
        return False
    alternatives = "|".join(
        r"[\s\-]+".join(re.escape(p) for p in fold(str(w)).split())
        for w in sorted(words, key=len, reverse=True))
    follow = re.compile(r"(?:'s)?[^\S\n]+(?:" + alternatives + r")(?!\w)")
    return any(follow.match(fold(raw[match.end():match.end() + 80]))
               for match in _capitalised_names(raw, stopwords))


def _name_in_template(raw: str, templates: Iterable[str], stopwords: set[str]) -> bool:
    """True when a template such as ``"the {name} family"`` occurs with a first name."""
    names = {m.group(1) for m in _capitalised_names(raw, stopwords)}
    folded = fold(raw)
    for template in templates:
        template = str(template)
        if "{name}" not in template:
            continue
        for name in names:
            phrase = template.replace("{name}", name)
            if _keyword_pattern(phrase).search(folded):
                return True
    return False


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

    A human story is about a person, so the strong cues all need one: a first name, a
    first-person quote, a personal pronoun. Words about groups ("families", "women",
    "kids") are not cues: programme announcements and thank-you notes use them too.

    Cues (vocabulary in ``labels.human_cues``, weights in ``labels.weights``):

    * ``story_word``: "story", "témoignage", "spotlight", "arrived from" ...;
    * ``name_intro``: "Meet" / "Rencontrez" / "Bravo" / "Congrats," followed by a
      capitalised name;
    * ``name_action``: a first name followed by a personal verb ("Amani arrived",
      "Mireille a suivi", "Linda has hosted") or in a template such as "the {name} family";
      a first name is a capitalised word that is not a stopword and does not follow
      another capitalised word (organisations and titles are runs of capitals);
    * ``first_person_quote``: a quotation (“…”, «…», "…") containing "I", "my", "je", "j'" ...;
    * ``person_pronoun``: "she", "he", "elle" (a post talking about one person);
    * ``thanks_named_volunteer``: thanks followed by a capitalised name in a post that
      mentions volunteers;
    * ``people_in_visual``: a photo/video/reel/carousel whose caption recounts people
      taking part ("smiles", "joined us", "merci d'être venus" ...);
    * against: ``info_word``, each distinct information cue ("register", "deadline",
      "inscription" ...), and ``organisation_thanks``, thanks in a post that names an
      organisation (an @account, "Foundation", "United Way", "support of" ...): thanking
      a funder is donor relations, not a human story.

    Returns:
        Mapping cue name -> weighted evidence (only cues found); ``info_word`` and
        ``organisation_thanks`` count against the others.
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
    if _name_then(text.raw, stopwords, _both_languages(cues.get("personal_verbs"))) or \
            _name_in_template(text.raw, _both_languages(cues.get("name_templates")), stopwords):
        found["name_action"] = weights["name_action"]
    first_person = _both_languages(cues.get("first_person"))
    for match in _QUOTE_RE.finditer(text.raw):
        quoted = PreparedText.of(next(g for g in match.groups() if g))
        if quoted.matched(first_person):
            found["first_person_quote"] = weights["first_person_quote"]
            break
    if text.matched(_both_languages(cues.get("person_pronouns"))):
        found["person_pronoun"] = weights["person_pronoun"]
    thanks = _both_languages(cues.get("thanks_words"))
    if text.matched(_both_languages(cues.get("volunteer_words"))) and _name_follows(
        text.raw, thanks, stopwords
    ):
        found["thanks_named_volunteer"] = weights["thanks_named_volunteer"]
    visual = {str(f) for f in cues.get("visual_formats") or []}
    if str(post_format) in visual and text.matched(_both_languages(cues.get("people_words"))):
        found["people_in_visual"] = weights["people_in_visual"]
    if text.matched(thanks) and (_MENTION_RE.search(text.raw) or text.matched(
            _both_languages(cues.get("organisation_words")))):
        found["organisation_thanks"] = weights["organisation_thanks"]
    info_hits = text.matched(_both_languages(cfg.get("info_cues")))
    if info_hits:
        found["info_word"] = weights["info_word"] * len(info_hits)
    return found


#: Cues of :func:`human_evidence` that count against a human story.
AGAINST_HUMAN = ("info_word", "organisation_thanks")


def rule_human(
    text: PreparedText, post_format: Any, params: Mapping[str, Any]
) -> tuple[bool, float]:
    """Whether a post is a human story, and a confidence in [0.5, 1).

    Human-centred when the human-story evidence exceeds the evidence against it
    (:data:`AGAINST_HUMAN`). The confidence is a logistic function of the margin
    (``1 / (1 + exp(-1.5 |margin|))``): 0.5 when the evidence is balanced or absent, 0.82
    at a margin of one cue weight.
    """
    found = human_evidence(text, post_format, params)
    against = sum(found.pop(cue, 0.0) for cue in AGAINST_HUMAN)
    margin = sum(found.values()) - against
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
