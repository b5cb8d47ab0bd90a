"""Recognising uploads by content and walking their structure (papote.images.formats)."""

from __future__ import annotations

import gzip
import io
import random
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from papote.images import ImageRefused, sniff
from papote.images.formats import check_structure, foreign_signature
from tests.imaging import encode, noise, shapes

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def xmp_segment(xml: bytes) -> bytes:
    body = b"http://ns.adobe.com/xap/1.0/\x00" + xml
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_segment(jpeg: bytes, segment: bytes) -> bytes:
    """The JPEG with one more segment right after its SOI."""
    return jpeg[:2] + segment + jpeg[2:]


def mp4_boxes() -> bytes:
    """A tiny ISO media file: an ftyp box and an mdat box (what a motion photo appends)."""
    ftyp = struct.pack(">I4s", 16, b"ftyp") + b"mp42" + b"\x00\x00\x00\x00"
    payload = bytes(range(64))
    return ftyp + struct.pack(">I4s", 8 + len(payload), b"mdat") + payload


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "fichier caché")
    return buffer.getvalue()


def refusal(data: bytes, kind: str) -> str | None:
    try:
        check_structure(data, kind)
    except ImageRefused as refused:
        return refused.code
    return None


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif"), ("BMP", "bmp"), ("TIFF", "tiff")],
)
def test_sniff_recognises_pillow_formats_by_content(kind: str, expected: str) -> None:
    assert sniff(encode(shapes(1, (64, 48)), kind)) == expected


def test_sniff_recognises_other_known_kinds() -> None:
    assert sniff(encode(shapes(1, (64, 48)), "ICO")) == "ico"
    assert sniff(encode(shapes(1, (64, 48)), "PDF")) == "pdf"
    assert sniff(zip_bytes()) == "zip"
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") == "heic"
    assert sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1") == "avif"
    assert sniff(b"  <!DOCTYPE html><html><body>coucou</body></html>") == "html"


def test_sniff_unknown_content_is_none() -> None:
    assert sniff(random.Random(4).randbytes(4096)) is None
    assert sniff(b"juste du texte, pas une image") is None
    assert sniff(b"") is None


@pytest.mark.parametrize(
    "data",
    [
        SVG,
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- dessin -->\n' + SVG,
        b"\xef\xbb\xbf" + SVG,
        b" \r\n\t  " + SVG,
        "\ufeff".encode("utf-16-le") + SVG.decode().encode("utf-16-le"),
        b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">' + SVG.upper(),
        b'<x:dessin xmlns:x="http://www.w3.org/2000/svg"><x:rect/></x:dessin>',
        gzip.compress(SVG),
        gzip.compress(b"\xef\xbb\xbf   " + SVG),
    ],
)
def test_sniff_finds_svg_however_it_is_dressed(data: bytes) -> None:
    assert sniff(data) == "svg"


def test_sniff_gzip_of_something_else_is_not_svg() -> None:
    assert sniff(gzip.compress(b"rien de graphique ici")) == "gzip"


def test_sniff_gzip_bomb_is_only_peeked_at() -> None:
    bomb = gzip.compress(b"\x00" * 50_000_000)
    assert sniff(bomb) == "gzip"


def test_foreign_signatures_found_anywhere() -> None:
    photo = encode(shapes(2, (64, 64)))
    assert foreign_signature(photo[:200] + zip_bytes() + photo[200:]) == "zip"
    assert foreign_signature(photo + b"%PDF-1.7\n") == "pdf"
    assert foreign_signature(photo[:100] + b"<SCRIPT>alert(1)</SCRIPT>" + photo[100:]) == "<script"
    assert foreign_signature(photo[:100] + b"<?php echo 1; ?>" + photo[100:]) == "<?php"
    assert foreign_signature(photo[:100] + b"<Html>" + photo[100:]) == "<html"


def test_real_pixel_data_carries_no_foreign_signature() -> None:
    # Hard negatives: compressed pixels and an ordinary XMP packet must not look like another format.
    for seed in range(6):
        assert foreign_signature(encode(noise(seed, (512, 512)), quality=95)) is None
        assert foreign_signature(encode(noise(seed, (256, 256)), "PNG")) is None
    xmp = xmp_segment(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
    assert foreign_signature(with_segment(encode(shapes(3)), xmp)) is None


def test_jpeg_structure_accepts_whole_file_and_nul_padding() -> None:
    jpeg = encode(shapes(3))
    assert refusal(jpeg, "jpeg") is None
    assert refusal(jpeg + b"\x00" * 300, "jpeg") is None
    assert refusal(encode(shapes(3), progressive=True), "jpeg") is None


def test_jpeg_structure_refuses_cut_and_appended_files() -> None:
    jpeg = encode(shapes(3))
    assert refusal(jpeg[: len(jpeg) // 2], "jpeg") == "image_truncated"
    assert refusal(jpeg[:-2], "jpeg") == "image_truncated"
    assert refusal(jpeg + b"<!-- commentaire -->", "jpeg") == "image_polyglot"
    assert refusal(jpeg + zip_bytes(), "jpeg") == "image_polyglot"
    assert refusal(b"\xff\xd8\xff\xe0" + random.Random(1).randbytes(500), "jpeg") in (
        "image_corrupt",
        "image_truncated",
    )


def test_jpeg_extra_pictures_allowed_only_when_declared_by_mpf() -> None:
    mpo = encode(shapes(3), "MPO", save_all=True, append_images=[shapes(4)])
    assert refusal(mpo, "jpeg") is None
    # The same second picture glued on without an MPF segment is a file riding along.
    assert refusal(encode(shapes(3)) + encode(shapes(4)), "jpeg") == "image_polyglot"
    # An MPF segment does not excuse something that is not a JPEG.
    assert refusal(mpo + b"PAYLOAD", "jpeg") == "image_polyglot"


def test_motion_photo_video_allowed_only_when_declared_in_xmp() -> None:
    declared = with_segment(encode(shapes(3)), xmp_segment(b'<rdf:Description GCamera:MotionPhoto="1"/>'))
    assert refusal(declared + mp4_boxes(), "jpeg") is None
    assert refusal(declared + mp4_boxes() + b"extra", "jpeg") == "image_polyglot"
    assert refusal(encode(shapes(3)) + mp4_boxes(), "jpeg") == "image_polyglot"


def test_png_structure() -> None:
    png = encode(shapes(5, (64, 64)), "PNG")
    assert refusal(png, "png") is None
    assert refusal(png[:-6], "png") == "image_truncated"
    assert refusal(png + zip_bytes(), "png") == "image_polyglot"
    damaged = bytearray(png)
    damaged[60] ^= 0xFF  # inside the first IDAT: its CRC no longer matches
    assert refusal(bytes(damaged), "png") == "image_corrupt"
    assert refusal(
        encode(shapes(5, (64, 64)), "PNG", save_all=True, append_images=[shapes(6, (64, 64))]), "png"
    ) == ("image_animated")


def test_gif_structure() -> None:
    gif = encode(shapes(5, (64, 64)).convert("P"), "GIF")
    assert refusal(gif, "gif") is None
    assert refusal(gif[:-1], "gif") == "image_truncated"
    assert refusal(gif + b"<html></html>", "gif") == "image_polyglot"
    frames = [shapes(seed, (64, 64)).convert("P") for seed in (5, 6)]
    animated = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert refusal(animated, "gif") == "image_animated"


def test_webp_structure() -> None:
    webp = encode(shapes(5, (64, 64)), "WEBP")
    assert refusal(webp, "webp") is None
    assert refusal(webp[:-10], "webp") == "image_truncated"
    assert refusal(webp + b"PK\x03\x04\x14\x00", "webp") == "image_polyglot"
    animated = encode(shapes(5, (64, 64)), "WEBP", save_all=True, append_images=[shapes(6, (64, 64))])
    assert refusal(animated, "webp") == "image_animated"


def test_structure_of_unaccepted_kind_is_refused() -> None:
    assert refusal(encode(shapes(5, (64, 64)), "BMP"), "bmp") == "image_format"


def test_crafted_png_chunk_lengths_do_not_crash() -> None:
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4s", 0xFFFFFFF0, b"IHDR")
    assert refusal(header + b"\x00" * 32, "png") == "image_corrupt"
    body = b"IHDR" + struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    first = struct.pack(">I", 13) + body + struct.pack(">I", zlib.crc32(body))
    assert refusal(b"\x89PNG\r\n\x1a\n" + first, "png") == "image_truncated"


def test_pillow_still_reads_what_structure_accepts() -> None:
    # The walker and Pillow agree on where a file ends: trimming padding keeps it decodable.
    jpeg = encode(shapes(8)) + b"\x00" * 16
    check_structure(jpeg, "jpeg")
    with Image.open(io.BytesIO(jpeg)) as image:
        image.load()
        assert image.size == (640, 480)
