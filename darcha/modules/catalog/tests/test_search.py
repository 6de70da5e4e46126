"""The search index on small hand-made catalogs: folding, typos, endings, ranking."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from darcha.modules.catalog.search import Entry, SearchIndex
from darcha.platform.text import APOSTROPHES


def entry(code, title, *, keywords=None, summary="", description="", popularity=50, texts=None) -> Entry:
    titles = texts or {"uz": title, "ru": title, "en": title}
    return Entry.from_definition(
        {
            "code": code,
            "title": titles,
            "summary": {"en": summary} if summary else {},
            "description": {"en": description} if description else {},
            "keywords": keywords or {},
            "popularity": popularity,
            "agency": "maktabgacha",
            "category": "education",
            "subcategory": "test",
            "level": "interactive",
            "audience": ["individual"],
            "life_situations": [],
        }
    )


KINDERGARTEN = entry(
    "kindergarten-placement",
    "",
    texts={
        "uz": "Davlat maktabgacha ta’lim tashkilotiga yo‘llanma olish",
        "ru": "Получение направления в государственную дошкольную образовательную организацию",
        "en": "Referral to a state kindergarten",
    },
    summary="Your child joins the queue for a state kindergarten.",
    description="A parent of a child aged 2 to 7 may apply.",
    keywords={
        "uz": ["bog‘cha", "bolalar bog‘chasi", "detsad"],
        "ru": ["детский сад", "садик"],
        "en": ["kindergarten", "nursery"],
    },
    popularity=95,
)
CATALOG = [
    KINDERGARTEN,
    entry("school-enrollment", "Maktabga qabul", keywords={"ru": ["запись в первый класс"]}, popularity=80),
    entry(
        "e-signature-key",
        "Elektron raqamli imzo kalitini olish",
        keywords={"uz": ["ERI"], "ru": ["ЭЦП"]},
        popularity=100,
    ),
    entry("foreign-passport", "Xorijga chiqish pasporti", keywords={"ru": ["загранпаспорт"]}, popularity=70),
    entry(
        "nanny-courses",
        "Courses for nannies",
        description="Work in a bog‘cha after the course",
        popularity=100,
    ),
]


@pytest.fixture(scope="module")
def index():
    return SearchIndex(CATALOG)


def codes(index, query, limit=10):
    return [m.entry.code for m in index.search(query, limit=limit)]


@pytest.mark.parametrize(
    "query",
    [
        "bog'cha",
        "bogʻcha",
        "bog‘cha",
        "bog’cha",
        "bog`cha",
        "bogcha",
        "BOG'CHA",
        "боғча",
        "детский сад",
        "kindergarten",
        "Детский  сад!",
    ],
)
def test_every_form_of_the_word_finds_the_kindergarten_first(index, query):
    assert codes(index, query)[0] == "kindergarten-placement"


@pytest.mark.parametrize(
    "query", ["kindergarden", "kindregarten", "bogca", "detskiy sat", "sadik", "дет сад"]
)
def test_one_or_two_typos_are_forgiven(index, query):
    assert codes(index, query)[0] == "kindergarten-placement"


def test_an_uzbek_ending_on_the_query_word_still_matches(index):
    assert codes(index, "bog‘chaga")[0] == "kindergarten-placement"
    assert codes(index, "садика")[0] == "kindergarten-placement"


def test_a_word_being_typed_matches_by_its_start(index):
    assert codes(index, "kinderg")[0] == "kindergarten-placement"
    assert codes(index, "загран")[0] == "foreign-passport"


def test_title_and_keyword_matches_outrank_description_matches_of_more_popular_services(index):
    assert codes(index, "bog'cha")[:2] == ["kindergarten-placement", "nanny-courses"]


def test_every_word_of_the_query_counts(index):
    assert codes(index, "maktabga qabul")[0] == "school-enrollment"


def test_abbreviations_match_across_scripts(index):
    assert codes(index, "эри")[0] == "e-signature-key"
    assert codes(index, "эцп")[0] == "e-signature-key"


def test_popularity_breaks_ties_between_equal_matches():
    index = SearchIndex(
        [entry("rare", "Car permit", popularity=10), entry("common", "Car permit", popularity=90)]
    )
    assert codes(index, "car permit") == ["common", "rare"]


def test_an_exact_word_beats_a_longer_word_that_starts_with_it():
    index = SearchIndex([entry("paternity", "Otalik", popularity=100), entry("father", "Ota", popularity=1)])
    assert codes(index, "ota") == ["father", "paternity"]


def test_an_exact_phrase_beats_the_same_words_apart():
    index = SearchIndex(
        [
            entry("apart", "Sad news about the garden", popularity=100),
            entry("phrase", "Other", keywords={"en": ["garden news"]}, popularity=1),
        ]
    )
    assert codes(index, "garden news")[0] == "phrase"


@pytest.mark.parametrize("query", ["", "   ", "!!!", "qwertyuiop", "zzzzzz xxxxxx"])
def test_queries_that_name_nothing_find_nothing(index, query):
    assert codes(index, query) == []


def test_a_very_long_query_is_cut_not_refused(index):
    assert codes(index, "kindergarten " * 100)[0] == "kindergarten-placement"


def test_scores_are_ordered_and_limit_is_kept(index):
    matches = index.search("olish", limit=1)
    assert len(matches) == 1
    everything = index.search("olish")
    assert [m.score for m in everything] == sorted((m.score for m in everything), reverse=True)


@settings(deadline=None)
@given(
    apostrophe=st.sampled_from([*APOSTROPHES, ""]),
    upper=st.lists(st.booleans(), min_size=7, max_size=7),
    spaces=st.integers(min_value=0, max_value=3),
)
def test_any_apostrophe_and_any_case_find_the_same_service(index, apostrophe, upper, spaces):
    word = "".join(c.upper() if u else c for c, u in zip(f"bog{apostrophe}cha", upper, strict=False))
    assert codes(index, " " * spaces + word + apostrophe)[0] == "kindergarten-placement"
