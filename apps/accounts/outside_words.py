"""Words of the sign-in, sign-up and password pages that come from django-allauth and Django itself.

allauth has no Kiswahili catalogue and Django's lacks its password rules, so ours carries them (the same
message ids, extracted from here); ours is read first, so French uses these too.
"""

from django.utils.translation import gettext_noop, ngettext


def words() -> list[str]:
    """The message ids, for `makemessages` to find (nothing needs to call this)."""
    return [
        gettext_noop("Sign In"),
        gettext_noop("Sign in with a passkey"),
        gettext_noop("Send me a sign-in code"),
        gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
        gettext_noop("Forgot your password?"),
        gettext_noop("Remember Me"),
        gettext_noop("This functionality requires JavaScript."),
        gettext_noop("Signup"),
        gettext_noop("Sign Up"),
        gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
        gettext_noop("Sign up using a passkey"),
        gettext_noop("Password (again)"),
        gettext_noop("Password Reset"),
        gettext_noop("Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."),
        gettext_noop("Reset My Password"),
        gettext_noop("Please contact us if you have any trouble resetting your password."),
        gettext_noop("Email address"),
        gettext_noop("Your password can’t be too similar to your other personal information."),
        gettext_noop("Your password can’t be a commonly used password."),
        gettext_noop("Your password can’t be entirely numeric."),
        gettext_noop("This password is too common."),
        gettext_noop("This password is entirely numeric."),
        gettext_noop("The password is too similar to the %(verbose_name)s."),
        ngettext("Your password must contain at least %(min_length)d character.",
                 "Your password must contain at least %(min_length)d characters.", 10),
        ngettext("This password is too short. It must contain at least %d character.",
                 "This password is too short. It must contain at least %d characters.", 10),
    ]
