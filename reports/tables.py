"""Summaries the figures draw: small tidy tables computed from a run's large tables.

Role: reduce the per-ticket log (up to millions of rows) and the per-interval table to what
a chart needs — an ECDF at a few hundred quantiles, hour-of-week means, per-week costs — so
no report embeds per-ticket points.  Pure pandas/numpy; units in ``attrs["unit"]``.  Must
not import simpy, pyomo, the engine or the optimizer (of ``sim``, only the summary types).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.summary import QueueGroupCost, QueueKpis, read_json

RULE_ORDER = ("hours", "rest", "consecutive_days", "nights", "occupancy", "days_off")
"""Labour rules an agent-week can break, in the order the agents table names them."""


def queue_attainment(by_queue: Sequence[QueueKpis | Mapping[str, Any]]) -> pd.DataFrame:
    """The summary's queues that have a goal, as a table.

    Parameters
    ----------
    by_queue : sequence of QueueKpis (or of summary.json ``by_queue`` mappings)
        The summary's queues.

    Returns
    -------
    pandas.DataFrame
        Columns ``queue``, ``channel``, ``arrived``, ``target_minutes``, ``attainment``,
        ``ci_low``, ``ci_high``, ``goal`` (shares in 0..1), ``goal_met`` (bool).
    """
    rows = []
    for item in by_queue:
        q = read_json(QueueKpis, item)
        if q.goal is None or q.attainment is None:
            continue
        ci = q.attainment_ci95 or (None, None)
        rows.append(
            {
                "queue": q.queue or f"{q.language}/{q.channel}/{q.priority}",
                "channel": q.channel,
                "arrived": q.arrived,
                "target_minutes": q.target_minutes,
                "attainment": q.attainment,
                "ci_low": np.nan if ci[0] is None else float(ci[0]),
                "ci_high": np.nan if ci[1] is None else float(ci[1]),
                "goal": q.goal,
                "goal_met": bool(q.goal_met)
                if q.goal_met is not None
                else q.attainment >= q.goal - 1e-12,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "queue",
            "channel",
            "arrived",
            "target_minutes",
            "attainment",
            "ci_low",
            "ci_high",
            "goal",
            "goal_met",
        ],
    )
    frame.attrs["unit"] = {"attainment": "share", "target_minutes": "min", "arrived": "tickets"}
    return frame


def channel_targets(by_queue: Sequence[QueueKpis | Mapping[str, Any]]) -> dict[str, list[float]]:
    """First-response targets (minutes) that apply to each channel, smallest first."""
    out: dict[str, set[float]] = {}
    for item in by_queue:
        q = read_json(QueueKpis, item)
        if q.target_minutes is not None and q.tier == 1:
            out.setdefault(q.channel, set()).add(float(q.target_minutes))
    return {channel: sorted(values) for channel, values in out.items()}


def queue_group_costs(groups: Sequence[QueueGroupCost]) -> pd.DataFrame:
    """The summary's staff cost per language x channel as a table, dearest first.

    Returns
    -------
    pandas.DataFrame
        ``language``, ``channel``, ``label`` (``de / email``), ``busy_hours_per_week``
        (agent-hours handling tickets), ``contacts_per_week``, ``per_week`` (currency per
        week), ``per_contact`` (currency), ``share`` (of staff cost, 0..1).
    """
    rows = [
        {
            "language": g.language,
            "channel": g.channel,
            "label": f"{g.language} / {g.channel}",
            "busy_hours_per_week": g.busy_hours * g.per_week / g.total if g.total else 0.0,
            "contacts_per_week": g.contacts * g.per_week / g.total if g.total else 0.0,
            "per_week": g.per_week,
            "per_contact": np.nan if g.per_contact is None else g.per_contact,
            "share": g.share,
        }
        for g in groups
    ]
    columns = [
        "language",
        "channel",
        "label",
        "busy_hours_per_week",
        "contacts_per_week",
        "per_week",
        "per_contact",
        "share",
    ]
    frame = pd.DataFrame(rows, columns=columns).sort_values("per_week", ascending=False)
    frame.attrs["unit"] = {"per_week": "currency per week", "per_contact": "currency"}
    return frame.reset_index(drop=True)


def compute_first_response_ecdf(tickets: pd.DataFrame, points: int = 200) -> pd.DataFrame:
    """Share of tickets answered within x minutes, per channel, at ``points`` quantiles.

    Deflected tickets are left out; abandoned tickets and tickets still waiting at the end
    never get a first response, so each curve ends at the answered share, below 1 — they
    count as misses, as in SLA attainment.

    Parameters
    ----------
    tickets : pandas.DataFrame
        The ticket log: ``channel``, ``outcome``, ``first_response_minutes`` (NaN when
        never answered).
    points : int
        Quantiles per channel (the figure's size does not grow with the ticket count).

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``minutes``, ``share`` (0..1), ``tickets`` (count behind the
        curve, pooled over replications).
    """
    columns = ["channel", "minutes", "share", "tickets"]
    if tickets.empty:
        return pd.DataFrame(columns=columns)
    outcome = tickets["outcome"].astype(str) if "outcome" in tickets else None
    live = tickets if outcome is None else tickets[outcome.to_numpy() != "deflected"]
    frames = []
    for channel, group in live.groupby(live["channel"].astype(str), sort=False):
        waits = group["first_response_minutes"].to_numpy(dtype=float)
        answered = np.sort(waits[np.isfinite(waits)])
        n = len(waits)
        if n == 0 or len(answered) == 0:
            continue
        levels = np.linspace(0.0, 1.0, points)
        minutes = np.quantile(answered, levels)
        frames.append(
            pd.DataFrame(
                {
                    "channel": channel,
                    "minutes": minutes,
                    "share": levels * len(answered) / n,
                    "tickets": n,
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    frame.attrs["unit"] = {"minutes": "min", "share": "share of tickets"}
    return frame


def _local_hour_of_week(starts: pd.Series, timezone: str) -> pd.Series:
    local = pd.to_datetime(starts, utc=True).dt.tz_convert(timezone)
    return (local.dt.day_of_week * 24 + local.dt.hour).astype(int)


def compute_hour_of_week(intervals: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Per queue and hour of the week (reporting time zone): staffing, demand, attainment.

    Parameters
    ----------
    intervals : pandas.DataFrame
        The interval table: ``interval_start`` (UTC), ``queue``, ``tier``, ``arrivals``,
        ``staffed``, ``required`` (may be all NaN), ``attainment`` (NaN without tickets).
    timezone : str
        IANA name of the reporting time zone.

    Returns
    -------
    pandas.DataFrame
        One row per queue x hour of week (0 = Monday 00:00): ``queue``, ``tier``,
        ``hour_of_week``, ``staffed`` and ``required`` (mean agents), ``gap`` (staffed -
        required), ``arrivals_per_week`` (tickets arriving in that hour, mean per week),
        ``attainment`` (weighted by arrivals), ``uncovered_per_week`` (tickets per week
        arriving in intervals with nobody on shift for the queue).
    """
    df = intervals.copy()
    df["hour_of_week"] = _local_hour_of_week(df["interval_start"], timezone)
    if "tier" not in df:
        df["tier"] = 1
    required = df["required"] if "required" in df else pd.Series(np.nan, index=df.index)
    df["required"] = pd.to_numeric(required, errors="coerce")
    att = df["attainment"].astype(float)
    has_att = att.notna() & (df["arrivals"] > 0)
    df["att_weight"] = np.where(has_att, df["arrivals"], 0.0)
    df["att_weighted"] = np.where(has_att, att * df["arrivals"], 0.0)
    df["uncovered"] = np.where((df["staffed"] <= 1e-9) & (df["arrivals"] > 0), df["arrivals"], 0.0)
    starts = pd.to_datetime(df["interval_start"], utc=True)
    step = starts.drop_duplicates().sort_values().diff().min()
    per_hour = max(1.0, 3600.0 / step.total_seconds()) if pd.notna(step) else 1.0
    g = df.groupby(["queue", "hour_of_week"], sort=False)
    out = pd.DataFrame(
        {
            "tier": g["tier"].first(),
            "staffed": g["staffed"].mean(),
            "required": g["required"].mean(),
            "occurrences": g.size() / per_hour,
            "arrivals": g["arrivals"].sum(),
            "att_weight": g["att_weight"].sum(),
            "att_weighted": g["att_weighted"].sum(),
            "uncovered": g["uncovered"].sum(),
        }
    ).reset_index()
    weeks = out["occurrences"].where(out["occurrences"] > 0)
    out["arrivals_per_week"] = out["arrivals"] / weeks
    out["uncovered_per_week"] = out["uncovered"] / weeks
    with np.errstate(invalid="ignore", divide="ignore"):
        out["attainment"] = np.where(
            out["att_weight"] > 0, out["att_weighted"] / out["att_weight"], np.nan
        )
    out["gap"] = out["staffed"] - out["required"]
    order = {q: i for i, q in enumerate(pd.unique(df.sort_values("tier", kind="stable")["queue"]))}
    out = out.sort_values(
        ["queue", "hour_of_week"], key=lambda s: s.map(order) if s.name == "queue" else s
    ).reset_index(drop=True)
    out = out[
        [
            "queue",
            "tier",
            "hour_of_week",
            "staffed",
            "required",
            "gap",
            "arrivals_per_week",
            "attainment",
            "uncovered_per_week",
        ]
    ]
    out.attrs["unit"] = {
        "staffed": "agents",
        "required": "agents",
        "gap": "agents",
        "arrivals_per_week": "tickets per week",
        "attainment": "share",
        "uncovered_per_week": "tickets per week",
    }
    return out


def compute_backlog(intervals: pd.DataFrame) -> pd.DataFrame:
    """Tickets waiting at the start of each interval, summed per channel.

    Returns
    -------
    pandas.DataFrame
        Columns ``interval_start`` (UTC), ``channel``, ``backlog`` (tickets).
    """
    df = intervals[["interval_start", "channel", "backlog"]].copy()
    df["interval_start"] = pd.to_datetime(df["interval_start"], utc=True)
    out = df.groupby(["channel", "interval_start"], sort=False)["backlog"].sum().reset_index()
    out = out[["interval_start", "channel", "backlog"]]
    out.attrs["unit"] = {"backlog": "tickets"}
    return out


COST_COMPONENTS = {
    "base": "base pay",
    "night_premium": "night premium",
    "weekend_premium": "weekend premium",
    "holiday_premium": "holiday premium",
    "overtime": "overtime",
}


def compute_cost_per_week(costs: pd.DataFrame, weeks: float, currency: str) -> pd.DataFrame:
    """The cost table over the horizon (per team, or per team x language x channel as in
    costs.csv) as cost per team and week.

    Returns
    -------
    pandas.DataFrame
        ``team``, ``paid_hours`` and one column per :data:`COST_COMPONENTS` key plus
        ``total``, all per week; ``attrs["unit"]`` is e.g. ``"USD per week"``.
    """
    cols = [c for c in ("paid_hours", *COST_COMPONENTS, "total") if c in costs]
    out = costs.groupby("team", sort=False)[cols].sum().reset_index()
    if weeks > 0:
        out[cols] = out[cols] / weeks
    out.attrs["unit"] = f"{currency} per week"
    return out


def first_replication(agents: pd.DataFrame) -> pd.DataFrame:
    """Rows of the agents table from its first replication (all rows when it has none)."""
    if "replication" not in agents or agents.empty:
        return agents
    return agents[agents["replication"] == agents["replication"].min()]


def _rule_counts(violations: pd.Series) -> pd.DataFrame:
    text = violations.fillna("").astype(str)
    return pd.DataFrame(
        {rule: text.str.split(";").map(lambda parts, r=rule: r in parts) for rule in RULE_ORDER}
    )


def compute_burnout_by_team(agents: pd.DataFrame) -> pd.DataFrame:
    """Agent-weeks over a labour limit per team, and how many broke each rule.

    Returns
    -------
    pandas.DataFrame
        ``team``, ``agents``, ``agents_at_risk``, ``agent_weeks``, ``agent_weeks_at_risk``
        and one count column per rule in :data:`RULE_ORDER`.
    """
    if agents.empty:
        return pd.DataFrame(
            columns=[
                "team",
                "agents",
                "agents_at_risk",
                "agent_weeks",
                "agent_weeks_at_risk",
                *RULE_ORDER,
            ]
        )
    df = agents.copy()
    at_risk = df["at_risk"].astype(str).str.lower().isin(["true", "1"])
    rules = _rule_counts(df["violations"]).astype(int)
    rules["team"] = df["team"].to_numpy()
    g = df.groupby("team", sort=False)
    out = pd.DataFrame(
        {
            "agents": g["agent"].nunique(),
            "agents_at_risk": df[at_risk].groupby("team", sort=False)["agent"].nunique(),
            "agent_weeks": g.size(),
            "agent_weeks_at_risk": at_risk.groupby(df["team"], sort=False).sum(),
        }
    )
    out = out.join(rules.groupby("team", sort=False).sum()).fillna(0).astype(int)
    return out.reset_index()


def burnout_details(agents: pd.DataFrame, limit: int = 200) -> pd.DataFrame:
    """The agent-weeks at risk, most rules broken and most hours first (at most ``limit``)."""
    if agents.empty:
        return agents
    at_risk = agents["at_risk"].astype(str).str.lower().isin(["true", "1"])
    df = agents[at_risk].copy()
    df["rules_broken"] = df["violations"].fillna("").astype(str).str.count(";") + 1
    df = df.sort_values(["rules_broken", "hours"], ascending=False, kind="stable")
    keep = [
        c
        for c in (
            "agent",
            "team",
            "week_start",
            "hours",
            "occupancy",
            "nights",
            "min_rest_hours",
            "max_consecutive_days",
            "days_worked",
            "violations",
        )
        if c in df
    ]
    return df[keep].head(limit).reset_index(drop=True)
