import sys
import time

from django.core.management.base import BaseCommand, CommandError

from bench.generator import SCALE_1, CityGenerator, NotReady


class Command(BaseCommand):
    help = (
        "Fill an empty database with a synthetic city over the loaded hub network. Scale 1 is "
        "ten years of a Takatsuki-sized caseload: "
        + ", ".join(f"{count:,} {name}" for name, count in SCALE_1.items())
        + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = a whole city")
        parser.add_argument("--seed", type=int, default=7, help="same seed, same data")
        parser.add_argument("--years", type=int, default=10, help="how many years back")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: keep indexes and foreign keys during the load (slower)",
        )

    def handle(self, *args, scale, seed, years, no_progress, keep_indexes, **options):
        if not 0 < scale <= 20:
            raise CommandError("--scale must be above 0 and at most 20.")
        if years < 1:
            raise CommandError("--years must be at least 1.")
        verbose = options["verbosity"] > 1
        generator = CityGenerator(
            scale=scale,
            seed=seed,
            years=years,
            progress=not no_progress and sys.stderr.isatty(),
            drop_indexes=not keep_indexes,
            log=(lambda message: self.stderr.write(message)) if verbose else None,
        )
        try:
            generator.check_ready()
        except NotReady as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        counts = generator.run()
        elapsed = time.perf_counter() - started
        rows = sum(counts.values())
        for table, count in sorted(counts.items()):
            self.stdout.write(f"{table:40} {count:>10,}")
        if verbose:
            slowest = sorted(generator.loader.timings.items(), key=lambda kv: -kv[1])[:12]
            self.stderr.write("Slowest writes and index/constraint builds (s):")
            for name, seconds in slowest:
                self.stderr.write(f"  {name:60} {seconds:7.2f}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {rows:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s), "
                f"scale {scale}, seed {seed}."
            )
        )
