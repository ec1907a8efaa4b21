from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.demo import seed_cases
from cases.demo_conference import seed_conferences
from cases.demo_support import seed_support
from hubs.demo import DEMO_PASSWORD, DEMO_USERS
from hubs.models import Hub, Membership
from referrals.demo import seed_referrals


class Command(BaseCommand):
    help = "Create demo users (one per role) on the loaded network. Development only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never in production).",
        )

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with "
                "DEBUG off. Use --force only on a throwaway database."
            )
        hub_codes = {code for *_, memberships in DEMO_USERS for code, _role in memberships}
        hubs = Hub.objects.in_bulk(hub_codes, field_name="code")
        missing = hub_codes - set(hubs)
        if missing:
            raise CommandError(
                f"Load the network first (manage.py load_network hubs/networks/takatsuki.csv); "
                f"missing hubs: {', '.join(sorted(missing))}"
            )
        User = get_user_model()
        for username, family, given, memberships in DEMO_USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={"last_name": family, "first_name": given, "is_active": True},
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            for code, role in memberships:
                Membership.objects.update_or_create(
                    user=user, hub=hubs[code], role=role, defaults={"active": True}
                )
        admin, _ = User.objects.update_or_create(
            username="admin",
            defaults={
                "last_name": "情報システム",
                "first_name": "担当",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo users ready ({len(DEMO_USERS) + 1}); password for all: {DEMO_PASSWORD}"
            )
        )
        created = seed_cases()
        if created:
            households, cases, persons = created
            self.stdout.write(
                f"Demo caseload: {households} households, {persons} persons, {cases} cases"
            )
        else:
            self.stdout.write("Demo caseload already present; left as it is.")
        referrals = seed_referrals()
        if referrals:
            self.stdout.write(f"Demo referrals: {referrals}")
        if seed_support():
            self.stdout.write("Demo records, outreach and support plans ready")
        if seed_conferences():
            self.stdout.write("Demo meetings ready (one approved, one coming up, one 支援会議)")
