"""Display text for crm_core.segmentation (keys ``seg.*``)."""

MESSAGES = {
    # ABC classes (seed 002) and "no purchase in the period"
    "seg.class.A": {"en": "A — key customers", "zh": "A类 关键客户"},
    "seg.class.B": {"en": "B — major customers", "zh": "B类 主要客户"},
    "seg.class.C": {"en": "C — ordinary customers", "zh": "C类 普通客户"},
    "seg.class.none": {"en": "No purchase", "zh": "无购买"},
    "seg.measure.revenue": {"en": "Revenue", "zh": "消费额"},
    "seg.measure.margin": {"en": "Profit contribution", "zh": "利润贡献"},
    "seg.pareto_sentence": {
        "en": "The top {fraction} of customers ({customers}) bring {share} of revenue.",
        "zh": "前 {fraction} 的客户（{customers} 位）贡献了 {share} 的收入。",
    },
    "seg.gini": {"en": "Gini coefficient", "zh": "基尼系数"},
    "seg.lorenz.customer_fraction": {"en": "Share of customers (smallest first)", "zh": "客户累计占比（从小到大）"},
    "seg.lorenz.revenue_fraction": {"en": "Share of revenue", "zh": "收入累计占比"},
    "seg.inactive": {"en": "Customers without a purchase in the period", "zh": "本期无购买的客户"},
    "seg.fell_out_of_a": {"en": "Left class A", "zh": "跌出A类的客户"},
    # non-monetary value (seed 001)
    "seg.factor.loyalty": {"en": "Loyalty", "zh": "忠诚度"},
    "seg.factor.stability": {"en": "Purchase stability", "zh": "购买稳定性"},
    "seg.factor.tolerance": {"en": "Tolerance of product problems", "zh": "对产品问题的宽容度"},
    "seg.factor.feedback": {"en": "Willingness to give feedback", "zh": "乐于提意见"},
    "seg.factor.referrals": {"en": "Referrals of new customers", "zh": "推荐新客户"},
    "seg.factor.credit": {"en": "Credit quality", "zh": "信用"},
    "seg.factor.influence": {"en": "Influence", "zh": "影响力"},
    "seg.value_tier.high": {"en": "High non-monetary value", "zh": "非货币价值高"},
    "seg.value_tier.medium": {"en": "Medium non-monetary value", "zh": "非货币价值中"},
    "seg.value_tier.low": {"en": "Low non-monetary value", "zh": "非货币价值低"},
    "seg.not_to_overlook": {
        "en": "C by revenue but high non-monetary value — not to be overlooked",
        "zh": "营业额属C级但非货币价值高——不可忽视的客户",
    },
    "seg.top_n": {"en": "Top {n} customers by revenue", "zh": "营业额排名前 {n} 位的客户"},
    # RFM segments
    "seg.rfm.champions": {"en": "Champions", "zh": "冠军客户"},
    "seg.rfm.loyal": {"en": "Loyal customers", "zh": "忠诚客户"},
    "seg.rfm.potential_loyalist": {"en": "Potential loyalists", "zh": "潜在忠诚客户"},
    "seg.rfm.new_customers": {"en": "New customers", "zh": "新客户"},
    "seg.rfm.promising": {"en": "Promising", "zh": "有潜力客户"},
    "seg.rfm.need_attention": {"en": "Need attention", "zh": "需要关注客户"},
    "seg.rfm.about_to_sleep": {"en": "About to sleep", "zh": "即将沉睡客户"},
    "seg.rfm.at_risk": {"en": "At risk", "zh": "流失风险客户"},
    "seg.rfm.cannot_lose": {"en": "Cannot lose them", "zh": "不能失去的客户"},
    "seg.rfm.hibernating": {"en": "Hibernating", "zh": "沉睡客户"},
    "seg.rfm.lost": {"en": "Lost", "zh": "已流失客户"},
    "seg.rfm.recency": {"en": "Recency (days since last purchase)", "zh": "最近一次购买（距今天数）"},
    "seg.rfm.frequency": {"en": "Frequency (purchase days)", "zh": "购买频次（购买天数）"},
    "seg.rfm.monetary": {"en": "Monetary (net spend)", "zh": "消费金额（净额）"},
    # need types (seed 001)
    "seg.need.price": {"en": "Price-oriented", "zh": "价格取向型"},
    "seg.need.value": {"en": "Value-oriented", "zh": "价值取向型"},
    "seg.need.composite": {"en": "Composite value", "zh": "复合价值型"},
    "seg.need_source.own": {"en": "Recorded", "zh": "档案记录"},
    "seg.need_source.inferred": {"en": "Inferred from purchases", "zh": "由购买记录推断"},
    "seg.need_rule": {
        "en": "Price-oriented: buys at a discount at least 50% of the time, or pays under 90% of the "
              "average price for the same goods. Value-oriented: buys at a discount less than 20% "
              "of the time and pays over 110% of the average price. Composite: everyone else with "
              "purchase data. A need type recorded in the customer file takes precedence.",
        "zh": "价格取向型：至少50%的购买享受了折扣，或所付价格低于同类商品平均价格的90%。"
              "价值取向型：享受折扣的购买少于20%，且所付价格高于平均价格的110%。"
              "复合价值型：其余有购买记录的客户。客户档案中已登记的需求类型优先。",
    },
    # resource allocation (seed 000)
    "seg.tier.key": {"en": "Key customers", "zh": "重点客户"},
    "seg.tier.general": {"en": "General customers", "zh": "一般客户"},
    "seg.tier.potential": {"en": "Potential customers", "zh": "潜在客户"},
    "seg.allocation.recommended": {"en": "Recommended", "zh": "建议投入"},
    "seg.allocation.actual": {"en": "Actual cost to serve", "zh": "实际投入"},
    "seg.allocation.per_customer": {"en": "Per customer", "zh": "每位客户"},
    "seg.allocation.mapping": {
        "en": "A → key, B → general, C → potential. The source's proportions are about 10% / 30% / 60% "
              "of customers; set the A and B shares to 10% and 40% to match them.",
        "zh": "A类→重点客户，B类→一般客户，C类→潜在客户。原文比例约为客户数的10%/30%/60%；"
              "将A、B类比例设为10%和40%即可与之对应。",
    },
}
