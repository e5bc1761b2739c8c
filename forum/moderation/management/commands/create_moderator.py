"""python manage.py create_moderator EMAIL: a moderator account, ready to log in."""

import getpass
import os
import sys

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from forum.moderation.audit import audit_record
from forum.moderation.permissions import MODERATORS_GROUP


class Command(BaseCommand):
    help = (
        "Create a moderator (or make an existing account one): a member of the Moderators group with a "
        "verified e-mail address. The password comes from MODERATOR_PASSWORD when set, otherwise it is "
        "asked for twice. Two-factor authentication is set up at the first login."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="For an existing account: leave its password as it is.",
        )

    def handle(self, *args, email, keep_password=False, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        User = get_user_model()
        user = User.objects.filter(email__iexact=email).first()
        password = None
        if user is None or not keep_password:
            password = self._password(user or User(username=email[:150], email=email))
        with transaction.atomic():
            created = user is None
            if created:
                user = User.objects.create_user(username=email[:150], email=email, password=password)
            elif password is not None:
                user.set_password(password)
                user.save(update_fields=["password"])
            group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
            user.groups.add(group)
            address, _ = EmailAddress.objects.get_or_create(
                user=user, email__iexact=email, defaults={"email": email, "primary": True, "verified": True}
            )
            if not (address.verified and address.primary):
                EmailAddress.objects.filter(user=user).exclude(pk=address.pk).update(primary=False)
                address.verified = True
                address.primary = True
                address.save(update_fields=["verified", "primary"])
            audit_record(
                action="moderator.create" if created else "moderator.update",
                actor_label="manage.py create_moderator",
                target=user,
                details={"password_set": password is not None},
            )
        if options["verbosity"] >= 1:
            verb = "Created" if created else "Updated"
            self.stdout.write(
                self.style.SUCCESS(f"{verb} moderator {email}.")
                + " They log in at /accounts/login/ and set up two-factor authentication before the queue opens."
            )

    def _password(self, user) -> str:
        password = os.environ.get("MODERATOR_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError("Set MODERATOR_PASSWORD in the environment, or run this command in a terminal.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("That password is refused: " + " ".join(exc.messages)) from None
        return password
