"""Regenerate the shipped NLI fixtures (MNLI, XNLI) under xlt/data/fixtures/.

The fixtures use the hub loaders' columns (premise, hypothesis, label; label 0 entailment,
1 neutral, 2 contradiction). English training data comes from a small template grammar (real
English sentences with a learnable entailment structure); the XNLI test set is ten premises with
three hypotheses each, translated by hand into all 14 other XNLI languages. Run: python scripts/make_nli_fixtures.py
"""

import json
import random
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "xlt" / "data" / "fixtures"

# Each item: premise, entailed, neutral, contradicted hypothesis.
XNLI_TEST = {
    "en": [
        ("A man is playing the guitar on the street.", "A man is making music.", "The man is playing for money.", "The man is sleeping at home."),
        ("Two children are swimming in the lake.", "Children are in the water.", "The children are on holiday.", "The children are sitting in a classroom."),
        ("A woman is reading a book in the park.", "A woman is outside.", "The woman is reading a love story.", "The woman is watching television."),
        ("The old farmer is feeding his cows in the morning.", "The farmer has animals.", "The farmer sells milk at the market.", "The farmer has no animals."),
        ("The train to the capital left at six o'clock.", "A train departed.", "The train was full of students.", "The train never left the station."),
        ("My sister cooks rice and fish for dinner.", "My sister prepares food.", "My sister likes cooking.", "My sister does not cook."),
        ("It rained all day, so the market was empty.", "There were few people at the market.", "The sellers went home early.", "The sun was shining all day."),
        ("The teacher wrote a long letter to the parents.", "The teacher wrote something.", "The parents were angry.", "The teacher did not write anything."),
        ("A doctor is helping an old woman at the hospital.", "Someone is at the hospital.", "The old woman has a broken leg.", "Nobody is at the hospital."),
        ("The boys are playing football after school.", "The boys are playing a game.", "The boys are on the same team.", "The boys are asleep."),
    ],
    "de": [
        ("Ein Mann spielt auf der Straße Gitarre.", "Ein Mann macht Musik.", "Der Mann spielt für Geld.", "Der Mann schläft zu Hause."),
        ("Zwei Kinder schwimmen im See.", "Kinder sind im Wasser.", "Die Kinder sind im Urlaub.", "Die Kinder sitzen in einem Klassenzimmer."),
        ("Eine Frau liest im Park ein Buch.", "Eine Frau ist draußen.", "Die Frau liest einen Liebesroman.", "Die Frau sieht fern."),
        ("Der alte Bauer füttert am Morgen seine Kühe.", "Der Bauer hat Tiere.", "Der Bauer verkauft Milch auf dem Markt.", "Der Bauer hat keine Tiere."),
        ("Der Zug in die Hauptstadt ist um sechs Uhr abgefahren.", "Ein Zug ist abgefahren.", "Der Zug war voller Studenten.", "Der Zug hat den Bahnhof nie verlassen."),
        ("Meine Schwester kocht Reis und Fisch zum Abendessen.", "Meine Schwester bereitet Essen zu.", "Meine Schwester kocht gern.", "Meine Schwester kocht nicht."),
        ("Es hat den ganzen Tag geregnet, deshalb war der Markt leer.", "Auf dem Markt waren wenige Leute.", "Die Verkäufer gingen früh nach Hause.", "Die Sonne schien den ganzen Tag."),
        ("Der Lehrer schrieb den Eltern einen langen Brief.", "Der Lehrer hat etwas geschrieben.", "Die Eltern waren wütend.", "Der Lehrer hat nichts geschrieben."),
        ("Eine Ärztin hilft im Krankenhaus einer alten Frau.", "Jemand ist im Krankenhaus.", "Die alte Frau hat ein gebrochenes Bein.", "Niemand ist im Krankenhaus."),
        ("Die Jungen spielen nach der Schule Fußball.", "Die Jungen spielen ein Spiel.", "Die Jungen sind in derselben Mannschaft.", "Die Jungen schlafen."),
    ],
    "es": [
        ("Un hombre está tocando la guitarra en la calle.", "Un hombre está haciendo música.", "El hombre toca por dinero.", "El hombre está durmiendo en casa."),
        ("Dos niños están nadando en el lago.", "Hay niños en el agua.", "Los niños están de vacaciones.", "Los niños están sentados en un aula."),
        ("Una mujer está leyendo un libro en el parque.", "Una mujer está al aire libre.", "La mujer está leyendo una novela de amor.", "La mujer está viendo la televisión."),
        ("El viejo granjero da de comer a sus vacas por la mañana.", "El granjero tiene animales.", "El granjero vende leche en el mercado.", "El granjero no tiene animales."),
        ("El tren a la capital salió a las seis.", "Un tren partió.", "El tren iba lleno de estudiantes.", "El tren nunca salió de la estación."),
        ("Mi hermana cocina arroz y pescado para la cena.", "Mi hermana prepara comida.", "A mi hermana le gusta cocinar.", "Mi hermana no cocina."),
        ("Llovió todo el día, así que el mercado estaba vacío.", "Había poca gente en el mercado.", "Los vendedores se fueron a casa temprano.", "El sol brilló todo el día."),
        ("El maestro escribió una carta larga a los padres.", "El maestro escribió algo.", "Los padres estaban enfadados.", "El maestro no escribió nada."),
        ("Una médica está ayudando a una anciana en el hospital.", "Hay alguien en el hospital.", "La anciana tiene una pierna rota.", "No hay nadie en el hospital."),
        ("Los chicos juegan al fútbol después de la escuela.", "Los chicos están jugando a un juego.", "Los chicos están en el mismo equipo.", "Los chicos están dormidos."),
    ],
    "fr": [
        ("Un homme joue de la guitare dans la rue.", "Un homme fait de la musique.", "L'homme joue pour de l'argent.", "L'homme dort chez lui."),
        ("Deux enfants nagent dans le lac.", "Des enfants sont dans l'eau.", "Les enfants sont en vacances.", "Les enfants sont assis dans une salle de classe."),
        ("Une femme lit un livre dans le parc.", "Une femme est dehors.", "La femme lit un roman d'amour.", "La femme regarde la télévision."),
        ("Le vieux fermier nourrit ses vaches le matin.", "Le fermier a des animaux.", "Le fermier vend du lait au marché.", "Le fermier n'a pas d'animaux."),
        ("Le train pour la capitale est parti à six heures.", "Un train est parti.", "Le train était plein d'étudiants.", "Le train n'a jamais quitté la gare."),
        ("Ma sœur prépare du riz et du poisson pour le dîner.", "Ma sœur prépare à manger.", "Ma sœur aime cuisiner.", "Ma sœur ne cuisine pas."),
        ("Il a plu toute la journée, alors le marché était vide.", "Il y avait peu de monde au marché.", "Les vendeurs sont rentrés tôt.", "Le soleil a brillé toute la journée."),
        ("L'enseignant a écrit une longue lettre aux parents.", "L'enseignant a écrit quelque chose.", "Les parents étaient en colère.", "L'enseignant n'a rien écrit."),
        ("Une médecin aide une vieille femme à l'hôpital.", "Quelqu'un est à l'hôpital.", "La vieille femme a une jambe cassée.", "Personne n'est à l'hôpital."),
        ("Les garçons jouent au football après l'école.", "Les garçons jouent à un jeu.", "Les garçons sont dans la même équipe.", "Les garçons dorment."),
    ],
    "ru": [
        ("Мужчина играет на гитаре на улице.", "Мужчина играет музыку.", "Мужчина играет за деньги.", "Мужчина спит дома."),
        ("Двое детей плавают в озере.", "Дети находятся в воде.", "Дети на каникулах.", "Дети сидят в классе."),
        ("Женщина читает книгу в парке.", "Женщина находится на улице.", "Женщина читает любовный роман.", "Женщина смотрит телевизор."),
        ("Старый фермер кормит своих коров утром.", "У фермера есть животные.", "Фермер продаёт молоко на рынке.", "У фермера нет животных."),
        ("Поезд в столицу отправился в шесть часов.", "Поезд отправился.", "Поезд был полон студентов.", "Поезд так и не покинул вокзал."),
        ("Моя сестра готовит рис и рыбу на ужин.", "Моя сестра готовит еду.", "Моя сестра любит готовить.", "Моя сестра не готовит."),
        ("Весь день шёл дождь, поэтому рынок был пуст.", "На рынке было мало людей.", "Продавцы рано ушли домой.", "Весь день светило солнце."),
        ("Учитель написал родителям длинное письмо.", "Учитель что-то написал.", "Родители были рассержены.", "Учитель ничего не написал."),
        ("Врач помогает пожилой женщине в больнице.", "Кто-то находится в больнице.", "У пожилой женщины сломана нога.", "В больнице никого нет."),
        ("Мальчики играют в футбол после школы.", "Мальчики играют в игру.", "Мальчики в одной команде.", "Мальчики спят."),
    ],
    "zh": [
        ("一个男人在街上弹吉他。", "一个男人在演奏音乐。", "这个男人弹吉他是为了挣钱。", "这个男人在家里睡觉。"),
        ("两个孩子在湖里游泳。", "孩子们在水里。", "孩子们在度假。", "孩子们坐在教室里。"),
        ("一位女士在公园里看书。", "一位女士在户外。", "这位女士在看一本爱情小说。", "这位女士在看电视。"),
        ("老农民早上喂他的奶牛。", "这位农民有动物。", "这位农民在市场上卖牛奶。", "这位农民没有任何动物。"),
        ("开往首都的火车六点钟出发了。", "一列火车出发了。", "火车上坐满了学生。", "火车从未离开车站。"),
        ("我姐姐做米饭和鱼当晚饭。", "我姐姐在准备食物。", "我姐姐喜欢做饭。", "我姐姐不做饭。"),
        ("下了一整天的雨，所以市场上空荡荡的。", "市场上的人很少。", "商贩们早早回家了。", "太阳照了一整天。"),
        ("老师给家长写了一封长信。", "老师写了东西。", "家长们很生气。", "老师什么也没写。"),
        ("一位医生正在医院里帮助一位老太太。", "有人在医院里。", "老太太摔断了腿。", "医院里没有人。"),
        ("男孩们放学后踢足球。", "男孩们在玩游戏。", "男孩们在同一个队。", "男孩们在睡觉。"),
    ],
    "ar": [
        ("رجل يعزف على الغيتار في الشارع.", "رجل يعزف الموسيقى.", "الرجل يعزف من أجل المال.", "الرجل نائم في البيت."),
        ("طفلان يسبحان في البحيرة.", "هناك أطفال في الماء.", "الطفلان في عطلة.", "الطفلان يجلسان في الفصل."),
        ("امرأة تقرأ كتاباً في الحديقة.", "امرأة في الخارج.", "المرأة تقرأ رواية حب.", "المرأة تشاهد التلفاز."),
        ("المزارع العجوز يطعم أبقاره في الصباح.", "المزارع لديه حيوانات.", "المزارع يبيع الحليب في السوق.", "المزارع ليس لديه حيوانات."),
        ("غادر القطار المتجه إلى العاصمة في الساعة السادسة.", "غادر قطار.", "كان القطار مليئاً بالطلاب.", "لم يغادر القطار المحطة أبداً."),
        ("أختي تطبخ الأرز والسمك للعشاء.", "أختي تعدّ الطعام.", "أختي تحب الطبخ.", "أختي لا تطبخ."),
        ("أمطرت طوال اليوم، لذلك كان السوق فارغاً.", "كان في السوق عدد قليل من الناس.", "عاد الباعة إلى بيوتهم مبكراً.", "أشرقت الشمس طوال اليوم."),
        ("كتب المعلم رسالة طويلة إلى الأهل.", "كتب المعلم شيئاً.", "كان الأهل غاضبين.", "لم يكتب المعلم أي شيء."),
        ("طبيبة تساعد امرأة مسنة في المستشفى.", "هناك شخص في المستشفى.", "المرأة المسنة مكسورة الساق.", "لا يوجد أحد في المستشفى."),
        ("الأولاد يلعبون كرة القدم بعد المدرسة.", "الأولاد يلعبون لعبة.", "الأولاد في الفريق نفسه.", "الأولاد نائمون."),
    ],
    "hi": [
        ("एक आदमी सड़क पर गिटार बजा रहा है।", "एक आदमी संगीत बना रहा है।", "आदमी पैसों के लिए बजा रहा है।", "आदमी घर पर सो रहा है।"),
        ("दो बच्चे झील में तैर रहे हैं।", "बच्चे पानी में हैं।", "बच्चे छुट्टी पर हैं।", "बच्चे कक्षा में बैठे हैं।"),
        ("एक औरत पार्क में किताब पढ़ रही है।", "एक औरत बाहर है।", "औरत एक प्रेम उपन्यास पढ़ रही है।", "औरत टीवी देख रही है।"),
        ("बूढ़ा किसान सुबह अपनी गायों को चारा खिला रहा है।", "किसान के पास जानवर हैं।", "किसान बाज़ार में दूध बेचता है।", "किसान के पास कोई जानवर नहीं है।"),
        ("राजधानी जाने वाली ट्रेन छह बजे निकल गई।", "एक ट्रेन रवाना हुई।", "ट्रेन छात्रों से भरी हुई थी।", "ट्रेन कभी स्टेशन से नहीं निकली।"),
        ("मेरी बहन रात के खाने के लिए चावल और मछली पकाती है।", "मेरी बहन खाना बनाती है।", "मेरी बहन को खाना बनाना पसंद है।", "मेरी बहन खाना नहीं बनाती।"),
        ("पूरे दिन बारिश हुई, इसलिए बाज़ार खाली था।", "बाज़ार में कम लोग थे।", "दुकानदार जल्दी घर चले गए।", "पूरे दिन धूप खिली रही।"),
        ("शिक्षक ने माता-पिता को एक लंबा पत्र लिखा।", "शिक्षक ने कुछ लिखा।", "माता-पिता नाराज़ थे।", "शिक्षक ने कुछ नहीं लिखा।"),
        ("एक डॉक्टर अस्पताल में एक बूढ़ी औरत की मदद कर रही है।", "अस्पताल में कोई है।", "बूढ़ी औरत की टांग टूटी हुई है।", "अस्पताल में कोई नहीं है।"),
        ("लड़के स्कूल के बाद फुटबॉल खेल रहे हैं।", "लड़के एक खेल खेल रहे हैं।", "लड़के एक ही टीम में हैं।", "लड़के सो रहे हैं।"),
    ],
    "ur": [
        ("ایک آدمی سڑک پر گٹار بجا رہا ہے۔", "ایک آدمی موسیقی بنا رہا ہے۔", "آدمی پیسوں کے لیے بجا رہا ہے۔", "آدمی گھر پر سو رہا ہے۔"),
        ("دو بچے جھیل میں تیر رہے ہیں۔", "بچے پانی میں ہیں۔", "بچے چھٹیوں پر ہیں۔", "بچے کلاس روم میں بیٹھے ہیں۔"),
        ("ایک عورت پارک میں کتاب پڑھ رہی ہے۔", "ایک عورت باہر ہے۔", "عورت ایک محبت کا ناول پڑھ رہی ہے۔", "عورت ٹی وی دیکھ رہی ہے۔"),
        ("بوڑھا کسان صبح اپنی گایوں کو چارہ کھلا رہا ہے۔", "کسان کے پاس جانور ہیں۔", "کسان بازار میں دودھ بیچتا ہے۔", "کسان کے پاس کوئی جانور نہیں ہے۔"),
        ("دارالحکومت جانے والی ٹرین چھ بجے روانہ ہو گئی۔", "ایک ٹرین روانہ ہوئی۔", "ٹرین طالب علموں سے بھری ہوئی تھی۔", "ٹرین کبھی اسٹیشن سے نہیں نکلی۔"),
        ("میری بہن رات کے کھانے کے لیے چاول اور مچھلی پکاتی ہے۔", "میری بہن کھانا بناتی ہے۔", "میری بہن کو کھانا پکانا پسند ہے۔", "میری بہن کھانا نہیں پکاتی۔"),
        ("سارا دن بارش ہوئی، اس لیے بازار خالی تھا۔", "بازار میں کم لوگ تھے۔", "دکاندار جلدی گھر چلے گئے۔", "سارا دن دھوپ نکلی رہی۔"),
        ("استاد نے والدین کو ایک لمبا خط لکھا۔", "استاد نے کچھ لکھا۔", "والدین ناراض تھے۔", "استاد نے کچھ نہیں لکھا۔"),
        ("ایک ڈاکٹر ہسپتال میں ایک بوڑھی عورت کی مدد کر رہی ہے۔", "ہسپتال میں کوئی ہے۔", "بوڑھی عورت کی ٹانگ ٹوٹی ہوئی ہے۔", "ہسپتال میں کوئی نہیں ہے۔"),
        ("لڑکے اسکول کے بعد فٹبال کھیل رہے ہیں۔", "لڑکے ایک کھیل کھیل رہے ہیں۔", "لڑکے ایک ہی ٹیم میں ہیں۔", "لڑکے سو رہے ہیں۔"),
    ],
    "sw": [
        ("Mwanamume anapiga gitaa barabarani.", "Mwanamume anacheza muziki.", "Mwanamume anapiga gitaa ili apate pesa.", "Mwanamume amelala nyumbani."),
        ("Watoto wawili wanaogelea ziwani.", "Watoto wako majini.", "Watoto wako likizoni.", "Watoto wamekaa darasani."),
        ("Mwanamke anasoma kitabu bustanini.", "Mwanamke yuko nje.", "Mwanamke anasoma riwaya ya mapenzi.", "Mwanamke anatazama televisheni."),
        ("Mkulima mzee analisha ng'ombe wake asubuhi.", "Mkulima ana wanyama.", "Mkulima anauza maziwa sokoni.", "Mkulima hana wanyama wowote."),
        ("Treni ya kwenda mji mkuu iliondoka saa kumi na mbili.", "Treni iliondoka.", "Treni ilijaa wanafunzi.", "Treni haikuwahi kuondoka kituoni."),
        ("Dada yangu anapika wali na samaki kwa chakula cha jioni.", "Dada yangu anaandaa chakula.", "Dada yangu anapenda kupika.", "Dada yangu hapiki."),
        ("Mvua ilinyesha siku nzima, kwa hiyo soko lilikuwa tupu.", "Kulikuwa na watu wachache sokoni.", "Wauzaji walirudi nyumbani mapema.", "Jua liliwaka siku nzima."),
        ("Mwalimu aliwaandikia wazazi barua ndefu.", "Mwalimu aliandika kitu.", "Wazazi walikasirika.", "Mwalimu hakuandika chochote."),
        ("Daktari anamsaidia bibi kizee hospitalini.", "Kuna mtu hospitalini.", "Bibi kizee amevunjika mguu.", "Hakuna mtu hospitalini."),
        ("Wavulana wanacheza mpira wa miguu baada ya shule.", "Wavulana wanacheza mchezo.", "Wavulana wako katika timu moja.", "Wavulana wamelala."),
    ],
    "bg": [
        ("Мъж свири на китара на улицата.", "Мъж прави музика.", "Мъжът свири за пари.", "Мъжът спи вкъщи."),
        ("Две деца плуват в езерото.", "Децата са във водата.", "Децата са на почивка.", "Децата седят в класната стая."),
        ("Жена чете книга в парка.", "Жена е навън.", "Жената чете любовен роман.", "Жената гледа телевизия."),
        ("Старият фермер храни кравите си сутрин.", "Фермерът има животни.", "Фермерът продава мляко на пазара.", "Фермерът няма животни."),
        ("Влакът за столицата тръгна в шест часа.", "Един влак тръгна.", "Влакът беше пълен със студенти.", "Влакът така и не напусна гарата."),
        ("Сестра ми готви ориз и риба за вечеря.", "Сестра ми приготвя храна.", "Сестра ми обича да готви.", "Сестра ми не готви."),
        ("Цял ден валя, затова пазарът беше празен.", "На пазара имаше малко хора.", "Продавачите се прибраха рано.", "Цял ден грееше слънце."),
        ("Учителят написа дълго писмо до родителите.", "Учителят написа нещо.", "Родителите бяха ядосани.", "Учителят не написа нищо."),
        ("Лекарка помага на възрастна жена в болницата.", "Някой е в болницата.", "Възрастната жена има счупен крак.", "В болницата няма никого."),
        ("Момчетата играят футбол след училище.", "Момчетата играят игра.", "Момчетата са в един отбор.", "Момчетата спят."),
    ],
    "el": [
        ("Ένας άντρας παίζει κιθάρα στον δρόμο.", "Ένας άντρας παίζει μουσική.", "Ο άντρας παίζει για χρήματα.", "Ο άντρας κοιμάται στο σπίτι."),
        ("Δύο παιδιά κολυμπούν στη λίμνη.", "Παιδιά βρίσκονται στο νερό.", "Τα παιδιά είναι σε διακοπές.", "Τα παιδιά κάθονται σε μια τάξη."),
        ("Μια γυναίκα διαβάζει ένα βιβλίο στο πάρκο.", "Μια γυναίκα είναι έξω.", "Η γυναίκα διαβάζει ένα ερωτικό μυθιστόρημα.", "Η γυναίκα βλέπει τηλεόραση."),
        ("Ο γέρος αγρότης ταΐζει τις αγελάδες του το πρωί.", "Ο αγρότης έχει ζώα.", "Ο αγρότης πουλάει γάλα στην αγορά.", "Ο αγρότης δεν έχει ζώα."),
        ("Το τρένο για την πρωτεύουσα έφυγε στις έξι.", "Ένα τρένο αναχώρησε.", "Το τρένο ήταν γεμάτο φοιτητές.", "Το τρένο δεν έφυγε ποτέ από τον σταθμό."),
        ("Η αδελφή μου μαγειρεύει ρύζι και ψάρι για βραδινό.", "Η αδελφή μου ετοιμάζει φαγητό.", "Στην αδελφή μου αρέσει να μαγειρεύει.", "Η αδελφή μου δεν μαγειρεύει."),
        ("Έβρεχε όλη μέρα, γι' αυτό η αγορά ήταν άδεια.", "Στην αγορά υπήρχαν λίγοι άνθρωποι.", "Οι πωλητές πήγαν νωρίς σπίτι.", "Ο ήλιος έλαμπε όλη μέρα."),
        ("Ο δάσκαλος έγραψε ένα μακρύ γράμμα στους γονείς.", "Ο δάσκαλος έγραψε κάτι.", "Οι γονείς ήταν θυμωμένοι.", "Ο δάσκαλος δεν έγραψε τίποτα."),
        ("Μια γιατρός βοηθά μια ηλικιωμένη γυναίκα στο νοσοκομείο.", "Κάποιος είναι στο νοσοκομείο.", "Η ηλικιωμένη γυναίκα έχει σπασμένο πόδι.", "Δεν υπάρχει κανείς στο νοσοκομείο."),
        ("Τα αγόρια παίζουν ποδόσφαιρο μετά το σχολείο.", "Τα αγόρια παίζουν ένα παιχνίδι.", "Τα αγόρια είναι στην ίδια ομάδα.", "Τα αγόρια κοιμούνται."),
    ],
    "th": [
        ("ผู้ชายคนหนึ่งกำลังเล่นกีตาร์อยู่บนถนน", "ผู้ชายคนหนึ่งกำลังเล่นดนตรี", "ผู้ชายคนนั้นเล่นเพื่อหาเงิน", "ผู้ชายคนนั้นกำลังนอนหลับอยู่ที่บ้าน"),
        ("เด็กสองคนกำลังว่ายน้ำในทะเลสาบ", "มีเด็กอยู่ในน้ำ", "เด็กๆ กำลังไปเที่ยวพักร้อน", "เด็กๆ นั่งอยู่ในห้องเรียน"),
        ("ผู้หญิงคนหนึ่งกำลังอ่านหนังสืออยู่ในสวนสาธารณะ", "ผู้หญิงคนหนึ่งอยู่ข้างนอก", "ผู้หญิงคนนั้นกำลังอ่านนิยายรัก", "ผู้หญิงคนนั้นกำลังดูโทรทัศน์"),
        ("ชาวนาแก่กำลังให้อาหารวัวของเขาในตอนเช้า", "ชาวนามีสัตว์เลี้ยง", "ชาวนาขายนมที่ตลาด", "ชาวนาไม่มีสัตว์เลี้ยงเลย"),
        ("รถไฟไปเมืองหลวงออกเดินทางตอนหกโมง", "รถไฟขบวนหนึ่งออกเดินทางแล้ว", "รถไฟเต็มไปด้วยนักศึกษา", "รถไฟไม่เคยออกจากสถานีเลย"),
        ("พี่สาวของฉันทำข้าวกับปลาเป็นอาหารเย็น", "พี่สาวของฉันกำลังเตรียมอาหาร", "พี่สาวของฉันชอบทำอาหาร", "พี่สาวของฉันไม่ทำอาหาร"),
        ("ฝนตกทั้งวัน ตลาดจึงว่างเปล่า", "มีคนไม่กี่คนที่ตลาด", "พ่อค้าแม่ค้ากลับบ้านเร็ว", "แดดออกทั้งวัน"),
        ("ครูเขียนจดหมายยาวถึงผู้ปกครอง", "ครูเขียนบางอย่าง", "ผู้ปกครองโกรธ", "ครูไม่ได้เขียนอะไรเลย"),
        ("หมอคนหนึ่งกำลังช่วยหญิงชราที่โรงพยาบาล", "มีคนอยู่ที่โรงพยาบาล", "หญิงชราขาหัก", "ไม่มีใครอยู่ที่โรงพยาบาลเลย"),
        ("เด็กผู้ชายเล่นฟุตบอลหลังเลิกเรียน", "เด็กผู้ชายกำลังเล่นเกม", "เด็กผู้ชายอยู่ทีมเดียวกัน", "เด็กผู้ชายกำลังนอนหลับ"),
    ],
    "tr": [
        ("Bir adam sokakta gitar çalıyor.", "Bir adam müzik yapıyor.", "Adam para için çalıyor.", "Adam evde uyuyor."),
        ("İki çocuk gölde yüzüyor.", "Çocuklar suda.", "Çocuklar tatilde.", "Çocuklar bir sınıfta oturuyor."),
        ("Bir kadın parkta kitap okuyor.", "Bir kadın dışarıda.", "Kadın bir aşk romanı okuyor.", "Kadın televizyon izliyor."),
        ("Yaşlı çiftçi sabahları ineklerini besliyor.", "Çiftçinin hayvanları var.", "Çiftçi pazarda süt satıyor.", "Çiftçinin hiç hayvanı yok."),
        ("Başkente giden tren saat altıda kalktı.", "Bir tren kalktı.", "Tren öğrencilerle doluydu.", "Tren istasyondan hiç ayrılmadı."),
        ("Kız kardeşim akşam yemeği için pilav ve balık pişiriyor.", "Kız kardeşim yemek hazırlıyor.", "Kız kardeşim yemek yapmayı seviyor.", "Kız kardeşim yemek pişirmiyor."),
        ("Bütün gün yağmur yağdı, bu yüzden pazar boştu.", "Pazarda az insan vardı.", "Satıcılar eve erken gitti.", "Bütün gün güneş parladı."),
        ("Öğretmen velilere uzun bir mektup yazdı.", "Öğretmen bir şey yazdı.", "Veliler kızgındı.", "Öğretmen hiçbir şey yazmadı."),
        ("Bir doktor hastanede yaşlı bir kadına yardım ediyor.", "Hastanede biri var.", "Yaşlı kadının bacağı kırık.", "Hastanede kimse yok."),
        ("Oğlanlar okuldan sonra futbol oynuyor.", "Oğlanlar bir oyun oynuyor.", "Oğlanlar aynı takımda.", "Oğlanlar uyuyor."),
    ],
    "vi": [
        ("Một người đàn ông đang chơi ghi-ta trên đường phố.", "Một người đàn ông đang chơi nhạc.", "Người đàn ông chơi để kiếm tiền.", "Người đàn ông đang ngủ ở nhà."),
        ("Hai đứa trẻ đang bơi trong hồ.", "Có trẻ em ở dưới nước.", "Bọn trẻ đang đi nghỉ.", "Bọn trẻ đang ngồi trong lớp học."),
        ("Một người phụ nữ đang đọc sách trong công viên.", "Một người phụ nữ đang ở ngoài trời.", "Người phụ nữ đang đọc một cuốn tiểu thuyết tình cảm.", "Người phụ nữ đang xem ti vi."),
        ("Người nông dân già cho đàn bò của mình ăn vào buổi sáng.", "Người nông dân có gia súc.", "Người nông dân bán sữa ở chợ.", "Người nông dân không có con vật nào."),
        ("Chuyến tàu đi thủ đô đã khởi hành lúc sáu giờ.", "Một chuyến tàu đã khởi hành.", "Con tàu chật kín sinh viên.", "Con tàu chưa bao giờ rời ga."),
        ("Chị gái tôi nấu cơm và cá cho bữa tối.", "Chị gái tôi chuẩn bị đồ ăn.", "Chị gái tôi thích nấu ăn.", "Chị gái tôi không nấu ăn."),
        ("Trời mưa cả ngày nên chợ vắng tanh.", "Có ít người ở chợ.", "Những người bán hàng về nhà sớm.", "Trời nắng cả ngày."),
        ("Thầy giáo đã viết một lá thư dài cho phụ huynh.", "Thầy giáo đã viết một thứ gì đó.", "Phụ huynh rất tức giận.", "Thầy giáo không viết gì cả."),
        ("Một bác sĩ đang giúp một bà cụ ở bệnh viện.", "Có người ở bệnh viện.", "Bà cụ bị gãy chân.", "Không có ai ở bệnh viện."),
        ("Các cậu bé chơi bóng đá sau giờ học.", "Các cậu bé đang chơi một trò chơi.", "Các cậu bé ở cùng một đội.", "Các cậu bé đang ngủ."),
    ],
}

# English template grammar for the training sets: (subject, plural?, generic subject).
SUBJECTS = [
    ("A young woman", False, "A person"), ("An old man", False, "A person"),
    ("Three students", True, "Some people"), ("A little girl", False, "A child"),
    ("Two workers", True, "Some people"), ("The fisherman", False, "A man"),
    ("A group of tourists", True, "Some people"), ("My neighbour", False, "Someone"),
    ("The baker", False, "Someone"), ("Four friends", True, "A group of people"),
    ("A nurse", False, "A person"), ("The twins", True, "Two people"),
]
# (activity, place, generic activity, incompatible activity, unverifiable detail)
ACTIVITIES = [
    ("cooking soup", "in a small kitchen", "preparing food", "swimming in the sea", "for a family dinner"),
    ("painting a fence", "behind the house", "working outside", "sleeping in bed", "because the landlord asked"),
    ("reading the newspaper", "on a bench", "reading something", "running a marathon", "about the election"),
    ("fixing a bicycle", "in the garage", "repairing something", "flying a plane", "before the race tomorrow"),
    ("selling vegetables", "at the market", "working", "sitting in a cinema", "to pay for school"),
    ("climbing a mountain", "in the snow", "outdoors", "watching television at home", "for the first time"),
    ("singing a song", "at a wedding", "making music", "completely silent", "that their mother wrote"),
    ("planting trees", "near the river", "gardening", "driving a bus", "as part of a school project"),
    ("washing clothes", "by the well", "doing laundry", "dancing at a party", "for the whole week"),
    ("writing a letter", "at a wooden desk", "writing", "playing tennis", "to an old friend"),
    ("carrying boxes", "up the stairs", "lifting something", "lying on the beach", "for a neighbour who is moving"),
    ("feeding the chickens", "on a farm", "taking care of animals", "shopping in the city", "before breakfast"),
    ("waiting for a train", "at the station", "at a station", "swimming in a lake", "that is already late"),
    ("baking bread", "in the morning", "cooking", "skiing down a hill", "for a village festival"),
]


# XNLI dev sets in five of its languages (hand-translated, distinct from the test items), so the
# objective can read target-language dev scores offline, as it does with the hub's dev sets.
XNLI_DEV = {
    "de": [
        ("Ein Mädchen zeichnet ein Bild von ihrem Hund.", "Ein Mädchen macht ein Bild.", "Das Mädchen will das Bild seiner Mutter schenken.", "Das Mädchen schläft."),
        ("Der Bus hat vor der Schule gehalten.", "Ein Bus hat gehalten.", "Der Bus hatte Verspätung.", "Der Bus hat nicht gehalten."),
        ("Eine alte Frau verkauft am Bahnhof Brot.", "Jemand verkauft Essen.", "Das Brot ist sehr teuer.", "Niemand verkauft etwas."),
        ("Die Schüler hören dem Lehrer zu.", "Der Lehrer spricht.", "Die Schüler sind müde.", "Das Klassenzimmer ist leer."),
    ],
    "es": [
        ("Una niña está dibujando a su perro.", "Una niña está haciendo un dibujo.", "La niña quiere regalarle el dibujo a su madre.", "La niña está durmiendo."),
        ("El autobús se detuvo delante de la escuela.", "Un autobús se detuvo.", "El autobús llegó tarde.", "El autobús no se detuvo."),
        ("Una anciana vende pan en la estación.", "Alguien vende comida.", "El pan es muy caro.", "Nadie vende nada."),
        ("Los estudiantes escuchan al profesor.", "El profesor está hablando.", "Los estudiantes están cansados.", "El aula está vacía."),
    ],
    "fr": [
        ("Une fille dessine son chien.", "Une fille fait un dessin.", "La fille veut offrir le dessin à sa mère.", "La fille dort."),
        ("Le bus s'est arrêté devant l'école.", "Un bus s'est arrêté.", "Le bus était en retard.", "Le bus ne s'est pas arrêté."),
        ("Une vieille femme vend du pain à la gare.", "Quelqu'un vend de la nourriture.", "Le pain est très cher.", "Personne ne vend rien."),
        ("Les élèves écoutent le professeur.", "Le professeur parle.", "Les élèves sont fatigués.", "La salle de classe est vide."),
    ],
    "ru": [
        ("Девочка рисует свою собаку.", "Девочка рисует картинку.", "Девочка хочет подарить рисунок маме.", "Девочка спит."),
        ("Автобус остановился перед школой.", "Автобус остановился.", "Автобус опоздал.", "Автобус не остановился."),
        ("Пожилая женщина продаёт хлеб на вокзале.", "Кто-то продаёт еду.", "Хлеб очень дорогой.", "Никто ничего не продаёт."),
        ("Ученики слушают учителя.", "Учитель говорит.", "Ученики устали.", "Класс пуст."),
    ],
    "zh": [
        ("一个女孩正在画她的狗。", "一个女孩在画画。", "女孩想把画送给她的妈妈。", "女孩在睡觉。"),
        ("公共汽车停在了学校前面。", "一辆公共汽车停了下来。", "公共汽车晚点了。", "公共汽车没有停。"),
        ("一位老妇人在车站卖面包。", "有人在卖食物。", "面包很贵。", "没有人在卖东西。"),
        ("学生们在听老师讲课。", "老师在说话。", "学生们很累。", "教室里空无一人。"),
    ],
}


def nli_examples(rng: random.Random, activities, n: int) -> list[dict]:
    rows = []
    for _ in range(n):
        subj, plural, generic = rng.choice(SUBJECTS)
        act, place, gen_act, other_act, detail = rng.choice(activities)
        be = "are" if plural else "is"
        premise = f"{subj} {be} {act} {place}."
        label = rng.randrange(3)
        gen_be = "are" if generic.startswith(("Some", "Two")) else "is"
        if label == 0:
            hypothesis = rng.choice([f"{generic} {gen_be} {gen_act}.", f"{subj} {be} {act}."])
        elif label == 1:
            hypothesis = rng.choice([f"{subj} {be} {act} {detail}.", f"{subj} {be} very tired after a long week."])
        else:
            hypothesis = rng.choice([f"{subj} {be} {other_act}.", f"{subj} {be} not {act}.", f"Nobody is {act} {place}."])
        rows.append({"premise": premise, "hypothesis": hypothesis, "label": label})
    return rows


def parallel_rows(items) -> list[dict]:
    return [
        {"premise": p, "hypothesis": h, "label": label}
        for p, *hyps in items for label, h in enumerate(hyps)
    ]


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    train_acts, dev_acts = ACTIVITIES[:11], ACTIVITIES[11:]
    write(FIXTURES / "mnli" / "en" / "train.jsonl", nli_examples(random.Random(1), train_acts, 240))
    write(FIXTURES / "mnli" / "en" / "validation.jsonl", nli_examples(random.Random(2), dev_acts, 45))
    write(FIXTURES / "xnli" / "en" / "train.jsonl", nli_examples(random.Random(3), train_acts, 240))
    write(FIXTURES / "xnli" / "en" / "validation.jsonl", nli_examples(random.Random(4), dev_acts, 45))
    for lang, items in XNLI_TEST.items():
        write(FIXTURES / "xnli" / lang / "test.jsonl", parallel_rows(items))
    for lang, items in XNLI_DEV.items():
        write(FIXTURES / "xnli" / lang / "validation.jsonl", parallel_rows(items))


if __name__ == "__main__":
    main()
