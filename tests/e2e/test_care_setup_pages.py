"""The care setup pages on a phone, each opened by the person who uses it: a coordinator sets
up a plan for someone (also with the form's errors showing) and keeps the on-call rota; the
person changes their plan, pauses it and manages their circle.

Every page gets axe-core and a screenshot (through `look`), and nothing may stick out to the
side at 360 px, nor at 320 px, the narrowest phone we support. The community, a plan with a
circle and a shift on the rota are seeded with `mutua shell -c`, as in test_care_journey.py.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_care_journey import PASSWORD, shell, sign_in

pytestmark = [pytest.mark.browser]

SLUG = "birch-row"
PHONE = {"width": 360, "height": 740}
NARROWEST = {"width": 320, "height": 640}

SEED = f"""
import datetime as dt
import json
from allauth.account.models import EmailAddress
from django.utils import timezone
from mutua.care import services
from mutua.care.models import CarePlan, OnCallShift
from mutua.communities.models import Community, Membership
from mutua.communities.services import community_create
from mutua.people.models import User
from mutua.people.services import profile_ensure

people = {{}}
for email, name in (
    ("cora@example.org", "Cora Coordinator"),
    ("milo@example.org", "Milo Member"),
    ("nell@example.org", "Nell Neighbour"),
    ("ezra@example.org", "Ezra Evenings"),
):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, {PASSWORD!r})
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile_ensure(user=user, display_name=name)
    people[email] = user
cora, milo = people["cora@example.org"], people["milo@example.org"]
nell, ezra = people["nell@example.org"], people["ezra@example.org"]
community = Community.objects.filter(slug={SLUG!r}).first() or community_create(
    creator=cora, name="Birch Row Neighbours", slug={SLUG!r}
)
for user, role in ((milo, "member"), (nell, "member"), (ezra, "coordinator")):
    Membership.objects.update_or_create(
        community=community, user=user, defaults={{"role": role, "status": "active"}}
    )
plan = CarePlan.objects.filter(person=milo).first()
if plan is None:
    plan = services.care_plan_create(
        actor=milo, community=community, person=milo, times=["09:00", "18:30"],
        channels=["web", "email"], reminder_leads=[30, 10],
    )
    services.circle_invite(actor=milo, plan=plan, member=nell)
    services.circle_add_outside(
        actor=milo, plan=plan, name="Rosalind Featherstonehaugh-Whittington",
        phone="+44 1632 960 001", email="rosalind.featherstonehaugh@example.org",
        consent_note="She agreed on the phone on Sunday.",
    )
if not OnCallShift.objects.filter(community=community).exists():
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    services.on_call_shift_add(
        actor=cora, community=community, coordinator=ezra,
        starts_at=start, ends_at=start + dt.timedelta(hours=12),
    )
print(json.dumps({{"plan": plan.public_id}}))
"""

# Elements whose right edge passes the viewport's (a sideways scroll on a phone), by selector.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    out.push(`page is ${document.documentElement.scrollWidth}px wide, viewport ${width}px`);
  }
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !el.closest(".table-wrap")) {
      const id = el.id ? "#" + el.id : "";
      const cls = el.className && typeof el.className === "string"
        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      out.push(`${el.tagName.toLowerCase()}${id}${cls} ends at ${Math.round(box.right)}px`);
    }
  }
  return out.slice(0, 8);
}"""

# Form controls in the page's main part smaller than the 44 px our stylesheet promises
# (DESIGN.md: large targets); checkboxes and radios count by their 44 px high label.
SMALL_TARGETS = """() => {
  const out = [];
  for (const el of document.querySelectorAll(
    "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, " +
    "main textarea, main button"
  )) {
    const box = el.getBoundingClientRect();
    if (box.height < 44) {
      out.push(`${el.tagName.toLowerCase()}[name=${el.name}] is ${Math.round(box.height)}px high`);
    }
  }
  return out;
}"""


def check(page: Page, look, name: str, problems: list[str]) -> None:
    """axe and a screenshot at phone width, large targets, and no sideways overflow at 360
    and 320 px."""
    look(page, name)
    for small in page.evaluate(SMALL_TARGETS):
        problems.append(f"{name} ({page.url}): {small}")
    for size in (PHONE, NARROWEST):
        page.set_viewport_size(size)
        for overflow in page.evaluate(OVERFLOW):
            problems.append(f"{name} at {size['width']} px ({page.url}): {overflow}")
    page.set_viewport_size(PHONE)


def phone(new_context) -> Page:
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    return page


def test_care_setup_pages_are_accessible_and_fit_a_phone(app_server, new_context, look):
    plan_id = json.loads(shell(app_server, SEED).strip().splitlines()[-1])["plan"]
    problems: list[str] = []

    # given Cora, a coordinator, on her phone
    cora = phone(new_context)
    sign_in(cora, look, "cora@example.org", "c")

    # when she opens the form to set up a check-in plan for someone
    cora.goto(f"/c/{SLUG}/care/plans/new/")
    expect(cora.get_by_role("heading", level=1)).to_have_text("Set up a check-in plan")
    check(cora, look, "c-plan-new", problems)

    # and sends it without a time, for someone who is not a member
    cora.get_by_label(re.compile(r"^Times of day", re.I)).fill("")
    cora.get_by_label(re.compile(r"^E-mail of the member", re.I)).fill("nobody@example.org")
    cora.get_by_role("button", name="Save").click()

    # then nothing is saved and the errors are shown next to the fields, accessibly
    expect(cora.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(cora.get_by_label(re.compile(r"^Times of day", re.I))).to_have_attribute(
        "aria-invalid", "true"
    )
    check(cora, look, "c-plan-new-errors", problems)

    # when she opens the on-call rota, which has one shift on it
    cora.goto(f"/c/{SLUG}/care/rota/")
    expect(cora.get_by_role("cell", name="Ezra Evenings", exact=True)).to_be_visible()
    expect(cora.get_by_role("button", name="Take Ezra Evenings off this shift")).to_be_visible()
    check(cora, look, "c-rota", problems)

    # given Milo, who has a check-in plan, on his phone
    milo = phone(new_context)
    sign_in(milo, look, "milo@example.org", "m")

    # when he changes his plan, pauses it and looks after his circle
    milo.goto(f"/care/plans/{plan_id}/edit/")
    expect(milo.get_by_role("heading", level=1)).to_contain_text("Change the check-in plan")
    check(milo, look, "m-plan-edit", problems)

    milo.goto(f"/care/plans/{plan_id}/pause/")
    expect(milo.get_by_role("heading", level=1)).to_contain_text("Pause check-ins")
    check(milo, look, "m-plan-pause", problems)

    milo.goto(f"/care/plans/{plan_id}/circle/")
    expect(milo.get_by_role("heading", level=1)).to_contain_text("The circle of")
    expect(milo.get_by_text(re.compile(r"Rosalind"))).to_be_visible()
    check(milo, look, "m-plan-circle", problems)

    # then every page passes axe, has large targets and none scrolls sideways
    look.assert_accessible()
    assert not problems, "not fit for a phone:\n" + "\n".join(problems)
