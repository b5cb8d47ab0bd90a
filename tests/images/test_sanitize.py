"""Refusing, decoding, stripping and re-encoding uploads (papote.images.sanitize)."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import random
import struct
import zipfile
import zlib

import pytest
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from papote.images import IMAGE_MESSAGES, CleanImage, ImageLimits, ImageRefused, decoded, sanitize
from papote.images.formats import jpeg_end
from tests.imaging import encode, gradient, jpeg_with_gps, shapes

REQUIRED_CODES = {
    "image_empty",
    "image_too_large",
    "image_format",
    "image_svg",
    "image_animated",
    "image_truncated",
    "image_corrupt",
    "image_polyglot",
    "image_too_many_pixels",
    "image_too_small",
}


def refusal(data: bytes, limits: ImageLimits | None = None) -> str:
    with pytest.raises(ImageRefused) as refused:
        sanitize(data, limits or ImageLimits())
    return refused.value.code


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + chunk_type + body + struct.pack(">I", zlib.crc32(chunk_type + body))


def png_header_bomb(width: int, height: int) -> bytes:
    """A well-formed PNG that claims `width` x `height` pixels but carries almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


def png_chunk_types(data: bytes) -> list[bytes]:
    types, pos = [], 8
    while pos < len(data):
        length, chunk_type = struct.unpack_from(">I4s", data, pos)
        types.append(chunk_type)
        pos += 12 + length
    return types


def jpeg_markers(data: bytes) -> list[int]:
    """Markers of the segments before the first scan."""
    markers, pos = [], 2
    while True:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack_from(">H", data, pos + 2)
        pos += 2 + length


def without_segment(jpeg: bytes, dropped: int) -> bytes:
    """The JPEG with every segment of marker `dropped` (before the first scan) left out."""
    kept, pos = bytearray(jpeg[:2]), 2
    while jpeg[pos + 1] != 0xDA:
        (length,) = struct.unpack_from(">H", jpeg, pos + 2)
        if jpeg[pos + 1] != dropped:
            kept += jpeg[pos : pos + 2 + length]
        pos += 2 + length
    return bytes(kept + jpeg[pos:])


def halves(left: tuple[int, int, int], right: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lisez-moi.txt", "contenu caché")
    return buffer.getvalue()


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# Messages -----------------------------------------------------------------------------------


def test_every_code_has_french_then_english_message() -> None:
    assert set(IMAGE_MESSAGES) >= REQUIRED_CODES
    for french, english in IMAGE_MESSAGES.values():
        assert french.endswith(".") and english.endswith(".")
        assert french != english
    assert IMAGE_MESSAGES["image_too_large"][0] == "Cette image est trop lourde (10 Mo au plus)."


def test_refusal_carries_code_and_messages_and_survives_pickling() -> None:
    refused = ImageRefused("image_svg")
    assert (refused.code, refused.fr, refused.en) == ("image_svg", *IMAGE_MESSAGES["image_svg"])
    copy = pickle.loads(pickle.dumps(refused))
    assert isinstance(copy, ImageRefused) and copy.code == "image_svg" and copy.fr == refused.fr
    with pytest.raises(ValueError):
        ImageRefused("image_unheard_of")


# Refusals -----------------------------------------------------------------------------------


def test_empty_file() -> None:
    assert refusal(b"") == "image_empty"


def test_eleven_megabyte_file_is_too_large() -> None:
    big = encode(shapes(1)) + b"\x00" * (11 * 1024 * 1024)
    assert refusal(big) == "image_too_large"
    assert refusal(encode(shapes(1)), ImageLimits(max_bytes=1000)) == "image_too_large"


@pytest.mark.parametrize("kind", ["BMP", "TIFF", "ICO", "PDF", "PPM", "TGA"])
def test_other_formats_are_refused(kind: str) -> None:
    assert refusal(encode(shapes(1, (64, 64)), kind)) == "image_format"


def test_heic_random_bytes_and_html_are_refused_as_format() -> None:
    assert refusal(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100) == "image_format"
    assert refusal(random.Random(7).randbytes(50_000)) == "image_format"
    assert refusal(b"<!doctype html><html><script>alert(1)</script></html>") == "image_format"


def test_svg_is_refused_even_disguised() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refusal(svg) == "image_svg"
    assert refusal(b"\xef\xbb\xbf\n   " + svg) == "image_svg"
    assert refusal(gzip.compress(svg)) == "image_svg"


def test_truncated_jpeg_png_gif_webp() -> None:
    picture = shapes(2, (200, 150))
    for kind in ("JPEG", "PNG", "WEBP"):
        data = encode(picture, kind)
        assert refusal(data[: len(data) * 2 // 3]) == "image_truncated", kind
    gif = encode(picture.convert("P"), "GIF")
    assert refusal(gif[: len(gif) // 2]) == "image_truncated"


def test_truncation_stays_fatal_in_pillow() -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_corrupt_pixel_data() -> None:
    png = bytearray(encode(shapes(2, (200, 150)), "PNG"))
    png[100] ^= 0x55
    assert refusal(bytes(png)) == "image_corrupt"
    # Well-formed segments that libjpeg cannot use: no quantisation table, or no frame header at all.
    jpeg = encode(shapes(2, (200, 150)))
    assert refusal(without_segment(jpeg, 0xDB)) == "image_corrupt"
    assert refusal(without_segment(jpeg, 0xC0)) == "image_corrupt"
    assert refusal(b"\xff\xd8\xff\xdb\x00\x05\x00\x00\x00\xff\xd9") == "image_corrupt"


def test_polyglots_are_refused() -> None:
    png = encode(shapes(3, (120, 90)), "PNG")
    jpeg = encode(shapes(3, (120, 90)))
    assert refusal(png + zip_bytes()) == "image_polyglot"
    assert refusal(jpeg + b"<!-- <html><body>page cachee</body></html> -->") == "image_polyglot"
    # Payloads hidden inside metadata rather than after the end are found too.
    text = png_chunk(b"tEXt", b"Comment\x00<?php system($_GET['c']); ?>")
    assert refusal(png[:33] + text + png[33:]) == "image_polyglot"
    comment = b"<script>alert(1)</script>"
    assert refusal(jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + jpeg[2:]) == (
        "image_polyglot"
    )


def test_animated_gif_webp_and_png_are_refused() -> None:
    frames = [shapes(seed, (80, 60)) for seed in (1, 2, 3)]
    gif_frames = [frame.convert("P") for frame in frames]
    assert (
        refusal(encode(gif_frames[0], "GIF", save_all=True, append_images=gif_frames[1:])) == "image_animated"
    )
    assert refusal(encode(frames[0], "WEBP", save_all=True, append_images=frames[1:])) == "image_animated"
    assert refusal(encode(frames[0], "PNG", save_all=True, append_images=frames[1:])) == "image_animated"


def test_header_bomb_is_refused_before_decoding() -> None:
    assert refusal(png_header_bomb(20000, 20000)) == "image_too_many_pixels"
    # Under PIL's own threshold, our limit catches it from the header (the IDAT could not even fill a row).
    assert refusal(png_header_bomb(8000, 6000)) == "image_too_many_pixels"


def test_pillow_bomb_check_is_kept_when_our_limit_is_higher() -> None:
    generous = ImageLimits(max_pixels=10**10)
    assert refusal(png_header_bomb(20000, 20000), generous) == "image_too_many_pixels"  # PIL's error
    assert refusal(png_header_bomb(10000, 10000), generous) == "image_too_many_pixels"  # PIL's warning


def test_small_limits_apply() -> None:
    assert refusal(encode(shapes(1, (200, 200))), ImageLimits(max_pixels=30_000)) == "image_too_many_pixels"
    assert refusal(encode(gradient(1, (15, 200)), "PNG")) == "image_too_small"
    assert refusal(encode(gradient(1, (300, 10)))) == "image_too_small"


# Accepted images ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "source_kind"), [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepted_kinds_become_jpeg(kind: str, source_kind: str) -> None:
    data = encode(shapes(4), kind)
    clean = sanitize(data)
    assert clean.source_kind == source_kind
    assert clean.mime == "image/jpeg" and clean.data.startswith(b"\xff\xd8\xff")
    assert (clean.width, clean.height) == (640, 480)
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    assert clean.source_sha256 == hashlib.sha256(data).hexdigest()
    assert clean.thumbnail_sha256 == hashlib.sha256(clean.thumbnail).hexdigest()


def test_still_gif_is_accepted() -> None:
    clean = sanitize(encode(shapes(4, (100, 80)).convert("P"), "GIF"))
    assert (clean.source_kind, clean.mime, clean.width, clean.height) == ("gif", "image/jpeg", 100, 80)


def test_phone_multi_picture_jpeg_is_accepted_as_its_first_picture() -> None:
    # iPhones and Android phones store an HDR gain map as a second picture declared by an MPF segment.
    data = encode(shapes(4), "MPO", save_all=True, append_images=[gradient(4)])
    clean = sanitize(data)
    assert (clean.source_kind, clean.width, clean.height) == ("jpeg", 640, 480)
    end, _ = jpeg_end(clean.data, 0)
    assert end == len(clean.data)  # one picture out, the gain map dropped


def test_file_name_plays_no_part_svg_named_png_is_still_svg() -> None:
    # sanitize only sees bytes; an SVG uploaded as "photo.png" is judged by its content.
    assert refusal(b'<svg xmlns="http://www.w3.org/2000/svg"/>') == "image_svg"


def test_pixels_survive_re_encoding() -> None:
    picture = halves((200, 30, 30), (30, 30, 200), (400, 200))
    clean = decoded(sanitize(encode(picture, "PNG")))
    red = clean.getpixel((50, 100))
    blue = clean.getpixel((350, 100))
    assert isinstance(red, tuple) and isinstance(blue, tuple)
    assert red[0] > 180 and red[2] < 60
    assert blue[2] > 180 and blue[0] < 60


def test_gps_and_camera_model_are_gone() -> None:
    data = jpeg_with_gps(shapes(5))
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get(0x0110) == "FictiveCam 3000"  # the fixture really carries it
    assert b"FictiveCam" in data
    clean = sanitize(data)
    for output in (clean.data, clean.thumbnail):
        assert b"FictiveCam" not in output
        assert b"Exif" not in output
        with Image.open(io.BytesIO(output)) as image:
            assert len(image.getexif()) == 0
            assert "exif" not in image.info


def test_jpeg_output_has_no_metadata_segment() -> None:
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>lieu: rue fictive</x:xmpmeta>"
    comment = b"appareil de Lea Fictive"
    source = encode(shapes(6), icc_profile=srgb_icc(), comment=comment)
    source = source[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + source[2:]
    clean = sanitize(source)
    for output in (clean.data, clean.thumbnail):
        markers = jpeg_markers(output)
        assert not [m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE], [hex(m) for m in markers]
        assert b"rue fictive" not in output and b"Lea Fictive" not in output
        with Image.open(io.BytesIO(output)) as image:
            assert "icc_profile" not in image.info


def test_png_output_has_no_text_or_metadata_chunk() -> None:
    picture = shapes(7, (200, 150)).convert("RGBA")
    picture.putpixel((0, 0), (0, 0, 0, 0))  # transparency keeps the output a PNG
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "lea_fictive92")
    info.add_text("Comment", "texte compressé", zip=True)
    info.add_itxt("Description", "légende", lang="fr")
    exif = Image.Exif()
    exif[0x0110] = "FictiveCam 3000"
    data = encode(picture, "PNG", pnginfo=info, exif=exif.tobytes(), icc_profile=srgb_icc())
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"} <= set(png_chunk_types(data))
    clean = sanitize(data)
    assert clean.mime == "image/png" and clean.thumbnail_mime == "image/png"
    for output in (clean.data, clean.thumbnail):
        assert set(png_chunk_types(output)) <= {b"IHDR", b"IDAT", b"IEND"}
        assert b"lea_fictive92" not in output and b"FictiveCam" not in output


def test_exif_orientation_is_applied() -> None:
    # Stored sideways: red on the left, blue on the right; orientation 6 means "turn 90° clockwise".
    stored = halves((220, 20, 20), (20, 20, 220), (200, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    clean = sanitize(encode(stored, exif=exif.tobytes()))
    assert (clean.width, clean.height) == (100, 200)
    upright = decoded(clean)
    top, bottom = upright.getpixel((50, 30)), upright.getpixel((50, 170))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 180 and bottom[2] > 180
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.getexif().get(0x0112) is None  # no orientation left to apply twice


def test_large_image_is_scaled_to_fit_and_thumbnail_made() -> None:
    clean = sanitize(encode(gradient(2, (3000, 1000)), "PNG"))
    assert (clean.width, clean.height) == (2048, 683)
    with Image.open(io.BytesIO(clean.thumbnail)) as thumbnail:
        assert thumbnail.size == (320, 107)
    assert len(clean.thumbnail) < len(clean.data)


def test_large_jpeg_may_be_decoded_at_half_scale_within_ten_percent() -> None:
    clean = sanitize(encode(shapes(9, (4000, 3000))))
    assert max(clean.width, clean.height) <= 2048
    assert max(clean.width, clean.height) >= 0.9 * 2048
    assert clean.width * 3 == clean.height * 4


def test_custom_limits_scale_output_and_thumbnail() -> None:
    clean = sanitize(encode(shapes(9, (800, 400))), ImageLimits(max_side=400, thumbnail_side=100))
    assert (clean.width, clean.height) == (400, 200)
    with Image.open(io.BytesIO(clean.thumbnail)) as thumbnail:
        assert thumbnail.size == (100, 50)


def test_small_image_is_never_scaled_up() -> None:
    clean = sanitize(encode(gradient(9, (40, 30)), "PNG"))
    assert (clean.width, clean.height) == (40, 30)
    with Image.open(io.BytesIO(clean.thumbnail)) as thumbnail:
        assert thumbnail.size == (40, 30)


def test_transparency_keeps_png_and_opaque_alpha_becomes_jpeg() -> None:
    transparent = Image.new("RGBA", (64, 64), (0, 128, 0, 255))
    transparent.paste((0, 0, 0, 0), (0, 0, 32, 64))
    assert sanitize(encode(transparent, "PNG")).mime == "image/png"
    opaque = Image.new("RGBA", (64, 64), (0, 128, 0, 255))
    assert sanitize(encode(opaque, "PNG")).mime == "image/jpeg"
    palette = Image.new("P", (64, 64), 1)
    palette.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    palette.paste(0, (0, 0, 16, 16))
    assert sanitize(encode(palette, "GIF", transparency=0)).mime == "image/png"
    assert sanitize(encode(palette, "GIF")).mime == "image/jpeg"


def test_colours_hidden_under_transparent_pixels_are_cleared() -> None:
    picture = shapes(3, (64, 64)).convert("RGBA")
    picture.putalpha(Image.new("L", (64, 64), 0))
    picture.putpixel((10, 10), (250, 250, 250, 255))  # one visible pixel keeps it an image with content
    clean = sanitize(encode(picture, "PNG"))
    with Image.open(io.BytesIO(clean.data)) as image:
        rgba = image.convert("RGBA")
        assert rgba.getpixel((40, 40)) == (0, 0, 0, 0)
        assert rgba.getpixel((10, 10)) == (250, 250, 250, 255)


def test_decoded_lays_transparency_on_white() -> None:
    picture = Image.new("RGBA", (64, 64), (0, 0, 200, 255))
    picture.paste((0, 0, 0, 0), (0, 0, 32, 64))
    image = decoded(sanitize(encode(picture, "PNG")))
    assert image.mode == "RGB" and image.size == (64, 64)
    assert image.getpixel((5, 5)) == (255, 255, 255)
    blue = image.getpixel((60, 5))
    assert isinstance(blue, tuple) and blue[2] > 180


def test_sixteen_bit_grey_png_keeps_its_tones() -> None:
    ramp = Image.linear_gradient("L").resize((64, 64)).convert("I").point(lambda v: v * 257)
    ramp16 = ramp.convert("I;16")
    image = decoded(sanitize(encode(ramp16, "PNG")))
    dark, light = image.getpixel((5, 2)), image.getpixel((5, 61))
    assert isinstance(dark, tuple) and isinstance(light, tuple)
    assert dark[0] < 30 and light[0] > 220


def test_cmyk_jpeg_becomes_rgb() -> None:
    clean = sanitize(encode(shapes(2, (64, 64)).convert("CMYK"), "JPEG"))
    assert decoded(clean).mode == "RGB" and clean.mime == "image/jpeg"


def test_same_upload_gives_same_clean_bytes() -> None:
    data = encode(shapes(11))
    first, second = sanitize(data), sanitize(data)
    assert first == second
    assert isinstance(first, CleanImage)
    assert sanitize(encode(shapes(12))).sha256 != first.sha256


def test_damaged_files_are_accepted_or_refused_never_crash() -> None:
    rng = random.Random(2024)
    picture = shapes(3, (96, 72))
    sources = [
        encode(picture),
        encode(picture, progressive=True),
        jpeg_with_gps(picture),
        encode(picture, "PNG"),
        encode(picture.convert("RGBA"), "PNG"),
        encode(picture, "WEBP"),
        encode(picture.convert("P"), "GIF"),
    ]
    outcomes: set[str] = set()
    for _ in range(400):
        data = bytearray(rng.choice(sources))
        position = rng.randrange(len(data))
        if rng.random() < 0.5:
            data[position] = rng.randrange(256)
        else:
            del data[position : position + rng.randrange(1, 20)]
        try:
            clean = sanitize(bytes(data))
        except ImageRefused as refused:
            outcomes.add(refused.code)
        else:
            outcomes.add("accepted")
            assert clean.data and clean.thumbnail
    assert {"accepted", "image_corrupt", "image_truncated"} <= outcomes


def test_refuses_to_run_if_truncated_images_were_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        sanitize(encode(shapes(1)))
