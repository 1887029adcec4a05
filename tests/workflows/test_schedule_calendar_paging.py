"""A tier paging a calendar schedule: an .ics feed as Google Calendar exports it (weekly RRULE,
EXDATE, TZID), fetched over HTTP at the moment of each page; when the feed goes away, the last
good copy answers and the timeline says so."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from temporalio.testing import WorkflowEnvironment

from tests.starter.conftest import serve
from tests.workflows.helpers import entries, paged_recipients, start_incident, wait_for
from tests.workflows.test_schedule_paging import schedule_policy, tier

BERLIN = ZoneInfo("Europe/Berlin")
VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def _local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%Y%m%dT%H%M%S")


def weekly_event(
    uid: str, who_email: str, start: datetime, hours: int, skip: datetime | None
) -> str:
    """A weekly event in Berlin wall-clock time, as Google Calendar writes one."""
    lines = [
        "BEGIN:VEVENT",
        f"DTSTART;TZID=Europe/Berlin:{_local(start)}",
        f"DTEND;TZID=Europe/Berlin:{_local(start + timedelta(hours=hours))}",
        "RRULE:FREQ=WEEKLY;WKST=MO",
        *([f"EXDATE;TZID=Europe/Berlin:{_local(skip)}"] if skip else []),
        "DTSTAMP:20261201T120000Z",
        f"UID:{uid}@google.com",
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{who_email}",
        "SUMMARY:DB on-call",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]
    return "\n".join(lines)


def feed(now: datetime) -> str:
    """carol's weekly shift covers now but this week's occurrence is excluded (EXDATE); dave's
    longer weekly shift, under it, has now."""
    carol_start = now - timedelta(weeks=2, hours=1)
    dave_start = now - timedelta(weeks=2, hours=2)
    events = [
        weekly_event("carol", "carol@example.com", carol_start, 3, skip=now - timedelta(hours=1)),
        weekly_event("dave", "dave@example.com", dave_start, 5, skip=None),
    ]
    head = "BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nVERSION:2.0"
    text = "\n".join([head, "CALSCALE:GREGORIAN", VTIMEZONE, *events, "END:VCALENDAR", ""])
    return text.replace("\n", "\r\n")


async def test_a_calendar_over_http_is_read_at_each_page_and_kept_when_it_goes_away(
    time_skipping_env: WorkflowEnvironment, make_worker, tmp_path: Path
) -> None:
    env = time_skipping_env
    now = (await env.get_current_time()).replace(microsecond=0)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "db.ics").write_text(feed(now), newline="")
    with serve(feeds) as url:
        calendar = {"time_zone": "Europe/Berlin", "layers": [{"calendar": f"{url}/db.ics"}]}
        policy = schedule_policy(
            tmp_path, [tier("Tier 1", schedule="database")], {"database": calendar}, repeat=1
        )
        worker = make_worker(env.client, policy)
        async with worker.worker:
            handle = await start_incident(worker)
            state = await wait_for(handle, lambda s: bool(entries(s, "paged")))
            assert entries(state, "paged")[0].detail.startswith(
                "Tier 1: dave (on call for database)"
            )
            (feeds / "db.ics").unlink()  # the feed now answers 404
            await env.sleep(timedelta(minutes=11))
            state = await wait_for(handle, lambda s: len(entries(s, "paged")) == 2)
    assert entries(state, "paged")[1].detail.startswith("Tier 1: dave (on call for database)")
    (warning,) = [e.detail for e in entries(state, "warning")]
    assert warning.startswith(f"schedule database: cannot fetch {url}/db.ics: 404")
    assert "used the last good copy, read " in warning
    assert paged_recipients(state) == ["Dave Kim"]
