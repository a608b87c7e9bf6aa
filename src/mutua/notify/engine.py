"""Pure rules of delivery (no Django): quiet hours, retry backoff, reply parsing, signatures."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# --- Quiet hours -------------------------------------------------------------------------


def quiet_hours_end(
    now: dt.datetime, start: dt.time | None, end: dt.time | None, tz: ZoneInfo
) -> dt.datetime | None:
    """If `now` falls in the quiet hours [start, end) in `tz`, the UTC moment they end; else None.

    Hours may wrap past midnight (22:00-07:00). Equal or missing bounds mean no quiet hours.
    """
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        end_date = local.date()
    else:
        inside = t >= start or t < end
        end_date = local.date() + dt.timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    # A wall time in a DST gap is moved forward by fold=0 arithmetic; round-tripping via UTC
    # gives the first valid instant after it.
    release = dt.datetime.combine(end_date, end, tzinfo=tz)
    release = release.astimezone(dt.UTC)
    return max(release, now.astimezone(dt.UTC))


# --- Retries -------------------------------------------------------------------------------

BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff after the `attempts`-th failure: 1, 2, 4, 8 … minutes, at most 6 h."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


# --- Signatures (SMS gateway, both directions) -----------------------------------------------

SIGNATURE_HEADER = "X-Mutua-Signature"
TIMESTAMP_HEADER = "X-Mutua-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>` (the timestamp is signed too,
    so an old request cannot be replayed with a fresh timestamp)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_problem(
    secret: str, timestamp: str, signature: str, body: bytes, *, now: float, window: int = 300
) -> str:
    """ "" when the request is authentic and fresh; otherwise "signature" or "stale"."""
    if not secret or not signature or not timestamp.isdigit():
        return "signature"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        return "signature"
    if abs(now - int(timestamp)) > window:
        return "stale"
    return ""


# --- Phone numbers ------------------------------------------------------------------------


def normalise_phone(raw: str) -> str:
    """Keep a leading + and the digits: "+44 (0)20 7946-0000" → "+4402079460000"."""
    raw = raw.strip()
    digits = re.sub(r"\D", "", raw)
    return ("+" if raw.startswith("+") else "") + digits


# --- Replies ---------------------------------------------------------------------------------

OK, HELP, YES, NO, STOP, UNKNOWN = "ok", "help", "yes", "no", "stop", "unknown"


@dataclass(frozen=True)
class Reply:
    kind: str
    code: str = ""


_STOP = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "baja", "parar", "alto"}
_HELP = {"help", "sos", "ayuda", "socorro", "auxilio", "emergency", "urgent", "mayday"}
_OK = {"ok", "okay", "okey", "oki", "okk", "k", "kk", "fine", "good", "bien", "vale",
       "safe", "alright", "allright", "great"}  # fmt: skip
_YES = {"yes", "y", "yeah", "yep", "yup", "si", "sure", "accept", "claro"}
_NO = {"no", "n", "nope", "nah", "decline", "cannot", "cant"}
_NEGATION = {"not", "no", "nicht", "nao", "isnt", "arent", "aint", "never", "nunca", "dont",
             "doesnt", "wasnt"}  # fmt: skip
# Words between a negation and "ok" that do not change its meaning ("not really ok").
_FILLER = {"i", "im", "am", "is", "its", "it", "all", "estoy", "really", "very", "feeling",
           "doing", "so", "that", "too", "me", "siento", "encuentro", "muy", "estamos"}  # fmt: skip
# Between a negation and "ok" only (they widen NOT OK, never OK): "I don't feel ok".
_NEGATED_FILLER = _FILLER | {"feel", "feels", "be", "been", "was", "are", "were"}
_NOT_OK_WORDS = {"nok", "notok", "unwell", "mal"}
# Greetings and thanks said before or around the answer ("Hi, I'm ok, thanks").
_COURTESY = {"hi", "hello", "hey", "dear", "thanks", "thank", "you", "thx", "cheers", "hola",
             "buenas", "buenos", "dias", "tardes", "gracias", "saludos", "yes", "si"}  # fmt: skip
# An "ok" followed by one of these is not an all-clear a machine may act on ("fine but I fell").
_CAVEAT = {"but", "except", "however", "although", "though", "pero", "aunque", "fell", "fall",
           "fallen", "hurt", "pain", "sick", "ill", "hospital", "doctor", "ambulance", "dizzy",
           "bleeding", "caido", "caida", "dolor", "enfermo", "enferma", "medico", "mareado",
           "mareada", "sangre", "ambulancia", "urgencias"}  # fmt: skip
OK_MAX_WORDS = 8  # a longer message is read by a person, not taken as OK


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = folded.replace("'", "").replace("\u2019", "")  # i'm → im, can't → cant
    return re.findall(r"[a-z0-9]+", folded)


def _is_code(token: str) -> bool:
    return 2 <= len(token) <= 10 and any(c.isdigit() for c in token)


def parse_reply(text: str) -> Reply:
    """Understand a short reply to a message: OK, HELP, YES, NO or STOP, and a reply code.

    Robust to case, punctuation and accents. "not ok" (and "no estoy bien") means HELP, never OK;
    any mention of help wins, because a missed cry for help costs more than a false alarm. An OK
    must be short and plain ("Hi, I'm ok, thanks"): "fine but I fell" or a long letter is not
    understood as OK, so the check-in stays open and a person reads it; nor is a question
    ("ok?") or an OK taken back ("im ok not"). "isn't ok" and "never ok" mean HELP.
    """
    tokens = _tokens(text)
    codes = [t.upper() for t in tokens if _is_code(t)]
    words = [t for t in tokens if not _is_code(t)]
    code = codes[0] if codes else ""
    if not words:
        return Reply(UNKNOWN, code)
    if words[0] in _STOP:
        return Reply(STOP, code)
    if any(w in _HELP or w in _NOT_OK_WORDS for w in words):
        return Reply(HELP, code)
    for i, word in enumerate(words):
        if word not in _NEGATION:
            continue
        rest = [w for w in words[i + 1 :] if w not in _NEGATED_FILLER]
        if rest and rest[0] in _OK:
            return Reply(HELP, code)
    content = [w for w in words if w not in _FILLER] or words
    answer = [w for w in content if w not in _COURTESY]
    if answer and answer[0] in _OK:
        # Only a short, plain OK counts: a caveat or a long message could hide a cry for help,
        # a question ("ok?") is not an answer, and a negation after it ("im ok not") undoes it.
        after = words[words.index(answer[0]) + 1 :]
        if (
            len(content) > OK_MAX_WORDS
            or any(w in _CAVEAT for w in words)
            or any(w in _NEGATION for w in after)
            or "?" in text
            or "\u00bf" in text
        ):
            return Reply(UNKNOWN, code)
        return Reply(OK, code)
    first = content[0]
    if first in _YES:
        return Reply(YES, code)
    if first in _NO:
        return Reply(NO, code)
    return Reply(UNKNOWN, code)
