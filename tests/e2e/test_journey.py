"""The first journey: a newcomer starts a community and invites a neighbour, who joins.

Every page on the way is checked with axe-core and saved as a 375 px wide screenshot.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.support.ports import wait_until

pytestmark = [pytest.mark.browser]

PASSWORD = "a long walk by the river"


def sign_up(page: Page, look, mailbox, *, name: str, email: str, step: str) -> None:
    """Fill in the sign-up form, read the confirmation e-mail, open its link and confirm."""
    look(page, f"{step}-signup")
    page.get_by_label(re.compile(r"\bname\b", re.I)).fill(name)
    page.get_by_label(re.compile(r"e-?mail", re.I)).fill(email)
    page.get_by_label(re.compile(r"^password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"sign up|create", re.I)).click()
    page.wait_for_load_state("load")
    look(page, f"{step}-check-your-email")

    message = mailbox.wait_for(email, subject="onfirm")
    link = mailbox.link(message, r"/accounts/confirm-email/")
    page.goto(link)
    look(page, f"{step}-confirm-email")
    page.get_by_role("button", name=re.compile(r"confirm", re.I)).click()
    page.wait_for_load_state("load")
    look(page, f"{step}-confirmed")


def test_newcomer_starts_a_community_and_an_invited_neighbour_joins(new_context, mailbox, look):
    # given a newcomer with no account
    organiser = new_context().new_page()
    organiser.goto("/accounts/signup/")
    # when they sign up and confirm their e-mail address
    sign_up(organiser, look, mailbox, name="Nadia Newcomer", email="nadia@example.org", step="a")
    # then they are signed in
    organiser.goto("/c/new/")
    look(organiser, "a-new-community")

    # when they start a community
    organiser.get_by_label(re.compile(r"^name:?$", re.I)).fill("Riverside Mutual Aid")
    organiser.get_by_label(re.compile(r"web address", re.I)).fill("riverside")
    organiser.get_by_role("button", name=re.compile(r"start", re.I)).click()
    # then they land on its page as its steward
    expect(organiser).to_have_url(re.compile(r"/c/riverside/$"))
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Riverside Mutual Aid")
    look(organiser, "a-community")

    # when they invite a neighbour by e-mail
    organiser.get_by_role("main").get_by_role(
        "link", name=re.compile(r"invite", re.I)
    ).first.click()
    expect(organiser).to_have_url(re.compile(r"/c/riverside/invitations/$"))
    look(organiser, "a-invitations")
    organiser.get_by_label(re.compile(r"e-?mail address", re.I)).first.fill("omar@example.org")
    organiser.get_by_role("button", name="Invite", exact=True).click()
    organiser.wait_for_load_state("load")
    expect(organiser.get_by_text("omar@example.org").first).to_be_visible()
    look(organiser, "a-invited")

    # then the invitation arrives (sent by the worker after the commit)
    invitation = mailbox.wait_for("omar@example.org")
    join_link = mailbox.link(invitation, r"/join/[^/]+/")
    assert "Riverside Mutual Aid" in mailbox.body(invitation) + str(invitation["Subject"])

    # when the neighbour opens it in their own browser, creates an account and accepts
    neighbour = new_context().new_page()
    neighbour.goto(join_link)
    expect(neighbour.get_by_role("heading", level=1)).to_contain_text("Riverside Mutual Aid")
    look(neighbour, "b-invitation")
    neighbour.get_by_role("main").get_by_role(
        "link", name=re.compile(r"create an account", re.I)
    ).click()
    sign_up(neighbour, look, mailbox, name="Omar Neighbour", email="omar@example.org", step="b")
    # then confirming brings them back to the invitation, as its page promised
    expect(neighbour).to_have_url(join_link)
    look(neighbour, "b-invitation-signed-in")
    neighbour.get_by_role("button", name=re.compile(r"accept|join", re.I)).click()

    # then the neighbour sees the community as a member
    expect(neighbour).to_have_url(re.compile(r"/c/riverside/$"))
    expect(neighbour.get_by_role("heading", level=1)).to_have_text("Riverside Mutual Aid")
    expect(
        neighbour.get_by_role("heading", name=re.compile(r"you are a member", re.I))
    ).to_be_visible()
    look(neighbour, "b-member")
    look.assert_accessible()


def test_health_answers_ok_once_the_served_worker_beats(app_server):
    # given the site as `mutua serve` runs it (web server and worker)
    def health() -> dict | None:
        try:
            with urllib.request.urlopen(f"{app_server.url}/health", timeout=5) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError:
            return None  # 503 until the worker's first heartbeat

    # then /health soon answers 200 with the database and the worker both fine
    status = wait_until(health, timeout=90, what="/health to answer 200")
    assert status["database"] is True
    assert status["worker"] is True
