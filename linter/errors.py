"""Errors every layer may raise: a leaf module that imports nothing of ours."""


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names the file and the key.

    Raised by the configuration reader and by anything that reads a file the configuration
    names (pool templates, snapshots, policy files); the command line turns it into one line
    on standard error and exit status 2."""
