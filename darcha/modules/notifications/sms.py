"""SMS length: GSM 03.38 text fits 160 characters in one part, anything else (Cyrillic,
Uzbek o‘ g‘) is sent as UCS-2 with 70; long texts are split into parts with room for a
concatenation header (153 and 67)."""

import math
from dataclasses import dataclass

import gsm0338  # noqa: F401 — registers the "gsm03.38" codec

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7 (extension characters take two), UTF-16 code units for UCS-2
    segments: int


def measure(text: str) -> SmsLength:
    try:
        units, single, part, encoding = len(text.encode("gsm03.38")), GSM_SINGLE, GSM_PART, "GSM-7"
    except UnicodeEncodeError:
        units, single, part, encoding = len(text.encode("utf-16-le")) // 2, UCS2_SINGLE, UCS2_PART, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / part)
    return SmsLength(encoding=encoding, units=units, segments=segments)
