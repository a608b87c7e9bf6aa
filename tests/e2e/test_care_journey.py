"""Care in the browser at phone width: a member taps "I'm OK"; a missed check-in reaches a
circle member by e-mail through the real SMTP server; she opens the link, says "I'm on it",
gives the all-clear, and the all-clear e-mail follows.

People, the community and an overdue plan are seeded into the served site's database with
`mutua shell -c`, and the care sweep is run the same way (the served worker also sweeps; the
sweep is idempotent, so whichever runs first sends the alert exactly once).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT

pytestmark = [pytest.mark.browser]

PASSWORD = "a long walk by the river"
SLUG = "willow-lane"

SEED = f"""
import datetime as dt
from allauth.account.models import EmailAddress
from django.utils import timezone
from mutua.care import services
from mutua.care.models import CarePlan
from mutua.communities.models import Community, Membership
from mutua.communities.services import community_create
from mutua.people.models import User
from mutua.people.services import profile_ensure

people = {{}}
for email, name in (
    ("wren@example.org", "Wren Warden"),
    ("mara@example.org", "Mara Member"),
    ("pat@example.org", "Pat Alone"),
    ("cleo@example.org", "Cleo Circle"),
):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, {PASSWORD!r})
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile_ensure(user=user, display_name=name)
    people[email] = user
community = Community.objects.filter(slug={SLUG!r}).first() or community_create(
    creator=people["wren@example.org"], name="Willow Lane Aid", slug={SLUG!r}
)
for email in ("mara@example.org", "pat@example.org", "cleo@example.org"):
    Membership.objects.update_or_create(
        community=community, user=people[email], defaults={{"role": "member", "status": "active"}}
    )
mara, pat, cleo = people["mara@example.org"], people["pat@example.org"], people["cleo@example.org"]
if not CarePlan.objects.filter(person=mara).exists():
    services.care_plan_create(actor=mara, community=community, person=mara, times=["09:00"])
plan = CarePlan.objects.filter(person=pat).first()
if plan is None:
    plan = services.care_plan_create(
        actor=pat, community=community, person=pat, times=["09:00"], channels=["web"],
        reminder_leads=[],
    )
    contact = services.circle_invite(actor=pat, plan=plan, member=cleo)
    services.circle_accept(member=cleo, contact=contact)
    # Pat's deadline was 4.5 minutes ago (a step less than 5 minutes overdue is on time): the
    # next sweep asks Pat again (3.5 min ago) and, that time-out over, alerts Cleo, the first
    # in the circle (30 s ago); the next step is not due for 2.5 minutes.
    due = timezone.now() - dt.timedelta(minutes=4, seconds=30)
    CarePlan.objects.filter(pk=plan.pk).update(
        current_due_at=due, next_due_at=due, state="waiting", grace_minutes=1,
        contact_timeout_minutes=3,
    )
"""

SWEEP = """
from mutua.care.services import care_sweep
print(care_sweep())
"""


def shell(app_server, code: str) -> str:
    """Run Python in the served site's database with `mutua shell -c`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutua.settings",
        "MUTUA_VAR_DIR": str(app_server.var_dir),
        "SECRET_KEY": "e2e-tests-only",
        "SITE_URL": app_server.url,
    }
    for name in ("DATABASE_URL", "HUEY_URL", "CACHE_URL", "DEBUG", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "mutua.cli", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def sign_in(page: Page, look, email: str, step: str) -> None:
    page.goto("/accounts/login/")
    look(page, f"{step}-sign-in")
    page.get_by_label(re.compile(r"e-?mail", re.I)).fill(email)
    page.get_by_label(re.compile(r"^password", re.I)).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=re.compile(r"sign in", re.I)).click()
    page.wait_for_load_state("load")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_member_checks_in_and_a_missed_check_in_reaches_the_circle_until_all_clear(
    app_server, mailbox, new_context, look
):
    shell(app_server, SEED)

    # given Mara, who lives alone, opens her check-in page on her phone
    mara = new_context().new_page()
    sign_in(mara, look, "mara@example.org", "m")
    mara.goto("/care/")
    look(mara, "m-check-in")
    expect(mara.get_by_text(re.compile(r"in an emergency call 112", re.I)).first).to_be_visible()

    # when she taps the one big button
    mara.get_by_role("button", name="I'm OK").click()

    # then it is noted
    expect(mara.get_by_text(re.compile(r"noted that you are OK", re.I))).to_be_visible()
    look(mara, "m-checked-in")

    # given Pat missed a check-in an hour ago, when the care sweep runs
    shell(app_server, SWEEP)

    # then Cleo, first in Pat's circle, is e-mailed through the real SMTP server
    alert_mail = mailbox.wait_for("cleo@example.org", subject="Please check on Pat")
    assert "did not check in" in mailbox.body(alert_mail)
    link = mailbox.link(alert_mail, r"/l/[^/]+/")

    # when she opens the link (no password) and says she is on it
    cleo = new_context().new_page()
    cleo.goto(link)
    look(cleo, "c-alert-link")
    expect(cleo.get_by_role("heading", level=1)).to_have_text(re.compile(r"check on Pat"))
    cleo.get_by_role("button", name="I'm on it").click()
    expect(cleo.get_by_text(re.compile(r"you are on it", re.I))).to_be_visible()
    look(cleo, "c-on-it")

    # and, having found Pat well, she signs in and gives the all-clear on the plan page
    cleo.get_by_role("link", name=re.compile(r"open the plan page", re.I)).click()
    cleo.get_by_label(re.compile(r"e-?mail", re.I)).fill("cleo@example.org")
    cleo.get_by_label(re.compile(r"^password", re.I)).fill(PASSWORD)
    cleo.get_by_role("main").get_by_role("button", name=re.compile(r"sign in", re.I)).click()
    # the alert says who is on it, and so does the plan's history below
    on_it = cleo.get_by_role("paragraph").filter(has_text=re.compile(r"Cleo Circle is on it"))
    expect(on_it).to_be_visible()
    expect(cleo.get_by_role("cell", name="Cleo Circle is on it")).to_be_visible()
    look(cleo, "c-plan")
    cleo.get_by_label(re.compile(r"what happened", re.I)).select_option("was_fine")
    cleo.get_by_role("button", name="All clear").click()
    expect(cleo.get_by_role("heading", level=1)).to_have_text(re.compile(r"Care plan of Pat"))
    expect(cleo.get_by_text(re.compile(r"nobody is on it", re.I))).to_have_count(0)
    look(cleo, "c-all-clear")

    # then the all-clear e-mail follows
    clear_mail = mailbox.wait_for("cleo@example.org", subject="All clear for Pat")
    assert "all clear" in mailbox.body(clear_mail).lower()
    look.assert_accessible()
