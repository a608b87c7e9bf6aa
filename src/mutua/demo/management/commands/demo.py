"""`mutua demo`: load the demo communities (Riverside Mutual Aid and Hillside Neighbours)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from mutua.communities.models import Community
from mutua.demo.builder import DEFAULT_SEED, DEFAULT_SIZE, DEMO_LOGINS, DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = (
        "Build a realistic demo community of fictional people through the services. "
        "The same seed always gives the same people."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any community exists already (used by `make run`).",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--size", type=int, default=DEFAULT_SIZE, help="Members of Riverside (at least 12)."
        )

    def handle(self, *args, if_empty: bool, seed: int, size: int, **options):
        if Community.objects.exists():
            if if_empty:
                self.stdout.write("Communities exist already; the demo was not loaded.")
                return
            if Community.objects.filter(slug__in=["riverside", "hillside"]).exists():
                raise CommandError("The demo is loaded already (a community 'riverside' exists).")
        if size < 12:
            raise CommandError("--size must be at least 12.")
        started = time.monotonic()
        world = build_demo(seed=seed, size=size, progress=self.stdout.write)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {elapsed:.1f} s: {len(world.users)} people, "
                f"communities '{world.riverside.slug}' and '{world.hillside.slug}'."
            )
        )
        self.stdout.write(f"Log in with (password: {DEMO_PASSWORD}):")
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  {role:<12} {email}")
