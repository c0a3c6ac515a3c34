"""Regenerate the shipped fixtures of every task but MNLI/XNLI (scripts/make_nli_fixtures.py).

Each file has the columns its hub loader yields. Multilingual sets come from per-language
templates written for xlt (real sentences; answer spans and entity tags are computed, not
typed); BUCC and Tatoeba reuse the hand-translated XNLI sentences as parallel pairs.
Run: python scripts/make_task_fixtures.py
"""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_nli_fixtures import ACTIVITIES, FIXTURES, XNLI_TEST, nli_examples, write  # noqa: E402

PEOPLE = {
    "en": ["John Smith", "Mary Johnson", "David Brown", "Sarah Miller", "James Wilson", "Emma Clark"],
    "es": ["Carlos García", "Lucía Fernández", "Javier López", "Marta Sánchez"],
    "de": ["Jonas Becker", "Anna Schmidt", "Felix Wagner", "Lena Hoffmann"],
    "fr": ["Pierre Martin", "Claire Dubois", "Julien Moreau", "Camille Laurent"],
    "el": ["ο Νίκος Παπαδόπουλος", "η Ελένη Γεωργίου", "ο Γιώργος Νικολάου", "η Μαρία Κωνσταντίνου"],
    "ru": ["Иван Петров", "Сергей Смирнов", "Дмитрий Козлов", "Алексей Волков"],
    "tr": ["Mehmet Yılmaz", "Ayşe Demir", "Mustafa Kaya", "Zeynep Çelik"],
    "ar": ["أحمد حسن", "محمد علي", "خالد إبراهيم", "يوسف محمود"],
    "vi": ["Nguyễn Văn Minh", "Trần Thị Lan", "Lê Văn Hùng", "Phạm Thị Hoa"],
    "th": ["สมชาย ใจดี", "มาลี ศรีสุข", "ประเสริฐ วงศ์ไทย", "สุดา แก้วมณี"],
    "zh": ["王伟", "李娜", "张强", "刘洋"],
    "hi": ["राहुल शर्मा", "प्रिया वर्मा", "अमित गुप्ता", "सुनीता सिंह"],
    "bn": ["রহিম উদ্দিন", "ফাতেমা খাতুন", "সুমন দাস", "নাসরিন আক্তার"],
    "fi": ["Matti Virtanen", "Aino Korhonen", "Juha Mäkinen", "Laura Nieminen"],
    "id": ["Budi Santoso", "Siti Rahayu", "Agus Wijaya", "Dewi Lestari"],
    "ko": ["김민수", "이지은", "박준호", "최수진"],
    "ja": ["佐藤健", "鈴木花子", "高橋誠", "田中美咲"],
    "sw": ["Juma Mwangi", "Amina Hassan", "Baraka Otieno", "Neema Mushi"],
    "te": ["రవి కుమార్", "లక్ష్మి దేవి", "సురేష్ రెడ్డి", "అనిత రావు"],
}
CITIES = {
    "en": ["London", "Chicago", "Dublin", "Sydney", "Toronto", "Boston"],
    "es": ["Sevilla", "Valencia", "Bogotá", "Lima"], "de": ["Hamburg", "München", "Leipzig", "Wien"],
    "fr": ["Lyon", "Marseille", "Bordeaux", "Genève"], "el": ["Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Λάρισα"],
    "ru": ["Москва", "Казань", "Новосибирск", "Самара"], "tr": ["İzmir", "Ankara", "Bursa", "Konya"],
    "ar": ["القاهرة", "عمّان", "بيروت", "الرباط"], "vi": ["Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ"],
    "th": ["เชียงใหม่", "ขอนแก่น", "ภูเก็ต", "อุดรธานี"], "zh": ["上海", "成都", "杭州", "西安"],
    "hi": ["दिल्ली", "जयपुर", "लखनऊ", "पटना"], "bn": ["ঢাকা", "কলকাতা", "চট্টগ্রাম", "খুলনা"],
    "fi": ["Tampere", "Oulu", "Turku", "Espoo"], "id": ["Bandung", "Surabaya", "Medan", "Makassar"],
    "ko": ["부산", "대구", "광주", "인천"], "ja": ["大阪", "京都", "札幌", "福岡"],
    "sw": ["Mombasa", "Arusha", "Dodoma", "Kisumu"], "te": ["హైదరాబాద్", "విజయవాడ", "వరంగల్", "తిరుపతి"],
}

# QA: (context sentence, where?, when?, who?) per language; {P} person, {C} city, {Y} year.
QA_TEMPLATES = {
    "en": ("{P} was born in {C} in {Y}.", "Where was {P} born?", "When was {P} born?", "Who was born in {C}?"),
    "es": ("{P} nació en {C} en {Y}.", "¿Dónde nació {P}?", "¿Cuándo nació {P}?", "¿Quién nació en {C}?"),
    "de": ("{P} wurde {Y} in {C} geboren.", "Wo wurde {P} geboren?", "Wann wurde {P} geboren?", "Wer wurde in {C} geboren?"),
    "el": ("Στην πόλη {C} γεννήθηκε {P} το {Y}.", "Πού γεννήθηκε {P};", "Πότε γεννήθηκε {P};", "Ποιος γεννήθηκε στην πόλη {C};"),
    "ru": ("{P} родился в городе {C} в {Y} году.", "Где родился {P}?", "Когда родился {P}?", "Кто родился в городе {C}?"),
    "tr": ("{P}, {Y} yılında {C} şehrinde doğdu.", "{P} nerede doğdu?", "{P} ne zaman doğdu?", "{C} şehrinde kim doğdu?"),
    "ar": ("وُلد {P} في مدينة {C} عام {Y}.", "أين وُلد {P}؟", "متى وُلد {P}؟", "من وُلد في مدينة {C}؟"),
    "vi": ("{P} sinh ra ở {C} vào năm {Y}.", "{P} sinh ra ở đâu?", "{P} sinh năm nào?", "Ai sinh ra ở {C}?"),
    "th": ("{P} เกิดที่{C}ในปี {Y}", "{P} เกิดที่ไหน", "{P} เกิดเมื่อไร", "ใครเกิดที่{C}"),
    "zh": ("{P}于{Y}年出生在{C}。", "{P}出生在哪里？", "{P}是哪一年出生的？", "谁出生在{C}？"),
    "hi": ("{P} का जन्म {Y} में {C} में हुआ था।", "{P} का जन्म कहाँ हुआ था?", "{P} का जन्म कब हुआ था?", "{C} में किसका जन्म हुआ था?"),
    "bn": ("{P} {Y} সালে {C} শহরে জন্মগ্রহণ করেন।", "{P} কোথায় জন্মগ্রহণ করেন?", "{P} কবে জন্মগ্রহণ করেন?", "{C} শহরে কে জন্মগ্রহণ করেন?"),
    "fi": ("{P} syntyi vuonna {Y} kaupungissa {C}.", "Missä {P} syntyi?", "Milloin {P} syntyi?", "Kuka syntyi kaupungissa {C}?"),
    "id": ("{P} lahir di {C} pada tahun {Y}.", "Di mana {P} lahir?", "Kapan {P} lahir?", "Siapa yang lahir di {C}?"),
    "ko": ("{P} 씨는 {Y}년에 {C}에서 태어났다.", "{P} 씨는 어디에서 태어났습니까?", "{P} 씨는 언제 태어났습니까?", "{C}에서 태어난 사람은 누구입니까?"),
    "sw": ("{P} alizaliwa {C} mwaka {Y}.", "{P} alizaliwa wapi?", "{P} alizaliwa lini?", "Nani alizaliwa {C}?"),
    "te": ("{P} {Y}లో {C}లో జన్మించారు.", "{P} ఎక్కడ జన్మించారు?", "{P} ఎప్పుడు జన్మించారు?", "{C}లో ఎవరు జన్మించారు?"),
}
SEP = {"zh": "", "th": " ", "ja": ""}
TYDIQA_PREFIX = dict(en="english", ar="arabic", bn="bengali", fi="finnish", id="indonesian", ko="korean",
                     ru="russian", sw="swahili", te="telugu")


def qa_rows(lang: str, rng: random.Random, n_contexts: int, id_prefix: str, unanswerable: bool = False) -> list[dict]:
    """Contexts of two birth facts; a where/when/who question about each, answers located."""
    ctx_t, where, when, who = QA_TEMPLATES[lang]
    rows = []
    for c in range(n_contexts):
        people = rng.sample(PEOPLE[lang], 2)
        cities = rng.sample(CITIES[lang], 2)
        years = [str(y) for y in rng.sample(range(1950, 2006), 2)]
        facts = [ctx_t.format(P=p, C=ci, Y=y) for p, ci, y in zip(people, cities, years)]
        context = SEP.get(lang, " ").join(facts)
        for k, (p, ci, y) in enumerate(zip(people, cities, years)):
            offset = context.index(facts[k])
            for q, (question, answer) in enumerate(((where, ci), (when, y), (who, p))):
                start = offset + facts[k].index(answer)
                rows.append({"id": f"{id_prefix}-{c}-{k}-{q}", "title": f"{lang}-{c}", "context": context,
                             "question": question.format(P=p, C=ci, Y=y),
                             "answers": {"text": [answer], "answer_start": [start]}})
        if unanswerable:
            rows.append({"id": f"{id_prefix}-{c}-none", "title": f"{lang}-{c}", "context": context,
                         "question": f"What is the profession of {people[0]}?",
                         "answers": {"text": [], "answer_start": []}})
    return rows


def squad_en(rng: random.Random, n_contexts: int, unanswerable: bool) -> list[dict]:
    """English training QA: the birth template plus moves and foundings, for variety."""
    rows = qa_rows("en", rng, n_contexts, "squad", unanswerable)
    orgs = ["a bakery", "a football club", "a newspaper", "a small school", "a music festival", "a bookshop"]
    for c in range(n_contexts):
        p, city, org, year = rng.choice(PEOPLE["en"]), rng.choice(CITIES["en"]), rng.choice(orgs), str(rng.randint(1900, 2020))
        context = f"In {year}, {p} moved to {city}. Two years later, {p} founded {org} there."
        for q, (question, answer) in enumerate(((f"Where did {p} move in {year}?", city),
                                                (f"What did {p} found?", org),
                                                (f"In which year did {p} move to {city}?", year))):
            rows.append({"id": f"squad-move-{c}-{q}", "title": "move", "context": context, "question": question,
                         "answers": {"text": [answer], "answer_start": [context.index(answer)]}})
    rng.shuffle(rows)
    return rows


# PAWS-X: (sentence, paraphrase by reordering, same words with roles swapped) per language.
PAWS_TEMPLATES = {
    "en": [("{A} wrote a letter to {B} from {C} in {Y}.", "In {Y}, {A} wrote a letter to {B} from {C}.", "{B} wrote a letter to {A} from {C} in {Y}."),
           ("{A} moved from {C} to {D} in {Y}.", "In {Y}, {A} moved from {C} to {D}.", "{A} moved from {D} to {C} in {Y}.")],
    "de": [("{A} schrieb {Y} aus {C} einen Brief an {B}.", "Im Jahr {Y} schrieb {A} aus {C} einen Brief an {B}.", "{B} schrieb {Y} aus {C} einen Brief an {A}."),
           ("{A} zog {Y} von {C} nach {D}.", "Im Jahr {Y} zog {A} von {C} nach {D}.", "{A} zog {Y} von {D} nach {C}.")],
    "es": [("{A} le escribió una carta a {B} desde {C} en {Y}.", "En {Y}, {A} le escribió una carta a {B} desde {C}.", "{B} le escribió una carta a {A} desde {C} en {Y}."),
           ("{A} se mudó de {C} a {D} en {Y}.", "En {Y}, {A} se mudó de {C} a {D}.", "{A} se mudó de {D} a {C} en {Y}.")],
    "fr": [("{A} a écrit une lettre à {B} depuis {C} en {Y}.", "En {Y}, {A} a écrit une lettre à {B} depuis {C}.", "{B} a écrit une lettre à {A} depuis {C} en {Y}."),
           ("{A} a déménagé de {C} à {D} en {Y}.", "En {Y}, {A} a déménagé de {C} à {D}.", "{A} a déménagé de {D} à {C} en {Y}.")],
    "ja": [("{A}は{Y}年に{C}から{B}に手紙を書いた。", "{Y}年に、{A}は{C}から{B}に手紙を書いた。", "{B}は{Y}年に{C}から{A}に手紙を書いた。"),
           ("{A}は{Y}年に{C}から{D}へ引っ越した。", "{Y}年に、{A}は{C}から{D}へ引っ越した。", "{A}は{Y}年に{D}から{C}へ引っ越した。")],
    "ko": [("{A} 씨는 {Y}년에 {C}에서 {B} 씨에게 편지를 썼다.", "{Y}년에 {A} 씨는 {C}에서 {B} 씨에게 편지를 썼다.", "{B} 씨는 {Y}년에 {C}에서 {A} 씨에게 편지를 썼다."),
           ("{A} 씨는 {Y}년에 {C}에서 {D}까지 여행했다.", "{Y}년에 {A} 씨는 {C}에서 {D}까지 여행했다.", "{A} 씨는 {Y}년에 {D}에서 {C}까지 여행했다.")],
    "zh": [("{A}在{Y}年从{C}给{B}写了一封信。", "{Y}年，{A}从{C}给{B}写了一封信。", "{B}在{Y}年从{C}给{A}写了一封信。"),
           ("{A}在{Y}年从{C}搬到了{D}。", "{Y}年，{A}从{C}搬到了{D}。", "{A}在{Y}年从{D}搬到了{C}。")],
}


def paws_rows(lang: str, rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        base, para, swap = rng.choice(PAWS_TEMPLATES[lang])
        a, b = rng.sample(PEOPLE[lang], 2)
        c, d = rng.sample(CITIES[lang], 2)
        slots = dict(A=a, B=b, C=c, D=d, Y=rng.randint(1950, 2020))
        label = rng.randrange(2)
        rows.append({"id": i + 1, "sentence1": base.format(**slots),
                     "sentence2": (para if label else swap).format(**slots), "label": label})
    return rows


# PAN-X: templates with entity slots; tokens are space-separated, tags computed per slot.
NER_TEMPLATES = {
    "en": ["{PER} works for {ORG} in {LOC} .", "{PER} visited {LOC} last year .", "{ORG} opened an office in {LOC} ."],
    "de": ["{PER} arbeitet für {ORG} in {LOC} .", "{PER} besuchte letztes Jahr {LOC} .", "{ORG} eröffnete ein Büro in {LOC} ."],
    "es": ["{PER} trabaja para {ORG} en {LOC} .", "{PER} visitó {LOC} el año pasado .", "{ORG} abrió una oficina en {LOC} ."],
    "fr": ["{PER} travaille pour {ORG} à {LOC} .", "{PER} a visité {LOC} l' année dernière .", "{ORG} a ouvert un bureau à {LOC} ."],
    "ru": ["{PER} работает в компании {ORG} в городе {LOC} .", "{PER} был в городе {LOC} в прошлом году .", "Компания {ORG} открыла офис в городе {LOC} ."],
    "ar": ["يعمل {PER} في {ORG} في {LOC} .", "زار {PER} {LOC} العام الماضي .", "افتتحت {ORG} مكتبا في {LOC} ."],
    "hi": ["{PER} {LOC} में {ORG} के लिए काम करते हैं ।", "{PER} ने पिछले साल {LOC} की यात्रा की ।", "{ORG} ने {LOC} में एक कार्यालय खोला ।"],
    "tr": ["{PER} {LOC} şehrinde {ORG} için çalışıyor .", "{PER} geçen yıl {LOC} şehrini ziyaret etti .", "{ORG} {LOC} şehrinde bir ofis açtı ."],
    "sw": ["{PER} anafanya kazi katika {ORG} huko {LOC} .", "{PER} alitembelea {LOC} mwaka jana .", "{ORG} ilifungua ofisi huko {LOC} ."],
}
ORGS = {
    "en": ["Siemens", "Toyota Motor", "Oxfam", "Deutsche Bank"], "de": ["Siemens", "Deutsche Bank", "Volkswagen"],
    "es": ["Banco Santander", "Telefónica", "Iberia"], "fr": ["Air France", "Renault", "Banque de France"],
    "ru": ["Газпром", "Аэрофлот", "Сбербанк"], "ar": ["أرامكو", "طيران الإمارات"], "hi": ["टाटा मोटर्स", "इन्फोसिस"],
    "tr": ["Türk Hava Yolları", "Arçelik"], "sw": ["Safaricom", "Kenya Airways"],
}
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


def ner_rows(lang: str, rng: random.Random, n: int) -> list[dict]:
    rows = []
    for _ in range(n):
        template = rng.choice(NER_TEMPLATES[lang])
        fill = {"PER": rng.choice(PEOPLE[lang]), "ORG": rng.choice(ORGS[lang]), "LOC": rng.choice(CITIES[lang])}
        tokens, tags = [], []
        for word in template.split():
            slot = word[1:-1] if word.startswith("{") and word.endswith("}") else None
            if slot:
                for j, part in enumerate(fill[slot].split()):
                    tokens.append(part)
                    tags.append(NER.index(("B-" if j == 0 else "I-") + slot))
            else:
                tokens.append(word)
                tags.append(0)
        rows.append({"tokens": tokens, "ner_tags": tags, "langs": [lang] * len(tokens)})
    return rows


# UDPOS: hand-tagged sentences (UPOS), several per language; English training by template.
UPOS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
        "PUNCT", "SCONJ", "SYM", "VERB", "X")
POS_SENTENCES = {
    "en": ["The/DET old/ADJ farmer/NOUN feeds/VERB his/PRON cows/NOUN in/ADP the/DET morning/NOUN ./PUNCT",
           "Two/NUM children/NOUN are/AUX swimming/VERB in/ADP the/DET lake/NOUN ./PUNCT",
           "My/PRON sister/NOUN cooks/VERB rice/NOUN and/CCONJ fish/NOUN ./PUNCT",
           "The/DET teacher/NOUN wrote/VERB a/DET long/ADJ letter/NOUN ./PUNCT",
           "It/PRON rained/VERB all/DET day/NOUN ,/PUNCT so/ADV the/DET market/NOUN was/AUX empty/ADJ ./PUNCT",
           "Maria/PROPN did/AUX not/PART write/VERB anything/PRON ./PUNCT"],
    "de": ["Der/DET alte/ADJ Bauer/NOUN füttert/VERB seine/PRON Kühe/NOUN ./PUNCT",
           "Zwei/NUM Kinder/NOUN schwimmen/VERB in/ADP dem/DET See/NOUN ./PUNCT",
           "Meine/PRON Schwester/NOUN kocht/VERB Reis/NOUN und/CCONJ Fisch/NOUN ./PUNCT",
           "Der/DET Lehrer/NOUN schrieb/VERB einen/DET langen/ADJ Brief/NOUN ./PUNCT",
           "Es/PRON regnete/VERB den/DET ganzen/ADJ Tag/NOUN ./PUNCT",
           "Anna/PROPN hat/AUX nichts/PRON geschrieben/VERB ./PUNCT"],
    "es": ["El/DET viejo/ADJ granjero/NOUN alimenta/VERB a/ADP sus/DET vacas/NOUN ./PUNCT",
           "Dos/NUM niños/NOUN nadan/VERB en/ADP el/DET lago/NOUN ./PUNCT",
           "Mi/DET hermana/NOUN cocina/VERB arroz/NOUN y/CCONJ pescado/NOUN ./PUNCT",
           "El/DET maestro/NOUN escribió/VERB una/DET carta/NOUN larga/ADJ ./PUNCT",
           "Llovió/VERB todo/DET el/DET día/NOUN ./PUNCT",
           "Lucía/PROPN no/ADV escribió/VERB nada/PRON ./PUNCT"],
    "fr": ["Le/DET vieux/ADJ fermier/NOUN nourrit/VERB ses/DET vaches/NOUN ./PUNCT",
           "Deux/NUM enfants/NOUN nagent/VERB dans/ADP le/DET lac/NOUN ./PUNCT",
           "Ma/DET sœur/NOUN prépare/VERB du/DET riz/NOUN et/CCONJ du/DET poisson/NOUN ./PUNCT",
           "L'/DET enseignant/NOUN a/AUX écrit/VERB une/DET longue/ADJ lettre/NOUN ./PUNCT",
           "Il/PRON a/AUX plu/VERB toute/ADJ la/DET journée/NOUN ./PUNCT",
           "Claire/PROPN n'/ADV a/AUX rien/PRON écrit/VERB ./PUNCT"],
}
POS_TRAIN = {
    "DET": ["The", "A", "This", "That"], "ADJ": ["old", "young", "tall", "happy", "small", "busy"],
    "NOUN": ["farmer", "teacher", "child", "doctor", "baker", "student", "driver"],
    "VERB": ["reads", "writes", "paints", "cleans", "opens", "carries", "sells"],
    "OBJ": ["book", "letter", "door", "car", "box", "window", "basket"], "PLACE": ["park", "kitchen", "garden", "station"],
}


def pos_train(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for _ in range(n):
        words = [(rng.choice(POS_TRAIN["DET"]), "DET"), (rng.choice(POS_TRAIN["ADJ"]), "ADJ"),
                 (rng.choice(POS_TRAIN["NOUN"]), "NOUN"), (rng.choice(POS_TRAIN["VERB"]), "VERB"),
                 ("a", "DET"), (rng.choice(POS_TRAIN["OBJ"]), "NOUN")]
        if rng.random() < 0.5:
            words += [("in", "ADP"), ("the", "DET"), (rng.choice(POS_TRAIN["PLACE"]), "NOUN")]
        if rng.random() < 0.3:
            words += [("and", "CCONJ"), ("then", "ADV"), ("leaves", "VERB")]
        words.append((".", "PUNCT"))
        rows.append({"tokens": [w for w, _ in words], "pos_tags": [UPOS.index(t) for _, t in words]})
    return rows


def pos_rows(lang: str) -> list[dict]:
    rows = []
    for sentence in POS_SENTENCES[lang]:
        pairs = [item.rsplit("/", 1) for item in sentence.split()]
        rows.append({"tokens": [w for w, _ in pairs], "pos_tags": [UPOS.index(t) for _, t in pairs]})
    return rows


# CCG supertagging, CCGbank's tagged format (word|POS|CATEGORY).
CCG_PARTS = {
    "det": [("The", "DT"), ("A", "DT")], "adj": [("old", "JJ"), ("young", "JJ"), ("tall", "JJ")],
    "noun": [("man", "NN"), ("woman", "NN"), ("dog", "NN"), ("teacher", "NN")],
    "tv": [("saw", "VBD"), ("likes", "VBZ"), ("found", "VBD")], "iv": [("sleeps", "VBZ"), ("left", "VBD"), ("laughed", "VBD")],
    "obj": [("books", "NNS"), ("apples", "NNS"), ("letters", "NNS")], "place": [("park", "NN"), ("garden", "NN"), ("city", "NN")],
    "name": [("John", "NNP"), ("Mary", "NNP"), ("Anna", "NNP")], "adv": [("quickly", "RB"), ("often", "RB")],
}


def ccg_sentence(rng: random.Random) -> str:
    pick = lambda k: rng.choice(CCG_PARTS[k])
    kind = rng.randrange(3)
    if kind == 0:
        (d, dp), (a, ap), (n, np_), (v, vp), (o, op) = pick("det"), pick("adj"), pick("noun"), pick("tv"), pick("obj")
        toks = [(d.capitalize(), dp, "NP[nb]/N"), (a, ap, "N/N"), (n, np_, "N"), (v, vp, r"(S[dcl]\NP)/NP"), (o, op, "N")]
        if rng.random() < 0.5:
            pl, pp = pick("place")
            toks += [("in", "IN", r"((S\NP)\(S\NP))/NP"), ("the", "DT", "NP[nb]/N"), (pl, pp, "N")]
    elif kind == 1:
        (nm, nmp), (v, vp) = pick("name"), pick("iv")
        toks = [(nm, nmp, "N"), (v, vp, r"S[dcl]\NP")]
    else:
        (nm, nmp), (adv, advp), (v, vp), (d, dp), (n, np_) = pick("name"), pick("adv"), pick("tv"), pick("det"), pick("noun")
        toks = [(nm, nmp, "N"), (adv, advp, r"(S\NP)/(S\NP)"), (v, vp, r"(S[dcl]\NP)/NP"), (d.lower(), dp, "NP[nb]/N"), (n, np_, "N")]
    toks.append((".", ".", "."))
    return " ".join("|".join(t) for t in toks)


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# English intermediate tasks -------------------------------------------------------------------

def qqp_rows(rng: random.Random, n: int) -> list[dict]:
    topics = ["Python", "French", "the guitar", "chess", "statistics", "photography", "swimming", "cooking"]
    forms = [("How can I learn {t} quickly?", "What is the fastest way to learn {t}?"),
             ("Is it hard to learn {t}?", "How difficult is it to learn {t}?"),
             ("What are good books about {t}?", "Which books would you recommend about {t}?")]
    rows = []
    for i in range(n):
        a, b = rng.choice(forms)
        t = rng.choice(topics)
        label = rng.randrange(2)
        other = rng.choice([x for x in topics if x != t])
        rows.append({"question1": a.format(t=t), "question2": b.format(t=t if label else other), "label": label, "idx": i})
    return rows


def sst2_rows(rng: random.Random, n: int) -> list[dict]:
    subjects = ["the film", "this movie", "the story", "the acting", "the soundtrack", "the ending"]
    good = ["wonderful", "moving", "clever and funny", "beautifully made", "a pleasure to watch"]
    bad = ["boring", "painfully slow", "a waste of time", "clumsy and dull", "hard to sit through"]
    rows = []
    for i in range(n):
        label = rng.randrange(2)
        rows.append({"sentence": f"{rng.choice(subjects)} is {rng.choice(good if label else bad)} ", "label": label, "idx": i})
    return rows


HELLASWAG = [("knife", "begins to cut the onions into small pieces."), ("broom", "sweeps the dust off the kitchen floor."),
             ("paintbrush", "paints a wide stripe on the wall."), ("guitar", "plays a short song for the audience."),
             ("hose", "waters the flowers in the garden."), ("pen", "writes a short note on the paper."),
             ("towel", "dries the dishes one by one."), ("ball", "throws it across the field to a friend.")]


def hellaswag_rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        p = rng.choice(PEOPLE["en"]).split()[0]
        tool, right = rng.choice(HELLASWAG)
        wrong = [e for t, e in rng.sample(HELLASWAG, 4) if t != tool][:3]
        endings = wrong + [right]
        rng.shuffle(endings)
        ctx_a, ctx_b = f"{p} walks into the room.", f"{p} picks up a {tool} and"
        rows.append({"ind": i, "activity_label": "Home activities", "ctx_a": ctx_a, "ctx_b": ctx_b,
                     "ctx": f"{ctx_a} {ctx_b}", "endings": endings, "source_id": f"fixture~{i}",
                     "split": "train", "split_type": "indomain", "label": str(endings.index(right))})
    return rows


COSMOS = [("{p} missed the bus this morning and arrived at work an hour late.", "Why was {p} late?",
           "Because {p} missed the bus.", ["Because {p} woke up early.", "Because the office was closed.", "Because {p} drove a new car."]),
          ("{p} studied every evening for a month before the exam.", "What probably happened at the exam?",
           "{p} felt well prepared.", ["{p} forgot the exam date.", "The exam was cancelled by {p}.", "{p} did not know any answer."]),
          ("It started to rain heavily while {p} was walking home without an umbrella.", "How did {p} probably arrive home?",
           "Wet from the rain.", ["Completely dry.", "By plane.", "Before leaving work."]),
          ("{p} lost the house keys and had to call a friend to get in.", "Why did {p} call a friend?",
           "Because the friend had spare keys.", ["Because the friend was hungry.", "To ask about the weather.", "To sell the house."])]


def cosmos_rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        p = rng.choice(PEOPLE["en"]).split()[0]
        ctx, q, right, wrong = rng.choice(COSMOS)
        answers = [right] + wrong
        rng.shuffle(answers)
        row = {"id": f"cosmos-{i}", "context": ctx.format(p=p), "question": q.format(p=p), "label": answers.index(right)}
        row.update({f"answer{k}": a.format(p=p) for k, a in enumerate(answers)})
        rows.append(row)
    return rows


CSQA = [("Where would you keep milk so that it stays cold?", "refrigerator", "milk"),
        ("What do people use to cut paper?", "scissors", "paper"), ("Where do you usually sleep at night?", "bed", "sleep"),
        ("What falls from clouds when it rains?", "water", "rain"), ("Where would you find many books to borrow?", "library", "books"),
        ("What do you need to open a locked door?", "key", "door"), ("Where do fish live?", "water", "fish"),
        ("What do you wear on your feet when you walk outside?", "shoes", "feet")]
CSQA_DISTRACTORS = ["oven", "garden", "car", "window", "desert", "table", "hat", "closet", "river", "pencil"]


def csqa_rows(rng: random.Random, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        q, right, concept = rng.choice(CSQA)
        texts = rng.sample([d for d in CSQA_DISTRACTORS if d != right], 4) + [right]
        rng.shuffle(texts)
        labels = list("ABCDE")
        rows.append({"id": f"csqa-{i}", "question": q, "question_concept": concept,
                     "choices": {"label": labels, "text": texts}, "answerKey": labels[texts.index(right)]})
    return rows


def parallel_rows(lang: str, code: str) -> list[dict]:
    """Every XNLI test sentence (premises and hypotheses) paired with its English original."""
    flat = lambda items: [s for item in items for s in item]
    return [{"source_sentence": s, "target_sentence": t, "source_lang": code, "target_lang": "eng"}
            for s, t in zip(flat(XNLI_TEST[lang]), flat(XNLI_TEST["en"]))]


TATOEBA = dict(ar="ara", bg="bul", de="deu", el="ell", es="spa", fr="fra", hi="hin", ru="rus", sw="swh",
               th="tha", tr="tur", ur="urd", vi="vie", zh="cmn")


def wiki_rows(lang: str) -> list[dict]:
    """Short 'articles' of raw text in the Wikipedia columns: each XNLI item's sentences as a paragraph."""
    rows = []
    for i, item in enumerate(XNLI_TEST[lang]):
        rows.append({"id": f"{lang}-{i}", "url": f"https://{lang}.wikipedia.org/wiki/xlt-fixture-{i}",
                     "title": item[0][:40], "text": " ".join(item)})
    qa = QA_TEMPLATES.get(lang)
    if qa:
        for k, (p, c) in enumerate(zip(PEOPLE[lang], CITIES[lang])):
            rows.append({"id": f"{lang}-bio-{k}", "url": f"https://{lang}.wikipedia.org/wiki/xlt-bio-{k}",
                         "title": p, "text": qa[0].format(P=p, C=c, Y=1950 + 7 * k)})
    return rows


def main() -> None:
    rng = random.Random(7)
    for lang in XNLI_TEST:
        rows = wiki_rows(lang)
        write(FIXTURES / "mlm" / lang / "train.jsonl", rows[:-2])
        write(FIXTURES / "mlm" / lang / "validation.jsonl", rows[-2:])
    write(FIXTURES / "anli_plus" / "en" / "train.jsonl", nli_examples(random.Random(5), ACTIVITIES[:11], 200))
    write(FIXTURES / "anli_plus" / "en" / "validation.jsonl", nli_examples(random.Random(6), ACTIVITIES[11:], 40))
    write(FIXTURES / "qqp" / "en" / "train.jsonl", qqp_rows(rng, 200))
    write(FIXTURES / "qqp" / "en" / "validation.jsonl", qqp_rows(rng, 40))
    write(FIXTURES / "sst2" / "en" / "train.jsonl", sst2_rows(rng, 200))
    write(FIXTURES / "sst2" / "en" / "validation.jsonl", sst2_rows(rng, 40))
    write(FIXTURES / "squad_v1" / "en" / "train.jsonl", squad_en(rng, 40, False))
    write(FIXTURES / "squad_v1" / "en" / "validation.jsonl", squad_en(rng, 6, False))
    write(FIXTURES / "squad_v2" / "en" / "train.jsonl", squad_en(rng, 40, True))
    write(FIXTURES / "squad_v2" / "en" / "validation.jsonl", squad_en(rng, 6, True))
    write(FIXTURES / "hellaswag" / "en" / "train.jsonl", hellaswag_rows(rng, 160))
    write(FIXTURES / "hellaswag" / "en" / "validation.jsonl", hellaswag_rows(rng, 40))
    write(FIXTURES / "cosmosqa" / "en" / "train.jsonl", cosmos_rows(rng, 160))
    write(FIXTURES / "cosmosqa" / "en" / "validation.jsonl", cosmos_rows(rng, 40))
    write(FIXTURES / "commonsenseqa" / "en" / "train.jsonl", csqa_rows(rng, 160))
    write(FIXTURES / "commonsenseqa" / "en" / "validation.jsonl", csqa_rows(rng, 40))
    write_lines(FIXTURES / "ccg" / "en" / "train.stagged", [ccg_sentence(rng) for _ in range(160)])
    write_lines(FIXTURES / "ccg" / "en" / "validation.stagged", [ccg_sentence(rng) for _ in range(40)])

    write(FIXTURES / "pawsx" / "en" / "train.jsonl", paws_rows("en", rng, 200))
    write(FIXTURES / "pawsx" / "en" / "validation.jsonl", paws_rows("en", rng, 40))
    for lang in PAWS_TEMPLATES:
        write(FIXTURES / "pawsx" / lang / "test.jsonl", paws_rows(lang, rng, 24))
    write(FIXTURES / "udpos" / "en" / "train.jsonl", pos_train(rng, 200))
    write(FIXTURES / "udpos" / "en" / "validation.jsonl", pos_train(rng, 30))
    for lang in POS_SENTENCES:
        write(FIXTURES / "udpos" / lang / "test.jsonl", pos_rows(lang))
    write(FIXTURES / "panx" / "en" / "train.jsonl", ner_rows("en", rng, 200))
    write(FIXTURES / "panx" / "en" / "validation.jsonl", ner_rows("en", rng, 30))
    for lang in NER_TEMPLATES:
        write(FIXTURES / "panx" / lang / "test.jsonl", ner_rows(lang, rng, 20))
    for lang in ("en", "es", "de", "el", "ru", "tr", "ar", "vi", "th", "zh", "hi"):
        write(FIXTURES / "xquad" / lang / "test.jsonl", qa_rows(lang, rng, 4, f"xquad-{lang}"))
    write(FIXTURES / "mlqa" / "en" / "validation.jsonl", qa_rows("en", rng, 3, "mlqa-dev-en"))
    for lang in ("en", "es", "de", "ar", "hi", "vi", "zh"):
        write(FIXTURES / "mlqa" / lang / "test.jsonl", qa_rows(lang, rng, 4, f"mlqa-{lang}"))
    write(FIXTURES / "tydiqa" / "en" / "train.jsonl", squad_en(rng, 40, False))
    write(FIXTURES / "tydiqa" / "en" / "validation.jsonl", qa_rows("en", rng, 3, "english-dev"))
    for lang, prefix in TYDIQA_PREFIX.items():
        write(FIXTURES / "tydiqa" / lang / "test.jsonl", qa_rows(lang, rng, 4, prefix))
    for lang in ("de", "fr", "ru", "zh"):
        rows = parallel_rows(lang, lang)
        write(FIXTURES / "bucc" / lang / "validation.jsonl", rows[:20])
        write(FIXTURES / "bucc" / lang / "test.jsonl", rows[20:])
    for lang, code in TATOEBA.items():
        write(FIXTURES / "tatoeba" / lang / "test.jsonl", parallel_rows(lang, code))


if __name__ == "__main__":
    main()
