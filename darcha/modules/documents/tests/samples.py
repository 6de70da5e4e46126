"""Files made on the spot for the tests: real PDFs, images and impostors."""

import io
import struct
import zipfile
import zlib

from PIL import Image, ImageCms, PngImagePlugin
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

# What the fake clamd of the tests calls a virus; not a real signature, so no scanner on a
# developer's machine quarantines this file.
VIRUS_MARKER = b"DARCHA-TEST-VIRUS-MARKER"

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(pages: int = 1, *, text: bytes = b"BT /F1 12 Tf 10 10 Td (Ariza) Tj ET") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(200, 200)
        contents = DecodedStreamObject()
        contents.set_data(text)
        page[NameObject("/Contents")] = writer._add_object(contents.flate_encode())
    return _written(writer)


def pdf_with(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    change(writer)
    return _written(writer)


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value
    return action


def pdf_open_action_js() -> bytes:
    def change(writer):
        writer.root_object[NameObject("/OpenAction")] = _action(
            "/JavaScript", JS=TextStringObject("app.alert(1)")
        )

    return pdf_with(change)


def pdf_names_tree_js() -> bytes:
    return pdf_with(lambda writer: writer.add_open_action(JavaScript("app.alert(1);")))


def pdf_launch_action() -> bytes:
    def change(writer):
        writer.root_object[NameObject("/OpenAction")] = _action("/Launch", F=TextStringObject("cmd.exe"))

    return pdf_with(change)


def pdf_page_additional_action() -> bytes:
    def change(writer):
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): _action("/GoTo", D=ArrayObject([writer.pages[0].indirect_reference]))}
        )

    return pdf_with(change)


def pdf_link(uri: str) -> bytes:
    def change(writer):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 90, 30)]),
                NameObject("/A"): _action("/URI", URI=TextStringObject(uri)),
            }
        )
        writer.add_annotation(0, annotation)

    return pdf_with(change)


def pdf_xfa_form() -> bytes:
    def change(writer):
        xfa = DecodedStreamObject()
        xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
        writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(xfa)}
        )

    return pdf_with(change)


def pdf_embedded_file() -> bytes:
    return pdf_with(lambda writer: writer.add_attachment("invoice.exe", b"MZ\x90\x00payload"))


def pdf_file_attachment_annotation() -> bytes:
    def change(writer):
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FileAttachment"),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 30, 30)]),
                NameObject("/FS"): DictionaryObject(
                    {
                        NameObject("/Type"): NameObject("/Filespec"),
                        NameObject("/F"): TextStringObject("a.txt"),
                    }
                ),
            }
        )
        writer.add_annotation(0, annotation)

    return pdf_with(change)


def pdf_encrypted(password: str = "secret") -> bytes:
    return pdf_with(lambda writer: writer.encrypt(password))


def pdf_stream_bomb(inflated: int) -> bytes:
    """One page whose few kilobytes of content inflate to ``inflated`` bytes."""
    return pdf(text=b" " * inflated)


def obfuscated(data: bytes) -> bytes:
    """The same PDF with its script names written in #xx escapes, as malware does."""
    return data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")


def jpeg_with_gps(size=(40, 20)) -> bytes:
    """A photo as phones make them: sideways pixels, an orientation tag, GPS, a maker, a
    comment and a colour profile. The left half is red and the right half blue."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored sideways: turn 90° clockwise to show
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (41.0, 18.0, 30.0), 3: "E", 4: (69.0, 16.0, 45.0)}
    out = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes(), icc_profile=srgb, comment=b"home address")
    return out.getvalue()


def jpeg_with_broken_profile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "JPEG", icc_profile=b"not a colour profile" * 10)
    return out.getvalue()


def png_with_text() -> bytes:
    image = Image.new("RGBA", (16, 8), (0, 128, 0, 200))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Applicant name")
    info.add_itxt("Comment", "GPS 41.3, 69.2")
    exif = Image.Exif()
    exif[0x010F] = "ScannerMaker"
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif.tobytes())
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG that claims ten billion pixels in a few dozen bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024, 9))
        + _png_chunk(b"IEND", b"")
    )


def png_bad_checksum() -> bytes:
    data = bytearray(png_with_text())
    data[-20] ^= 0xFF  # inside the last data chunk, so its CRC no longer matches
    return bytes(data)


def exe() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 48
        + b"PE\x00\x00"
        + b"\x00" * 64
    )


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>fetch('/cabinet/')</script></body></html>"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


class Upload(io.BytesIO):
    """A binary stream with a name, as the intake accepts besides Django's UploadedFile."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


class EndlessStream:
    """A stream that would give ``total`` bytes of a PDF-looking file, counting what is read."""

    def __init__(self, total: int, name: str = "big.pdf"):
        self.total = total
        self.name = name
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self.total - self.read_bytes
        size = min(size, self.total - self.read_bytes)
        chunk = (b"%PDF-1.7\n" + b"0" * size)[:size] if self.read_bytes == 0 else b"0" * size
        self.read_bytes += len(chunk)
        return chunk
