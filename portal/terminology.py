"""Django's own strings that the portal words differently in Indonesian.

Django's Indonesian catalogue says "sandi" where the portal says "kata sandi", and its login error
repeats the field name ("Masukkan nama pengguna nama pengguna ..."). Listing those msgids here puts
them in locale/id, whose translations take precedence over Django's. Nothing imports this module;
it exists for makemessages. Only strings shown on the portal's own account pages are listed.
"""

# The msgids must match Django's byte for byte, typographic apostrophes (U+2019) included.
# ruff: noqa: RUF001

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MSGIDS = (
    # django.contrib.auth.forms
    gettext_noop("Password"),
    gettext_noop("Password confirmation"),
    gettext_noop("Old password"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    # django.contrib.auth.password_validation (help texts under the new-password field)
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
)
