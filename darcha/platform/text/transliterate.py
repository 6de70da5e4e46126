"""Uzbek Latin ↔ Cyrillic transliteration by the rules of the 1995 Latin alphabet.

Written here rather than taken from a package: the small transliterators on the
registries each miss something Darcha relies on (every apostrophe variant, case of
digraphs in ALL CAPS, e/ye and ц rules, leaving foreign words alone, round-tripping).

Rules, Latin → Cyrillic: o‘ ў, g‘ ғ, sh ш, ch ч, ng нг, yo ё, yu ю, ya я; ye is е at the
start of a word and after a vowel and ъе after a consonant (obyekt → объект); e is э at
the start of a word and after a vowel, е elsewhere; s’h is сҳ (Is’hoq → Исҳоқ); the
tutuq belgisi ’ is ъ; ц is written only in the loanword endings -tsiya/-tsion after a vowel
and -ksiya/-psiya, and in the listed words (Uzbek verbs keep тс: ketsa → кетса). Cyrillic →
Latin reverses these; ц is ts after a vowel and s elsewhere, ь is dropped, and Russian letters
get their usual Uzbek spelling.
"""

import re

from darcha.platform.text.apostrophes import APOSTROPHE_CLASS, OKINA, TUTUQ, normalize_apostrophes

# Loanwords whose spelling is not given by the letter rules. The Cyrillic form ends in ь
# only when the word stands alone (сентябрь, but сентябрда).
WORDS = {
    "yanvar": "январь",
    "fevral": "февраль",
    "aprel": "апрель",
    "iyun": "июнь",
    "iyul": "июль",
    "sentabr": "сентябрь",
    "oktabr": "октябрь",
    "noyabr": "ноябрь",
    "dekabr": "декабрь",
    "konsert": "концерт",
    "litsey": "лицей",
    "litsenziya": "лицензия",
    "sement": "цемент",
    "prinsip": "принцип",
    "sentr": "центр",
    "selsiy": "цельсий",
    "kompyuter": "компьютер",
    "intervyu": "интервью",
}
_STEMS_TO_CYRILLIC = sorted(
    ((lat, cyr.removesuffix("ь")) for lat, cyr in WORDS.items()), key=lambda p: -len(p[0])
)
_STEMS_TO_LATIN = sorted(
    ((cyr.removesuffix("ь"), lat) for lat, cyr in WORDS.items()), key=lambda p: -len(p[0])
)

LATIN_LETTERS = {
    "a": "а", "b": "б", "d": "д", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т",
    "u": "у", "v": "в", "x": "х", "y": "й", "z": "з",
}  # fmt: skip
LATIN_DIGRAPHS = {"o" + OKINA: "ў", "g" + OKINA: "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я"}
LATIN_VOWELS = set("aeiou")

CYRILLIC_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ё": "yo", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "x", "ч": "ch", "ш": "sh", "щ": "sh", "ы": "i", "э": "e",
    "ю": "yu", "я": "ya", "ў": "o" + OKINA, "қ": "q", "ғ": "g" + OKINA, "ҳ": "h",
    "е": None, "ц": None, "ъ": None, "ь": None,  # depend on their neighbours
}  # fmt: skip
CYRILLIC_VOWELS = set("аеёиоуўэюяы")
CYRILLIC_CONSONANTS = set(CYRILLIC_LETTERS) - CYRILLIC_VOWELS - {"ъ", "ь"}

_LETTER = r"[^\W\d_]"
# A Latin word: letters, with apostrophes inside it or closing o‘/g‘.
_LATIN_WORD = re.compile(
    rf"{_LETTER}(?:{_LETTER}|{APOSTROPHE_CLASS}(?={_LETTER})|(?<=[OoGg]){APOSTROPHE_CLASS})*"
)
_UZBEK_LATIN_WORD = re.compile(rf"(?:[A-Za-z]|{APOSTROPHE_CLASS})+")
# Addresses and domains are written in Latin letters in every script: my.gov.uz, a@b.uz.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|(?:[\w-]+\.)+[a-z]{2,}\b", re.IGNORECASE)
_CYRILLIC_RUN = re.compile("[" + "".join(CYRILLIC_LETTERS) + "".join(CYRILLIC_LETTERS).upper() + "]+")


def _cased(output: str, source: str, all_caps: bool) -> str:
    """Gives a unit's output the case of its source letters."""
    if all_caps:
        return output.upper()
    return output[:1].upper() + output[1:] if source[:1].isupper() else output


def _is_all_caps(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


# --- Latin → Cyrillic ----------------------------------------------------------------------


def to_cyrillic(text: str) -> str:
    """Uzbek Latin to Uzbek Cyrillic; foreign words, digits and punctuation are kept."""
    parts = []
    end = 0
    for address in _ADDRESS.finditer(text):
        parts += [_LATIN_WORD.sub(_word_to_cyrillic, text[end : address.start()]), address.group()]
        end = address.end()
    parts.append(_LATIN_WORD.sub(_word_to_cyrillic, text[end:]))
    return "".join(parts)


def _word_to_cyrillic(match: re.Match) -> str:
    word = match.group()
    if not _UZBEK_LATIN_WORD.fullmatch(word):
        return word
    word = normalize_apostrophes(word)
    lower = word.lower()
    if re.search(r"c(?!h)|w", lower):  # letters outside the Uzbek alphabet: a foreign word
        return word
    all_caps = _is_all_caps(word)
    out: list[str] = []
    i, previous = 0, ""  # previous: "vowel", "consonant" or "" (start of word, apostrophe)
    for latin, cyrillic in _STEMS_TO_CYRILLIC:
        if lower.startswith(latin):
            whole = WORDS[latin] if lower == latin else cyrillic
            out.append(_cased(whole, word[0], all_caps))
            i, previous = len(latin), "vowel" if latin[-1] in LATIN_VOWELS else "consonant"
            break
    while i < len(lower):
        unit, cyrillic, kind = _latin_unit(lower, i, previous)
        out.append(_cased(cyrillic, word[i : i + len(unit)], all_caps))
        i += len(unit)
        previous = kind
    return "".join(out)


def _latin_unit(lower: str, i: int, previous: str) -> tuple[str, str, str]:
    """The Latin letters at i that make one Cyrillic letter: (source, Cyrillic, kind)."""
    pair = lower[i : i + 2]
    char = lower[i]
    if pair == "ye":
        return pair, "ъе" if previous == "consonant" else "е", "vowel"
    if pair in {"yo", "yu", "ya"} and lower[i + 2 : i + 3] != OKINA:
        return pair, LATIN_DIGRAPHS[pair], "vowel"
    if pair in LATIN_DIGRAPHS and pair[0] != "y":
        return pair, LATIN_DIGRAPHS[pair], "vowel" if pair[0] == "o" else "consonant"
    if pair == "ts" and previous == "vowel" and re.match(r"tsi(ya|on)", lower[i:]):
        return pair, "ц", "consonant"
    if char == "s" and lower[i - 1 : i] in {"k", "p"} and lower[i + 1 : i + 4] == "iya":
        return char, "ц", "consonant"  # aksiya → акция, opsiya → опция
    if char == "e":
        return char, "е" if previous == "consonant" else "э", "vowel"
    if char == TUTUQ:
        # s’h keeps the letters apart (Is’hoq → Исҳоқ); elsewhere it is the tutuq belgisi ъ.
        if lower[i - 1 : i] == "s" and lower[i + 1 : i + 2] == "h":
            return char, "", "consonant"
        return char, "ъ", ""
    return char, LATIN_LETTERS[char], "vowel" if char in LATIN_VOWELS else "consonant"


# --- Cyrillic → Latin ----------------------------------------------------------------------


def to_latin(text: str) -> str:
    """Uzbek (and Russian) Cyrillic to Uzbek Latin; other text is kept."""
    return _CYRILLIC_RUN.sub(lambda m: _run_to_latin(m.group()), text)


def _run_to_latin(run: str) -> str:
    lower = run.lower()
    all_caps = _is_all_caps(run)
    out: list[str] = []
    start = 0
    for cyrillic, latin in _STEMS_TO_LATIN:
        if lower.startswith(cyrillic):
            stem_end = len(cyrillic) + (1 if lower[len(cyrillic) : len(cyrillic) + 1] == "ь" else 0)
            out.append(_cased(latin, run[0], all_caps))
            start = stem_end
            break
    out.extend(_cased(_cyrillic_letter(lower, i), run[i], all_caps) for i in range(start, len(lower)))
    return "".join(out)


def _cyrillic_letter(lower: str, i: int) -> str:
    char = lower[i]
    before = lower[i - 1] if i else ""
    after = lower[i + 1 : i + 2]
    if char == "е":
        return "e" if before in CYRILLIC_CONSONANTS else "ye"
    if char == "ц":
        return "ts" if before in CYRILLIC_VOWELS else "s"
    if char == "ъ":
        # Russian-style ъ before е after a consonant (объект → obyekt) is carried by the y.
        return "" if before in CYRILLIC_CONSONANTS and after == "е" else TUTUQ
    if char == "ь":
        return "y" if after == "о" else ""
    if char == "ҳ" and before == "с":
        return TUTUQ + "h"  # сҳ is two letters, not sh: Исҳоқ → Is’hoq
    return CYRILLIC_LETTERS[char]
