"""The shipped language table: ISO 639-1 code -> name, family, script, resource class.

Resource classes follow Joshi et al. (2020)'s taxonomy collapsed to three groups: high (classes
4-5), mid (class 3), low (classes 0-2). Used to name hub configs (`udpos.German`) and to group
results by resource level.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    family: str
    script: str
    resource: str  # high | mid | low


_TABLE = """
af Afrikaans Indo-European Latin mid
ar Arabic Afro-Asiatic Arabic high
az Azerbaijani Turkic Latin mid
bg Bulgarian Indo-European Cyrillic mid
bn Bengali Indo-European Bengali mid
de German Indo-European Latin high
el Greek Indo-European Greek mid
en English Indo-European Latin high
es Spanish Indo-European Latin high
et Estonian Uralic Latin mid
eu Basque Isolate Latin mid
fa Persian Indo-European Arabic high
fi Finnish Uralic Latin high
fr French Indo-European Latin high
gu Gujarati Indo-European Gujarati low
he Hebrew Afro-Asiatic Hebrew mid
hi Hindi Indo-European Devanagari high
ht Haitian Creole-French Latin low
hu Hungarian Uralic Latin high
id Indonesian Austronesian Latin mid
it Italian Indo-European Latin high
ja Japanese Japonic Japanese high
jv Javanese Austronesian Latin low
ka Georgian Kartvelian Georgian mid
kk Kazakh Turkic Cyrillic mid
ko Korean Koreanic Hangul high
lt Lithuanian Indo-European Latin mid
ml Malayalam Dravidian Malayalam low
mr Marathi Indo-European Devanagari low
ms Malay Austronesian Latin mid
my Burmese Sino-Tibetan Burmese low
nl Dutch Indo-European Latin high
pa Punjabi Indo-European Gurmukhi low
pl Polish Indo-European Latin high
pt Portuguese Indo-European Latin high
qu Quechua Quechuan Latin low
ro Romanian Indo-European Latin mid
ru Russian Indo-European Cyrillic high
sw Swahili Niger-Congo Latin low
ta Tamil Dravidian Tamil mid
te Telugu Dravidian Telugu low
th Thai Kra-Dai Thai mid
tl Tagalog Austronesian Latin mid
tr Turkish Turkic Latin high
uk Ukrainian Indo-European Cyrillic mid
ur Urdu Indo-European Arabic mid
vi Vietnamese Austroasiatic Latin high
wo Wolof Niger-Congo Latin low
yo Yoruba Niger-Congo Latin low
zh Chinese Sino-Tibetan Han high
"""

LANGUAGES: dict[str, Language] = {
    code: Language(code, name, family, script, resource)
    for code, name, family, script, resource in (line.split() for line in _TABLE.strip().splitlines())
}


def language_name(code: str) -> str:
    return LANGUAGES[code].name if code in LANGUAGES else code
