"""How the command line ends, without click: one error line on stderr (passwords masked)
and one of the documented exit codes. Click-free so that ``workbench run`` can end through
it without importing click (``workbench.cli.quick``)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import NoReturn

from cache.errors import BadInput, RunFailed, describe, one_line

__all__ = [
    "DEBUG_ENV",
    "EXIT_CODES",
    "MESSAGE_LIMIT",
    "die",
    "finish",
    "mask_given",
    "remember_secrets",
]

# Set (to anything but 0) to see the traceback of an internal error below its one line.
DEBUG_ENV = "WORKBENCH_DEBUG"
# Every code the command line exits with: ok; a run failed (or stale reads with
# --fail-on-stale, or a stale read found by explore); bad input; interrupted.
EXIT_CODES = frozenset({0, 1, 2, 130})
# A message is one line however long what it quotes; this leaves room for every list of ours.
MESSAGE_LIMIT = 1000


# The passwords this process was given (on its command line, in $REDIS_URL): masked
# wherever they appear in an error, even where a message quotes only part of a URL
# (``module 'redis' has no '//u:pw@host'``) or a password the pattern cannot see (``p#w``).
_GIVEN_SECRETS: set[str] = set()
_PASSWORD_QUERY = re.compile(r"(?i)password=([^&\s]*)")
SHORTEST_SECRET = 3  # masking a one- or two-letter string everywhere would garble messages


def remember_secrets(texts: Iterable[str | None]) -> None:
    """Note the passwords of every URL in ``texts`` (its userinfo, ``password=`` options)."""
    for text in texts:
        if not text:
            continue
        _, sep, rest = text.partition("://")
        found = _PASSWORD_QUERY.findall(text)
        if sep and "@" in rest:
            userinfo = rest.rpartition("@")[0]
            user, colon, password = userinfo.partition(":")
            found.append(password if colon else user)
        _GIVEN_SECRETS.update(s for s in found if len(s) >= SHORTEST_SECRET)


def mask_given(text: str) -> str:
    """``text`` with every password this process was given masked."""
    for secret in sorted(_GIVEN_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def echo(text: str, *, err: bool = False) -> None:
    """One line, as ``click.echo`` writes it (flushed at once)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()


def die(message: str, code: int) -> NoReturn:
    """One line on stderr, passwords masked, then exit: 2 bad input, 1 a run failed, 130
    interrupted."""
    echo(f"workbench: error: {mask_given(one_line(message, MESSAGE_LIMIT))}", err=True)
    sys.exit(code)


def finish(command: Callable[[], object]) -> NoReturn:
    """Run ``command`` and exit with one of 0, 1, 2 or 130, every error reduced to one line
    (see ``workbench.cli``). A front end catches its own exceptions (click's) first."""
    try:
        status = command()
    except KeyboardInterrupt:
        die("interrupted", code=130)
    except BadInput as error:
        die(describe(error), code=2)
    except RunFailed as error:
        die(describe(error), code=1)
    except SystemExit as exited:
        sys.exit(exit_code(exited.code))
    except BaseException as error:  # a bug of ours: still one line, unless asked for more
        internal_error(error)
    sys.exit(exit_code(status))


def exit_code(code: object) -> int:
    """Only the documented codes leave the process: anything else (a stray ``sys.exit``
    with a message or an odd number) is reported as a failure."""
    if code is None:
        return 0
    if isinstance(code, int) and not isinstance(code, bool) and code in EXIT_CODES:
        return code
    if isinstance(code, str):
        die(code, code=1)
    return 1


def internal_error(error: BaseException) -> NoReturn:
    if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        import traceback

        traceback.print_exception(error)
    hint = "" if os.environ.get(DEBUG_ENV) else f" (set {DEBUG_ENV}=1 to see the traceback)"
    die(f"internal error: {describe(error)}{hint}", code=1)
