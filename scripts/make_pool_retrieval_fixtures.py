"""Write the offline fixtures of XTREME-R's pool retrieval tasks, in their sources' layouts:

- `lareqa`: XQuAD-R rows (google-research-datasets/xquad_r: id, title, context, question, answers),
  11-way parallel as XQuAD-R is: the QA templates of make_task_fixtures.py filled with the same
  people, cities and years (by index) in every language, a question keeping its id across languages.
- `mewslix`: Mewsli-X's `ContextualMentions` articles (one file a language) and its
  `candidate_set_entities.jsonl`. The news sentences are written for xlt in each of the 11
  languages; the five capitals have their Wikidata ids, the same-named places beside them (the
  ambiguity entity linking is about) have made-up ids (Q90000xx).

    python scripts/make_pool_retrieval_fixtures.py
"""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_nli_fixtures import FIXTURES, write  # noqa: E402
from make_task_fixtures import CITIES, PEOPLE, QA_TEMPLATES, SEP  # noqa: E402

LAREQA_LANGS = "ar de el en es hi ru th tr vi zh".split()

ENTITIES = [  # (id, title, description)
    ("Q64", "Berlin", "capital and largest city of Germany"),
    ("Q90", "Paris", "capital and largest city of France"),
    ("Q1490", "Tokyo", "capital of Japan"),
    ("Q85", "Cairo", "capital city of Egypt"),
    ("Q220", "Rome", "capital city of Italy"),
    ("Q9000001", "Berlin", "city in Coös County, New Hampshire, United States"),
    ("Q9000002", "Paris", "city in Lamar County, Texas, United States"),
    ("Q9000003", "Tokyo Bay", "bay in the southern Kantō region of Japan"),
    ("Q9000004", "Cairo", "city in Alexander County, Illinois, United States"),
    ("Q9000005", "Rome", "city in Floyd County, Georgia, United States"),
]
CAPITALS = {  # the five capitals, in the order of ENTITIES
    "ar": ["برلين", "باريس", "طوكيو", "القاهرة", "روما"],
    "de": ["Berlin", "Paris", "Tokio", "Kairo", "Rom"],
    "en": ["Berlin", "Paris", "Tokyo", "Cairo", "Rome"],
    "es": ["Berlín", "París", "Tokio", "El Cairo", "Roma"],
    "fa": ["برلین", "پاریس", "توکیو", "قاهره", "رم"],
    "ja": ["ベルリン", "パリ", "東京", "カイロ", "ローマ"],
    "pl": ["Berlin", "Paryż", "Tokio", "Kair", "Rzym"],
    "ro": ["Berlin", "Paris", "Tokyo", "Cairo", "Roma"],
    "ta": ["பெர்லின்", "பாரிஸ்", "டோக்கியோ", "கெய்ரோ", "ரோம்"],
    "tr": ["Berlin", "Paris", "Tokyo", "Kahire", "Roma"],
    "uk": ["Берлін", "Париж", "Токіо", "Каїр", "Рим"],
}
NEWS = {  # (a conference this week, rain on Monday); {E} is the city
    "ar": ("استضافت مدينة {E} هذا الأسبوع مؤتمرا دوليا كبيرا.", "تسببت الأمطار الغزيرة يوم الاثنين في مشاكل مرورية في مدينة {E}."),
    "de": ("Die Stadt {E} war diese Woche Gastgeberin einer großen internationalen Konferenz.",
           "Starker Regen verursachte am Montag Verkehrsprobleme in der Stadt {E}."),
    "en": ("The city of {E} hosted a large international conference this week.",
           "Heavy rain caused traffic problems in the city of {E} on Monday."),
    "es": ("La ciudad de {E} acogió esta semana una gran conferencia internacional.",
           "Las fuertes lluvias causaron problemas de tráfico en la ciudad de {E} el lunes."),
    "fa": ("شهر {E} این هفته میزبان یک کنفرانس بزرگ بین‌المللی بود.", "باران شدید روز دوشنبه در شهر {E} مشکلات ترافیکی ایجاد کرد."),
    "ja": ("今週、{E}で大規模な国際会議が開かれた。", "月曜日、大雨のため{E}で交通が乱れた。"),
    "pl": ("W tym tygodniu w mieście {E} odbyła się duża konferencja międzynarodowa.",
           "W poniedziałek ulewny deszcz spowodował problemy z ruchem w mieście {E}."),
    "ro": ("Săptămâna aceasta, orașul {E} a găzduit o mare conferință internațională.",
           "Ploile abundente au provocat luni probleme de trafic în orașul {E}."),
    "ta": ("இந்த வாரம் {E} நகரில் ஒரு பெரிய சர்வதேச மாநாடு நடைபெற்றது.",
           "திங்கள்கிழமை பெய்த கனமழையால் {E} நகரில் போக்குவரத்து பாதிக்கப்பட்டது."),
    "tr": ("Bu hafta {E} şehri büyük bir uluslararası konferansa ev sahipliği yaptı.",
           "Pazartesi günü şiddetli yağmur {E} şehrinde trafik sorunlarına yol açtı."),
    "uk": ("Цього тижня місто {E} приймало велику міжнародну конференцію.",
           "У понеділок сильний дощ спричинив проблеми з рухом у місті {E}."),
}


def lareqa_rows(lang: str, contexts: list[tuple[list[int], list[int], list[str]]]) -> list[dict]:
    """XQuAD-R rows: each context holds two birth facts; a where/when/who question about each."""
    ctx_t, where, when, who = QA_TEMPLATES[lang]
    rows = []
    for c, (person_ix, city_ix, years) in enumerate(contexts):
        people = [PEOPLE[lang][i] for i in person_ix]
        cities = [CITIES[lang][i] for i in city_ix]
        facts = [ctx_t.format(P=p, C=ci, Y=y) for p, ci, y in zip(people, cities, years)]
        context = SEP.get(lang, " ").join(facts)
        for k, (p, ci, y) in enumerate(zip(people, cities, years)):
            offset = context.index(facts[k])
            for q, (question, answer) in enumerate(((where, ci), (when, y), (who, p))):
                rows.append({"id": f"lareqa-{c}-{k}-{q}", "title": f"{lang}-{c}", "context": context,
                             "question": question.format(P=p, C=ci, Y=y),
                             "answers": {"text": [answer], "answer_start": [offset + facts[k].index(answer)]}})
    return rows


def mewslix_articles(lang: str) -> list[dict]:
    """One article a capital: a conference there, then rain in the next capital."""
    conference, rain = NEWS[lang]
    names = CAPITALS[lang]
    articles = []
    for a in range(len(names)):
        linked = [(conference, a), (rain, (a + 1) % len(names))]
        sentences = [template.format(E=names[e]) for template, e in linked]
        text = SEP.get(lang, " ").join(sentences)
        mentions, offset = [], 0
        for k, ((template, e), sentence) in enumerate(zip(linked, sentences)):
            start = text.index(sentence, offset) + template.index("{E}")
            offset = start
            mentions.append({"example_id": f"mewslix-{lang}-{a}-{k}", "entity_id": ENTITIES[e][0],
                             "mention_span": {"start": start, "end": start + len(names[e]), "text": names[e]}})
        articles.append({"context": {"document_id": f"{lang}-{a}", "document_title": sentences[0][:40],
                                     "document_url": f"https://{lang}.wikinews.org/wiki/xlt-fixture-{a}",
                                     "language": lang, "text": text, "section_title": None},
                         "mentions": mentions})
    return articles


def main() -> None:
    rng = random.Random(11)
    contexts = [(rng.sample(range(4), 2), rng.sample(range(4), 2), [str(y) for y in rng.sample(range(1950, 2006), 2)])
                for _ in range(4)]
    for lang in LAREQA_LANGS:
        write(FIXTURES / "lareqa" / lang / "test.jsonl", lareqa_rows(lang, contexts))
    for lang in CAPITALS:
        write(FIXTURES / "mewslix" / lang / "test.jsonl", mewslix_articles(lang))
    write(FIXTURES / "mewslix" / "candidate_set_entities.jsonl",
          [{"entity_id": i, "title": t, "description": d} for i, t, d in ENTITIES])


if __name__ == "__main__":
    main()
