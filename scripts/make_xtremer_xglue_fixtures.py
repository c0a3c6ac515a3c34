"""Write the offline fixtures of COPA/XCOPA (XTREME-R) and XGLUE's NER, NC, QADSM, QAM and WPR, in the
hub's columns, from small tables written for xlt (translations by hand).

    python scripts/make_xtremer_xglue_fixtures.py
"""

import json
import random
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "xlt" / "data" / "fixtures"

# --- COPA (English training data) and XCOPA (test sets) ------------------------------------
SUBJECTS = ["The man", "The woman", "My friend", "The girl", "The boy", "The teacher", "My neighbour", "The driver"]
COPA = [  # (premise tail, question, correct, wrong)
    ("turned on the faucet.", "effect", "Water flowed from the tap.", "The lights went out."),
    ("was hungry.", "effect", "They ate a sandwich.", "They washed the car."),
    ("missed the bus.", "effect", "They were late for work.", "They won the lottery."),
    ("felt cold.", "effect", "They put on a coat.", "They opened the fridge."),
    ("laughed loudly.", "cause", "Someone told a joke.", "The door was locked."),
    ("was sweating.", "cause", "It was very hot outside.", "The radio was broken."),
    ("fell asleep on the sofa.", "cause", "They were very tired.", "The phone was charging."),
    ("bought an umbrella.", "cause", "It was raining.", "The shop sold bread."),
    ("cut their finger.", "cause", "The knife slipped.", "The window was open."),
    ("lost the keys.", "effect", "They could not open the door.", "They painted the fence."),
    ("studied all night.", "effect", "They passed the exam.", "The milk went sour."),
    ("dropped the glass.", "effect", "The glass broke.", "The plants grew taller."),
]
XCOPA = {  # five items: (premise, question, choice1, choice2, label)
    "it": [("La ragazza ha trovato un insetto nei cereali.", "effect", "Ha versato il latte nella ciotola.", "Ha perso l'appetito.", 1),
           ("L'uomo si è rotto un dito del piede.", "cause", "Gli è caduto un martello sul piede.", "Ha fatto un buco nel calzino.", 0),
           ("Il mio corpo proiettava un'ombra sull'erba.", "cause", "Il sole stava sorgendo.", "L'erba era stata tagliata.", 0),
           ("Il bambino aveva sete.", "effect", "È andato a dormire.", "Ha bevuto un bicchiere d'acqua.", 1),
           ("Ha cominciato a piovere.", "effect", "Abbiamo aperto l'ombrello.", "Ci siamo tolti le scarpe.", 0)],
    "id": [("Gadis itu menemukan serangga di serealnya.", "effect", "Dia menuangkan susu ke dalam mangkuk.", "Dia kehilangan nafsu makan.", 1),
           ("Pria itu patah jari kakinya.", "cause", "Dia menjatuhkan palu di kakinya.", "Kaus kakinya berlubang.", 0),
           ("Tubuhku membuat bayangan di atas rumput.", "cause", "Matahari sedang terbit.", "Rumputnya sudah dipotong.", 0),
           ("Anak itu haus.", "effect", "Dia pergi tidur.", "Dia minum segelas air.", 1),
           ("Hujan mulai turun.", "effect", "Kami membuka payung.", "Kami melepas sepatu.", 0)],
    "tr": [("Kız mısır gevreğinde bir böcek buldu.", "effect", "Kaseye süt döktü.", "İştahını kaybetti.", 1),
           ("Adam ayak parmağını kırdı.", "cause", "Ayağına bir çekiç düşürdü.", "Çorabında bir delik açıldı.", 0),
           ("Vücudum çimenlerin üzerine gölge düşürdü.", "cause", "Güneş doğuyordu.", "Çimenler biçilmişti.", 0),
           ("Çocuk susamıştı.", "effect", "Uyumaya gitti.", "Bir bardak su içti.", 1),
           ("Yağmur yağmaya başladı.", "effect", "Şemsiyeyi açtık.", "Ayakkabılarımızı çıkardık.", 0)],
    "vi": [("Cô gái tìm thấy một con bọ trong ngũ cốc của mình.", "effect", "Cô ấy rót sữa vào bát.", "Cô ấy mất cảm giác ngon miệng.", 1),
           ("Người đàn ông bị gãy ngón chân.", "cause", "Anh ấy làm rơi búa vào chân.", "Tất của anh ấy bị thủng.", 0),
           ("Cơ thể tôi đổ bóng lên bãi cỏ.", "cause", "Mặt trời đang mọc.", "Cỏ đã được cắt.", 0),
           ("Đứa trẻ khát nước.", "effect", "Nó đi ngủ.", "Nó uống một cốc nước.", 1),
           ("Trời bắt đầu mưa.", "effect", "Chúng tôi mở ô.", "Chúng tôi cởi giày.", 0)],
    "zh": [("女孩在她的麦片里发现了一只虫子。", "effect", "她把牛奶倒进碗里。", "她没有了胃口。", 1),
           ("那个男人弄断了脚趾。", "cause", "他把锤子掉在了脚上。", "他的袜子破了一个洞。", 0),
           ("我的身体在草地上投下了影子。", "cause", "太阳正在升起。", "草被割过了。", 0),
           ("孩子渴了。", "effect", "他去睡觉了。", "他喝了一杯水。", 1),
           ("开始下雨了。", "effect", "我们打开了伞。", "我们脱掉了鞋子。", 0)],
    "sw": [("Msichana alipata mdudu kwenye nafaka yake.", "effect", "Alimimina maziwa kwenye bakuli.", "Alipoteza hamu ya kula.", 1),
           ("Mwanamume alivunjika kidole cha mguu.", "cause", "Aliangusha nyundo kwenye mguu wake.", "Soksi yake ilitoboka.", 0),
           ("Mwili wangu ulitupa kivuli juu ya nyasi.", "cause", "Jua lilikuwa likichomoza.", "Nyasi zilikuwa zimekatwa.", 0),
           ("Mtoto alikuwa na kiu.", "effect", "Alienda kulala.", "Alikunywa glasi ya maji.", 1),
           ("Mvua ilianza kunyesha.", "effect", "Tulifungua mwavuli.", "Tulivua viatu.", 0)],
}

# --- XGLUE NC: news title + body -> category (hub ClassLabel order) -------------------------
NC_CATEGORIES = ["foodanddrink", "sports", "travel", "finance", "lifestyle", "news", "entertainment", "health",
                 "video", "autos"]
NC_TRAIN = {  # category -> (title template, body template), filled with the words below
    "sports": ("{team} win the {event} final", "The {team} beat their rivals in the {event} final on Sunday."),
    "travel": ("Ten days in {place}: a travel guide", "Beaches, museums and markets: what to see in {place} this summer."),
    "finance": ("Shares of {company} fall after results", "{company} reported lower profits and its stock dropped sharply."),
    "health": ("Doctors warn about {illness} this winter", "Cases of {illness} are rising; doctors advise rest and vaccination."),
}
FILL = {"team": ["Lions", "Tigers", "Eagles", "Rovers"], "event": ["cup", "league", "tournament"],
        "place": ["Lisbon", "Kyoto", "Cairo", "Lima"], "company": ["Acme", "Globex", "Initech", "Umbrella"],
        "illness": ["flu", "measles", "bronchitis"]}
NC_TEST = {  # language -> [(title, body, category)]
    "en": [("Rovers sign a new striker", "The club confirmed the transfer of the forward on Monday.", "sports"),
           ("Why Rome is best in autumn", "Fewer tourists and mild weather make October ideal for a visit.", "travel"),
           ("Central bank raises interest rates", "The bank lifted its key rate to fight inflation.", "finance"),
           ("Sleep more to protect your heart", "A new study links short sleep to heart disease.", "health")],
    "de": [("Bayern gewinnt das Pokalfinale", "Die Mannschaft siegte am Samstag mit zwei zu eins.", "sports"),
           ("Eine Woche an der Ostsee", "Strände, Radwege und frischer Fisch: Tipps für den Urlaub.", "travel"),
           ("Aktien der Bank fallen stark", "Nach schwachen Zahlen verlor die Aktie zehn Prozent.", "finance"),
           ("Ärzte warnen vor der Grippe", "Die Zahl der Grippefälle steigt in diesem Winter deutlich.", "health")],
    "es": [("El equipo gana la liga", "El club celebró el título tras vencer el domingo.", "sports"),
           ("Guía para viajar a Sevilla", "Museos, plazas y tapas: qué ver en la ciudad en primavera.", "travel"),
           ("Las acciones de la empresa caen", "La compañía anunció pérdidas y su valor bajó en la bolsa.", "finance"),
           ("Los médicos alertan sobre la gripe", "Los casos de gripe aumentan y piden vacunarse.", "health")],
    "fr": [("Le club remporte la coupe", "Les joueurs ont gagné la finale samedi soir.", "sports"),
           ("Un week-end à Lyon", "Musées, marchés et restaurants : que faire en deux jours.", "travel"),
           ("La bourse recule après les résultats", "Les actions de l'entreprise ont chuté de huit pour cent.", "finance"),
           ("Les médecins mettent en garde contre la grippe", "L'épidémie progresse et la vaccination est conseillée.", "health")],
    "ru": [("Команда выиграла кубок", "В финале клуб победил соперника со счётом два один.", "sports"),
           ("Неделя в Санкт-Петербурге", "Музеи, каналы и белые ночи: что посмотреть летом.", "travel"),
           ("Акции компании упали", "После слабого отчёта бумаги подешевели на десять процентов.", "finance"),
           ("Врачи предупреждают о гриппе", "Число заболевших растёт, врачи советуют сделать прививку.", "health")],
}

# --- XGLUE QADSM (query, ad) and QAM (question, passage) relevance --------------------------
PRODUCTS = {  # language -> [(query, ad title, ad description)]
    "en": [("running shoes", "Running Shoes Sale", "Lightweight running shoes for men and women."),
           ("cheap flights", "Cheap Flights to Europe", "Compare airline prices and book low fares."),
           ("coffee machine", "Espresso Machines", "Make barista coffee at home with our machines."),
           ("car insurance", "Car Insurance Quotes", "Save on your car insurance in five minutes."),
           ("laptop bag", "Laptop Bags and Cases", "Padded bags for laptops up to 15 inches."),
           ("garden tools", "Garden Tools Online", "Spades, rakes and shears for every garden."),
           ("hotel in paris", "Hotels in Paris", "Book a room near the Eiffel Tower tonight."),
           ("guitar lessons", "Online Guitar Lessons", "Learn to play guitar with video courses.")],
    "de": [("laufschuhe", "Laufschuhe im Angebot", "Leichte Laufschuhe für Damen und Herren."),
           ("günstige flüge", "Günstige Flüge nach Spanien", "Preise vergleichen und billig fliegen."),
           ("kaffeemaschine", "Espressomaschinen", "Kaffee wie im Café, zu Hause zubereitet."),
           ("autoversicherung", "Autoversicherung vergleichen", "In fünf Minuten bei der Versicherung sparen.")],
    "fr": [("chaussures de course", "Chaussures de course en promo", "Chaussures légères pour hommes et femmes."),
           ("vols pas chers", "Vols pas chers vers l'Italie", "Comparez les prix et réservez au meilleur tarif."),
           ("machine à café", "Machines à expresso", "Un café comme au bar, préparé chez vous."),
           ("assurance auto", "Devis d'assurance auto", "Économisez sur votre assurance en cinq minutes.")],
}
QUESTIONS = {  # language -> [(question, answer passage)]
    "en": [("how long do cats live", "Most domestic cats live between twelve and eighteen years."),
           ("what is the capital of australia", "Canberra is the capital city of Australia."),
           ("how to boil an egg", "Place the egg in boiling water for about nine minutes."),
           ("why is the sky blue", "Air scatters blue sunlight more than red light."),
           ("when was the eiffel tower built", "The Eiffel Tower was completed in 1889."),
           ("how many legs does a spider have", "A spider has eight legs."),
           ("what do bees make", "Bees make honey from the nectar of flowers."),
           ("how far is the moon", "The moon is about 384,000 kilometres from the Earth.")],
    "de": [("wie alt werden katzen", "Hauskatzen werden meist zwölf bis achtzehn Jahre alt."),
           ("was ist die hauptstadt von australien", "Canberra ist die Hauptstadt Australiens."),
           ("wann wurde der eiffelturm gebaut", "Der Eiffelturm wurde 1889 fertiggestellt."),
           ("wie viele beine hat eine spinne", "Eine Spinne hat acht Beine.")],
    "fr": [("combien de temps vit un chat", "Les chats domestiques vivent entre douze et dix-huit ans."),
           ("quelle est la capitale de l'australie", "Canberra est la capitale de l'Australie."),
           ("quand la tour eiffel a-t-elle été construite", "La tour Eiffel a été achevée en 1889."),
           ("combien de pattes a une araignée", "Une araignée a huit pattes.")],
}


# --- XGLUE NER (CoNLL 2002/2003 languages): words -> IOB tags, the same label ids as PAN-X ------
NER_NL = [  # Dutch sentences written for xlt: (words, tags) with O=0 B-PER=1 I-PER=2 B-ORG=3 I-ORG=4 B-LOC=5 I-LOC=6
    (["Jan", "de", "Vries", "woont", "in", "Utrecht", "."], [1, 2, 2, 0, 0, 5, 0]),
    (["Philips", "opent", "een", "fabriek", "in", "Eindhoven", "."], [3, 0, 0, 0, 0, 5, 0]),
    (["Anna", "Bakker", "werkt", "bij", "de", "Rabobank", "."], [1, 2, 0, 0, 0, 3, 0]),
    (["De", "trein", "naar", "Amsterdam", "is", "te", "laat", "."], [0, 0, 0, 5, 0, 0, 0, 0]),
    (["Pieter", "Jansen", "speelt", "voor", "Ajax", "."], [1, 2, 0, 0, 3, 0]),
    (["Het", "museum", "in", "Den", "Haag", "is", "open", "."], [0, 0, 0, 5, 6, 0, 0, 0]),
]


def ner() -> None:
    """XGLUE's NER columns (`words`, `ner`) over the PAN-X fixture's sentences (en, de, es) and the
    Dutch ones above."""
    for lang, splits in (("en", ("train", "validation", "test")), ("de", ("test",)), ("es", ("test",))):
        for split in splits:
            rows = [json.loads(line) for line in (FIXTURES / "panx" / lang / f"{split}.jsonl").read_text(
                encoding="utf-8").splitlines() if line]
            _write("xglue_ner", lang, split, [{"words": r["tokens"], "ner": r["ner_tags"]} for r in rows])
    _write("xglue_ner", "nl", "test", [{"words": w, "ner": t} for w, t in NER_NL])


POS_NL = ["De/DET oude/ADJ boer/NOUN voert/VERB zijn/PRON koeien/NOUN ./PUNCT",
          "Twee/NUM kinderen/NOUN zwemmen/VERB in/ADP het/DET meer/NOUN ./PUNCT",
          "Mijn/PRON zus/NOUN kookt/VERB rijst/NOUN en/CCONJ vis/NOUN ./PUNCT",
          "De/DET leraar/NOUN schreef/VERB een/DET lange/ADJ brief/NOUN ./PUNCT",
          "Het/PRON regende/VERB de/DET hele/ADJ dag/NOUN ./PUNCT",
          "Anna/PROPN heeft/AUX niets/PRON geschreven/VERB ./PUNCT"]
def pos() -> None:
    """XGLUE's POS columns (`words`, `pos`) over the UDPOS fixture's sentences (en, de, es, fr) and
    the Dutch ones above."""
    from make_task_fixtures import UPOS  # XGLUE's `pos` class labels are the same, in the same order

    for lang, splits in (("en", ("train", "validation", "test")), ("de", ("test",)), ("es", ("test",)), ("fr", ("test",))):
        for split in splits:
            rows = [json.loads(line) for line in (FIXTURES / "udpos" / lang / f"{split}.jsonl").read_text(
                encoding="utf-8").splitlines() if line]
            _write("xglue_pos", lang, split, [{"words": r["tokens"], "pos": r["pos_tags"]} for r in rows])
    pairs = [[item.rsplit("/", 1) for item in sentence.split()] for sentence in POS_NL]
    _write("xglue_pos", "nl", "test", [{"words": [w for w, _ in p], "pos": [UPOS.index(t) for _, t in p]} for p in pairs])


# --- XGLUE WPR: (query, page title, snippet) graded 0-4 -------------------------------------
WPR = {  # language -> [(query, [(title, snippet, grade)])]
    "en": [("weather london", [("London weather forecast", "Rain and 14 degrees in London today.", 4),
                               ("London hotels", "Book a hotel in central London.", 1),
                               ("Paris weather", "Sunny in Paris this week.", 1),
                               ("Cake recipes", "Easy chocolate cake recipes.", 0)]),
           ("python tutorial", [("Python tutorial for beginners", "Learn Python step by step.", 4),
                                ("Python snakes", "Facts about pythons in the wild.", 1),
                                ("Java tutorial", "Learn Java programming.", 2),
                                ("Garden tips", "How to plant tomatoes.", 0)]),
           ("cheap laptops", [("Laptop deals", "Cheap laptops on sale this week.", 4),
                              ("Laptop repair", "We fix broken laptops.", 2),
                              ("Phone deals", "Cheap phones and tablets.", 1),
                              ("Dog training", "Teach your dog to sit.", 0)])],
    "de": [("wetter berlin", [("Wetter in Berlin", "Heute Regen und 12 Grad in Berlin.", 4),
                              ("Hotels in Berlin", "Zimmer in Berlin buchen.", 1),
                              ("Kuchenrezepte", "Einfache Rezepte für Schokoladenkuchen.", 0)]),
           ("python lernen", [("Python für Anfänger", "Python Schritt für Schritt lernen.", 4),
                              ("Java lernen", "Programmieren mit Java.", 2),
                              ("Gartentipps", "Tomaten richtig pflanzen.", 0)])],
    "fr": [("météo paris", [("Météo à Paris", "Pluie et 13 degrés à Paris aujourd'hui.", 4),
                            ("Hôtels à Paris", "Réservez un hôtel à Paris.", 1),
                            ("Recettes de gâteau", "Gâteau au chocolat facile.", 0)]),
           ("apprendre python", [("Python pour débutants", "Apprendre Python pas à pas.", 4),
                                 ("Apprendre Java", "Programmer en Java.", 2),
                                 ("Conseils de jardinage", "Planter des tomates.", 0)])],
    "es": [("tiempo madrid", [("El tiempo en Madrid", "Sol y 20 grados hoy en Madrid.", 4),
                              ("Hoteles en Madrid", "Reserva un hotel en Madrid.", 1),
                              ("Recetas de tarta", "Tarta de chocolate fácil.", 0)]),
           ("aprender python", [("Python para principiantes", "Aprende Python paso a paso.", 4),
                                ("Aprender Java", "Programación en Java.", 2),
                                ("Consejos de jardín", "Cómo plantar tomates.", 0)])],
}


def wpr() -> None:
    for lang, queries in WPR.items():
        rows = [{"query": q, "web_page_title": t, "web_page_snippet": sn, "relavance_label": g}
                for q, pages in queries for t, sn, g in pages]
        if lang == "en":  # English: train on the first queries (repeated), evaluate on the last
            last = [r for r in rows if r["query"] == queries[-1][0]]
            _write("xglue_wpr", lang, "train", [r for r in rows if r not in last] * 4)
            _write("xglue_wpr", lang, "validation", last)
            rows = last
        _write("xglue_wpr", lang, "test", rows)


def _write(task: str, lang: str, split: str, rows: list[dict]) -> None:
    out = FIXTURES / task / lang
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def copa(rng: random.Random) -> None:
    rows = []
    for i, (subject, (tail, question, correct, wrong)) in enumerate(
            (s, item) for s in SUBJECTS for item in COPA):
        label = rng.randrange(2)
        choices = [wrong, correct] if label else [correct, wrong]
        rows.append({"premise": f"{subject} {tail}", "choice1": choices[0], "choice2": choices[1],
                     "question": question, "idx": i, "label": label})
    rng.shuffle(rows)
    _write("copa", "en", "train", rows[:72])
    _write("copa", "en", "validation", rows[72:])
    for lang, items in XCOPA.items():
        _write("xcopa", lang, "test", [{"premise": p, "choice1": c1, "choice2": c2, "question": q, "label": y,
                                        "idx": i, "changed": False} for i, (p, q, c1, c2, y) in enumerate(items)])


# --- Social IQa (XTREME-R trains XCOPA on it before COPA) ---------------------------------------
SIQA = [  # (context tail, question, correct, two wrong)
    ("forgot their friend's birthday.", "How would the friend feel?", "hurt", ("proud", "sleepy")),
    ("helped an old man cross the street.", "Why did they do this?", "to be kind", ("to be late", "to buy bread")),
    ("won the school race.", "How would they feel afterwards?", "happy", ("bored", "guilty")),
    ("broke a neighbour's window with a ball.", "What will they want to do next?", "apologise", ("go swimming", "paint a picture")),
    ("studied every evening for a month.", "What will happen to them?", "they will do well on the test", ("they will forget their name", "they will lose their keys")),
    ("shared their lunch with a new classmate.", "How would the classmate feel?", "grateful", ("angry", "afraid")),
    ("left the stove on all night.", "What will happen next?", "they will worry about a fire", ("they will win a prize", "they will grow taller")),
    ("lied to their parents about the homework.", "How would they feel later?", "guilty", ("rested", "hungry")),
]


def siqa(rng: random.Random) -> None:
    """The hub's columns: context, question, answerA-C, label (the answer's number as a string)."""
    rows = []
    for subject in SUBJECTS:
        for tail, question, correct, wrong in SIQA:
            answers = [correct, *wrong]
            rng.shuffle(answers)
            rows.append({"context": f"{subject} {tail}", "question": question, "answerA": answers[0],
                         "answerB": answers[1], "answerC": answers[2], "label": str(answers.index(correct) + 1)})
    rng.shuffle(rows)
    _write("siqa", "en", "train", rows[:48])
    _write("siqa", "en", "validation", rows[48:])


def nc(rng: random.Random) -> None:
    rows = []
    for category, (title, body) in NC_TRAIN.items():
        for _ in range(12):
            fill = {k: rng.choice(v) for k, v in FILL.items()}
            rows.append({"news_title": title.format(**fill), "news_body": body.format(**fill),
                         "news_category": NC_CATEGORIES.index(category)})
    rng.shuffle(rows)
    _write("xglue_nc", "en", "train", rows[:40])
    _write("xglue_nc", "en", "validation", rows[40:])
    for lang, items in NC_TEST.items():  # xlt's test split (the hub's validation.<lang>: labelled)
        _write("xglue_nc", lang, "test", [{"news_title": t, "news_body": b, "news_category": NC_CATEGORIES.index(c)}
                                          for t, b, c in items])


def _matched(items: list[tuple], make, rng: random.Random) -> list[dict]:
    """Each item with its own second half (relevant) and with another item's (not relevant)."""
    rows = []
    for i, item in enumerate(items):
        other = items[(i + 1 + rng.randrange(len(items) - 1)) % len(items)]
        rows += [make(item, item, 1), make(item, other, 0)]
    return rows


def qadsm_qam(rng: random.Random) -> None:
    ad = lambda q, a, y: {"query": q[0], "ad_title": a[1], "ad_description": a[2], "relevance_label": y}  # noqa: E731
    qa = lambda q, a, y: {"question": q[0], "answer": a[1], "label": y}  # noqa: E731
    for task, table, make in (("xglue_qadsm", PRODUCTS, ad), ("xglue_qam", QUESTIONS, qa)):
        for lang, items in table.items():
            rows = _matched(items, make, rng)
            if lang == "en":  # English: train on all but the last two items, evaluate on those
                _write(task, lang, "train", rows[:-4] * 3)  # small: repeated
                rows = rows[-4:]
                _write(task, lang, "validation", rows)
            _write(task, lang, "test", rows)


def main() -> None:
    rng = random.Random(0)
    copa(rng)
    nc(rng)
    qadsm_qam(rng)
    ner()
    pos()
    wpr()
    siqa(random.Random(1))


if __name__ == "__main__":
    main()
