"""Deterministic demo data that makes every page show something true.

Generated in bulk with numpy and loaded through DuckDB (never row by row): customers in every
region and type, a heavy-tailed spend (the top 20% bring about 75–85% of revenue), three years of
cyclic, seasonal purchases up to ``as_of``, churned customers whose purchases stop, interactions,
key dates, birthdays and preferences; the extensions (``EXTENSIONS``) add promises, surveys, churn
events and class history.

**Streaming, in chunks of customers.** Whole frames for 1M customers took 4.4 GiB, so the demo is
generated ``CHUNK_CUSTOMERS`` (250k ≈ 2.75M transactions) at a time and each chunk is inserted and
dropped before the next; Python holds one chunk at most and DuckDB is capped (``BUILD_MEMORY_LIMIT``,
it spills beyond), so the peak stays within 4 GiB whatever the size (bench/README.md, "Building the
store", has the measurements up to 10M customers).

- *Same data for a small demo.* Chunk 0 draws from ``default_rng(seed)`` exactly as the generator
  always did, so a demo of one chunk (the 2,000-customer first start, the tests' 300) is identical to
  the one before chunking, table by table, ids included; a big demo's first 250k customers are that
  demo too. Chunk k > 0 draws from a seed derived from (seed, k) (``chunk_seed``), and so do the
  per-chunk extensions: the same seed gives the same store.
- *Ids continue.* Customer ids and order numbers start where the previous chunk ended; the other ids
  (transactions, interactions, promises, events, complaints, remedies, responses) come from their
  sequences in insertion order, so they continue too and stay deterministic (which is why
  ``preserve_insertion_order`` is left on).
- *Per customer or whole population.* Promises, surveys and churn events are per customer and run
  per chunk on the chunk's frames (a customer's ABC class for promises is ranked within its chunk,
  a random quarter-million sample of the population; survey waves are shared, mystery visits written
  once; each rep's skill at keeping promises is drawn once from the demo's seed, else 40 chunks
  would average the reps' differences away). Class history ranks the whole population month by month, so it runs once in ``_finish``,
  in SQL over the stored transactions.
- *One final step.* ``_finish`` runs after every chunk is stored: whole-population extensions, the
  customer summaries (crm_core.summaries; they record the transactions data version), anything else
  derived from all the transactions, and last the ``demo_loads`` row saying the store holds a complete demo.

**Atomicity.** A demo of one chunk is one transaction, as before: all of it or nothing. A bigger one
commits each chunk (one transaction over 100M rows would hold every chunk's uncommitted rows and
index entries until the end) and ``_finish`` last; until then the store has no ``demo_loads`` row. A new store (the CLI given a file
that does not exist yet, the benchmark) is built by ``build_demo_file`` into ``<path>.partial``,
renamed into place only when complete: a failed build leaves no file that looks like a store.
Filling an existing empty store in place with a big demo that then fails leaves the chunks already
committed and no ``demo_loads`` row; load the demo again into a new file.
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import logging
import os
import time
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from crm_core import summaries
from crm_core.customer_search import name_initials
from crm_core.store import Store

REGION_CITIES = {
    "华东": [("上海", "上海", "200000"), ("江苏", "南京", "210000"), ("浙江", "杭州", "310000"),
             ("山东", "济南", "250000"), ("江苏", "苏州", "215000")],
    "华北": [("北京", "北京", "100000"), ("天津", "天津", "300000"), ("河北", "石家庄", "050000")],
    "华南": [("广东", "广州", "510000"), ("广东", "深圳", "518000"), ("福建", "厦门", "361000"),
             ("广西", "南宁", "530000")],
    "华中": [("湖北", "武汉", "430000"), ("湖南", "长沙", "410000"), ("河南", "郑州", "450000")],
    "西部": [("四川", "成都", "610000"), ("重庆", "重庆", "400000"), ("陕西", "西安", "710000")],
    "东北": [("辽宁", "沈阳", "110000"), ("吉林", "长春", "130000"), ("黑龙江", "哈尔滨", "150000")],
}
REGION_WEIGHTS = np.array([0.30, 0.20, 0.22, 0.12, 0.10, 0.06])
REPS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞", "Emily Chen", "David Wang"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲鹏红晶飞斌宇浩凯健俊帆雪琳晨欣怡佳子涵")
ENGLISH_FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Grace", "Henry", "Chloe", "Jack"]
ENGLISH_LAST = ["Smith", "Brown", "Wilson", "Taylor", "Clark", "Lee", "Walker", "Hall", "Young", "King"]
COMPANY_WORDS = list("华鑫瑞丰恒泰宏达盛源新隆安康金嘉信德百兴联创明远天成")
COMPANY_SUFFIX = ["贸易有限公司", "科技有限公司", "实业有限公司", "商贸集团", "酒店管理有限公司", "食品有限公司"]
CHANNEL_SUFFIX = ["经销部", "商行", "分销中心", "批发部"]
# (product, unit price CNY, gross-margin rate): rice and oil are bought on a cycle (Wang Yongqing).
PRODUCTS = [("大米 25kg", 150.0, 0.18), ("食用油 5L", 90.0, 0.22), ("客房套餐", 680.0, 0.35),
            ("会议服务", 5000.0, 0.40), ("办公用品", 300.0, 0.25), ("礼品卡", 1000.0, 0.10),
            ("餐饮套餐", 260.0, 0.45), ("设备维护", 2000.0, 0.50)]
PREFERENCES = ["靠窗座位，常点中式早餐", "第二个窗口的位置，美式早餐", "安静的高层房间", "喜欢绿茶，不加糖",
               "周末送货，电话联系前台", "偏好微信沟通", "素食", "发票抬头用集团名称", "Window seat, continental breakfast",
               "Prefers email, mornings only", None, None, None]
# Month-of-year multipliers: the Spring Festival dip and the year-end peak.
SEASONALITY = np.array([0.85, 0.70, 0.95, 1.00, 1.00, 1.05, 0.95, 0.95, 1.05, 1.10, 1.25, 1.30])
CYCLE_DAYS = np.array([21, 30, 45, 60, 90, 120, 180])
CYCLE_WEIGHTS = np.array([0.06, 0.14, 0.18, 0.20, 0.20, 0.12, 0.10])


# Other capabilities add their demo rows in the same transaction: (module, its options key).
# Each module has load_demo(cur, customers, transactions, as_of, seed, **options) -> rows written.
# Per-chunk ones get each chunk's frames and seed; whole-population ones run once at the end, over
# what is stored (they get None frames). What must not vary from chunk to chunk (a rep's skill at
# keeping promises) comes from the demo's own seed, passed under the keyword in SAME_IN_EVERY_CHUNK.
PER_CHUNK_EXTENSIONS = (("crm_core.promises.demo", "promises"), ("crm_core.satisfaction.demo", "surveys"),
                        ("crm_core.churn.demo", "churn"))
SAME_IN_EVERY_CHUNK = {"promises": "rep_seed"}
WHOLE_EXTENSIONS = (("crm_core.segmentation", "segment_history"),)
EXTENSIONS = PER_CHUNK_EXTENSIONS + WHOLE_EXTENSIONS
log = logging.getLogger(__name__)
CHUNK_CUSTOMERS = 250_000  # ≈ 2.75M transactions; Python's frames for one chunk stay near 1 GiB
BUILD_MEMORY_LIMIT = "1536MB"  # DuckDB's share while a big demo is built (4 GiB budget in all)


@dataclass(frozen=True)
class DemoSize:
    customers: int
    transactions: int
    interactions: int
    key_dates: int
    extras: dict = field(default_factory=dict)


def _pick(rng: np.random.Generator, options, n: int, p=None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return np.char.zfill(rng.integers(0, 10 ** width, size=n).astype(str), width)


def _names(rng: np.random.Generator, ctype: np.ndarray, city: np.ndarray) -> np.ndarray:
    n = len(ctype)
    person = np.char.add(np.char.add(_pick(rng, SURNAMES, n).astype(str), _pick(rng, GIVEN, n).astype(str)),
                         np.where(rng.random(n) < 0.6, _pick(rng, GIVEN, n).astype(str), ""))
    english = np.char.add(np.char.add(_pick(rng, ENGLISH_FIRST, n).astype(str), " "),
                          _pick(rng, ENGLISH_LAST, n).astype(str))
    brand = np.char.add(_pick(rng, COMPANY_WORDS, n).astype(str), _pick(rng, COMPANY_WORDS, n).astype(str))
    company = np.char.add(np.char.add(city.astype(str), brand), _pick(rng, COMPANY_SUFFIX, n).astype(str))
    dealer = np.char.add(np.char.add(city.astype(str), brand), _pick(rng, CHANNEL_SUFFIX, n).astype(str))
    names = np.where(rng.random(n) < 0.12, english, person)
    names = np.where(ctype == "corporate", company, names)
    return np.where(ctype == "channel", dealer, names)


def _customers(rng: np.random.Generator, n: int, as_of: date, first_id: int = 1) -> pd.DataFrame:
    ids = np.arange(first_id, first_id + n)
    ctype = _pick(rng, ["corporate", "channel", "individual"], n, [0.25, 0.15, 0.60])
    region_idx = rng.choice(len(REGION_CITIES), size=n, p=REGION_WEIGHTS)
    regions = list(REGION_CITIES)
    region = np.asarray(regions, dtype=object)[region_idx]
    city_pick = rng.random(n)
    province, city, postal = (np.empty(n, dtype=object) for _ in range(3))
    for r, name in enumerate(regions):
        rows = region_idx == r
        cities = REGION_CITIES[name]
        chosen = (city_pick[rows] * len(cities)).astype(int)
        province[rows] = np.asarray([c[0] for c in cities], dtype=object)[chosen]
        city[rows] = np.asarray([c[1] for c in cities], dtype=object)[chosen]
        postal[rows] = np.asarray([c[2] for c in cities], dtype=object)[chosen]
    is_person = ctype == "individual"
    birthday = pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 52, n), unit="D")
    leap_babies = rng.random(n) < 0.002  # a few 29 February birthdays for the care page
    birthday = birthday.where(~leap_babies, pd.Timestamp("1984-02-29") + pd.to_timedelta(
        rng.integers(0, 4, n) * 1461, unit="D"))
    has_credit = ~is_person | (rng.random(n) < 0.1)
    credit = np.round(np.exp(rng.normal(11.5, 0.9, n)) / 1000) * 1000
    frame = pd.DataFrame({
        "customer_id": ids,
        "code": np.char.add("C", np.char.zfill(ids.astype(str), 7)),
        "name": _names(rng, ctype, city),
        "customer_type": ctype,
        "region": region, "province": province, "city": city, "postal_code": postal,
        "address": np.char.add(np.char.add(city.astype(str), "市人民路"), rng.integers(1, 999, n).astype(str)) + "号",
        "contact_person": _names(rng, np.full(n, "individual", dtype=object), city),
        "phone": np.char.add(_pick(rng, ["13", "15", "17", "18", "19"], n).astype(str), _digits(rng, n, 9)),
        "email": np.where(rng.random(n) < 0.5, np.char.add(np.char.add("c", ids.astype(str)), "@example.com"), None),
        "currency": "CNY",
        "payment_terms": np.where(is_person, "现结", _pick(rng, ["月结30天", "月结60天", "货到付款"], n)),
        "credit_limit": np.where(has_credit, credit, np.nan),
        "sales_rep": _pick(rng, REPS, n),
        "need_type": _pick(rng, ["price", "value", "composite", None, None], n),
        "birthday": np.where(is_person & (rng.random(n) < 0.8), birthday.date, None),
        "preferences": _pick(rng, PREFERENCES, n),
        "household_size": np.where(is_person, rng.integers(1, 7, n), None),
        "payday": np.where(rng.random(n) < 0.4, _pick(rng, [5, 10, 15, 25], n), None),
        "influence": np.where(rng.random(n) < 0.3, rng.integers(1, 6, n), None),
    })
    return frame


def _purchase_plan(rng: np.random.Generator, customers: pd.DataFrame, as_of: date, years: int = 3):
    """Per customer: first purchase day, last possible day (churned earlier), cycle, spend level, product."""
    n = len(customers)
    horizon = 365 * years
    # Older customers are more common than brand-new ones.
    start_offset = (horizon * rng.beta(1.0, 1.6, n)).astype(int)
    start = np.datetime64(as_of) - horizon + start_offset
    potential = rng.random(n) < 0.08
    churned = rng.random(n) < 0.22
    churn_day = start + ((np.datetime64(as_of) - start).astype(int) * rng.uniform(0.3, 0.9, n)).astype(int)
    end = np.where(churned, churn_day, np.datetime64(as_of))
    type_scale = customers["customer_type"].map({"corporate": 8.0, "channel": 5.0, "individual": 1.0}).to_numpy()
    annual = np.exp(rng.normal(8.4, 1.35, n)) * type_scale
    cycle = rng.choice(CYCLE_DAYS, size=n, p=CYCLE_WEIGHTS)
    product = rng.integers(0, len(PRODUCTS), n)
    product = np.where(customers["customer_type"].to_numpy() == "individual", rng.integers(0, 2, n), product)
    return start, end, potential, cycle, annual, product


def _transactions(rng: np.random.Generator, customers: pd.DataFrame, as_of: date,
                  first_order: int = 1) -> pd.DataFrame:
    start, end, potential, cycle, annual, product = _purchase_plan(rng, customers, as_of)
    span = (end - start).astype(int)
    counts = np.where(potential, 0, np.maximum(1, span // cycle + 1))
    owner = np.repeat(np.arange(len(customers)), counts)
    # k = position of each purchase within its customer's sequence (0, 1, 2, ...).
    k = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    jitter = rng.normal(0, 0.12, len(owner)) * cycle[owner]
    offset = np.clip(k * cycle[owner] + jitter, 0, span[owner]).astype(int)
    day = start[owner] + offset
    month = pd.DatetimeIndex(day).month.to_numpy() - 1
    amount = annual[owner] * cycle[owner] / 365 * SEASONALITY[month] * rng.lognormal(0, 0.25, len(owner))
    unit_price = np.array([p[1] for p in PRODUCTS])[product[owner]]
    margin_rate = np.array([p[2] for p in PRODUCTS])[product[owner]]
    price_buyer = (customers["need_type"].to_numpy() == "price")[owner]
    discounted = rng.random(len(owner)) < np.where(price_buyer, 0.6, 0.1)
    amount = np.round(np.maximum(amount, unit_price), 2)
    return pd.DataFrame({
        "customer_id": customers["customer_id"].to_numpy()[owner],
        "txn_date": day.astype("datetime64[D]"),
        "amount": amount,
        "order_id": np.char.add("SO", np.char.zfill(np.arange(first_order, first_order + len(owner)).astype(str), 9)),
        "product": np.asarray([p[0] for p in PRODUCTS], dtype=object)[product[owner]],
        "quantity": np.maximum(1, np.round(amount / unit_price)),
        "gross_margin": np.round(amount * margin_rate * rng.uniform(0.7, 1.2, len(owner)), 2),
        "discount": np.where(discounted, np.round(amount * 0.1, 2), np.nan),
    })


def _interactions(rng: np.random.Generator, customers: pd.DataFrame, as_of: date, per_customer: float):
    n = int(len(customers) * per_customer)
    # Bigger customers get more attention: sample owners by credit limit as a proxy for size.
    weight = np.nan_to_num(customers["credit_limit"].to_numpy(dtype=float), nan=20000.0) ** 0.5
    owner = rng.choice(len(customers), size=n, p=weight / weight.sum())
    channel = _pick(rng, ["visit", "phone", "wechat", "email", "event", "gift"], n,
                    [0.2, 0.3, 0.25, 0.1, 0.05, 0.1])
    base_cost = pd.Series(channel).map({"visit": 400.0, "phone": 5.0, "wechat": 0.0, "email": 0.0,
                                        "event": 800.0, "gift": 300.0}).to_numpy()
    seconds = rng.integers(0, 3 * 365 * 86400, n)
    occurred = pd.Timestamp(as_of, tz="Asia/Shanghai") - pd.to_timedelta(seconds, unit="s")
    return pd.DataFrame({
        "customer_id": customers["customer_id"].to_numpy()[owner],
        "occurred_at": occurred,
        "channel": channel,
        "place": np.where(channel == "visit", customers["city"].to_numpy()[owner], None),
        "rep": customers["sales_rep"].to_numpy()[owner],
        "cost": np.round(base_cost * rng.uniform(0.5, 1.5, n), 2),
        "concession": np.where(rng.random(n) < 0.08, np.round(rng.uniform(50, 2000, n), 2), 0.0),
        "products_provided": np.where(channel == "gift", _pick(rng, ["月饼礼盒", "茶叶", "生日蛋糕", "台历"], n), None),
        "note": _pick(rng, ["例行回访", "新品介绍", "处理投诉", "节日问候", "Quarterly review", None], n),
    })


def _key_dates(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    corporate = customers[customers["customer_type"] != "individual"]
    founded = pd.to_datetime("1985-01-01") + pd.to_timedelta(rng.integers(0, 365 * 38, len(corporate)), unit="D")
    return pd.DataFrame({"customer_id": corporate["customer_id"].to_numpy(), "kind": "founding",
                         "label": "公司成立日", "day": founded.date})


def _finish_customers(customers: pd.DataFrame, txns: pd.DataFrame, as_of: date, rng) -> pd.DataFrame:
    first = txns.groupby("customer_id")["txn_date"].min()
    first_day = customers["customer_id"].map(first)
    never = first_day.isna()
    lead = pd.to_timedelta(rng.integers(0, 60, len(customers)), unit="D")
    created = (first_day.fillna(pd.Timestamp(as_of) - pd.Timedelta(days=400)) - lead)
    created = created.where(~never, pd.Timestamp(as_of) - pd.to_timedelta(rng.integers(0, 700, len(customers)), "D"))
    customers["created_at"] = created.dt.tz_localize("Asia/Shanghai") + pd.Timedelta(hours=10)
    recent = first_day >= pd.Timestamp(as_of) - pd.Timedelta(days=365)
    customers["tenure_stage"] = np.where(never, "potential", np.where(recent, "new", "old"))
    return customers


def generate(customers: int = 2000, seed: int = 20240305, as_of: date | None = None,
             first_id: int = 1, first_order: int = 1):
    """The demo tables as DataFrames: (customers, transactions, interactions, key_dates), with
    customer ids from ``first_id`` and order numbers from ``first_order`` (one chunk of a big demo
    starts where the one before ended)."""
    as_of = as_of or date.today()
    rng = np.random.default_rng(seed)
    people = _customers(rng, customers, as_of, first_id)
    txns = _transactions(rng, people, as_of, first_order)
    people = _finish_customers(people, txns, as_of, rng)
    return people, txns, _interactions(rng, people, as_of, per_customer=2.5), _key_dates(rng, people)


def chunk_seed(seed: int, chunk: int) -> int:
    """The seed of one chunk: the demo's own seed for the first (so a demo of one chunk is the one
    it always was), a seed drawn from (seed, chunk) for the others (independent streams)."""
    return seed if chunk == 0 else int(np.random.SeedSequence([seed, chunk]).generate_state(1)[0])


def chunk_sizes(customers: int, chunk_customers: int = CHUNK_CUSTOMERS) -> list[int]:
    """How many customers each chunk generates: full chunks, then the rest."""
    full, rest = divmod(max(customers, 0), chunk_customers)
    return [chunk_customers] * full + ([rest] if rest else [])


def load_demo(store: Store, customers: int = 2000, seed: int = 20240305, as_of: date | None = None,
              options: dict[str, dict] | None = None, chunk_customers: int = CHUNK_CUSTOMERS) -> DemoSize:
    """Fill an empty store with demo data (see the module docstring). Refuses a store that has
    customers. Up to ``chunk_customers`` customers: one transaction; more: one transaction per
    chunk and a last one (``_finish``) that writes the whole-population data and the
    ``demo_loads`` row, with DuckDB's memory bounded while it runs.

    ``options`` passes size settings to the extensions, e.g. ``{"promises": {"scale": 1.0},
    "surveys": {"response_share": 0.0625}}``.
    """
    (existing,) = store.query_one("SELECT count(*) FROM customers")
    if existing:
        raise ValueError("the store already has customers; demo data goes into an empty store only")
    as_of = as_of or date.today()
    options = options or {}
    sizes = chunk_sizes(customers, chunk_customers)
    total = DemoSize(0, 0, 0, 0, {key: 0 for _, key in PER_CHUNK_EXTENSIONS + WHOLE_EXTENSIONS})
    if len(sizes) <= 1:  # the first-start demo and the tests' demos: all or nothing, as always
        with store.transaction() as cur:
            total = _load_chunk(cur, total, 0, sizes[0] if sizes else 0, seed, as_of, options, {})
            return _finish(cur, total, seed, as_of, options)
    initials: dict[str, str] = {}
    began = time.perf_counter()
    with _bounded_memory(store):
        for index, count in enumerate(sizes):
            with store.transaction() as cur:
                total = _load_chunk(cur, total, index, count, seed, as_of, options, initials)
            _release_freed_memory()
            log.info("demo chunk %d/%d: %s customers, %s transactions stored (%.0f s)", index + 1, len(sizes),
                     f"{total.customers:,}", f"{total.transactions:,}", time.perf_counter() - began)
        with store.transaction() as cur:
            total = _finish(cur, total, seed, as_of, options)
    log.info("demo finished: class history and demo_loads (%.0f s)", time.perf_counter() - began)
    return total


def _load_chunk(cur, total: DemoSize, index: int, count: int, seed: int, as_of: date,
                options: dict[str, dict], initials: dict[str, str]) -> DemoSize:
    """Generate and insert one chunk of ``count`` customers after the ``total`` already stored,
    with the per-customer extensions; returns the new running total. ``initials`` remembers the
    names already converted (``_initials``)."""
    people, txns, contacts, dates = generate(count, chunk_seed(seed, index), as_of,
                                             first_id=total.customers + 1, first_order=total.transactions + 1)
    stored = people.assign(name_initials=_initials(people["name"], initials))  # what search finds them by
    for table, frame in (("customers", stored), ("transactions", txns),
                         ("interactions", contacts), ("key_dates", dates)):
        cur.register("demo_frame", frame)
        columns = ", ".join(frame.columns)  # generated here, not user text
        cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM demo_frame")
        cur.unregister("demo_frame")
    # Explicit ids were used for customers: move the sequence past them.
    cur.execute("SELECT max(nextval('customer_id_seq')) FROM range(?)", [len(people)]).fetchall()
    extras = dict(total.extras)
    for module, key in PER_CHUNK_EXTENSIONS:
        loader = importlib.import_module(module).load_demo
        shared = {SAME_IN_EVERY_CHUNK[key]: seed} if key in SAME_IN_EVERY_CHUNK else {}
        extras[key] += loader(cur, people, txns, as_of, chunk_seed(seed, index), **shared, **options.get(key, {}))
    return DemoSize(total.customers + len(people), total.transactions + len(txns),
                    total.interactions + len(contacts), total.key_dates + len(dates), extras)


def _initials(names: pd.Series, known: dict[str, str]) -> list[str | None]:
    """``customer_search.name_initials`` of ``names``, converting only the names no earlier chunk
    had: the demo draws from a few hundred thousand names, so without this every chunk would spend
    most of its time converting the same names to pinyin again."""
    new = [name for name in names.unique() if isinstance(name, str) and name not in known]
    known.update(zip(new, name_initials(new)))
    return [known.get(name) if isinstance(name, str) else None for name in names]


def _finish(cur, total: DemoSize, seed: int, as_of: date, options: dict[str, dict]) -> DemoSize:
    """The last step, once every chunk is stored: what needs the whole population (class history
    from the stored transactions), the customer summaries and the new data version, then the ``demo_loads`` row that says the
    store holds a complete demo. Anything else derived from all the transactions goes here too."""
    extras = dict(total.extras)
    for module, key in WHOLE_EXTENSIONS:
        loader = importlib.import_module(module).load_demo
        extras[key] += loader(cur, None, None, as_of, seed, **options.get(key, {}))
    summaries.rebuild(cur)  # the customer summaries of everything loaded; records the new data version
    if total.customers:  # the store now holds demo data: the app says so while these customers remain
        cur.execute("INSERT INTO demo_loads (first_customer_id, last_customer_id, seed, as_of) VALUES (?, ?, ?, ?)",
                    [1, total.customers, seed, as_of])
    return DemoSize(total.customers, total.transactions, total.interactions, total.key_dates, extras)


@contextmanager
def _bounded_memory(store: Store):
    """DuckDB's memory capped at ``BUILD_MEMORY_LIMIT`` while a big demo is built (it spills to its
    temporary directory beyond that), the previous limit restored afterwards. Insertion order is
    kept: the transaction and interaction ids come from sequences in insertion order, which is what
    makes them the same for the same seed."""
    (previous,) = store.query_one("SELECT current_setting('memory_limit')")
    # SET takes no ? parameter: the values are this module's constant and DuckDB's own setting.
    store.query_one(f"SET memory_limit = '{BUILD_MEMORY_LIMIT}'")
    try:
        yield
    finally:
        store.query_one(f"SET memory_limit = '{previous}'")


def _release_freed_memory() -> None:
    """Give the heap freed by the chunk's frames back to the system (glibc keeps it otherwise, and
    the peak resident size would creep up chunk after chunk)."""
    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def build_demo_file(path: str | Path, customers: int, seed: int = 20240305, as_of: date | None = None,
                    options: dict[str, dict] | None = None, timezone: str | None = None,
                    chunk_customers: int = CHUNK_CUSTOMERS) -> DemoSize:
    """Build a demo store at ``path`` (which must not exist) through a side file ``path.partial``
    renamed into place only once complete: a failed or interrupted build leaves no file at
    ``path`` that looks like a store."""
    target, partial = Path(path), Path(f"{path}.partial")
    if target.exists():
        raise ValueError(f"{target} exists; a demo store is built into a new file only")
    for stale in (partial, Path(f"{partial}.wal")):
        stale.unlink(missing_ok=True)
    store = Store(partial, timezone) if timezone else Store(partial)
    try:
        size = load_demo(store, customers, seed, as_of, options, chunk_customers)
        store.query_one("CHECKPOINT")
    except BaseException:
        store.close()
        for stale in (partial, Path(f"{partial}.wal")):  # nothing half-built stays behind
            stale.unlink(missing_ok=True)
        raise
    store.close()
    os.replace(partial, target)
    return size


def demo_customers_left(store: Store) -> int:
    """How many customers loaded as demo data are still in the store (0 for a store without demo
    data). A count only — a fact about the store, the same for every user."""
    # One count per stretch of ids (the loads' ranges merged where they overlap): a range count is
    # answered from the id column's min/max per block, where a join of every customer to the
    # loads took ~0.4 s at 1M customers on every page's first view.
    with closing(store.system_cursor()) as cur:  # a count of the whole file, the same for every user
        loads = cur.execute("SELECT first_customer_id, last_customer_id FROM demo_loads ORDER BY 1, 2").fetchall()
        return sum(cur.execute("SELECT count(*) FROM customers WHERE customer_id BETWEEN ? AND ?",
                               [first, last]).fetchone()[0] for first, last in _merged_ranges(loads))


def _merged_ranges(ranges) -> list[tuple[int, int]]:
    """Inclusive id ranges sorted by start, merged where they overlap (each id counted once)."""
    merged: list[tuple[int, int]] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
