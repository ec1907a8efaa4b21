from django.core.management.base import BaseCommand, CommandError

from hubs.network import NetworkFileError, load_network


class Command(BaseCommand):
    help = "Load areas and hubs from a network file (.csv or .json); safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("file", help="e.g. hubs/networks/takatsuki.csv")

    def handle(self, *args, file, **options):
        try:
            report = load_network(file)
        except NetworkFileError as exc:
            raise CommandError(f"The network file was not loaded; nothing changed.\n{exc}") from exc
        for what in ("hub_kinds", "areas", "hubs"):
            self.stdout.write(
                f"{what}: {report.created[what]} created, {report.updated[what]} updated"
            )
        self.stdout.write(self.style.SUCCESS(f"Loaded {file}"))
