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
    """Serve a stored upload with the type its (checked) extension gives, in a sandbox."""
    from django.http import FileResponse

    extension = field_file.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(field_file.open("rb"), content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
