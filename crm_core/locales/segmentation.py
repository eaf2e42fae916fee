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
    "seg.inactive": {"en": "No purchase in period", "zh": "本期无购买的客户"},
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
    "seg.top_n": {"en": "Top {n} {n!p:customer|customers} by revenue", "zh": "营业额排名前 {n} 位的客户"},
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

    # --- the Segmentation page ------------------------------------------------------------------
    "seg.page_title": {"en": "Segmentation", "zh": "客户细分"},
    "seg.intro": {
        "en": "Not every customer is worth the same: rank customers by what they bring (ABC — A = the top 5%, "
              "B = the next 15%, C = the rest), see how concentrated revenue is (the 80/20 rule), who moved "
              "between classes, who is big by revenue or by non-monetary value, and whether effort goes where "
              "it pays — key customers (~10%) should get about 60% of resources.",
        "zh": "客户的价值并不相同：按贡献给客户排序（ABC分类——A类为前5%，B类为其后15%，C类为其余），看收入有多集中（二八法则）、"
              "谁在类别之间变动、谁按营业额或非货币价值是大客户，以及投入是否用在了值得的地方——约10%的重点客户应获得约60%的资源。",
    },
    "seg.tab.abc": {"en": "ABC & Pareto", "zh": "ABC与帕累托"},
    "seg.tab.movement": {"en": "Movement", "zh": "类别变动"},
    "seg.tab.big": {"en": "Big customers", "zh": "大客户识别"},
    "seg.tab.rfm": {"en": "RFM", "zh": "RFM细分"},
    "seg.tab.need": {"en": "Need type", "zh": "需求类型"},
    "seg.tab.resources": {"en": "Resources", "zh": "资源配置"},
    "seg.tab.satisfaction": {"en": "Satisfaction × loyalty", "zh": "满意度×忠诚度"},
    "seg.period": {"en": "Period", "zh": "期间"},
    "seg.period_caption": {"en": "Period {start} to {end}, both days included.", "zh": "期间：{start} 至 {end}（含首尾两天）。"},
    "seg.pick_period_end": {"en": "Pick the last day of the period too.", "zh": "请再选择期间的最后一天。"},
    "seg.measure": {"en": "Rank by", "zh": "排序依据"},
    "seg.a_share": {"en": "A: top % of customers", "zh": "A类：前百分之几的客户"},
    "seg.a_share_help": {"en": "Share of customers in class A (default 5%).", "zh": "A类客户占客户数的比例（默认5%）。"},
    "seg.b_share": {"en": "A + B: top % of customers", "zh": "A+B类：前百分之几的客户"},
    "seg.b_share_help": {
        "en": "Share of customers in A and B together (default 20%, so B is the next 15%).",
        "zh": "A类与B类合计占客户数的比例（默认20%，即B类为其后15%）。",
    },
    "seg.shares_invalid": {
        "en": "The A share cannot be larger than the A + B share: lower A or raise A + B.",
        "zh": "A类比例不能大于A+B类比例：请调低A类或调高A+B类比例。",
    },
    "seg.rep_scope_note": {
        "en": "You see your own customers ({rep}): classes, shares and scores are relative to them.",
        "zh": "您看到的是自己的客户（{rep}）：类别、占比和评分都相对于这些客户计算。",
    },
    "seg.kpi.classified": {"en": "Customers ranked", "zh": "参与排名的客户"},
    "seg.kpi.classified_help": {
        "en": "Customers whose {measure} in the period adds up to more than zero.",
        "zh": "本期{measure}合计大于零的客户。",
    },
    "seg.inactive_help": {
        "en": "Customers on file with no net purchase in the period; they are counted apart, not as C.",
        "zh": "档案中本期没有净购买的客户；他们单独统计，不计入C类。",
    },
    "seg.kpi.top_share": {"en": "Top {fraction} bring", "zh": "前 {fraction} 客户贡献"},
    "seg.gini_help": {
        "en": "0 = every customer brings the same; towards 1 = one customer brings everything. "
              "Twice the area between the curve and the diagonal.",
        "zh": "0表示每位客户贡献相同；越接近1表示收入越集中于少数客户。等于曲线与对角线之间面积的两倍。",
    },
    "seg.not_positive": {
        "en": "{count} {count!p:customer|customers} bought in the period but their profit contribution is not above zero (or unknown); they are not ranked.",
        "zh": "有 {count} 位客户本期有购买，但利润贡献不大于零（或未知），未参与排名。",
    },
    "seg.no_purchases": {"en": "No purchases in this period.", "zh": "本期没有购买记录。"},
    "seg.pyramid_title": {"en": "Customer pyramid", "zh": "客户金字塔"},
    "seg.pyramid_text": {"en": "{count} {count!p:customer|customers} · {share} of the total", "zh": "{count} 位客户 · 占合计 {share}"},
    "seg.pareto.title": {"en": "Pareto curve (largest customers first)", "zh": "帕累托曲线（从最大客户开始）"},
    "seg.pareto.x": {"en": "Share of customers (largest first)", "zh": "客户累计占比（从大到小）"},
    "seg.pareto.y": {"en": "Cumulative share of {measure}", "zh": "{measure}累计占比"},
    "seg.pareto.curve": {"en": "Customers", "zh": "客户"},
    "seg.pareto.equal": {"en": "Everyone equal", "zh": "完全平均"},
    "seg.pareto.point": {"en": "80/20 point", "zh": "二八点"},
    "seg.abc_rule": {
        "en": "Rule: rank customers by the measure (ties by customer number); A = the first {a} of them, "
              "B = up to the first {b}, C = the rest (counts rounded up).",
        "zh": "规则：按所选指标给客户排序（相同时按客户编号）；A类为前 {a}，B类为前 {b} 中A类以外的客户，其余为C类（人数向上取整）。",
    },
    "seg.class_list": {"en": "Customers by class", "zh": "各类客户名单"},
    "seg.show_class": {"en": "Class", "zh": "类别"},
    "seg.list_count": {"en": "{count} {count!p:customer|customers}", "zh": "共 {count} 位客户"},
    "seg.list_empty": {"en": "No customers in this list.", "zh": "名单中没有客户。"},
    "seg.download_all": {"en": "Download the whole list ({count} {count!p:row|rows}, CSV)", "zh": "下载完整名单（{count} 行，CSV）"},
    "seg.movement.periods": {
        "en": "Previous period {prev_start} – {prev_end} against this period {start} – {end}.",
        "zh": "上一期 {prev_start} – {prev_end} 对比本期 {start} – {end}。",
    },
    "seg.movement.before": {"en": "Previous period", "zh": "上一期"},
    "seg.movement.now": {"en": "This period", "zh": "本期"},
    "seg.movement.matrix": {"en": "Class migration (customers)", "zh": "类别迁移矩阵（客户数）"},
    "seg.movement.matrix_help": {
        "en": "Rows: class in the previous period; columns: class now. “No purchase” → a class are new or returning buyers.",
        "zh": "行：上一期类别；列：本期类别。“无购买”→某类别为新增或回头的客户。",
    },
    "seg.movement.sankey": {"en": "Where each class went", "zh": "各类客户的去向"},
    "seg.movement.other_cells": {"en": "Show another movement", "zh": "查看其他变动"},
    "seg.fell_out_help": {
        "en": "Key customers of the previous period who are no longer A — call them first.",
        "zh": "上一期的关键客户本期已不在A类——应优先联系。",
    },
    "seg.history_span": {
        "en": "Class history recorded from {first} to {last} (month ends).",
        "zh": "类别历史记录范围：{first} 至 {last}（各月末）。",
    },
    "seg.top_n_help": {
        "en": "Revenue ranking (营业额排位法): the 50 largest, graded among themselves into a 1st, 2nd and "
              "3rd tier with the shares above (3 / 7 / 40 of 50 by default). That grade within the top 50 is "
              "not the ABC class: the Class column is each customer's ABC class of the same period and "
              "measure, the same as on the ABC tab.",
        "zh": "营业额排位法：取前50位客户，并按上面的比例在这50位之中分为一、二、三档（默认 3 / 7 / 40 位）。"
              "前50名内的分档不是ABC类别：“类别”一列是客户在同一期间、同一口径下的ABC类别，与ABC页签一致。",
    },
    "seg.top_grade.1": {"en": "Top 50: 1st tier", "zh": "前50名内：一档"},
    "seg.top_grade.2": {"en": "Top 50: 2nd tier", "zh": "前50名内：二档"},
    "seg.top_grade.3": {"en": "Top 50: 3rd tier", "zh": "前50名内：三档"},
    "seg.value_title": {"en": "Non-monetary value", "zh": "非货币价值"},
    "seg.weights": {"en": "Weights of the non-monetary factors", "zh": "非货币价值因素的权重"},
    "seg.weights_help": {
        "en": "Each factor is scored 0–100 by percentile among customers; the value score is the weighted mean. "
              "A customer's missing value counts as a neutral 50.",
        "zh": "每个因素按客户间的百分位计为0–100分；非货币价值得分为加权平均。缺少数据的客户该项按中性50分计。",
    },
    "seg.weights_all_zero": {"en": "Give at least one factor a weight above zero.", "zh": "请至少给一个因素大于零的权重。"},
    "seg.weights_no_data": {
        "en": "None of the weighted factors has data yet: weight loyalty, stability or influence.",
        "zh": "有权重的因素都还没有数据：请给忠诚度、购买稳定性或影响力设置权重。",
    },
    "seg.factors_without_data": {
        "en": "No data yet for: {factors} — left out of the score.",
        "zh": "暂无数据的因素：{factors}——未计入得分。",
    },
    "seg.grid_title": {"en": "Revenue class × non-monetary value", "zh": "营业额类别 × 非货币价值"},
    "seg.value_tier": {"en": "Non-monetary value", "zh": "非货币价值"},
    "seg.not_to_overlook_count": {"en": "C-class, high value", "zh": "C级但价值高的客户"},
    "seg.tier_rule": {
        "en": "High / medium / low: the top, middle and bottom third of customers by value score.",
        "zh": "高/中/低：按非货币价值得分排在前、中、后三分之一的客户。",
    },
    "seg.all_scores": {"en": "Every customer's value score", "zh": "全部客户的非货币价值得分"},
    "seg.rfm_help": {
        "en": "Recency, frequency and monetary value in the period, each scored 1–5 by quintile (5 = best); "
              "segments follow the R × F grid below.",
        "zh": "本期的最近购买、购买频次和消费金额，各按五分位计1–5分（5为最好）；细分按下面的R×F规则。",
    },
    "seg.rfm_treemap": {"en": "RFM segments (size = customers, colour = share of revenue)", "zh": "RFM细分（面积=客户数，颜色=收入占比）"},
    "seg.rfm_rules": {"en": "Segment rules (R and F scores)", "zh": "细分规则（R与F得分）"},
    "seg.segment": {"en": "Segment", "zh": "细分"},
    "seg.segment_list": {"en": "Customers of a segment", "zh": "细分客户名单"},
    "seg.need.unknown": {"en": "Unknown (no data)", "zh": "未知（无数据）"},
    "seg.need_source.none": {"en": "No data", "zh": "无数据"},
    "seg.need_chart": {"en": "Customers by need type", "zh": "各需求类型的客户数"},
    "seg.budget_unit": {"en": "Budget in", "zh": "预算单位"},
    "seg.unit.money": {"en": "Money", "zh": "金额"},
    "seg.unit.hours": {"en": "Staff hours", "zh": "人员工时"},
    "seg.budget.money": {"en": "Budget (CNY)", "zh": "预算（元）"},
    "seg.budget.hours": {"en": "Staff hours", "zh": "人员工时"},
    "seg.tier_a_share": {"en": "Key: top % of customers", "zh": "重点客户：前百分之几"},
    "seg.tier_b_share": {"en": "Key + general: top % of customers", "zh": "重点+一般客户：前百分之几"},
    "seg.split": {"en": "{tier}: % of the budget", "zh": "{tier}：预算占比（%）"},
    "seg.split_invalid": {
        "en": "The three budget shares must add up to 100%.",
        "zh": "三部分预算占比之和必须为100%。",
    },
    "seg.alloc_col.tier": {"en": "Tier", "zh": "客户层级"},
    "seg.alloc_col.customers": {"en": "Customers", "zh": "客户数"},
    "seg.alloc_col.share": {"en": "Recommended share", "zh": "建议占比"},
    "seg.alloc_col.total": {"en": "Recommended", "zh": "建议投入"},
    "seg.alloc_col.per_customer": {"en": "Per customer", "zh": "每位客户"},
    "seg.alloc_col.actual_money": {"en": "Actual cost to serve", "zh": "实际投入费用"},
    "seg.alloc_col.actual_hours": {"en": "Actual interactions", "zh": "实际接触次数"},
    "seg.alloc_col.actual_share": {"en": "Actual share", "zh": "实际占比"},
    "seg.allocation.actual_money": {"en": "Actual cost to serve", "zh": "实际投入费用"},
    "seg.allocation.actual_hours": {"en": "Actual interactions", "zh": "实际接触次数"},
    "seg.allocation.chart": {"en": "Where effort should go and where it goes today", "zh": "资源应投向哪里，目前投向哪里"},
    "seg.allocation.share_axis": {"en": "Share", "zh": "占比"},
    "seg.allocation.no_purchase_effort": {
        "en": "Besides, {customers} {customers!p:customer|customers} without a purchase in the period received {interactions} {interactions!p:interaction|interactions} costing {cost}.",
        "zh": "此外，本期无购买的 {customers} 位客户获得了 {interactions} 次接触，费用 {cost}。",
    },
    "seg.allocation.hours_note": {
        "en": "The interaction log records no hours: actual effort is counted in interactions.",
        "zh": "接触记录中没有工时：实际投入按接触次数计算。",
    },
    "seg.show_tier": {"en": "Tier", "zh": "客户层级"},
    "seg.satisfaction_placeholder": {
        "en": "No survey data yet. The satisfaction × loyalty quadrant appears here once survey answers are linked to customers.",
        "zh": "暂无满意度调查数据。调查答卷与客户关联后，满意度×忠诚度矩阵将显示在这里。",
    },
    "seg.satisfaction_elsewhere": {
        "en": "{answers} survey answers are linked to customers; the quadrant itself is drawn on the Satisfaction page.",
        "zh": "已有 {answers} 份调查答卷与客户关联；矩阵本身在“客户满意”页面展示。",
    },
    "seg.satisfaction_quadrants": {
        "en": "Quadrants (x = satisfaction, y = loyalty): saboteur, mercenary, hostage, apostle.",
        "zh": "四个象限（横轴满意度、纵轴忠诚度）：破坏者、图利者、囚禁者、传道者。",
    },
    # list columns
    "seg.col.customer_id": {"en": "Customer id", "zh": "客户ID"},
    "seg.col.code": {"en": "Code", "zh": "客户编号"},
    "seg.col.name": {"en": "Name", "zh": "名称"},
    "seg.col.abc": {"en": "Class", "zh": "类别"},
    "seg.col.top_grade": {"en": "Grade within the top 50", "zh": "前50名内分级"},
    "seg.col.rank": {"en": "Rank", "zh": "排名"},
    "seg.col.spend": {"en": "Amount", "zh": "金额"},
    "seg.col.share": {"en": "Share", "zh": "占比"},
    "seg.col.cum_share": {"en": "Cumulative share", "zh": "累计占比"},
    "seg.col.prev_abc": {"en": "Class before", "zh": "上期类别"},
    "seg.col.curr_abc": {"en": "Class now", "zh": "本期类别"},
    "seg.col.prev_rank": {"en": "Rank before", "zh": "上期排名"},
    "seg.col.prev_spend": {"en": "Amount before", "zh": "上期金额"},
    "seg.col.curr_rank": {"en": "Rank now", "zh": "本期排名"},
    "seg.col.curr_spend": {"en": "Amount now", "zh": "本期金额"},
    "seg.col.score": {"en": "Value score", "zh": "价值得分"},
    "seg.col.tier": {"en": "Value tier", "zh": "价值层级"},
    "seg.col.loyalty": {"en": "Loyalty", "zh": "忠诚度"},
    "seg.col.stability": {"en": "Stability", "zh": "稳定性"},
    "seg.col.tolerance": {"en": "Tolerance", "zh": "宽容度"},
    "seg.col.feedback": {"en": "Feedback", "zh": "提意见"},
    "seg.col.referrals": {"en": "Referrals", "zh": "推荐"},
    "seg.col.credit": {"en": "Credit", "zh": "信用"},
    "seg.col.influence": {"en": "Influence", "zh": "影响力"},
    "seg.col.recency_days": {"en": "Days since last purchase", "zh": "距最近购买天数"},
    "seg.col.frequency": {"en": "Purchase days", "zh": "购买天数"},
    "seg.col.monetary": {"en": "Net spend", "zh": "消费净额"},
    "seg.col.r_score": {"en": "R", "zh": "R分"},
    "seg.col.f_score": {"en": "F", "zh": "F分"},
    "seg.col.m_score": {"en": "M", "zh": "M分"},
    "seg.col.segment": {"en": "Segment", "zh": "细分"},
    "seg.col.need_type": {"en": "Need type", "zh": "需求类型"},
    "seg.col.need_source": {"en": "Source", "zh": "来源"},
    "seg.col.discount_share": {"en": "Bought at a discount", "zh": "折扣购买占比"},
    "seg.col.relative_price": {"en": "Price paid vs average", "zh": "所付价格/平均价格"},
    "seg.col.revenue": {"en": "Revenue", "zh": "收入"},
    "seg.col.customers": {"en": "Customers", "zh": "客户数"},
    "seg.col.revenue_share": {"en": "Share of revenue", "zh": "收入占比"},
    "seg.col.month_end": {"en": "Month end", "zh": "月末"},
    # customer 360 section
    "seg.360.title": {"en": "Segment", "zh": "客户细分"},
    "seg.360.rule": {
        "en": "{measure}, {start} – {end}; A = top {a}, A + B = top {b} (as chosen on the Segmentation page).",
        "zh": "{measure}，{start} – {end}；A类=前 {a}，A+B类=前 {b}（与“客户细分”页面的选择一致）。",
    },
    "seg.360.none": {"en": "No positive total in this period, so no class.", "zh": "本期合计不大于零，因此不分类。"},
    "seg.360.rank_of": {"en": "{rank} of {n}", "zh": "{n} 中第 {rank}"},
    "seg.360.why": {
        "en": "Ranked {rank}. Class A is ranks 1–{a_last}, class B up to rank {b_last}. This customer brings {share} "
              "of the total; everyone ranked up to here together brings {cum_share}.",
        "zh": "排名第 {rank}。A类为第1–{a_last}名，B类到第 {b_last} 名为止。该客户贡献合计的 {share}；"
              "排名在其之前（含其本人）的客户合计贡献 {cum_share}。",
    },
    "seg.360.no_history": {"en": "No class history recorded yet.", "zh": "尚无类别变动记录。"},
    "seg.360.unchanged": {
        "en": "Standard class (revenue over the 12 months to each month end): unchanged since at least {first}.",
        "zh": "标准类别（每月末前12个月的收入）：至少自 {first} 起未变。",
    },
    "seg.360.last_change": {
        "en": "Standard class (revenue over the 12 months to each month end) last changed at {month_end}: {prev} → {new}.",
        "zh": "标准类别（每月末前12个月的收入）最近一次变动在 {month_end}：{prev} → {new}。",
    },
    "seg.360.history": {"en": "Class history", "zh": "类别变动历史"},
}
