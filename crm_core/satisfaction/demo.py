"""Demo survey data: two years of quarterly waves, mystery-shopper visits.

Built so that every finding on the Satisfaction page is true of the data:

- Each answer comes from a latent *experience*: the customer's lasting experience, the wave (a
  dip in the fourth wave, recovery after), the rep (黄强's customers fare worse), the channel, the
  five service-quality dimensions (reliability matters most and performs worst: "fix first") and
  whether the customer really bought again in the 180 days after answering (so stated repurchase
  intent and satisfaction go with behaviour).
- Regional response style (docs/domain.md §4, seed 001): respondents in 华南 answer the 5-point
  satisfaction question **one notch lower** (min 1) for the same experience. Their experience is
  not worse, so the region-adjusted score (label calibration) puts 华南 back level with the rest.
  Only the 5-point label is affected; 0..10 recommend answers are not.
- Respondents are not a random draw: old customers answer more often than new ones, potential
  customers rarely (the non-response check shows it).
- The first four waves asked four SERVQUAL dimensions (the source texts' four, no assurance), the
  last four all five; about a third of respondents answered the SERVQUAL block. About 5 % of
  answers are anonymous (no customer_id).
- Comments (≈45 % of answers) from zh/en templates by sentiment.
- Mystery shoppers visit six stores each quarter; 上海人民广场店 scores 83, 85 and 88 on the last
  three visits (seed 004's KFC restaurant).
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.stats import norm

WAVES = 8
SOUTHERN_REGIONS = ("华南",)
CHANNELS = ("store", "phone", "wechat", "online")
CHANNEL_WEIGHTS = np.array([0.25, 0.30, 0.30, 0.15])
CHANNEL_EFFECT = np.array([0.05, -0.15, 0.0, 0.10])
WAVE_EFFECT = np.array([0.0, 0.05, 0.10, -0.30, 0.0, 0.10, 0.20, 0.30])
WEAK_REP, WEAK_REP_EFFECT = "黄强", -0.45
# per dimension: perception mean, expectation mean, weight in the overall experience
SERVQUAL = {
    "tangibles": (5.6, 5.4, 0.05),
    "reliability": (4.6, 6.5, 0.55),
    "responsiveness": (4.9, 6.2, 0.30),
    "assurance": (5.5, 6.0, 0.10),
    "empathy": (5.8, 5.6, 0.20),
}
# overall label shares before the regional style: 1: 5 %, 2: 11 %, 3: 16 %, 4: 38 %, 5: 30 %
LABEL_CUTS = norm.ppf([0.05, 0.16, 0.32, 0.70])
COMMENTS = {
    "neg_zh": ["送货太慢，等了一个多星期", "客服态度不好，打电话没人接", "价格太贵，比别家高", "发票开错了，催了好几次",
               "送货太慢，包装也破了", "投诉以后没有人回复", "质量不稳定，这次的米有虫", "业务员承诺的时间没有做到"],
    "neg_en": ["Delivery was slow and nobody called back", "Rude staff on the phone", "Too expensive for the quality",
               "The invoice was wrong again", "Slow delivery, damaged package"],
    "mid_zh": ["还可以，价格一般", "送货还行，希望再快一点", "服务一般，没有特别的感觉"],
    "mid_en": ["It was okay", "Average service, delivery could be faster"],
    "pos_zh": ["服务周到，送货及时", "业务员很热情，质量很好", "回复很快，问题当天解决", "一直在这里买，放心",
               "服务周到，价格合理", "送货及时，包装很好"],
    "pos_en": ["Friendly staff and fast delivery", "Great quality, will buy again", "Quick answers, very helpful",
               "Reliable delivery every month"],
}
MYSTERY_LOCATIONS = ["上海人民广场店", "北京王府井店", "广州天河店", "成都春熙路店", "武汉江汉路店", "深圳福田店"]
MYSTERY_CHECKLIST = ["greeting", "cleanliness", "wait_time", "product_knowledge", "upsell", "farewell"]


def _quarter_starts(as_of: date, n: int) -> list[date]:
    """First days of the last ``n`` calendar quarters up to and including the one of ``as_of``."""
    q = (as_of.year * 4 + (as_of.month - 1) // 3)
    return [date((k // 4), (k % 4) * 3 + 1, 1) for k in range(q - n + 1, q + 1)]


def _wave_frame(as_of: date) -> pd.DataFrame:
    starts = [s + timedelta(days=14) for s in _quarter_starts(as_of, WAVES)]
    names = [f"{s.year} Q{(s.month - 1) // 3 + 1}" for s in starts]
    return pd.DataFrame({"name": names, "started_on": starts})


def _respondents(rng, customers: pd.DataFrame, waves: pd.DataFrame, as_of: date, share: float):
    """(customer row index, wave position, responded_on) of every identified response."""
    created = pd.to_datetime(customers["created_at"]).dt.tz_localize(None).to_numpy()
    stage_w = customers["tenure_stage"].map({"old": 1.25, "new": 0.9, "potential": 0.3}).fillna(1.0).to_numpy()
    rows, wave_pos, days = [], [], []
    for w, start in enumerate(waves["started_on"]):  # one vectorised draw per wave (8 waves)
        eligible = created < np.datetime64(start)
        weight = stage_w * eligible
        p = np.minimum(share * weight * len(weight) / max(weight.sum(), 1.0), 0.95)
        chosen = np.flatnonzero(rng.random(len(p)) < p)
        last_day = min((as_of - start).days, 30)
        rows.append(chosen)
        wave_pos.append(np.full(len(chosen), w))
        days.append(np.datetime64(start) + rng.integers(0, max(last_day, 0) + 1, len(chosen)))
    return np.concatenate(rows), np.concatenate(wave_pos), np.concatenate(days).astype("datetime64[D]")


def _bought_after(cur, customer_ids: np.ndarray, answered: np.ndarray, transactions: pd.DataFrame) -> np.ndarray:
    """1.0 where the customer bought in the 180 days after answering, else 0.0 (one DuckDB join)."""
    probe = pd.DataFrame({"pos": np.arange(len(customer_ids)), "customer_id": customer_ids, "day": answered})
    cur.register("sat_demo_probe", probe)
    cur.register("sat_demo_txn", transactions[["customer_id", "txn_date"]])
    hits = cur.execute(
        "SELECT DISTINCT p.pos FROM sat_demo_probe p JOIN sat_demo_txn t USING (customer_id) "
        "WHERE t.txn_date > p.day AND t.txn_date <= p.day + INTERVAL 180 DAY").df()
    cur.unregister("sat_demo_probe")
    cur.unregister("sat_demo_txn")
    out = np.zeros(len(customer_ids))
    out[hits["pos"].to_numpy(dtype=np.int64)] = 1.0
    return out


def _comments(rng, label: np.ndarray) -> np.ndarray:
    n = len(label)
    english = rng.random(n) < 0.15
    mood = np.where(label <= 2, "neg", np.where(label == 3, "mid", "pos"))
    out = np.full(n, None, dtype=object)
    for m in ("neg", "mid", "pos"):
        for lang_key, is_lang in (("zh", ~english), ("en", english)):
            rows = np.flatnonzero((mood == m) & is_lang)
            options = np.asarray(COMMENTS[f"{m}_{lang_key}"], dtype=object)
            out[rows] = options[rng.integers(0, len(options), len(rows))]
    return np.where(rng.random(n) < 0.45, out, None)


def _answers(rng, base: np.ndarray, wave_pos: np.ndarray, southern: np.ndarray, bought: np.ndarray) -> dict:
    n = len(base)
    specific = {d: rng.normal(0, 1, n) for d in SERVQUAL}
    experience = base + 0.6 * (bought - bought.mean()) + sum(
        w * specific[d] for d, (_, _, w) in SERVQUAL.items()) + rng.normal(0, 0.35, n)
    e = (experience - experience.mean()) / experience.std()
    label = 1 + np.searchsorted(LABEL_CUTS, e)
    label = np.where(southern, np.maximum(label - 1, 1), label)  # the reserved southern answer
    recommend = np.clip(np.round(7.4 + 1.9 * e + rng.normal(0, 1.1, n)), 0, 10)
    intent = rng.random(n) < 1 / (1 + np.exp(-(0.3 + 1.5 * e + 1.2 * (bought - bought.mean()))))
    out = {"satisfaction": label, "recommend": recommend, "repurchase_intent": intent}
    asked = rng.random(n) < 0.33
    for d, (perc_mean, exp_mean, _) in SERVQUAL.items():
        block = asked & ((wave_pos >= 4) | (d != "assurance"))
        perc = np.clip(np.round(perc_mean + 0.5 * base + 0.9 * specific[d]), 1, 7)
        expct = np.clip(np.round(exp_mean + rng.normal(0, 0.7, n)), 1, 7)
        out[f"exp_{d}"] = np.where(block, expct, np.nan)
        out[f"perc_{d}"] = np.where(block, perc, np.nan)
    return out


def _mystery_visits(rng, as_of: date) -> pd.DataFrame:
    starts = _quarter_starts(as_of, WAVES)
    rows = []
    for i, location in enumerate(MYSTERY_LOCATIONS):
        level = 78 + 3 * i % 11
        for k, start in enumerate(starts):
            day = start + timedelta(days=int(rng.integers(20, 70)))
            score = float(np.clip(round(level + 0.8 * k + rng.normal(0, 2.5)), 40, 100))
            if i == 0 and k >= WAVES - 3:
                score = [83.0, 85.0, 88.0][k - (WAVES - 3)]
            day = min(day, as_of)
            checks = {item: bool(rng.random() < score / 100) for item in MYSTERY_CHECKLIST}
            rows.append((location, day, score, json.dumps(checks, ensure_ascii=False)))
    return pd.DataFrame(rows, columns=["location", "visited_on", "score", "checklist"])


def _store_waves(cur, waves: pd.DataFrame, wave_pos: np.ndarray, customers: int) -> tuple[list[int], bool]:
    """The eight waves' ids (their responses need them) and whether this call created them. A later
    chunk of a big demo finds the waves the first chunk made and adds its own invitations."""
    wave_ids, created = [], False
    for w, row in waves.iterrows():  # eight waves
        answered_w = int((wave_pos == w).sum())
        rate = 0.35 + 0.02 * (w % 4)
        invited = min(round(answered_w / rate), customers) if answered_w else None
        found = cur.execute("SELECT wave_id FROM survey_waves WHERE name = ? AND started_on = ?",
                            [row["name"], row["started_on"]]).fetchone()
        if found:
            if invited:
                cur.execute("UPDATE survey_waves SET invited = coalesce(invited, 0) + ? WHERE wave_id = ?",
                            [invited, found[0]])
            wave_ids.append(found[0])
            continue
        created = True
        wave_ids.append(cur.execute(
            "INSERT INTO survey_waves (name, started_on, invited) VALUES (?, ?, ?) RETURNING wave_id",
            [row["name"], row["started_on"], invited]).fetchone()[0])
    return wave_ids, created


def load_demo(cur, customers: pd.DataFrame, transactions: pd.DataFrame, as_of: date, seed: int,
              response_share: float = 0.15) -> int:
    """Insert demo survey waves, responses and mystery-shopper visits with ``cur`` (inside the
    caller's transaction). ``response_share``: expected share of customers answering per wave
    (0.15 by default; ≈ 0.0625 gives 500,000 answers from 1M customers). Returns the number of
    responses inserted. Deterministic for a given seed and input. Called once per chunk of a big
    demo (crm_core.demo): later chunks add their responses to the first chunk's waves.
    """
    rng = np.random.default_rng(seed + 4)
    waves = _wave_frame(as_of)
    idx, wave_pos, answered = _respondents(rng, customers, waves, as_of, response_share)
    ids = customers["customer_id"].to_numpy()[idx]
    region = customers["region"].to_numpy()[idx]
    reps = customers["sales_rep"].to_numpy()[idx]
    channel_pos = rng.choice(len(CHANNELS), size=len(idx), p=CHANNEL_WEIGHTS)
    lasting = rng.normal(0, 0.8, len(customers))[idx]
    base = lasting + WAVE_EFFECT[wave_pos] + CHANNEL_EFFECT[channel_pos] + np.where(reps == WEAK_REP, WEAK_REP_EFFECT, 0)
    bought = _bought_after(cur, ids, answered, transactions)
    answers = _answers(rng, base, wave_pos, np.isin(region, SOUTHERN_REGIONS), bought)

    wave_ids, first_chunk = _store_waves(cur, waves, wave_pos, len(customers))
    anonymous = rng.random(len(idx)) < 0.05
    frame = pd.DataFrame({
        "wave_id": np.asarray(wave_ids, dtype=np.int64)[wave_pos],
        "responded_on": answered,
        "customer_id": pd.Series(ids, dtype="Int64").mask(anonymous).to_numpy(),
        "region": region,
        "channel": np.asarray(CHANNELS, dtype=object)[channel_pos],
        "comment": _comments(rng, answers["satisfaction"]),
        **answers,
    })
    frame = frame.sort_values(["wave_id", "responded_on"], kind="stable")
    cur.register("sat_demo_frame", frame)
    columns = ", ".join(frame.columns)  # generated here, not user text
    cur.execute(f"INSERT INTO survey_responses ({columns}) SELECT {columns} FROM sat_demo_frame")
    cur.unregister("sat_demo_frame")
    if not first_chunk:  # a later chunk of a big demo: the visits were written with the first
        return len(frame)
    visits = _mystery_visits(rng, as_of)
    cur.register("sat_demo_visits", visits)
    cur.execute("INSERT INTO mystery_visits (location, visited_on, score, checklist) "
                "SELECT location, visited_on, score, checklist FROM sat_demo_visits")
    cur.unregister("sat_demo_visits")
    return len(frame)
