"""Console mail that a person can read: headers and the text itself, not its transfer encoding.

Django's console backend prints the raw message, in which a long link is quoted-printable and
broken across lines with "=" (useless for clicking a confirmation or invitation link in a
terminal). This one prints each text part decoded, and names the attachments.
"""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        email = message.message()
        lines = [f"{name}: {email[name]}" for name in ("From", "To", "Cc", "Subject", "Date") if email[name]]
        for part in email.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if filename:
                lines.append(f"[attachment: {filename}, {part.get_content_type()}]")
            elif part.get_content_type() == "text/plain":
                lines.extend(["", part.get_content().rstrip()])
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
