"""What Prefect does, with no rules and no command line in it: entrypoints and flow
signatures, steps and their signatures, ``{{ }}`` templating, schedules and cron, work pools and
their job variables, the Prefect API and profiles, agent-era conversions, legacy-file and script
recognition, and ``migrate`` as a data conversion.
May import: ``core``, ``source`` and the leaves (not ``project``, ``schema``, ``rules`` or above).
"""
