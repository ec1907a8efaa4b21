from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hubs.models import Hub, Membership, Role


class Command(BaseCommand):
    help = (
        "Create a user account if needed and give it a role at a hub. New accounts get no "
        "usable password: set one with 'manage.py changepassword USERNAME'."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--hub", required=True, help="hub code, e.g. desk")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--family-name", default="")
        parser.add_argument("--given-name", default="")
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username, hub, role, family_name, given_name, email, **options):
        try:
            hub_obj = Hub.objects.get(code=hub)
        except Hub.DoesNotExist as exc:
            raise CommandError(f"No hub with code '{hub}'.") from exc
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"last_name": family_name, "first_name": given_name, "email": email},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership, _ = Membership.objects.update_or_create(
            user=user, hub=hub_obj, role=role, defaults={"active": True}
        )
        self.stdout.write(
            self.style.SUCCESS(f"{'Created' if created else 'Updated'} {username}: {membership}")
        )
