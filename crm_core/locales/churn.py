"""Display text for crm_core.churn: reasons, funnel stages, P(alive) in words, result columns."""

MESSAGES = {
    # churn reasons (domain.md §5)
    "churn.reason_category.uncontrollable": {"en": "Beyond our control", "zh": "不可控原因"},
    "churn.reason_category.controllable": {"en": "Within our control", "zh": "可控原因"},
    "churn.reason.moved": {"en": "Moved away", "zh": "客户迁离本地"},
    "churn.reason.changed_trade": {"en": "Changed trade", "zh": "客户改行"},
    "churn.reason.bankrupt": {"en": "Went bankrupt", "zh": "客户破产"},
    "churn.reason.better_product": {"en": "Found a better product", "zh": "发现了更好的产品"},
    "churn.reason.poor_service": {"en": "Poor service", "zh": "服务差"},
    "churn.reason.poor_product": {"en": "Poor product", "zh": "产品质量差"},
    "churn.reason.price_too_high": {"en": "Price too high", "zh": "价格太高"},
    "churn.reason.rep_left": {"en": "Sales rep left and took the customer", "zh": "业务员离职带走客户"},
    "churn.reason.cross_territory_dumping": {
        "en": "Cross-territory dumping left no margin", "zh": "窜货导致客户无利可图"},
    "churn.reason.other": {"en": "Other", "zh": "其他"},
    # customer funnel (seed 003)
    "churn.funnel.visitor": {"en": "Visitors", "zh": "访问客户"},
    "churn.funnel.potential": {"en": "Potential buyers", "zh": "潜在购买客户"},
    "churn.funnel.purchasing": {"en": "Purchasing customers", "zh": "购买客户"},
    "churn.funnel.repeat": {"en": "Repeat customers", "zh": "重复购买客户"},
    "churn.funnel.loyal": {"en": "Loyal customers", "zh": "忠实客户"},
    "churn.funnel.step_conversion": {"en": "Conversion from previous stage", "zh": "较上一阶段转化率"},
    "churn.funnel.overall_conversion": {"en": "Conversion from visitors", "zh": "较访问客户转化率"},
    # probability alive, in words a manager reads
    "churn.p_alive.meaning": {
        "en": "P(alive) is the model's estimate of the chance that this customer will still buy from "
              "us, judged from how often and how recently she has bought.",
        "zh": "“存活概率”是模型根据客户购买的频率和最近一次购买的时间,估计该客户今后仍会向我们购买的可能性。"},
    "churn.p_alive.repeat_buyer": {
        "en": "The longer a regular buyer stays away compared with her usual rhythm, the lower her P(alive).",
        "zh": "老主顾离上次购买的时间比她平时的购买间隔越长,存活概率就越低。"},
    "churn.p_alive.one_time_buyer": {
        "en": "Bought only once: the model always shows 100 % because it only learns that someone left "
              "from a change in a repeat rhythm — treat this customer as unproven, not as safe.",
        "zh": "只购买过一次:模型只能从重复购买节奏的变化中判断客户是否流失,所以总显示 100%——"
              "应把此类客户视为尚未验证,而不是安全。"},
    "churn.p_alive.flag_one_time": {"en": "One-time buyer", "zh": "仅购买一次"},
    # lapsed customers
    "churn.gap_source.own": {"en": "Own purchase rhythm", "zh": "按本人购买间隔"},
    "churn.gap_source.population": {
        "en": "Typical customer's rhythm (bought only once)", "zh": "按客户总体购买间隔(仅购买一次)"},
    "churn.lapsed.explained": {
        "en": "Lapsed: no purchase for more than {k} times the customer's usual gap between purchases.",
        "zh": "已沉睡:超过其平时购买间隔的 {k} 倍时间未再购买。"},
    "churn.col.revenue_at_risk": {"en": "Revenue at risk (last 12 months)", "zh": "风险收入(近12个月)"},
    "churn.col.days_since_last": {"en": "Days since last purchase", "zh": "距上次购买天数"},
    "churn.col.median_gap_days": {"en": "Usual gap (days)", "zh": "平时购买间隔(天)"},
    "churn.col.churn_rate": {"en": "Churn rate", "zh": "流失率"},
    "churn.col.p_alive": {"en": "P(alive)", "zh": "存活概率"},
    "churn.col.expected_loss": {"en": "Expected loss", "zh": "预期损失"},
    "churn.col.clv": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    # churn cost
    "churn.loss.lost_customers": {"en": "Customers lost", "zh": "流失客户数"},
    "churn.loss.lost_revenue": {"en": "Revenue lost", "zh": "损失的营业收入"},
    "churn.loss.lost_profit": {"en": "Profit lost", "zh": "损失的利润"},
    "churn.loss.replacement_cost": {"en": "Cost of winning replacements", "zh": "补充新客户的成本"},
    "churn.loss.grows": {
        "en": "A lost customer stays lost: the loss grows in every following year.",
        "zh": "流失的客户不会自己回来:以后每一年的损失都会累加。"},
    "churn.ref.reichheld_sasser": {
        "en": "Reference: Reichheld & Sasser (1990) found that cutting churn by 5 points raised profit "
              "by 25 %–85 % — a benchmark from their industries, not a forecast for yours.",
        "zh": "参考:Reichheld 与 Sasser(1990)发现客户流失率降低 5 个百分点,利润可增加 25%–85%"
              "——这是他们所研究行业的经验值,并非对本企业的预测。"},
}
