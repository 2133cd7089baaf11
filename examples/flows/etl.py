"""Example flows for the prefect-lint examples (never imported by the linter)."""

from prefect import flow


@flow(log_prints=True)
def etl(days: int = 1) -> None:
    print(f"loading {days} day(s)")
