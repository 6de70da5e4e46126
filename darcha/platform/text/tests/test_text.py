import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from darcha.platform.text import (
    APOSTROPHES,
    content_key,
    localized,
    normalize_apostrophes,
    search_key,
    to_cyrillic,
    to_latin,
)

PAIRS = [
    ("o‘zbek", "ўзбек"),
    ("O‘zbekiston", "Ўзбекистон"),
    ("g‘isht", "ғишт"),
    ("ma’lumot", "маълумот"),
    ("yoshlar", "ёшлар"),
    ("Toshkent", "Тошкент"),
    ("sentabr", "сентябрь"),
    ("sentabrda", "сентябрда"),
    ("Yangiyo‘l", "Янгийўл"),
    ("SHAHAR", "ШАҲАР"),
    ("Shahar", "Шаҳар"),
    ("O‘ZBEKISTON RESPUBLIKASI", "ЎЗБЕКИСТОН РЕСПУБЛИКАСИ"),
    ("Qoraqalpog‘iston", "Қорақалпоғистон"),
    ("Chilonzor", "Чилонзор"),
    ("yo‘l", "йўл"),
    ("yer", "ер"),
    ("yetti", "етти"),
    ("ekran", "экран"),
    ("aeroport", "аэропорт"),
    ("poyezd", "поезд"),
    ("obyekt", "объект"),
    ("dunyo", "дунё"),
    ("tayyor", "тайёр"),
    ("Is’hoq", "Исҳоқ"),
    ("e’lon", "эълон"),
    ("mo‘’tabar", "мўътабар"),
    ("san’at", "санъат"),
    ("ma’yus", "маъюс"),
    ("keng", "кенг"),
    ("ketsa", "кетса"),
    ("federatsiya", "федерация"),
    ("Konstitutsiya", "Конституция"),
    ("litsey", "лицей"),
    ("inspeksiyasi", "инспекцияси"),
    ("aksiya", "акция"),
    ("opsiya", "опция"),
    ("pensiya", "пенсия"),
    ("konsert", "концерт"),
    ("kompyuter", "компьютер"),
    ("oktabr", "октябрь"),
    ("1-sentabr, 2025-yil.", "1-сентябрь, 2025-йил."),
    ("Mirzo Ulug‘bek tumani", "Мирзо Улуғбек тумани"),
]


@pytest.mark.parametrize(("latin", "cyrillic"), PAIRS)
def test_tricky_words_both_ways(latin, cyrillic):
    assert to_cyrillic(latin) == cyrillic
    assert to_latin(cyrillic) == latin


@pytest.mark.parametrize("okina", ["'", "‘", "’", "ʻ", "ʼ", "`", "‛", "′", "´"])
def test_every_apostrophe_variant_is_read(okina):
    assert (
        to_cyrillic(f"O{okina}zbekiston, G{okina}ijduvon, ma{okina}lumot") == "Ўзбекистон, Ғиждувон, маълумот"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Facebook",
        "https://my.gov.uz/uz/service/123",
        "info@gov.uz",
        "data.gov.uz",
        "Москва",
        "2025",
        "«—»?!",
        "café",
        "İstanbul",
        "\u212aelvin",  # Kelvin sign, which case-folds to k
        "",
    ],
)
def test_foreign_text_digits_and_addresses_are_kept_by_to_cyrillic(text):
    assert to_cyrillic(text) == text


def test_quotes_around_words_are_not_tutuq():
    assert to_cyrillic("'Toshkent' va “Samarqand”") == "'Тошкент' ва “Самарқанд”"


def test_russian_cyrillic_to_latin():
    assert to_latin("Васильев") == "Vasilyev"
    assert to_latin("цирк и центр") == "sirk i sentr"
    assert to_latin("Щука, бульон") == "Shuka, bulyon"
    assert to_latin("Toshkent 2025") == "Toshkent 2025"


def test_normalize_apostrophes():
    assert normalize_apostrophes("O'zbekiston ma'lumot g`isht") == "O‘zbekiston ma’lumot g‘isht"
    assert normalize_apostrophes("mo''tabar") == "mo‘’tabar"
    assert normalize_apostrophes("taʼlim, bogʻ") == "ta’lim, bog‘"


@pytest.mark.parametrize(
    "variant", ["bog'cha", "bogʻcha", "bog‘cha", "bog’cha", "bogcha", "боғча", "БОҒЧА", " Bog`cha! "]
)
def test_search_key_folds_apostrophes_case_and_script(variant):
    assert search_key(variant) == "bogcha"


def test_search_key_russian_and_punctuation():
    assert search_key("Детский  сад (5)") == "detskiy sad 5"
    assert (
        search_key("Toshkent sh., Chilonzor t.")
        == search_key("Тошкент ш., Чилонзор т.")
        == "toshkent sh chilonzor t"
    )
    assert search_key("Ömer ﬁle") == "omer file"


# --- Properties --------------------------------------------------------------------------

CONSONANTS = [*"bdfghjklmnpqrstvxyz", "g‘", "sh", "ch"]
VOWELS = [*"aeiou", "o‘"]
TUTUQ = "’"


@st.composite
def uzbek_words(draw):
    """Words of the Latin alphabet in canonical form (what normalize_apostrophes gives)."""
    units = draw(st.lists(st.sampled_from([*CONSONANTS, *VOWELS, TUTUQ]), min_size=3, max_size=12))
    word = "".join(units)
    assume(not word.startswith(TUTUQ) and not word.endswith(TUTUQ) and TUTUQ * 2 not in word)
    assume(normalize_apostrophes(word) == word)
    # The one ambiguous spelling: consonant + ’ + ye reads back as the Russian-style ъе.
    assume(
        not any(
            word[i - 1] in "bdfghjklmnpqrstvxyz" and word[i + 1 : i + 3] == "ye"
            for i, c in enumerate(word)
            if c == TUTUQ
        )
    )
    # Misspellings of the listed loanwords (sentyabr for sentabr) read back correctly spelt.
    assume(not word.startswith(("sentyabr", "oktyabr")))
    case = draw(st.sampled_from([str.lower, str.capitalize, str.upper]))
    return case(word)


@given(uzbek_words())
def test_round_trip_latin_cyrillic_latin(word):
    assert to_latin(to_cyrillic(word)) == word


@given(uzbek_words())
def test_cyrillic_output_has_no_latin_letters(word):
    assert not any("a" <= c.lower() <= "z" for c in to_cyrillic(word))


@given(st.lists(uzbek_words(), min_size=1, max_size=5), st.data())
def test_apostrophe_variants_transliterate_alike(words, data):
    text = " ".join(words)
    varied = "".join(data.draw(st.sampled_from(APOSTROPHES)) if c in "‘’" else c for c in text)
    assert to_cyrillic(varied) == to_cyrillic(text)
    assert search_key(varied) == search_key(text)


@given(st.lists(uzbek_words(), min_size=1, max_size=5))
def test_search_key_same_across_scripts_and_without_apostrophes(words):
    text = " ".join(words)
    key = search_key(text)
    assert search_key(to_cyrillic(text)) == key
    assert search_key(text.replace("‘", "").replace("’", "")) == key


@given(st.text())
def test_search_key_idempotent_and_total(text):
    key = search_key(text)
    assert search_key(key) == key
    assert key == key.strip() and "  " not in key


@given(st.text())
def test_transliteration_never_raises(text):
    assert isinstance(to_latin(to_cyrillic(text)), str)
    assert isinstance(normalize_apostrophes(text), str)


# --- Translatable content ----------------------------------------------------------------

NAMES = {
    "uz": "Chilonzor tumani",
    "uz_cyrl": "Чилонзор тумани",
    "ru": "Чиланзарский район",
    "en": "Chilonzor District",
}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("uz", "Chilonzor tumani"),
        ("uz-cyrl", "Чилонзор тумани"),
        ("uz_cyrl", "Чилонзор тумани"),
        ("uz-Cyrl", "Чилонзор тумани"),
        ("ru", "Чиланзарский район"),
        ("ru-RU", "Чиланзарский район"),
        ("en", "Chilonzor District"),
        ("fr", "Chilonzor tumani"),
    ],
)
def test_localized_picks_the_language(lang, expected):
    assert localized(NAMES, lang) == expected


def test_localized_uses_the_active_language():
    from django.utils import translation

    with translation.override("ru"):
        assert localized(NAMES) == "Чиланзарский район"
        assert content_key() == "ru"


def test_localized_fills_gaps():
    assert localized({"uz": "Yangiyo‘l shahri"}, "uz-cyrl") == "Янгийўл шаҳри"
    assert localized({"uz": "Yangiyo‘l shahri", "ru": ""}, "ru") == "Yangiyo‘l shahri"
    assert localized({"ru": "Только русский"}, "en") == "Только русский"
    assert localized({}, "en") == ""
