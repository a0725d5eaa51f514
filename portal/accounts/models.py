from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may see comes from their roles (villages.RoleAssignment);
    the user model itself knows no region. Administrators are superusers."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.is_superuser
