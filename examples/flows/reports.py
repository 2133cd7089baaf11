"""Example flows for the prefect-lint examples (never imported by the linter)."""

from prefect import flow


@flow
def build_reports(days: int) -> None:
    print(f"building reports for {days} day(s)")
