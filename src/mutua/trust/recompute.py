"""Recomputing a community's trust: evidence read in bulk → engine → scores written in batches.

The evidence and its weights on the trust graph are described in `trust.weights`; a recompute
reads vouches, verifications and commitments in a fixed number of queries, scores them with
`engine.score_levels` and writes every score in batches of `WRITE_BATCH` rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from itertools import chain

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.people.models import Profile
from mutua.trust import engine, weights
from mutua.trust.models import TrustScore, TrustSettings, Verification, Vouch
from mutua.trust.weights import MAX_PAIR, W_AUTO, W_EXCHANGE, W_MET, W_VOUCH  # noqa: F401

NOTICE = dt.timedelta(hours=24)
# Rows written per transaction. Each batch is one executemany in its own short transaction, so
# on SQLite other writers wait at most one batch (about 0.1 s for 20,000 rows), and 100,000
# members take five round trips (decision 0007).
WRITE_BATCH = 20_000

LevelChangeHandler = Callable[[Membership, str, str], None]
LEVEL_CHANGE_HANDLERS: list[LevelChangeHandler] = []


def register_level_change_handler(fn: LevelChangeHandler) -> LevelChangeHandler:
    """Call `fn(membership, old_level, new_level)` after a recompute changes someone's level.

    The care app uses it to flag a care-circle contact who fell below the gate to the
    coordinators (never to remove them silently). Handlers run after the scores are written.
    """
    LEVEL_CHANGE_HANDLERS.append(fn)
    return fn


def settings_of(community: Community) -> TrustSettings:
    cached = community.__dict__.get("_trust_settings")
    if cached is None:
        cached, _created = TrustSettings.objects.get_or_create(community=community)
        community.__dict__["_trust_settings"] = cached
    return cached


def _fetch_pairs(qs) -> np.ndarray:
    """Two integer columns straight from the cursor into an (n, 2) array: no model, no tuple
    list (a 1M-row vouch table is read about 3x faster than through `values_list`)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        flat = np.fromiter(chain.from_iterable(cursor), dtype=np.int64)
    return flat.reshape(-1, 2)


def _pairs(rows: Iterable[tuple] | np.ndarray, lookup: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map (user_id, user_id) rows to member indices, dropping anyone not an active member."""
    arr = np.asarray(rows if isinstance(rows, np.ndarray) else list(rows), dtype=np.int64)
    arr = arr.reshape(-1, 2)
    if arr.shape[0] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    arr = arr[(arr >= 0).all(axis=1) & (arr < lookup.shape[0]).all(axis=1)]
    src, dst = lookup[arr[:, 0]], lookup[arr[:, 1]]
    keep = (src >= 0) & (dst >= 0)
    return src[keep], dst[keep]


# Help that counts as kept: confirmed, and neither reported as a no-show nor questioned within
# the dispute window afterwards (either reverses its credits; a coordinator follows it up).
KEPT = Q(status="confirmed", no_show_reported_at__isnull=True, disputed_at__isnull=True)


def _exchange_edges(community: Community, lookup: np.ndarray, n: int):
    from mutua.exchange.models import Commitment

    rows = list(
        Commitment.objects.filter(KEPT, need__community=community, need__author__isnull=False)
        .values_list("need__author_id", "helper_id", "auto_confirmed")
        .annotate(c=Count("id"))
        .order_by()
    )
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    arr = arr[(arr[:, :2] < lookup.shape[0]).all(axis=1)]
    src, dst = lookup[arr[:, 0]], lookup[arr[:, 1]]
    keep = (src >= 0) & (dst >= 0)
    return weights.exchange_edges(
        src[keep], dst[keep], n, auto=arr[keep, 2] == 1, count=arr[keep, 3]
    )


def _reliability(community: Community, lookup: np.ndarray, n: int) -> tuple[np.ndarray, dict]:
    from mutua.exchange.models import Commitment

    # A "cancelled" commitment is never the helper's doing: it is ended when the person helped
    # or a coordinator closes the need, when a standing arrangement is paused or ended, or on a
    # no-show report (counted as a no-show). A helper who cannot come releases their place, so
    # only late releases count against them; cancellations are not counted at all.
    rows = (
        Commitment.objects.filter(need__community=community)
        .values("helper_id")
        .annotate(
            kept=Count("id", filter=KEPT),
            late=Count("id", filter=KEPT & Q(done_marked_at__gt=F("due_at"))),
            no_show=Count("id", filter=Q(no_show_reported_at__isnull=False)),
            released_late=Count(
                "id", filter=Q(status="released", ended_at__gt=F("due_at") - NOTICE)
            ),
        )
        .order_by()
    )
    counts = {k: np.zeros(n) for k in ("kept", "late", "no_show", "released_late")}
    for row in rows:
        uid = row["helper_id"]
        i = lookup[uid] if uid < lookup.shape[0] else -1
        if i >= 0:
            for k in counts:
                counts[k][i] = row[k]
    factor = engine.reliability(
        counts["kept"] - counts["late"],
        counts["late"],
        counts["no_show"],
        counts["released_late"],
        np.zeros(n),  # cancellations: not the helper's (see above)
    )
    return factor, counts


def trust_recompute(community: Community) -> int:
    """Compute every active member's score and level here; returns how many were written."""
    conf = settings_of(community)
    # Whatever asked for a recompute is answered by this one. Evidence written from now on
    # marks the community again (trust.stale), so nothing recorded meanwhile is missed.
    TrustSettings.objects.filter(pk=conf.pk, recompute_due_at__isnull=False).update(
        recompute_due_at=None
    )
    members = list(
        Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        .order_by("id")
        .values_list("id", "user_id", "role")
    )
    n = len(members)
    user_ids = np.array([m[1] for m in members], dtype=np.int64)
    lookup = np.full(int(user_ids.max()) + 1 if n else 1, -1, dtype=np.int64)
    lookup[user_ids] = np.arange(n)
    seeds = np.array([i for i, m in enumerate(members) if m[2] == "steward"], dtype=np.int64)

    vouch_rows = _fetch_pairs(  # in the order they vouched (ids grow with time)
        Vouch.objects.filter(community=community, revoked_at__isnull=True)
        .order_by("id")
        .values_list("voucher_id", "vouchee_id")
    )
    v_src, v_dst = _pairs(vouch_rows, lookup)
    met_rows = Verification.objects.filter(
        community=community, revoked_at__isnull=True, verified_by__isnull=False
    ).values_list("verified_by_id", "user_id")
    m_src, m_dst = _pairs(met_rows, lookup)
    e_src, e_dst, e_w = _exchange_edges(community, lookup, n)
    factor, counts = _reliability(community, lookup, n)

    src, dst, weight = weights.evidence_graph(
        n, vouch=(v_src, v_dst), met=(m_src, m_dst), exchange=(e_src, e_dst, e_w), factor=factor
    )
    params = engine.Params(damping=conf.damping)
    result, norm, codes = engine.score_levels(
        n,
        src,
        dst,
        weight,
        seeds,
        known_at=conf.known_at,
        trusted_at=conf.trusted_at,
        min_backers=conf.min_backers,
        params=params,
    )
    codes[seeds] = 2  # stewards are the roots of trust

    evidence = _evidence(community.pk, members, vouch_rows, lookup, v_dst, m_dst, counts)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    old = dict(
        TrustScore.objects.filter(membership__community=community).values_list(
            "membership_id", "level"
        )
    )
    for start in range(0, n, WRITE_BATCH):
        chunk = range(start, min(start + WRITE_BATCH, n))
        with transaction.atomic():
            TrustScore.objects.filter(
                membership__community=community,
                membership_id__gte=members[chunk[0]][0],
                membership_id__lte=members[chunk[-1]][0],
            ).delete()
            _insert_scores(
                [
                    (
                        members[i][0],
                        float(result.scores[i]),
                        float(norm[i]),
                        engine.LEVELS[int(codes[i])],
                        json.dumps(evidence[i]),
                        stamp,
                    )
                    for i in chunk
                ]
            )
    # Scores of people who are no longer active members go: they must not keep a level.
    TrustScore.objects.filter(membership__community=community).exclude(
        membership__status=MembershipStatus.ACTIVE
    ).delete()
    conf.computed_at = now
    conf.save(update_fields=["computed_at", "updated_at"])
    _call_handlers(members, codes, old)
    return n


def _insert_scores(rows: list[tuple]) -> None:
    """Plain executemany: the ORM's bulk_create builds a model per row, 10x slower at 100k."""
    table = TrustScore._meta.db_table
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {table} (membership_id, score, normalised, level, explanation, computed_at)"  # noqa: S608 - our own table name
        f" VALUES (%s, %s, %s, %s, {cast}, %s)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _evidence(community_id, members, vouch_rows, lookup, v_dst, m_dst, counts) -> list[dict]:
    n = len(members)
    vouches = np.bincount(v_dst, minlength=n) if n else np.zeros(0)
    met = np.zeros(n, dtype=bool)
    met[m_dst] = True
    # The first three vouchers of each member, in the order they vouched (vectorised).
    first: dict[int, list[int]] = {}
    if len(vouch_rows):
        rows = np.asarray(vouch_rows, dtype=np.int64).reshape(-1, 2)
        rows = rows[rows[:, 1] < lookup.shape[0]]
        target = lookup[rows[:, 1]]
        rows, target = rows[target >= 0], target[target >= 0]
        order = np.argsort(target, kind="stable")
        target, voucher = target[order], rows[order, 0]
        starts = np.searchsorted(target, target, side="left")
        keep = (np.arange(target.shape[0]) - starts) < 3
        for i, uid in zip(target[keep].tolist(), voucher[keep].tolist(), strict=True):
            first.setdefault(i, []).append(uid)
    # One query joined on the community (no huge IN list: SQLite caps bound variables).
    display = dict(
        Profile.objects.filter(
            user__memberships__community_id=community_id,
            user__memberships__status=MembershipStatus.ACTIVE,
        ).values_list("user_id", "display_name")
    )
    return [
        {
            "vouches": int(vouches[i]),
            "vouchers": [display.get(uid, "") for uid in first.get(i, [])],
            "kept": int(counts["kept"][i]),
            "late": int(counts["late"][i]),
            "no_show": int(counts["no_show"][i]),
            "short_notice": int(counts["released_late"][i]),
            "met_in_person": bool(met[i]),
            "steward": members[i][2] == "steward",
        }
        for i in range(n)
    ]


def _call_handlers(members, codes, old: dict) -> None:
    if not LEVEL_CHANGE_HANDLERS:
        return
    changed = {
        members[i][0]: (old.get(members[i][0], engine.NEW), engine.LEVELS[int(codes[i])])
        for i in range(len(members))
        if old.get(members[i][0], engine.NEW) != engine.LEVELS[int(codes[i])]
    }
    if not changed:
        return
    ids = sorted(changed)
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        for membership in Membership.objects.filter(pk__in=batch).select_related(
            "user", "community"
        ):
            before, after = changed[membership.pk]
            for handler in LEVEL_CHANGE_HANDLERS:
                handler(membership, before, after)
