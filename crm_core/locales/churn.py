"""Display text for crm_core.churn: reasons, funnel stages, P(alive) in words, result columns."""

MESSAGES = {
    # churn reasons (docs/domain.md §5)
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
    "churn.col.clv": {"en": "{months}-month value", "zh": "{months}个月价值"},
    # churn cost
    "churn.loss.lost_customers": {"en": "Customers lost", "zh": "流失客户数"},
    "churn.loss.lost_revenue": {"en": "Revenue lost", "zh": "损失的营业收入"},
    "churn.loss.lost_profit": {"en": "Profit lost", "zh": "损失的利润"},
    "churn.loss.replacement_cost": {"en": "Replacement cost", "zh": "补充新客户的成本"},
    "churn.loss.grows": {
        "en": "A lost customer stays lost: the loss grows in every following year.",
        "zh": "流失的客户不会自己回来:以后每一年的损失都会累加。"},
    "churn.ref.reichheld_sasser": {
        "en": "Reference: Reichheld & Sasser (1990) found that cutting churn by 5 points raised profit "
              "by 25 %–85 % — a benchmark from their industries, not a forecast for yours.",
        "zh": "参考:Reichheld 与 Sasser(1990)发现客户流失率降低 5 个百分点,利润可增加 25%–85%"
              "——这是他们所研究行业的经验值,并非对本企业的预测。"},
}
MESSAGES.update({
    # page, tabs, analysis date
    "churn.page_title": {"en": "Churn", "zh": "客户流失"},
    "churn.intro": {
        "en": "What losing customers costs and who is slipping away. A transport company that loses 5 % of "
              "its 64,000 customers loses 3,200 customers, 128,000,000 USD of revenue and 12,800,000 USD of "
              "profit in one year — and a lost customer stays lost, so the loss grows every year after. "
              "Keeping a customer costs far less than winning a new one: find the valuable ones at risk, "
              "learn why others left, and act on the reasons within your control.",
        "zh": "客户流失让企业损失多少、谁正在流失。一家运输公司有 64,000 位客户,一年流失 5%,就是 3,200 位客户、"
              "1.28 亿美元营业收入和 1,280 万美元利润——而且流失的客户不会回来,以后每年的损失都会累加。"
              "留住一位老客户的成本远低于开发一位新客户:找出有流失风险的高价值客户,弄清其他客户为什么离开,"
              "并针对可控原因采取行动。"},
    "churn.as_of_caption": {"en": "Measured up to the analysis date: {day}", "zh": "统计截至分析日期:{day}"},
    "churn.as_of_help": {
        "en": "Figures are measured up to the analysis date chosen in the sidebar. When the data ends more than "
              "60 days before today, it starts at the last day with a purchase, so an old file does not read as "
              "months of churn.",
        "zh": "各项数据统计到侧边栏所选的分析日期为止。如果数据最后一笔交易距今超过60天,默认为该交易日期,"
              "以免旧数据被误读为数月的流失。"},
    "churn.tab.calculator": {"en": "Cost of churn", "zh": "流失损失测算"},
    "churn.tab.lapsed": {"en": "Lapsed customers", "zh": "沉睡客户"},
    "churn.tab.rates": {"en": "Churn rate", "zh": "流失率"},
    "churn.tab.model": {"en": "Probability alive & value", "zh": "存活概率与价值"},
    "churn.tab.retention": {"en": "Retention list", "zh": "挽留名单"},
    "churn.tab.reasons": {"en": "Why they leave", "zh": "流失原因"},
    "churn.tab.funnel": {"en": "Customer funnel", "zh": "客户漏斗"},
    # calculator inputs ({currency} is the currency code)
    "churn.calc.textbook": {"en": "Load the textbook example", "zh": "载入教材案例"},
    "churn.calc.fill": {"en": "Fill from my data", "zh": "用我的数据填入"},
    "churn.calc.fill_help": {
        "en": "Customers, churn rate, revenue per customer, margin and retention cost measured from your "
              "transactions and contacts of the last 12 months; the rest stays assumed. Each input says which.",
        "zh": "根据近 12 个月的交易和接触记录测算客户数、流失率、每位客户收入、利润率和保留成本;其余参数仍为假设值。"
              "每个输入框下方都注明了来源。"},
    "churn.in.customers": {"en": "Customers", "zh": "客户数"},
    "churn.in.customers.help": {
        "en": "Customers at the start of the year (from your data: customers who bought in the last 12 months).",
        "zh": "年初的客户数(来自数据时:近 12 个月有购买的客户)。"},
    "churn.in.churn_rate": {"en": "Churn rate per year (%)", "zh": "年流失率(%)"},
    "churn.in.churn_rate.help": {
        "en": "Share of customers lost in a year. Measured: customers who bought in the previous 12 months "
              "but not in the last 12. Mobile operators lose about 25 % a year.",
        "zh": "一年内流失的客户占比。实测值:前 12 个月有购买、近 12 个月没有购买的客户占比。移动运营商每年约流失 25%。"},
    "churn.in.revenue_per_customer": {"en": "Revenue per customer per year ({currency})",
                                      "zh": "每位客户年营业收入({currency})"},
    "churn.in.revenue_per_customer.help": {
        "en": "Measured: revenue of the last 12 months ÷ customers who bought in them.",
        "zh": "实测值:近 12 个月营业收入 ÷ 其间有购买的客户数。"},
    "churn.in.margin": {"en": "Profit margin (%)", "zh": "利润率(%)"},
    "churn.in.margin.help": {
        "en": "Profit as a share of revenue. Measured from the gross margins on transactions when at least "
              "half of the revenue carries one; otherwise assumed.",
        "zh": "利润占营业收入的比例。当至少一半营业收入的交易记有毛利时按实际毛利测算,否则为假设值。"},
    "churn.in.years": {"en": "Horizon (years)", "zh": "测算年限(年)"},
    "churn.in.years.help": {
        "en": "How many years to follow the loss: customers lost in year 1 are missing in every later year too.",
        "zh": "跟踪损失的年数:第一年流失的客户在以后每一年都不再贡献收入。"},
    "churn.in.discount_rate": {"en": "Discount rate per year (%)", "zh": "年贴现率(%)"},
    "churn.in.discount_rate.help": {
        "en": "Later years count less: year y is divided by (1 + rate)^(y−1). 0 = no discounting.",
        "zh": "越往后的年份价值越低:第 y 年除以 (1 + 贴现率)^(y−1)。0 表示不贴现。"},
    "churn.in.word_of_mouth": {"en": "Others each lost customer influences", "zh": "每位流失客户影响的人数"},
    "churn.in.word_of_mouth.help": {
        "en": "One dissatisfied customer influences about 5 others (the texts). Set the share of them who "
              "leave too in the next field.",
        "zh": "教材:一位不满意的客户会影响约 5 个人。其中也随之流失的比例在下一栏设定。"},
    "churn.in.word_of_mouth_loss_share": {"en": "…of whom also leave (%)", "zh": "……其中随之流失的比例(%)"},
    "churn.in.word_of_mouth_loss_share.help": {
        "en": "Share of the influenced people who are our customers and leave as well (one round only).",
        "zh": "受影响的人中是本企业客户并随之流失的比例(只计一轮)。"},
    "churn.in.acquisition_cost_multiple": {"en": "Acquisition cost ÷ retention cost", "zh": "开发成本 ÷ 保留成本"},
    "churn.in.acquisition_cost_multiple.help": {
        "en": "Winning a new customer costs 5 times keeping an old one (seed 004); another text says "
              "keeping one costs 1/7, i.e. 7×.",
        "zh": "开发一位新客户的成本是保留一位老客户的 5 倍(教材之一);另一教材称保留成本仅为开发成本的 1/7,即 7 倍。"},
    "churn.in.retention_cost_per_customer": {"en": "Retention cost per customer per year ({currency})",
                                             "zh": "每位客户年保留成本({currency})"},
    "churn.in.retention_cost_per_customer.help": {
        "en": "What keeping one customer costs a year. Measured: contact costs and concessions of the last "
              "12 months ÷ customers who bought. Leave empty if unknown: no replacement cost is then shown.",
        "zh": "保留一位客户一年的成本。实测值:近 12 个月接触费用与让利合计 ÷ 有购买的客户数。不清楚可留空,此时不计算补充新客户的成本。"},
    "churn.in.replacements_per_lost": {"en": "New customers needed per lost one", "zh": "弥补一位流失客户所需新客户数"},
    "churn.in.replacements_per_lost.help": {
        "en": "Losing one old customer may take ten new ones to make up (the texts); 1 = one for one.",
        "zh": "教材:失去一位老客户,可能要开发十位新客户才能弥补;1 表示一换一。"},
    "churn.in.currency": {"en": "Currency", "zh": "币种"},
    "churn.source.measured": {"en": "measured from your data", "zh": "来自您的数据"},
    "churn.source.assumed": {"en": "assumed", "zh": "假设值"},
    "churn.source.textbook": {"en": "textbook example", "zh": "教材案例"},
    "churn.source.entered": {"en": "entered by you", "zh": "您输入的"},
    # calculator outputs
    "churn.calc.invalid": {"en": "These inputs cannot be computed: {detail}", "zh": "无法按这些输入测算:{detail}"},
    "churn.calc.year_one": {"en": "In the first year", "zh": "第一年"},
    "churn.calc.exact": {
        "en": "Year 1 exactly: {customers} {customers!p:customer|customers} lost, {revenue} {currency} revenue and {profit} {currency} "
              "profit lost.",
        "zh": "第一年精确值:流失 {customers} 位客户,损失营业收入 {revenue} {currency}、利润 {profit} {currency}。"},
    "churn.calc.replacement_help": {
        "en": "Lost customers × new customers needed per lost one × acquisition cost multiple × retention "
              "cost per customer. Shown as — when the retention cost is unknown.",
        "zh": "流失客户数 × 每位流失客户所需新客户数 × 开发成本倍数 × 每位客户保留成本。保留成本未知时显示为 —。"},
    "churn.calc.horizon": {"en": "Over {years} {years!p:year|years} (present value)", "zh": "{years} 年合计(现值)"},
    "churn.loss.total_lost_customers": {"en": "Customers lost by the end", "zh": "期末累计流失客户"},
    "churn.loss.total_lost_revenue": {"en": "Revenue lost, all years", "zh": "累计损失营业收入"},
    "churn.loss.total_lost_profit": {"en": "Profit lost, all years", "zh": "累计损失利润"},
    "churn.loss.total_replacement_cost": {"en": "Replacement cost, all years", "zh": "累计补充新客户成本"},
    "churn.year.year": {"en": "Year", "zh": "年份"},
    "churn.year.base_at_start": {"en": "Customers at start", "zh": "年初客户数"},
    "churn.year.newly_lost": {"en": "Lost this year", "zh": "当年流失"},
    "churn.year.cumulative_lost": {"en": "Lost so far", "zh": "累计流失"},
    "churn.year.lost_revenue": {"en": "Revenue lost", "zh": "损失营业收入"},
    "churn.year.lost_profit": {"en": "Profit lost", "zh": "损失利润"},
    "churn.year.discounted_lost_profit": {"en": "Profit lost (present value)", "zh": "损失利润(现值)"},
    "churn.year.replacement_cost": {"en": "Replacement cost", "zh": "补充新客户成本"},
    "churn.whatif.title": {"en": "What if churn were lower?", "zh": "如果降低流失率会怎样?"},
    "churn.whatif.cut": {"en": "Cut churn by (percentage points)", "zh": "流失率降低(百分点)"},
    "churn.whatif.no_churn": {"en": "With no churn there is nothing to cut.", "zh": "流失率为 0,无可降低。"},
    "churn.whatif.profit_before": {"en": "Profit over the horizon now", "zh": "当前测算期利润"},
    "churn.whatif.profit_after": {"en": "Profit with lower churn", "zh": "降低流失率后的利润"},
    "churn.whatif.profit_change": {"en": "Profit gained", "zh": "利润增加"},
    "churn.whatif.reference": {"en": "Reichheld & Sasser", "zh": "Reichheld 与 Sasser"},
    "churn.whatif.reference_band": {"en": "Reference band for a {points}-point cut", "zh": "降低 {points} 个百分点的参考区间"},
    "churn.whatif.this_model": {"en": "This calculation", "zh": "本次测算"},
    "churn.whatif.this_model_cut": {"en": "This calculation ({points} points)", "zh": "本次测算({points} 个百分点)"},
    # lapsed and measured churn
    "churn.lapsed.k": {"en": "Lapsed after (× usual gap)", "zh": "超过平时间隔的倍数即视为沉睡"},
    "churn.lapsed.k_help": {
        "en": "A customer has lapsed when her last purchase is older than this many times her own median gap "
              "between purchases: a weekly buyer is late after two weeks, a yearly buyer after two years.",
        "zh": "客户最近一次购买距今超过其本人购买间隔中位数的这一倍数,即视为沉睡:每周购买的客户两周不来就算迟了,每年购买的客户要两年。"},
    "churn.lapsed.computing": {"en": "Measuring every customer's purchase rhythm…", "zh": "正在计算每位客户的购买节奏…"},
    "churn.lapsed.count": {"en": "Lapsed customers", "zh": "沉睡客户"},
    "churn.lapsed.none": {"en": "No customer is overdue against her own rhythm.", "zh": "没有客户超过其本人的购买节奏。"},
    "churn.rate.yearly": {"en": "Churn rate (12 months)", "zh": "流失率(12个月)"},
    "churn.rate.yearly_help": {
        "en": "Customers who bought in the previous 12 months but not in the last 12, as a share of those "
              "who bought in the previous 12.",
        "zh": "前 12 个月有购买、近 12 个月没有购买的客户,占前 12 个月有购买客户的比例。"},
    "churn.rate.title": {"en": "Churn rate per period", "zh": "各期流失率"},
    "churn.rate.period": {"en": "Period", "zh": "周期"},
    "churn.period.month": {"en": "Month", "zh": "月"},
    "churn.period.quarter": {"en": "Quarter", "zh": "季度"},
    "churn.period.year": {"en": "Year", "zh": "年"},
    "churn.rate.explained": {
        "en": "Churn in a period = customers who bought in the period before but not in this one, as a share "
              "of the former. Customers who buy every quarter look churned month by month: pick a period at "
              "least as long as their rhythm. The last period may be incomplete.",
        "zh": "某期流失率 = 上一期有购买而本期没有购买的客户占上一期购买客户的比例。每季度购买一次的客户按月看会像是流失了:"
              "请选择不短于客户购买节奏的周期。最后一期可能不完整。"},
    "churn.segment.title": {"en": "Churn by segment (last 12 months)", "zh": "各细分客户的流失率(近 12 个月)"},
    "churn.segment.abc_class": {"en": "Class {abc}", "zh": "{abc} 类"},
    "churn.segment.inactive": {"en": "No purchase in 12 months", "zh": "近 12 个月无购买"},
    "churn.segment.by_abc": {"en": "ABC class", "zh": "ABC 分类"},
    "churn.segment.by_customer_type": {"en": "Customer type", "zh": "客户类型"},
    "churn.segment.explained": {
        "en": "Base: customers who bought in the previous 12 months; churned: of them, those with no purchase "
              "in the last 12. The ABC class is that of the previous 12 months (a lost customer has no spend "
              "in the last 12 to be classed by); revenue lost is what the churned brought in that year.",
        "zh": "基数:前 12 个月有购买的客户;流失:其中近 12 个月没有购买的客户。ABC 分类按前 12 个月的消费划分"
              "(流失客户近 12 个月没有消费,无法分类);损失收入为流失客户在前 12 个月带来的收入。"},
    # probability alive and value
    "churn.model.one_time_buyers": {"en": "One-time buyers (not judged)", "zh": "仅购买一次(无法判断)"},
    "churn.model.repeat_buyers": {"en": "Repeat buyers", "zh": "重复购买客户"},
    "churn.model.mean_p_alive": {"en": "Average P(alive), repeat buyers", "zh": "重复购买客户平均存活概率"},
    "churn.model.likely_lost": {"en": "Probably lost", "zh": "很可能已流失"},
    "churn.model.likely_lost_help": {
        "en": "Repeat buyers with P(alive) below 50 %: the model thinks them more likely gone than still with us.",
        "zh": "存活概率低于50%的重复购买客户：模型认为其已离开的可能性大于仍是客户。"},
    "churn.model.clv_help": {
        "en": "{months}-month value: expected revenue of the next {months} {months!p:month|months}, discounted 1 % a month — "
              "expected spend per purchase (Gamma-Gamma) × expected purchases (BG/NBD), which already "
              "weigh in P(alive). A value over this horizon, not a lifetime value.",
        "zh": "{months}个月价值:未来 {months} 个月的预期收入(按每月 1% 贴现)——每次预期消费额(Gamma-Gamma 模型)× "
              "预期购买次数(BG/NBD 模型,已计入存活概率)。这是该测算期内的价值,不是终身价值。"},
    "churn.model.horizon": {"en": "Value horizon", "zh": "价值测算期"},
    "churn.model.horizon_option": {"en": "{months} {months!p:month|months}", "zh": "{months} 个月"},
    "churn.model.horizon_help": {
        "en": "How many months ahead the values count (discounted 1 % a month). P(alive) does not depend on it.",
        "zh": "价值计算向后看多少个月(按每月 1% 贴现)。存活概率与此无关。"},
    "churn.col.value_horizon": {"en": "Value if kept ({months} {months!p:month|months})", "zh": "保留价值({months}个月)"},
    "churn.model.expected_loss_help": {
        "en": "Σ (1 − P(alive)) × value if still a customer: the value of the next {months} {months!p:month|months} that has "
              "probably already walked away.",
        "zh": "Σ (1 − 存活概率) × 客户仍在时的价值:未来 {months} 个月中很可能已随客户流失的价值。"},
    "churn.model.fit_title": {"en": "How the model was fitted", "zh": "模型拟合情况"},
    "churn.model.converged": {
        "en": "BG/NBD fitted by maximum likelihood on {customers} {customers!p:customer|customers}: converged after {iterations} steps.",
        "zh": "BG/NBD 模型已按最大似然法在 {customers} 位客户上拟合:经 {iterations} 步收敛。"},
    "churn.model.not_converged": {
        "en": "The BG/NBD fit did not converge cleanly (stopped after {iterations} steps or a parameter "
              "reached its bound). P(alive) still ranks customers sensibly, but read the exact values with care.",
        "zh": "BG/NBD 模型拟合未完全收敛(经 {iterations} 步停止,或有参数到达边界)。存活概率仍可用于排序,但具体数值请谨慎解读。"},
    "churn.model.limiting": {
        "en": "The data are consistent with customers who hardly ever drop out during the observed period: the "
              "BG/NBD fit runs to its limit (its dropout parameters a and b grow without bound). There the "
              "model reduces to a Poisson/NBD purchase model in which every customer drops out after a "
              "purchase with the same probability, about {p} per purchase. P(alive) and the values below "
              "come from that limiting model.",
        "zh": "数据与“观察期内客户基本不流失”一致:BG/NBD 模型拟合趋向极限(流失参数 a、b 无限增大)。此时模型退化为"
              "泊松/NBD 购买模型:每位客户每次购买后以相同的概率流失,约为每次购买 {p}。存活概率和下面的价值均按该极限模型计算。"},
    "churn.model.params_limiting": {
        "en": "Parameters (time in weeks): r = {r}, α = {alpha}; dropout probability per purchase "
              "p = a/(a + b) ≈ {p}; log-likelihood {ll}.",
        "zh": "参数(时间单位:周):r = {r},α = {alpha};每次购买后的流失概率 p = a/(a + b) ≈ {p};对数似然 {ll}。"},
    "churn.model.params": {
        "en": "Parameters (time in weeks): r = {r}, α = {alpha}, a = {a}, b = {b}; log-likelihood {ll}.",
        "zh": "参数(时间单位:周):r = {r},α = {alpha},a = {a},b = {b};对数似然 {ll}。"},
    "churn.model.spend_params": {
        "en": "Gamma-Gamma spend model: p = {p}, q = {q}, γ = {v}.",
        "zh": "Gamma-Gamma 消费额模型:p = {p},q = {q},γ = {v}。"},
    "churn.model.spend_fallback": {
        "en": "Spend varies too widely for the Gamma-Gamma model to have a finite mean: each customer's own "
              "average repeat spend is used instead (the average of all for one-time buyers).",
        "zh": "消费额差异过大,Gamma-Gamma 模型的均值不存在:改用每位客户本人的平均重复消费额(仅购买一次的客户用总体平均值)。"},
    "churn.model.histogram": {"en": "Repeat buyers by P(alive)", "zh": "重复购买客户的存活概率分布"},
    "churn.model.loss_by_segment": {"en": "Expected loss by segment", "zh": "各细分客户的预期损失"},
    "churn.model.segment_explained": {
        "en": "Segments: ABC class by revenue of the last 12 months (customers without purchases in them form "
              "their own group) and customer type. Value = expected revenue of the next {months} {months!p:month|months} if still a "
              "customer; expected loss = Σ (1 − P(alive)) × value.",
        "zh": "细分:按近 12 个月营业收入划分的 ABC 类(其间没有购买的客户单列一组)和客户类型。"
              "价值 = 客户仍在时未来 {months} 个月的预期收入;预期损失 = Σ (1 − 存活概率) × 价值。"},
    # retention list
    "churn.retention.explained": {
        "en": "Valuable customers at risk, largest expected loss first: repeat buyers whose P(alive) has "
              "dropped, with the last contact and the owner. Call them before they are gone; one-time buyers "
              "are left out because the model cannot judge them.",
        "zh": "有流失风险的高价值客户,按预期损失从大到小排列:存活概率已下降的重复购买客户,附最近一次接触和负责业务员。"
              "趁客户尚未离开赶快联系;仅购买一次的客户模型无法判断,未列入。"},
    "churn.retention.max_p_alive": {"en": "P(alive) at most", "zh": "存活概率不超过"},
    "churn.retention.min_value": {"en": "Value if kept at least", "zh": "保留价值不低于"},
    "churn.retention.limit": {"en": "At most (customers)", "zh": "最多显示(位客户)"},
    "churn.retention.none": {"en": "No customer matches: try a higher P(alive) or a lower value.",
                             "zh": "没有符合条件的客户:请调高存活概率或降低价值门槛。"},
    # reasons
    "churn.events.window": {"en": "Events", "zh": "流失记录范围"},
    "churn.window.12m": {"en": "Last 12 months", "zh": "近 12 个月"},
    "churn.window.all": {"en": "All", "zh": "全部"},
    "churn.events.total": {"en": "Lost customers recorded", "zh": "已记录的流失客户"},
    "churn.events.controllable_share": {"en": "Within our control", "zh": "可控原因占比"},
    "churn.events.controllable_help": {
        "en": "Share of recorded losses whose reason was within our control (as judged when recorded). "
              "These are the ones worth analysing and fixing.",
        "zh": "记录的流失中原因可控的比例(按记录时的判断)。这部分最值得分析和改进。"},
    "churn.events.pareto_explained": {
        "en": "Reasons by frequency with the cumulative share (Pareto): fix the few reasons at the left that "
              "explain most losses. Red = within our control, grey = beyond it (moved, changed trade, bankrupt).",
        "zh": "按出现次数排列的流失原因及累计占比(帕累托图):先解决左侧少数几个造成大部分流失的原因。"
              "红色为可控原因,灰色为不可控原因(迁离、改行、破产)。"},
    "churn.events.none": {"en": "No churn event recorded in this period yet.", "zh": "该期间尚无流失记录。"},
    "churn.events.record": {"en": "Record a lost customer", "zh": "记录一位流失客户"},
    "churn.events.churned_on": {"en": "Lost on", "zh": "流失日期"},
    "churn.events.reason": {"en": "Reason", "zh": "原因"},
    "churn.events.controllable": {"en": "Within our control?", "zh": "是否可控?"},
    "churn.ctl.auto": {"en": "As the reason says", "zh": "按原因默认"},
    "churn.ctl.yes": {"en": "Yes", "zh": "是"},
    "churn.ctl.no": {"en": "No", "zh": "否"},
    "churn.events.note": {"en": "Note", "zh": "备注"},
    "churn.events.customer_id": {"en": "Customer", "zh": "客户"},
    "churn.events.save": {"en": "Save", "zh": "保存"},
    "churn.events.saved": {"en": "Saved.", "zh": "已保存。"},
    "churn.events.list": {"en": "Recorded losses", "zh": "流失记录"},
    "churn.events.latest": {"en": "The latest {shown} of {total} {total!p:event|events}.", "zh": "共 {total} 条记录,显示最近 {shown} 条。"},
    # funnel
    "churn.funnel.visitors_input": {"en": "Visitors (your figure)", "zh": "访问客户数(请填写)"},
    "churn.funnel.visitors_help": {
        "en": "The CRM has no web or shop-floor analytics: enter how many people visited (web, store, trade "
              "fair) in the period. It starts equal to the potential customers.",
        "zh": "本系统没有网站或门店客流统计:请填写期间内的访问人数(网站、门店、展会等)。默认等于潜在购买客户数。"},
    "churn.funnel.visitors_too_few": {
        "en": "Visitors cannot be fewer than the {potential} potential customers: that figure is used.",
        "zh": "访问客户数不能少于 {potential} 位潜在购买客户:已按该数计算。"},
    "churn.funnel.definitions": {
        "en": "**Definitions.** *Visitors*: your figure. *Potential buyers*: customers marked potential plus "
              "everyone who ever bought. *Purchasing*: bought at least once. *Repeat*: bought on two or more "
              "days. *Loyal*: repeat customers who bought both in the last 12 months and in the 12 before.",
        "zh": "**口径。** *访问客户*:您填写的数字。*潜在购买客户*:标记为潜在客户者加上所有购买过的客户。"
              "*购买客户*:至少购买过一次。*重复购买客户*:在两天或以上有购买。*忠实客户*:近 12 个月和此前 12 个月都有购买的重复购买客户。"},
    "churn.funnel.aims": {
        "en": "CRM's three aims: more customers, longer relationships, deeper relationships. {loyal} loyal "
              "customers today.",
        "zh": "客户关系管理的三个目标:客户更多、关系更长、关系更深。目前有 {loyal} 位忠实客户。"},
    # lists and columns
    "churn.list.count": {"en": "{count} {count!p:customer|customers}", "zh": "共 {count} 位客户"},
    "churn.list.export_limit": {"en": "The download holds the first {limit} {limit!p:row|rows} in this order.",
                                "zh": "下载文件包含按此顺序的前 {limit} 行。"},
    "churn.col.customer_id": {"en": "Customer id", "zh": "客户 ID"},
    "churn.col.code": {"en": "Code", "zh": "客户编号"},
    "churn.col.name": {"en": "Name", "zh": "客户名称"},
    "churn.col.customer_type": {"en": "Type", "zh": "客户类型"},
    "churn.col.sales_rep": {"en": "Owner (sales rep)", "zh": "负责业务员"},
    "churn.col.purchases": {"en": "Purchase days", "zh": "购买天数"},
    "churn.col.last_purchase": {"en": "Last purchase", "zh": "最近一次购买"},
    "churn.col.gap_source": {"en": "Rhythm judged by", "zh": "判断依据"},
    "churn.col.threshold_days": {"en": "Overdue after (days)", "zh": "超过即沉睡(天)"},
    "churn.col.period": {"en": "Period", "zh": "周期"},
    "churn.col.active_prev": {"en": "Active in the period before", "zh": "上期活跃客户"},
    "churn.col.churned": {"en": "Churned", "zh": "流失客户"},
    "churn.col.retained": {"en": "Retained", "zh": "留存客户"},
    "churn.col.segment": {"en": "Segment", "zh": "细分"},
    "churn.col.active_before": {"en": "Bought in the previous 12 months", "zh": "前 12 个月有购买"},
    "churn.col.revenue_lost": {"en": "Their revenue in that year", "zh": "其在该年的收入"},
    "churn.col.customers": {"en": "Customers", "zh": "客户数"},
    "churn.col.value": {"en": "Value if kept (12 months)", "zh": "保留价值(12个月)"},
    "churn.col.loss_share": {"en": "Share of expected loss", "zh": "占预期损失比例"},
    "churn.col.abc": {"en": "ABC class", "zh": "ABC 分类"},
    "churn.col.value_if_alive": {"en": "Value if kept (12 months)", "zh": "保留价值(12个月)"},
    "churn.col.last_contact": {"en": "Last contact", "zh": "最近一次接触"},
    "churn.col.last_contact_channel": {"en": "Contact channel", "zh": "接触方式"},
    "churn.col.reason": {"en": "Reason", "zh": "原因"},
    "churn.col.category": {"en": "Category", "zh": "类别"},
    "churn.col.count": {"en": "Lost customers", "zh": "流失客户数"},
    "churn.col.share": {"en": "Share", "zh": "占比"},
    "churn.col.cumulative_share": {"en": "Cumulative share", "zh": "累计占比"},
    "churn.col.churned_on": {"en": "Lost on", "zh": "流失日期"},
    "churn.col.controllable": {"en": "Within our control", "zh": "可控"},
    "churn.col.note": {"en": "Note", "zh": "备注"},
    "churn.col.stage": {"en": "Stage", "zh": "阶段"},
    # import kind churn_events (labels of its fields)
    "churn.field.customer_code": {"en": "Customer code", "zh": "客户编号"},
    "churn.field.churned_on": {"en": "Lost on", "zh": "流失日期"},
    "churn.field.reason": {"en": "Churn reason", "zh": "流失原因"},
    "churn.field.controllable": {"en": "Within our control", "zh": "是否可控"},
    "churn.field.note": {"en": "Note", "zh": "备注"},
    # Customer 360 section
    "churn.c360.title": {"en": "Churn risk", "zh": "流失风险"},
    "churn.c360.p_alive": {"en": "P(alive)", "zh": "存活概率"},
    "churn.c360.value_if_alive": {"en": "Value if kept (12 months)", "zh": "保留价值(12个月)"},
    "churn.c360.clv": {"en": "12-month value", "zh": "12个月价值"},
    "churn.c360.expected_loss": {"en": "Expected loss", "zh": "预期损失"},
    "churn.c360.no_purchases": {"en": "No purchase yet: nothing to judge churn by.", "zh": "尚无购买记录:无法判断是否流失。"},
    "churn.c360.lapsed": {
        "en": "Lapsed: last purchase {days} {days!p:day|days} ago, more than {k} × her usual gap of {gap} {gap!p:day|days}.",
        "zh": "已沉睡:最近一次购买在 {days} 天前,超过其平时间隔 {gap} 天的 {k} 倍。"},
    "churn.c360.on_rhythm": {
        "en": "On rhythm: last purchase {days} {days!p:day|days} ago; usual gap {gap} {gap!p:day|days}.",
        "zh": "节奏正常:最近一次购买在 {days} 天前;平时间隔 {gap} 天。"},
    "churn.c360.one_time": {
        "en": "Bought once, {days} {days!p:day|days} ago: no rhythm of her own to judge by.",
        "zh": "仅在 {days} 天前购买过一次:没有本人的购买节奏可供判断。"},
    "churn.c360.events": {"en": "Recorded as lost", "zh": "流失记录"},
    "churn.c360.record": {"en": "Record that this customer left", "zh": "记录该客户已流失"},
})
