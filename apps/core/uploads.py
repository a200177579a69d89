"""Checks for uploaded files: the size, and that an image really is one."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_photo(upload) -> None:
    limit = settings.PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(f"The photo is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}.")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("This file is not an image. Upload a JPEG, PNG or WebP photo.") from None
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError("Upload a JPEG, PNG, WebP or GIF photo.")
