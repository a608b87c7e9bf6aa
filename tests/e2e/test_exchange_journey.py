"""The exchange loop in the browser at phone width: a member asks, a neighbour offers, the
first accepts, the help is marked done and confirmed, and the thank-you note arrives.

Two members and their community are seeded straight into the served site's database with
`mutua shell` (signing up through the browser is covered by test_journey.py); everything after
that happens in Chromium, with axe-core and a 375 px screenshot on every page.
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
SLUG = "elm-street"

SEED = f"""
from allauth.account.models import EmailAddress
from mutua.communities.models import Membership
from mutua.communities.services import community_create
from mutua.people.models import User
from mutua.people.services import profile_ensure

people = {{}}
for email, name in (("asha@example.org", "Asha Asker"), ("ben@example.org", "Ben Helper")):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, {PASSWORD!r})
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile_ensure(user=user, display_name=name)
    people[email] = user
from mutua.communities.models import Community

community = Community.objects.filter(slug={SLUG!r}).first() or community_create(
    creator=people["asha@example.org"], name="Elm Street Aid", slug={SLUG!r}
)
Membership.objects.update_or_create(
    community=community, user=people["ben@example.org"],
    defaults={{"role": "member", "status": "active"}},
)
"""


def seed(app_server) -> None:
    """Create the two members and their community in the served site's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutua.settings",
        "MUTUA_VAR_DIR": str(app_server.var_dir),
        "SECRET_KEY": "e2e-tests-only",
    }
    for name in ("DATABASE_URL", "HUEY_URL", "CACHE_URL", "DEBUG", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "mutua.cli", "shell", "-c", SEED],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def sign_in(page: Page, look, email: str, step: str) -> None:
    page.goto("/accounts/login/")
    look(page, f"{step}-sign-in")
    page.get_by_label(re.compile(r"e-?mail", re.I)).fill(email)
    page.get_by_label(re.compile(r"^password", re.I)).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=re.compile(r"sign in", re.I)).click()
    page.wait_for_load_state("load")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_member_asks_neighbour_helps_both_finish_and_the_thanks_arrives(
    app_server, new_context, look
):
    seed(app_server)
    asha = new_context().new_page()
    ben = new_context().new_page()
    sign_in(asha, look, "asha@example.org", "a")
    sign_in(ben, look, "ben@example.org", "b")

    # given Asha asks for help with her shopping
    asha.goto(f"/c/{SLUG}/needs/new/")
    look(asha, "a-ask-for-help")
    asha.get_by_label(re.compile(r"what is needed", re.I)).fill("Shopping from the market")
    asha.get_by_label(re.compile(r"kind of help", re.I)).select_option("errand")
    asha.get_by_label(re.compile(r"how soon", re.I)).select_option("week")
    asha.get_by_label(re.compile(r"^address", re.I)).fill("4 Elm Street, back door")
    asha.get_by_role("button", name=re.compile(r"post the need", re.I)).click()
    expect(asha.get_by_role("heading", level=1)).to_have_text("Shopping from the market")
    need_url = asha.url
    look(asha, "a-need-posted")

    # when Ben finds it in the list and offers to help
    ben.goto(f"/c/{SLUG}/needs/")
    look(ben, "b-needs")
    ben.get_by_role("link", name="Shopping from the market").click()
    expect(ben.get_by_text("4 Elm Street")).to_have_count(0)  # private until accepted
    look(ben, "b-need")
    ben.get_by_label(re.compile(r"when you could help", re.I)).fill("Saturday morning")
    ben.get_by_role("button", name=re.compile(r"offer to help", re.I)).click()
    expect(ben.get_by_text(re.compile(r"thank you", re.I)).first).to_be_visible()
    look(ben, "b-offered")

    # and Asha accepts his offer
    asha.goto(need_url)
    expect(asha.get_by_text(re.compile(r"Saturday morning"))).to_be_visible()
    look(asha, "a-offer-arrived")
    asha.get_by_role("button", name="Accept", exact=True).click()
    expect(asha.get_by_text(re.compile(r"accepted", re.I)).first).to_be_visible()
    look(asha, "a-accepted")

    # then Ben sees the private address and marks the help done with the hours he gave
    ben.goto(need_url)
    expect(ben.get_by_text("4 Elm Street, back door")).to_be_visible()
    ben.get_by_label(re.compile(r"hours given", re.I)).fill("1.5")
    ben.get_by_role("button", name=re.compile(r"mark as done", re.I)).click()
    expect(ben.get_by_text(re.compile(r"the other side will confirm", re.I))).to_be_visible()
    look(ben, "b-marked-done")

    # when Asha confirms and sends a private thank-you note
    asha.goto(need_url)
    asha.get_by_role("button", name=re.compile(r"confirm it is done", re.I)).click()
    expect(asha.get_by_text(re.compile(r"confirmed", re.I)).first).to_be_visible()
    look(asha, "a-confirmed")
    asha.get_by_label(re.compile(r"private thank-you note", re.I)).fill(
        "Thank you, Ben, the apples were perfect."
    )
    asha.get_by_role("button", name=re.compile(r"send thanks", re.I)).click()
    expect(asha.get_by_text(re.compile(r"thank-you note is sent", re.I))).to_be_visible()
    look(asha, "a-thanked")

    # then Ben sees the thanks on the need, which is done
    ben.goto(need_url)
    expect(ben.get_by_text(re.compile(r"the apples were perfect"))).to_be_visible()
    expect(ben.get_by_role("definition").filter(has_text=re.compile(r"^Done$"))).to_be_visible()
    look(ben, "b-thanks-arrived")

    # and Asha's own list of needs and tasks shows the help she received, done
    asha.goto("/me/help/")
    expect(asha.get_by_role("heading", level=1)).to_be_visible()
    look(asha, "a-my-help")
    look.assert_accessible()


def test_coordinator_edits_assigns_from_the_board_and_sets_up_a_standing_arrangement(
    app_server, new_context, look
):
    seed(app_server)
    asha = new_context().new_page()  # she started the community: its steward
    sign_in(asha, look, "asha@example.org", "c")

    # given a need Asha posted for a neighbour's weekly shopping
    asha.goto(f"/c/{SLUG}/needs/new/")
    asha.get_by_label(re.compile(r"what is needed", re.I)).fill("Weekly shop for Mr Lee")
    asha.get_by_label(re.compile(r"kind of help", re.I)).select_option("errand")
    asha.get_by_role("button", name=re.compile(r"post the need", re.I)).click()
    need_url = asha.url

    # when she changes it after posting
    asha.get_by_role("link", name=re.compile(r"change this need", re.I)).click()
    look(asha, "c-edit-need")
    asha.get_by_label(re.compile(r"what is needed", re.I)).fill("Tuesday shop for Mr Lee")
    asha.get_by_role("button", name=re.compile(r"save the changes", re.I)).click()
    expect(asha.get_by_role("heading", level=1)).to_have_text("Tuesday shop for Mr Lee")

    # and assigns Ben from the dispatch board's helper picker
    asha.goto(f"/c/{SLUG}/dispatch/")
    look(asha, "c-dispatch")
    row = asha.get_by_role("row").filter(has_text="Tuesday shop for Mr Lee")
    row.get_by_label("Helper", exact=True).select_option(label="Ben Helper")
    row.get_by_role("button", name="Assign").click()
    expect(asha.get_by_text(re.compile(r"assigned", re.I)).first).to_be_visible()

    # then she makes it a standing arrangement from Ben's commitment
    asha.goto(need_url)
    asha.get_by_role("link", name=re.compile(r"standing arrangement", re.I)).click()
    look(asha, "c-arrangement-new")
    asha.get_by_label(re.compile(r"how often", re.I)).select_option(label="Every Tuesday")
    asha.get_by_label(re.compile(r"the first time", re.I)).fill("2030-05-07T10:00")
    asha.get_by_label(re.compile(r"helper has already said yes", re.I)).check()  # Ben agreed
    asha.get_by_role("button", name=re.compile(r"set it up", re.I)).click()
    expect(asha.get_by_role("heading", level=1)).to_have_text("Tuesday shop for Mr Lee")
    look(asha, "c-arrangement")

    # and pauses it
    asha.get_by_role("button", name="Pause").click()
    expect(asha.get_by_text(re.compile(r"^Paused\.", re.I))).to_be_visible()
    asha.goto(f"/c/{SLUG}/arrangements/")
    look(asha, "c-arrangements")
    look.assert_accessible()
