"""Caption templates for the fictional agency's posts, in English and French.

Every template of a topic uses at least one keyword of that topic exactly as ``org.yaml``
spells it, so a keyword labeller can find it; templates avoid the keywords of other topics
where the language allows. Human-centred templates tell one person's story (a named client,
a first-person quote, thanks to a named volunteer); informational ones give dates, deadlines
and programme details.
"""

from __future__ import annotations

import numpy as np

#: First names used in stories (fictional people).
PEOPLE = (
    "Amina", "Rahul", "Mei", "Carlos", "Fatima", "Olena", "Samuel", "Ahmad", "Priya",
    "Daniela", "Yusuf", "Nadia", "Joseph", "Leila", "Thanh", "Grace", "Omar", "Sofia",
)
#: Countries of origin, English and French.
COUNTRIES = (
    ("Syria", "Syrie"), ("Ukraine", "Ukraine"), ("Colombia", "Colombie"), ("India", "Inde"),
    ("Eritrea", "Érythrée"), ("Afghanistan", "Afghanistan"), ("the Philippines", "les Philippines"),
    ("Nigeria", "Nigéria"), ("Vietnam", "Vietnam"), ("Haiti", "Haïti"), ("Sudan", "Soudan"),
)
PLACES = ("our Dundas Street office", "the Central Library", "our Wellington Road site",
          "the East London community centre")
PLACES_FR = ("notre bureau de la rue Dundas", "la bibliothèque centrale",
             "notre site du chemin Wellington", "le centre communautaire de l'est de London")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")

# Placeholders: {name} {volunteer} {country} {place} {date} (a weekday + day + month in the
# caption's language), {years}.
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "employment": {
        "human_en": (
            "Meet {name}, who arrived from {country} {years} years ago. After our job search "
            "workshops she landed a career in accounting. \"The resume clinic changed everything "
            "for me.\"",
            "\"I didn't know how Canadian employers read a resume.\" {name} practised interview "
            "skills with our team and starts a new job next week!",
        ),
        "human_fr": (
            "Rencontrez {name}, arrivé de {country} il y a {years} ans. Grâce à nos ateliers de "
            "recherche d'emploi, il a trouvé un emploi en logistique.",
            "« Mon CV est enfin prêt. » {name} a rencontré trois employeurs au salon de l'emploi.",
        ),
        "info_en": (
            "Job fair on {date} at {place}: 20+ employers hiring now. Bring your resume!",
            "Free employment workshop {date}: job search tips, resume reviews and interview "
            "skills. Register at the link below.",
        ),
        "info_fr": (
            "Salon de l'emploi le {date} à {place} : plus de 20 employeurs. Apportez votre CV!",
            "Atelier gratuit de recherche d'emploi le {date}. Inscrivez-vous dès maintenant.",
        ),
    },
    "housing": {
        "human_en": (
            "Meet {name} from {country}. Finding an apartment with no Canadian credit history "
            "felt impossible. \"The housing team helped me understand my lease and my rights as "
            "a tenant.\"",
            "\"We signed our first lease in London!\" Congratulations to {name} and family on "
            "their new apartment.",
        ),
        "human_fr": (
            "Rencontrez {name}, venue de {country}. « L'équipe logement m'a aidée à comprendre "
            "mon bail et à parler avec mon propriétaire. »",
        ),
        "info_en": (
            "Renting in Ontario? Our housing clinic on {date} covers rent increases, your lease, "
            "and talking to your landlord. Free, drop-in.",
            "Tenant rights info session {date} at {place}. Learn what a landlord can and cannot "
            "ask for before you rent.",
        ),
        "info_fr": (
            "Séance d'information sur le logement le {date} : loyer, bail, droits du locataire. "
            "Gratuit.",
        ),
    },
    "language_classes": {
        "human_en": (
            "Meet {name}, who came from {country} speaking no English. {years} years of LINC "
            "later, she just reached CLB 6! \"My teacher believed in me.\"",
            "\"English classes gave me my confidence back.\" {name} from {country} shares her "
            "LINC journey.",
        ),
        "human_fr": (
            "Rencontrez {name}, venu de {country}. Après ses cours d'anglais, il parle avec ses "
            "voisins chaque jour. « Les cours de langue m'ont ouvert des portes. »",
        ),
        "info_en": (
            "New LINC English classes start {date}. Book your language assessment now: morning, "
            "evening and online options for CLB 1-7.",
            "ESL registration is open! Free English classes for permanent residents and "
            "protected persons. Language assessment required.",
        ),
        "info_fr": (
            "Nouveaux cours d'anglais dès le {date}. Réservez votre évaluation linguistique "
            "maintenant.",
            "Les cours de français CLIC reprennent le {date} à {place}.",
        ),
    },
    "conversation_circles": {
        "human_en": (
            "\"Every Thursday I practise English and make new friends.\" {name} from {country} "
            "has not missed a conversation circle since January.",
            "Meet {name}, who leads our Arabic-English conversation circle every week.",
        ),
        "human_fr": (
            "« Au cercle de conversation, je me sens chez moi. » Rencontrez {name}, venue de "
            "{country}.",
        ),
        "info_en": (
            "Conversation circle every {weekday} at {place}. Practise English over coffee, all "
            "levels welcome.",
            "Our conversation club is back {date}! Drop in to practise English with neighbours.",
        ),
        "info_fr": (
            "Club de conversation chaque {weekday_fr} à {place_fr}. Tous les niveaux sont les "
            "bienvenus.",
        ),
    },
    "youth": {
        "human_en": (
            "Meet {name}, 16, who arrived from {country} last year. \"Homework club helped me "
            "finish grade 10 with honours.\"",
            "\"Summer camp was the first place I felt Canadian.\" {name} shares what our youth "
            "program meant to him.",
        ),
        "human_fr": (
            "Rencontrez {name}, 15 ans, venu de {country}. « L'aide aux devoirs m'a beaucoup "
            "aidé. » Bravo aux jeunes de notre programme!",
        ),
        "info_en": (
            "Homework club for newcomer youth: {weekday}s after school at {place}. Teens and "
            "students in grades 7-12 welcome.",
            "Registration for our youth summer camp opens {date}. Spaces are limited!",
        ),
        "info_fr": (
            "Camp d'été pour les jeunes : inscriptions dès le {date}. Places limitées!",
        ),
    },
    "womens_groups": {
        "human_en": (
            "Meet {name}, who found her community in our women's group. \"Here the women "
            "became my sisters.\"",
            "\"As mothers in a new country, we help each other.\" {name} from {country} on "
            "what the group means to her.",
        ),
        "human_fr": (
            "Rencontrez {name}, venue de {country}. « Le groupe de femmes m'a redonné le "
            "sourire. »",
        ),
        "info_en": (
            "Women's group every {weekday} morning at {place}: tea, crafts and friendship. "
            "Childcare provided for moms.",
        ),
        "info_fr": (
            "Groupe de femmes chaque {weekday_fr} matin. Halte-garderie pour les mamans.",
        ),
    },
    "volunteering": {
        "human_en": (
            "Thanks to {volunteer}, who has volunteered with us for {years} years as a mentor "
            "to newcomer families. We couldn't do it without you!",
            "\"Volunteering here is the best part of my week.\" Meet {volunteer}, one of our "
            "amazing volunteers.",
        ),
        "human_fr": (
            "Bravo à {volunteer}, bénévole depuis {years} ans! « Le bénévolat m'apporte autant "
            "qu'aux familles. »",
        ),
        "info_en": (
            "Volunteer opportunity: we need conversation partners and drivers. Training "
            "{date}. Become a volunteer today!",
            "Become a mentor to a newcomer family. Volunteer orientation {date} at {place}.",
        ),
        "info_fr": (
            "Devenez bénévole! Séance d'orientation le {date}. Nous cherchons des mentors.",
        ),
    },
    "donor_thanks": {
        "human_en": (
            "A huge thank you to {volunteer} and family, monthly donors since {since}. \"We "
            "were newcomers once too.\"",
            "Thank you to our donors! Because of you, {name} and her children had a warm "
            "winter coat this year.",
        ),
        "human_fr": (
            "Merci à {volunteer}, donatrice fidèle depuis {since}! « Nous avons été nouveaux "
            "arrivants nous aussi. »",
        ),
        "info_en": (
            "We are grateful to United Way Elgin Middlesex and all our sponsors for funding our "
            "programs this year.",
            "Thank you to every donor who gave during our winter campaign: $12,400 raised for "
            "newcomer families!",
        ),
        "info_fr": (
            "Merci à nos donateurs et bailleurs de fonds : vos dons changent des vies.",
        ),
    },
    "job_postings": {
        "human_en": (
            "\"I came here as a client; now I'm a settlement counsellor.\" {name} invites you to "
            "join our team. We're hiring!",
        ),
        "human_fr": (
            "« J'étais cliente, je suis maintenant conseillère. » {name} vous invite : nous "
            "embauchons!",
        ),
        "info_en": (
            "We're hiring: settlement counsellor (full time, Arabic or Dari an asset). Apply by "
            "{date}.",
            "Join our team! Job posting: family program coordinator, contract position. Apply by "
            "{date}.",
        ),
        "info_fr": (
            "Nous embauchons : conseiller en établissement, poste à temps plein. Date limite : "
            "{date}.",
        ),
    },
    "translation_services": {
        "human_en": (
            "Meet {name}, one of our certified interpreters, who speaks four languages. \"Good "
            "interpretation means nobody is lost in a doctor's office.\"",
        ),
        "human_fr": (
            "Rencontrez {name}, interprète agréée : « Une bonne interprétation rassure les "
            "familles. »",
        ),
        "info_en": (
            "Need a certified translation of your documents? Our translation and interpretation "
            "service covers 30+ languages. Request a quote today.",
            "Booking interpreters for appointments in London and area: translation for schools, "
            "clinics and courts.",
        ),
        "info_fr": (
            "Service de traduction certifiée et d'interprétation en plus de 30 langues. Demandez "
            "une soumission.",
        ),
    },
    "holidays_events": {
        "human_en": (
            "\"This is our first {holiday} in Canada.\" {name} and family joined our celebration "
            "last night.",
        ),
        "human_fr": (
            "« Notre première célébration au Canada! » Rencontrez {name} et sa famille.",
        ),
        "info_en": (
            "Happy {holiday} from all of us! Join the celebration at {place} on {date}.",
            "Open house on {date}: meet our team, enjoy food from around the world.",
        ),
        "info_fr": (
            "Bonne {holiday_fr}! Joignez-vous à la célébration le {date}.",
            "Portes ouvertes le {date} : venez rencontrer notre équipe.",
        ),
    },
}

#: Holiday names by month (English, French) for holidays_events posts.
HOLIDAYS = {
    1: ("Lunar New Year", "fête du Nouvel An lunaire"),
    2: ("Lunar New Year", "fête du Nouvel An lunaire"),
    3: ("Eid", "fête de l'Aïd"), 4: ("Eid", "fête de l'Aïd"), 5: ("festival", "fête du printemps"),
    6: ("World Refugee Day", "Journée mondiale des réfugiés"), 7: ("Canada Day", "Fête du Canada"),
    8: ("festival", "fête de l'été"), 9: ("harvest festival", "fête des récoltes"),
    10: ("Diwali", "fête de Diwali"), 11: ("Diwali", "fête de Diwali"),
    12: ("Christmas", "fête de Noël"),
}
GENERAL_HASHTAGS = ("#Newcomers", "#WelcomeToCanada", "#Immigration")
GENERAL_HASHTAGS_FR = ("#NouveauxArrivants", "#Bienvenue", "#Immigration")
VOLUNTEERS = ("Margaret", "Bill", "Huda", "Dev", "Anne-Marie", "Kofi", "Linda", "Marc")


def make_caption(
    rng: np.random.Generator,
    topic: str,
    french: bool,
    human: bool,
    local_date,
    hashtags_local: list[str],
) -> tuple[str, list[str]]:
    """Write one caption.

    Args:
        rng: The generator's random stream.
        topic: A key of ``TEMPLATES``.
        french: Write the French variant.
        human: Use a human-centred (story) template.
        local_date: The post's local publish datetime (names the month and dates).
        hashtags_local: Local hashtags to append (may be empty).

    Returns:
        The caption text and the list of hashtags it contains (without duplicates).

    """
    key = ("human_" if human else "info_") + ("fr" if french else "en")
    options = TEMPLATES[topic][key]
    template = options[int(rng.integers(len(options)))]
    event_day = local_date.day + int(rng.integers(3, 12))
    month_index = local_date.month - 1
    if event_day > 28:  # keep the event in the same or next month without a calendar lookup
        event_day -= 27
        month_index = (month_index + 1) % 12
    weekday = int(rng.integers(0, 5))
    country = COUNTRIES[int(rng.integers(len(COUNTRIES)))]
    place = int(rng.integers(len(PLACES)))
    holiday = HOLIDAYS[local_date.month]
    date_text = (f"{event_day} {MONTHS_FR[month_index]}" if french
                 else f"{MONTHS[month_index]} {event_day}")
    text = template.format(
        name=PEOPLE[int(rng.integers(len(PEOPLE)))],
        volunteer=VOLUNTEERS[int(rng.integers(len(VOLUNTEERS)))],
        country=country[1] if french else country[0],
        place=PLACES_FR[place] if french else PLACES[place],
        place_fr=PLACES_FR[place],
        date=date_text,
        weekday=WEEKDAYS[weekday],
        weekday_fr=WEEKDAYS_FR[weekday],
        years=int(rng.integers(2, 9)),
        since=local_date.year - int(rng.integers(2, 12)),
        holiday=holiday[0],
        holiday_fr=holiday[1],
    )
    general = GENERAL_HASHTAGS_FR if french else GENERAL_HASHTAGS
    tags = list(hashtags_local)
    if rng.random() < 0.4:
        tags.append(general[int(rng.integers(len(general)))])
    tags = list(dict.fromkeys(tags))
    emoji = ("", " 🎉", " 💙", " 🙌", " ✨")[int(rng.integers(5))]
    caption = text + emoji
    if rng.random() < 0.3:  # a second paragraph, as real captions often have
        caption += ("\n\nQuestions? Écrivez-nous ou appelez-nous." if french
                    else "\n\nQuestions? Send us a message or call 519-555-0100.")
    if tags:
        caption += "\n\n" + " ".join(tags)
    return caption, tags
