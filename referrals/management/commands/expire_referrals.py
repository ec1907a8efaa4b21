from django.core.management.base import BaseCommand

from referrals.services import expire_overdue


class Command(BaseCommand):
    help = (
        "Expire referrals left unanswered past their answer date and notify both hubs. "
        "Run once each morning (cron or a systemd timer)."
    )

    def handle(self, *args, **options):
        expired = expire_overdue()
        self.stdout.write(f"{len(expired)} referral(s) expired")
