import math
import string

from hypothesis import given
from hypothesis import strategies as st

from darcha.modules.notifications.sms import measure


def test_gsm_text_fits_160_characters_in_one_part():
    assert measure("a" * 160).segments == 1
    assert measure("a" * 160).encoding == "GSM-7"
    assert measure("a" * 161).segments == 2


def test_long_gsm_text_is_split_in_parts_of_153():
    assert measure("a" * 306).segments == 2
    assert measure("a" * 307).segments == 3


def test_gsm_extension_characters_take_two_septets():
    length = measure("€" * 80)
    assert (length.encoding, length.units, length.segments) == ("GSM-7", 160, 1)
    assert measure("{" * 81).segments == 2


def test_cyrillic_and_uzbek_okina_need_ucs2_with_70_characters():
    assert (measure("д" * 70).encoding, measure("д" * 70).segments) == ("UCS-2", 1)
    assert measure("д" * 71).segments == 2
    # One o‘ (U+2018) turns a whole Latin text into UCS-2.
    uzbek = "Darcha: arizangiz ko‘rib chiqilmoqda." + "a" * 40
    assert measure(uzbek).encoding == "UCS-2"
    assert measure(uzbek).segments == 2
    assert measure(uzbek.replace("‘", "'")).segments == 1


def test_long_ucs2_text_is_split_in_parts_of_67():
    assert measure("ж" * 134).segments == 2
    assert measure("ж" * 135).segments == 3


def test_characters_outside_the_basic_plane_count_twice():
    assert measure("🙂" * 35).units == 70
    assert measure("🙂" * 36).segments == 2


@given(st.text(alphabet=string.ascii_letters + string.digits + " .,:", max_size=800))
def test_plain_latin_text_parts_follow_the_gsm_rule(text):
    expected = 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    assert measure(text).segments == expected
