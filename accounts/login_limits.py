"""How many failed logins are allowed, for the login page and the API's token endpoint alike.

Both call ``check`` before testing a password and ``failed`` or ``succeeded`` after, with the same
keys, so failures on one count on the other. Counters go through the one limiter
(forum/ratelimit.py), so they hold across web processes and survive a cache outage.

The policy has two parts, because each alone can be turned into a weapon:

* **A hard limit per client address** (``ADDRESS_FAILURES``): any usernames, real or invented.
  It stops one address spraying passwords across many accounts, and it is what an attacker with
  one address meets first. It only ever blocks the address that failed. The address is the
  right-most ``X-Forwarded-For`` hop behind our TLS proxy (``BEHIND_TLS_PROXY=1``), else
  ``REMOTE_ADDR``: without that, every client behind the proxy would share one counter.
* **Exponential backoff per account**: the first ``ACCOUNT_FREE_FAILURES`` failures in an hour
  cost nothing (typos); after that each failure doubles a wait before the next try, from
  ``ACCOUNT_BACKOFF_BASE`` seconds up to ``ACCOUNT_BACKOFF_CAP``. It slows guessing one account
  from many addresses, which the address limit alone cannot see.

A per-account lock could lock the owner out from anywhere, so the backoff does not apply to an
address that has no failed login in the address window: the owner typing the right password on
their own connection always gets in, however many addresses an attacker uses. The price is that
an attacker gets one guess per fresh address before that address joins the backoff; bounding
that would need per-device cookies, and the address limit already bounds each address. A
success clears the account's failures; the address's stay until they slide out.

Refused tries are not counted (the limiter never counts a refused hit), so waiting is always
enough, and a locked-out attacker cannot push the wait further.
"""

import math

from forum import ratelimit
from forum.errors import RateLimited
from forum.ratelimit import Rate

ADDRESS_FAILURES = Rate(limit=20, window=15 * 60)  # per client address, across usernames
ACCOUNT_FREE_FAILURES = 5  # typos: no wait until this many failures in an hour
ACCOUNT_BACKOFF_BASE = 15  # seconds after the free failures, doubling with each further one
ACCOUNT_BACKOFF_CAP = 15 * 60  # long enough to make guessing hopeless, short enough to wait out
ACCOUNT_MEMORY = Rate(limit=10**6, window=60 * 60)  # counts failures over an hour; never refuses
USERNAME_KEY_LENGTH = 150  # User.username's max_length; longer input names no account

ADDRESS_SCOPE = "login-address"
ACCOUNT_SCOPE = "login-account"


def check(request, username: str) -> None:
    """Raise ``RateLimited`` (with ``retry_after``) if this login may not be tried now."""
    address = ratelimit.client_address(request)
    retry_after = ratelimit.wait(ADDRESS_SCOPE, address, ADDRESS_FAILURES)
    if not retry_after and ratelimit.count(ADDRESS_SCOPE, address, ADDRESS_FAILURES) >= 1:
        retry_after = _account_wait(_account(username))
    if retry_after:
        raise RateLimited(
            f"Too many failed logins; try again in {retry_after} second"
            f"{'s' if retry_after != 1 else ''}.",
            retry_after=retry_after,
        )


def failed(request, username: str) -> None:
    """Count a wrong password (or unknown or disabled account) against address and account."""
    ratelimit.hit(ADDRESS_SCOPE, ratelimit.client_address(request), ADDRESS_FAILURES)
    account = _account(username)
    ratelimit.hit(ACCOUNT_SCOPE, account, ACCOUNT_MEMORY)
    ratelimit.set_value(ACCOUNT_SCOPE, account, ratelimit.clock(), ACCOUNT_MEMORY.window * 2)


def succeeded(request, username: str) -> None:
    """The owner is in: the account's failures no longer count."""
    ratelimit.reset(ACCOUNT_SCOPE, _account(username), ACCOUNT_MEMORY)


def _account(username: str) -> str:
    return (username or "").strip().casefold()[:USERNAME_KEY_LENGTH]


def _account_wait(account: str) -> int:
    failures = math.floor(ratelimit.count(ACCOUNT_SCOPE, account, ACCOUNT_MEMORY) + 1e-9)
    if failures < ACCOUNT_FREE_FAILURES:
        return 0
    backoff = min(
        ACCOUNT_BACKOFF_CAP, ACCOUNT_BACKOFF_BASE * 2 ** min(failures - ACCOUNT_FREE_FAILURES, 16)
    )
    last = ratelimit.get_value(ACCOUNT_SCOPE, account) or 0.0
    return max(0, math.ceil(last + backoff - ratelimit.clock()))


# --- password reset mail -----------------------------------------------------------------------

# Each reset request sends a mail: without a limit, anyone can flood an inbox or use us to spam.
RESET_PER_EMAIL = Rate(limit=3, window=60 * 60)  # a few retries if a mail is slow to arrive
RESET_PER_CLIENT = Rate(limit=10, window=60 * 60)  # a household or office behind one address


def reset_mail_allowed(request, email: str) -> bool:
    """Count one reset request; False when the target address or the client is over its limit.

    The caller shows the same "check your email" page either way: saying "limited" here would
    tell a stranger that the address has an account.
    """
    if ratelimit.hit("reset-client", ratelimit.client_address(request), RESET_PER_CLIENT):
        return False
    return not ratelimit.hit("reset-email", email.strip().casefold(), RESET_PER_EMAIL)
