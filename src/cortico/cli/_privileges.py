"""Running the services as an unprivileged user with private instance files."""

import os
import pwd

import click

__all__ = ["PRIVATE_UMASK", "run_as", "user_option"]

# Files 0600 and folders 0700: the database, uploads, results and the secret key are the instance's alone.
PRIVATE_UMASK = 0o077

user_option = click.option(
    "--user",
    "run_as_user",
    default=None,
    metavar="NAME",
    help="Started as root: switch to this user (and its groups) first, e.g. the `cortico` system user "
    "that scripts/install.sh creates.",
)


def run_as(user):
    """Make new files private, and switch from root to ``user`` when given.

    Raises
    ------
    click.UsageError
        ``user`` does not exist, or the process is not root and is not already ``user``.
    """
    if user is None:
        os.umask(PRIVATE_UMASK)
        if os.geteuid() == 0:
            click.echo("warning: running as root; pass --user cortico to drop privileges.", err=True)
        return
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise click.UsageError(
            f"No user named {user!r} on this system (scripts/install.sh creates `cortico`)."
        ) from None
    if os.geteuid() not in (0, entry.pw_uid):
        raise click.UsageError(f"Only root can switch to user {user!r}; start the command as root or as that user.")
    os.umask(PRIVATE_UMASK)
    if os.geteuid() == entry.pw_uid:
        return
    os.initgroups(user, entry.pw_gid)
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
    os.environ.update(HOME=entry.pw_dir, USER=user, LOGNAME=user)
