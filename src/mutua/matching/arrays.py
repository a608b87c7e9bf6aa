"""Database rows → engine arrays, in a few bulk queries, cached per community in-process.

The cache key (`versions`) is read in one query on every use: the newest primary keys of the
rows that feed the arrays, and the newest key and the count of blocks, so making or removing a
block rebuilds at once. Edits that create no row (a profile set to "taking a break", a
membership vetted) show in the newest `updated_at` of profiles and of the community's
memberships: a scan of each table, so that part is read at most every
MATCHING_EDITS_CHECK_SECONDS (5 s). A time-to-live (MATCHING_CACHE_SECONDS) bounds the rest (a
commitment done). A stale entry costs a slightly dated ranking, never a broken hard rule:
`live.live_check` reads the rows again for the helpers chosen before anyone is shown, told or
asked.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from mutua.communities.models import Community, Membership
from mutua.exchange.models import ACTIVE_COMMITMENT, Commitment, Need
from mutua.matching import engine
from mutua.matching.live import waiting_asks
from mutua.matching.models import MatchingSettings
from mutua.notify.models import Notification
from mutua.people.models import AvailabilityWindow, Profile, ProfileSkill, Skill

RECENT = dt.timedelta(days=7)
LATELY = dt.timedelta(days=90)  # the window of "given more than received lately"
URGENCY_CODES = {
    "flexible": engine.FLEXIBLE,
    "week": engine.WEEK,
    "day": engine.DAY,
    "immediate": engine.IMMEDIATE,
}
TIMED_MAX = dt.timedelta(days=1)  # a need with a time shorter than this books its helper then
EPOCH = dt.datetime(1970, 1, 1)
REQUIREMENT_FLAGS = {
    "vetted": engine.VETTED,
    "car": engine.CAR,
    "accessible_vehicle": engine.ACCESSIBLE,
    "same_gender": engine.SAME_GENDER,
    "no_pets": engine.NO_PETS,
}
# Gender codes of the engine (0: not said, which never matches a same-gender need).
GENDER_CODES = {"woman": 1, "man": 2, "non_binary": 3}
TRUST_LEVELS = ("new", "known", "trusted")  # a helper's level code indexes this; -1 none


@dataclass
class CommunityArrays:
    community_id: int
    index: engine.Index
    origin: tuple[float, float]
    user_index: dict[int, int]  # user id → helper row
    skill_bit: dict[int, int]  # skill id → bit
    skill_names: list[str]
    lang_bit: dict[str, int]
    lang_codes: list[str]  # bit → language code
    trust_level: np.ndarray  # int8 per helper row: index into TRUST_LEVELS, -1 when not computed
    skill_words: int
    lang_words: int
    built_at: float


@dataclass
class _Entry:
    key: tuple  # `versions()` when built
    edits: tuple  # the edits part of `versions()` when built or last checked unchanged
    checked_at: float
    arrays: CommunityArrays


_cache: dict[int, _Entry] = {}
_lock = threading.Lock()


def settings_for(community: Community) -> MatchingSettings:
    found = MatchingSettings.objects.filter(community=community).first()
    return found or MatchingSettings(community=community)


def weights_for(ms: MatchingSettings) -> engine.Weights:
    known = engine.Weights.__dataclass_fields__
    return engine.Weights(
        **{k: float(v) for k, v in (ms.weights or {}).items() if k in known}  # type: ignore[arg-type]
    )


def versions(community: Community, *, with_edits: bool) -> tuple[tuple, tuple | None]:
    """The cache key, in one query: newest primary keys of the tables that feed the arrays and
    the number of blocks (index lookups, read on every use); with `with_edits`, also when a
    profile (capacity status, break, car, ...) or a membership here (vetted, place, role,
    status) was last edited (a scan of each table, read at most every few seconds)."""
    from mutua.trust.models import Block

    q = connection.ops.quote_name  # names from the models only; the community id is a parameter
    sources = (Membership, ProfileSkill, AvailabilityWindow, Commitment, Block)
    newest = [(q(m._meta.db_table), q(m._meta.pk.column)) for m in sources]
    parts = [f"(SELECT MAX({pk}) FROM {table})" for table, pk in newest]  # noqa: S608
    parts.append(f"(SELECT COUNT(*) FROM {q(Block._meta.db_table)})")  # noqa: S608
    params = []
    if with_edits:
        profiles, memberships = q(Profile._meta.db_table), q(Membership._meta.db_table)
        parts.append(f"(SELECT MAX(updated_at) FROM {profiles})")  # noqa: S608
        parts.append(
            f"(SELECT MAX(updated_at) FROM {memberships} WHERE community_id = %s)"  # noqa: S608
        )
        params.append(community.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = tuple(cursor.fetchone())
    # created_at: a reused pk is another community
    key = (community.created_at, *row[: len(sources) + 1])
    return key, (row[len(sources) + 1 :] if with_edits else None)


def community_arrays(community: Community, *, fresh: bool = False) -> CommunityArrays:
    ttl = float(getattr(settings, "MATCHING_CACHE_SECONDS", 60))
    edits_every = float(getattr(settings, "MATCHING_EDITS_CHECK_SECONDS", 5))
    now = time.monotonic()
    with _lock:
        hit = _cache.get(community.pk)
    if hit is not None and (fresh or now - hit.arrays.built_at >= ttl):
        hit = None
    key, edits = versions(community, with_edits=hit is None or now - hit.checked_at >= edits_every)
    if hit is not None and hit.key == key:
        if edits is None:
            return hit.arrays
        if edits == hit.edits:
            hit.checked_at = now
            return hit.arrays
    if edits is None:  # the key changed between edits checks: read both for the new entry
        key, edits = versions(community, with_edits=True)
    built = build(community)  # after reading the versions: an edit made meanwhile rebuilds
    with _lock:
        _cache[community.pk] = _Entry(key, edits or (), now, built)
    return built


def cache_clear() -> None:
    with _lock:
        _cache.clear()


def _weekly_minutes(weekday: int, t: dt.time) -> int:
    return weekday * 1440 + t.hour * 60 + t.minute


def build(community: Community) -> CommunityArrays:
    """One query per source: memberships+profiles, skills, availability, load, notices, trust,
    times already taken, ledger balances."""
    today = timezone.localdate()
    now = timezone.now()
    # Rules and JSON are read as plain values (booleans, text): converting 100k dates and
    # decoding 100k JSON lists one by one costs seconds; a few distinct language lists do not.
    rows = list(
        Membership.objects.filter(community=community, status="active")
        .order_by("pk")
        .annotate(
            is_vetted=ExpressionWrapper(Q(vetted_until__gte=today), output_field=BooleanField()),
            is_on_break=ExpressionWrapper(
                Q(user__profile__capacity_status="break")
                & (
                    Q(user__profile__break_until__isnull=True)
                    | Q(user__profile__break_until__gte=today)
                ),
                output_field=BooleanField(),
            ),
            languages_text=Cast("user__profile__languages", output_field=TextField()),
        )
        .values_list(
            "user_id",
            "approx_lat",
            "approx_lon",
            "service_area__centre_lat",
            "service_area__centre_lon",
            "is_vetted",
            "user__profile__capacity_status",
            "is_on_break",
            "user__profile__has_car",
            "user__profile__has_accessible_vehicle",
            "languages_text",
            "user__profile__gender",
            "user__profile__has_pets",
            "role",
        )
    )
    spoken = {text: _codes(text) for text in {r[10] for r in rows}}
    n = len(rows)
    uid = np.array([r[0] for r in rows], dtype=np.int64)
    user_index = {int(u): i for i, u in enumerate(uid)}
    lat = np.array([r[1] if r[1] is not None else (r[3] if r[3] is not None else np.nan)
                    for r in rows], dtype=float)  # fmt: skip
    lon = np.array([r[2] if r[2] is not None else (r[4] if r[4] is not None else np.nan)
                    for r in rows], dtype=float)  # fmt: skip
    origin = (float(np.nanmean(lat)), float(np.nanmean(lon))) if np.isfinite(lat).any() else (0, 0)
    xy = engine.project(lat, lon, *origin) if n else np.zeros((0, 2))

    skill_ids = list(Skill.objects.filter(community__isnull=True).values_list("id", "name")) + list(
        Skill.objects.filter(community=community).values_list("id", "name")
    )
    skill_bit = {sid: b for b, (sid, _) in enumerate(skill_ids)}
    skill_names = [name for _, name in skill_ids]
    ws = max(1, -(-len(skill_bit) // 64))
    pairs = [
        (user_index[user_id], skill_bit[skill_id])
        for user_id, skill_id in ProfileSkill.objects.filter(
            profile__user__memberships__community=community,
            profile__user__memberships__status="active",
        ).values_list("profile__user_id", "skill_id")
        if user_id in user_index and skill_id in skill_bit
    ]
    skills = engine.bits_from_pairs([p[0] for p in pairs], [p[1] for p in pairs], n, ws)

    lang_codes = sorted({c for codes in spoken.values() for c in codes})
    lang_bit = {c: b for b, c in enumerate(lang_codes)}
    wl = -(-(len(lang_bit) + 1) // 64)  # one more bit that nobody has: a language nobody speaks
    bits_of = {text: [lang_bit[c] for c in codes] for text, codes in spoken.items()}
    langs = engine.bits([bits_of[r[10]] for r in rows], wl)

    spans = [
        (user_index[user_id], day * 1440 + _minutes(start), day * 1440 + _minutes(end))
        for user_id, day, start, end in _availability_rows(community.pk)
        if user_id in user_index
    ]
    avail = engine.slot_masks(
        [s[0] for s in spans], [s[1] for s in spans], [s[2] for s in spans], n
    )

    members = Membership.objects.filter(community=community, status="active").values("user_id")
    open_c = _counts(
        Commitment.objects.filter(helper__in=members, status__in=ACTIVE_COMMITMENT), "helper_id"
    )
    # Asks still waiting for an answer are load too: a helper with room for one task is not
    # asked for a second need by another plan while the first ask is open.
    for helper_id, c in _counts(waiting_asks().filter(helper__in=members), "helper_id").items():
        open_c[helper_id] = open_c.get(helper_id, 0) + c
    week = _counts(
        Commitment.objects.filter(helper__in=members, created_at__gte=now - RECENT).exclude(
            status="cancelled"
        ),
        "helper_id",
    )
    notices = _counts(
        Notification.objects.filter(
            recipient__in=members, created_at__gte=now - dt.timedelta(days=1)
        ),
        "recipient_id",
    )
    trust, levels, blocked = _trust(community, members, user_index, n)
    busy_ptr, busy_span = _busy(community, members, user_index, n)
    levels[[i for i, r in enumerate(rows) if r[13] == "steward"]] = TRUST_LEVELS.index("trusted")

    def per_user(counts: dict[int, int]) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for user_id, c in counts.items():
            if user_id in user_index:
                out[user_index[user_id]] = c
        return out

    helpers = engine.Helpers(
        uid=uid,
        xy=xy,
        skills=skills,
        langs=langs,
        avail=avail,
        vetted=np.array([bool(r[5]) for r in rows], dtype=bool),
        car=np.array([bool(r[8]) for r in rows], dtype=bool),
        accessible=np.array([bool(r[9]) for r in rows], dtype=bool),
        pets=np.array([bool(r[12]) for r in rows], dtype=bool),
        gender=np.array([GENDER_CODES.get(r[11] or "", 0) for r in rows], dtype=np.int8),
        on_break=np.array([bool(r[7]) for r in rows], dtype=bool),
        limited=np.array([r[6] == "limited" for r in rows], dtype=bool),
        open_commitments=per_user(open_c),
        week_load=per_user(week),
        notified=per_user(notices),
        trust=trust,
        may_see_private=_may_see_private(community, levels),
        given_more_h=_given_more(community, user_index, n),
        busy_ptr=busy_ptr,
        busy_span=busy_span,
    )
    return CommunityArrays(
        community_id=community.pk,
        index=engine.index_build(helpers, blocked),
        origin=origin,
        user_index=user_index,
        skill_bit=skill_bit,
        skill_names=skill_names,
        lang_bit=lang_bit,
        lang_codes=lang_codes,
        trust_level=levels,
        skill_words=ws,
        lang_words=wl,
        built_at=time.monotonic(),
    )


def local_span(starts_at, ends_at, zone: ZoneInfo) -> tuple[int, int] | None:
    """A need's time as local minutes since 1970 (wall clock of the community), or None when it
    has none or lasts a day or more (such a need does not book its helper for all of it)."""
    if not starts_at or not ends_at or not dt.timedelta(0) < ends_at - starts_at < TIMED_MAX:
        return None
    a = starts_at.astimezone(zone).replace(tzinfo=None)
    b = ends_at.astimezone(zone).replace(tzinfo=None)
    start, end = int((a - EPOCH).total_seconds()), int((b - EPOCH).total_seconds())
    return start // 60, -(-end // 60)


def _busy(community: Community, members, user_index, n) -> tuple[np.ndarray, np.ndarray]:
    """The times helpers already gave: needs of their open commitments and of asks still waiting
    for an answer, as CSR spans per helper row (two queries)."""
    zone = ZoneInfo(community.time_zone or "UTC")
    timed = Q(need__starts_at__isnull=False, need__ends_at__isnull=False)
    fields = ("helper_id", "need__starts_at", "need__ends_at")
    rows = list(
        Commitment.objects.filter(timed, helper__in=members, status__in=ACTIVE_COMMITMENT)
        .values_list(*fields)
        .distinct()
    )
    rows += list(waiting_asks().filter(timed, helper__in=members).values_list(*fields))
    spans = sorted(
        (user_index[uid], *span)
        for uid, a, b in set(rows)
        if uid in user_index and (span := local_span(a, b, zone)) is not None
    )
    counts = np.bincount(np.array([r[0] for r in spans], dtype=np.int64), minlength=n)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    busy = np.array([r[1:] for r in spans], dtype=np.int64).reshape(-1, 2)
    return ptr, busy


def _given_more(community: Community, user_index, n) -> np.ndarray | None:
    """Hours each helper gave minus received lately, from the ledger in one query (help only,
    as a member's balance counts it: no corrections, nor transfers later corrected). None when
    the community keeps no ledger: then no balance counts anywhere."""
    from django.db.models import Sum

    from mutua.ledger.models import HELP_KINDS, Entry
    from mutua.ledger.selectors import ledger_is_on

    if not ledger_is_on(community=community):
        return None
    sums = (
        Entry.objects.filter(
            account__community=community,
            account__user__isnull=False,
            transfer__kind__in=HELP_KINDS,
            transfer__created_at__gte=timezone.now() - LATELY,
        )
        .exclude(transfer__reversed_by__isnull=False)
        .values_list("account__user_id")
        .annotate(minutes=Sum("amount"))
        .values_list("account__user_id", "minutes")
    )
    out = np.zeros(n)
    for user_id, minutes in sums:
        if user_id in user_index:
            out[user_index[user_id]] = minutes / 60.0
    return out


def _codes(text: str | None) -> list[str]:
    """A profile's languages, stored as a JSON list, as language codes."""
    try:
        found = json.loads(text) if text else []
    except ValueError:
        return []
    return [str(c) for c in found] if isinstance(found, list) else []


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:5])


def _availability_rows(community_id: int) -> list[tuple]:
    """Raw rows with times as text: parsing 200k times through the ORM costs seconds."""
    sql = (
        'SELECT p.user_id, a.weekday, CAST(a.start AS TEXT), CAST(a."end" AS TEXT)'
        " FROM people_availabilitywindow a"
        " JOIN people_profile p ON p.id = a.profile_id"
        " JOIN communities_membership m ON m.user_id = p.user_id"
        " WHERE m.community_id = %s AND m.status = 'active'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [community_id])
        return cursor.fetchall()


def _counts(qs, field: str) -> dict[int, int]:
    return dict(qs.values_list(field).annotate(c=Count("id")).values_list(field, "c"))


def _trust(community, members, user_index, n) -> tuple[np.ndarray | None, np.ndarray, list]:
    """Trust in [0, 1] for the cost (0.5 for all until computed), levels for the explanation,
    and blocked pairs."""
    levels = np.full(n, -1, dtype=np.int8)
    try:
        from mutua.trust.models import Block, TrustScore
    except ImportError:  # the trust app is optional
        return None, levels, []
    trust = np.full(n, 0.5)
    scores = list(
        TrustScore.objects.filter(membership__community=community).values_list(
            "membership__user_id", "normalised", "level"
        )
    )
    if scores:
        levels[:] = TRUST_LEVELS.index("new")  # computed here: anyone without a score is new
    for user_id, value, level in scores:
        if user_id in user_index:
            trust[user_index[user_id]] = min(1.0, max(0.0, float(value)))
            if level in TRUST_LEVELS:
                levels[user_index[user_id]] = TRUST_LEVELS.index(level)
    blocked = list(
        Block.objects.filter(Q(blocker__in=members) | Q(blocked__in=members)).values_list(
            "blocker_id", "blocked_id"
        )
    )
    return trust, levels, blocked


def _may_see_private(community: Community, levels: np.ndarray) -> np.ndarray | None:
    """Per helper row: passes the trust gate of needs with private details ("private_task").

    None (no gate in the arrays) when the community's gates are off, and also before trust was
    first computed here: then the live check decides, through the trust app's own gate check
    (which computes trust the first time). Read without that side effect: a build never writes.
    """
    try:
        from mutua.trust.models import TrustSettings
        from mutua.trust.services import GATES
    except ImportError:  # the trust app is optional
        return None
    conf = TrustSettings.objects.filter(community=community).values_list(
        "gates_enabled", "computed_at"
    )
    found = conf.first()
    if found is None or not found[0] or found[1] is None:
        return None
    return levels >= TRUST_LEVELS.index(GATES["private_task"])


def needs_arrays(
    arrays: CommunityArrays,
    needs: list[Need],
    skills_of: dict[int, list[int]],
    *,
    radius_km: float,
    places: dict[int, int] | None = None,
    tz: str = "UTC",
    private: set[int] | frozenset[int] = frozenset(),
) -> engine.Needs:
    """Needs (with their skill ids, places still open, and which have private details) →
    engine arrays."""
    m = len(needs)
    zone = ZoneInfo(tz or "UTC")
    lat = np.array([_need_lat(nd) for nd in needs], dtype=float)
    lon = np.array([_need_lon(nd) for nd in needs], dtype=float)
    xy = engine.project(lat, lon, *arrays.origin) if m else np.zeros((0, 2))
    skill_rows = [
        [arrays.skill_bit[s] for s in skills_of.get(nd.pk, []) if s in arrays.skill_bit]
        for nd in needs
    ]
    nobody = len(arrays.lang_bit)
    langs = engine.bits(
        [[arrays.lang_bit.get(str(c), nobody) for c in nd.languages or []] for nd in needs],
        arrays.lang_words,
    )
    window = np.zeros((m, engine.SLOT_WORDS), dtype=np.uint64)
    span = np.full((m, 2), -1, dtype=np.int64)
    for j, nd in enumerate(needs):
        local = local_span(nd.starts_at, nd.ends_at, zone)
        if local is not None:
            span[j] = local
        if nd.starts_at and nd.ends_at and nd.ends_at - nd.starts_at < dt.timedelta(days=6):
            a, b = nd.starts_at.astimezone(zone), nd.ends_at.astimezone(zone)
            start = _weekly_minutes(a.weekday(), a.time())
            end = start + int((b - a).total_seconds() // 60)
            spans = [(start, min(end, engine.SLOTS * 30))]
            if end > engine.SLOTS * 30:
                spans.append((0, end - engine.SLOTS * 30))
            window[j] = engine.slot_mask(spans)
    flags = np.array(
        [
            sum(REQUIREMENT_FLAGS.get(r, 0) for r in set(nd.requirements or []))
            | (engine.PRIVATE if nd.pk in private else 0)
            for nd in needs
        ],
        dtype=np.int64,
    )
    return engine.Needs(
        xy=xy,
        skills=engine.bits(skill_rows, arrays.skill_words),
        langs=langs,
        window=window,
        places=np.array(
            [(places or {}).get(nd.pk, nd.helpers_wanted) for nd in needs], dtype=np.int64
        ),
        flags=flags,
        gender=np.array(
            [GENDER_CODES.get(getattr(nd, "gender_wanted", "") or "", 0) for nd in needs],
            dtype=np.int8,
        ),
        person=np.array([nd.author_id or -1 for nd in needs], dtype=np.int64),
        radius_m=np.full(m, radius_km * 1000.0),
        urgency=np.array(
            [URGENCY_CODES.get(nd.urgency, engine.FLEXIBLE) for nd in needs], dtype=np.int8
        ),
        span=span,
    )


def _need_lat(nd: Need) -> float:
    if nd.approx_lat is not None:
        return nd.approx_lat
    area = nd.service_area
    return area.centre_lat if area is not None else np.nan


def _need_lon(nd: Need) -> float:
    if nd.approx_lon is not None:
        return nd.approx_lon
    area = nd.service_area
    return area.centre_lon if area is not None else np.nan
