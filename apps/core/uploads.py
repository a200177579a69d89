"""Checks for uploaded files: the size, and that an image really is one of a sane size."""

import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# A 27 KB PNG can declare 15,000 x 15,000 pixels and take close to a gigabyte to decode. Images are
# measured from their header before any decoding; Pillow's own guard is set to the same limit so
# that no code path (thumbnails included) decodes a larger one.
MAX_PIXELS = settings.IMAGE_MAX_PIXELS
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def image_problem(upload, *, formats=PHOTO_FORMATS, what=None, not_an_image: str = "") -> str | None:
    """What is wrong with an uploaded image, or None: not an image, a format not taken, or more
    pixels than the limit (read from the header, before anything is decoded)."""
    what = what or _("photo")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return _("The %(what)s is %(width)s x %(height)s pixels; the limit is %(limit)s megapixels. Take it "
                             "again at a lower resolution.") % {"what": what, "width": number_format(width, force_grouping=True),
                                                                 "height": number_format(height, force_grouping=True),
                                                                 "limit": MAX_PIXELS // 1_000_000}
                image_format = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _("The %(what)s has more pixels than the limit of %(limit)s megapixels.") % {
            "what": what, "limit": MAX_PIXELS // 1_000_000}
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return not_an_image or _("This file is not an image. Upload a JPEG, PNG or WebP %(what)s.") % {"what": what}
    finally:
        upload.seek(0)
    if image_format not in formats:
        return _("Upload a JPEG, PNG, WebP or GIF photo.")
    return None


def validate_photo(upload) -> None:
    limit = settings.PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The photo is %(size)s; the limit is %(limit)s.") % {
            "size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
    if problem := image_problem(upload):
        raise ValidationError(problem)


CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif", "pdf": "application/pdf"}
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def rename_by_content(upload, stem: str) -> None:
    """Give an upload a name whose extension matches what the bytes are, not what the sender said.

    Files are served with the type their name implies; a photo named page.html must not come back
    as a web page.
    """
    upload.seek(0)
    if upload.read(4) == b"%PDF":
        extension = "pdf"
    else:
        upload.seek(0)
        with Image.open(upload) as image:
            extension = _EXTENSIONS.get(image.format, "bin")
    upload.seek(0)
    upload.name = f"{stem}.{extension}"


def serve_upload(field_file):
    """Serve a stored upload with the type its (checked) extension gives, in a sandbox (or redirect to a
    signed URL when the files live in Supabase Storage)."""
    from .storage import file_response

    extension = field_file.name.rsplit(".", 1)[-1].lower()
    return file_response(field_file.name, storage=field_file.storage, sandbox=True,
                         content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))


class PhotoField(forms.ImageField):
    """An image upload checked for size and pixels before Pillow decodes anything."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        validate_photo(data)
        return super().to_python(data)
