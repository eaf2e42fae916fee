"""Display texts for satisfaction surveys (crm_core.satisfaction). Keys prefixed ``satisfaction.``."""

MESSAGES = {
    # 5-point scale, seed 004
    "satisfaction.label.5": {"en": "Highly satisfied", "zh": "高度满意"},
    "satisfaction.label.4": {"en": "Generally satisfied", "zh": "一般满意"},
    "satisfaction.label.3": {"en": "No opinion", "zh": "无意见"},
    "satisfaction.label.2": {"en": "Somewhat dissatisfied", "zh": "有些不满意"},
    "satisfaction.label.1": {"en": "Very dissatisfied", "zh": "极不满意"},
    # headline metrics
    "satisfaction.metric.nps": {"en": "Net Promoter Score", "zh": "净推荐值 (NPS)"},
    "satisfaction.metric.csat": {"en": "CSAT (top-two-box %)", "zh": "满意度（前两档）"},
    "satisfaction.metric.top_box": {"en": "Highly satisfied", "zh": "高度满意占比"},
    "satisfaction.metric.mean": {"en": "Mean score (1–5)", "zh": "平均分（1–5）"},
    "satisfaction.metric.promoters": {"en": "Promoters (9–10)", "zh": "推荐者（9–10 分）"},
    "satisfaction.metric.passives": {"en": "Passives (7–8)", "zh": "被动者（7–8 分）"},
    "satisfaction.metric.detractors": {"en": "Detractors (0–6)", "zh": "贬损者（0–6 分）"},
    "satisfaction.metric.interval": {
        "en": "95% interval {low:.1f} to {high:.1f}", "zh": "95% 置信区间 {low:.1f} 至 {high:.1f}"},
    "satisfaction.metric.nps_interval_note": {
        "en": "Adjusted-Wald interval (Rocks 2016), centred on the adjusted score {adjusted:.1f}.",
        "zh": "调整 Wald 区间（Rocks 2016），以调整后分值 {adjusted:.1f} 为中心。"},
    "satisfaction.significant_change": {
        "en": "Significant change vs previous period (p < 0.05)", "zh": "较上期变化显著（p < 0.05）"},
    "satisfaction.vs_rest.above": {"en": "Significantly above the rest", "zh": "显著高于其他组"},
    "satisfaction.vs_rest.below": {"en": "Significantly below the rest", "zh": "显著低于其他组"},
    "satisfaction.vs_rest.same": {"en": "No significant difference", "zh": "无显著差异"},
    # satisfaction ladder, seed 001
    "satisfaction.ladder.respondents": {"en": "Respondents", "zh": "受访客户"},
    "satisfaction.ladder.satisfied": {"en": "I am satisfied", "zh": "我满意"},
    "satisfaction.ladder.will_buy_again": {
        "en": "Satisfied, and I will buy again", "zh": "我满意，我还会再来买"},
    "satisfaction.ladder.will_recommend": {
        "en": "Satisfied, will buy again and recommend you", "zh": "我满意，还会再来买，并推荐给朋友"},
    # satisfaction × loyalty quadrants, seed 001 (Jones & Sasser)
    "satisfaction.quadrant.saboteur": {"en": "Saboteurs", "zh": "破坏者"},
    "satisfaction.quadrant.mercenary": {"en": "Mercenaries", "zh": "图利者"},
    "satisfaction.quadrant.hostage": {"en": "Hostages", "zh": "囚禁者"},
    "satisfaction.quadrant.apostle": {"en": "Apostles", "zh": "传道者"},
    "satisfaction.action.saboteur": {
        "en": "They spread bad word of mouth: find them, open a green channel and fix their problem.",
        "zh": "他们会散布负面口碑：找出他们，开通绿色通道，解决他们的问题。"},
    "satisfaction.action.mercenary": {
        "en": "Satisfied but also satisfied with competitors: build switching value — loyalty benefits, "
              "personal relationships, reasons to stay.",
        "zh": "满意但对竞争对手同样满意：建立转换价值——忠诚权益、个人关系与留下的理由。"},
    "satisfaction.action.hostage": {
        "en": "Loyal only for lack of choice and will leave as soon as a competitor appears: fix what "
              "dissatisfies them now.",
        "zh": "因别无选择而忠诚，竞争者一出现就会离开：立即解决令他们不满的问题。"},
    "satisfaction.action.apostle": {
        "en": "The goal: keep them delighted and invite them to recommend you.",
        "zh": "这是目标：保持他们的高度满意，并邀请他们为您推荐。"},
    "satisfaction.quadrant.thresholds": {
        "en": "Satisfied = score ≥ {sat}; loyal = {loyal}.", "zh": "满意＝评分 ≥ {sat}；忠诚＝{loyal}。"},
    "satisfaction.loyal.repeat": {
        "en": "at least {n} purchases in the last 12 months", "zh": "近 12 个月至少购买 {n} 次"},
    "satisfaction.loyal.intent": {"en": "stated repurchase intent = yes", "zh": "表示会再次购买"},
    # SERVQUAL dimensions (seed 003 names four; assurance from Parasuraman et al. 1988)
    "satisfaction.dimension.tangibles": {"en": "Tangibles", "zh": "有形度"},
    "satisfaction.dimension.reliability": {"en": "Reliability", "zh": "信赖度"},
    "satisfaction.dimension.responsiveness": {"en": "Responsiveness", "zh": "反应度"},
    "satisfaction.dimension.assurance": {"en": "Assurance", "zh": "保证度"},
    "satisfaction.dimension.empathy": {"en": "Empathy", "zh": "同理度"},
    "satisfaction.servqual.gap": {"en": "Gap (perception − expectation)", "zh": "差距（感知 − 期望）"},
    "satisfaction.servqual.servperf": {"en": "Performance only (SERVPERF)", "zh": "仅感知绩效（SERVPERF）"},
    # importance × performance quadrants
    "satisfaction.ipa.fix_first": {"en": "Fix first", "zh": "优先改进"},
    "satisfaction.ipa.keep_up": {"en": "Keep up the good work", "zh": "继续保持"},
    "satisfaction.ipa.low_priority": {"en": "Low priority", "zh": "次要改进"},
    "satisfaction.ipa.possible_overkill": {"en": "Possible overkill", "zh": "可能过度投入"},
    "satisfaction.drivers.r2": {
        "en": "The drivers explain {r2:.0%} of the variation.", "zh": "这些驱动因素解释了 {r2:.0%} 的差异。"},
    # regional response style
    "satisfaction.regional.raw": {"en": "Raw score", "zh": "原始评分"},
    "satisfaction.regional.adjusted": {"en": "Region-adjusted score", "zh": "地区调整后评分"},
    "satisfaction.regional.zscore": {
        "en": "Standardised within each region (removes real regional differences too)",
        "zh": "按地区内部标准化（也会抹去真实的地区差异）"},
    "satisfaction.regional.label_calibration": {
        "en": "Each label calibrated by the repurchase rate it goes with in that region",
        "zh": "按该地区各评价档对应的再购率校准"},
    # word of mouth
    "satisfaction.iceberg.silent": {
        "en": "Estimated silent dissatisfied customers", "zh": "估计未投诉的不满意客户"},
    "satisfaction.iceberg.net_reach": {"en": "Net word-of-mouth reach (people)", "zh": "口碑净影响人数"},
    "satisfaction.iceberg.assumption": {
        "en": "Assumptions (editable): 1 in {one_in:.0f} dissatisfied complains; satisfied tell "
              "{tell_satisfied:g}, dissatisfied tell {tell_dissatisfied:g}.",
        "zh": "假设（可修改）：每 {one_in:.0f} 位不满意客户中有 1 位投诉；"
              "满意客户告诉 {tell_satisfied:g} 人，不满意客户告诉 {tell_dissatisfied:g} 人。"},
    "satisfaction.little_swan": {
        "en": "Little Swan's law 1:25:8:1 — one customer makes 25 aware, 8 potential, 1 new customer.",
        "zh": "小天鹅法则 1:25:8:1——一位客户影响 25 人知晓，其中 8 人成为潜在客户，1 人成为新客户。"},
    # comments
    "satisfaction.comments.dissatisfied": {
        "en": "Words from dissatisfied customers", "zh": "不满意客户常用词"},
    "satisfaction.comments.satisfied": {"en": "Words from satisfied customers", "zh": "满意客户常用词"},
    "satisfaction.comments.bigram_fallback": {
        "en": "Chinese word segmentation (jieba) is not installed: showing two-character pairs instead.",
        "zh": "未安装中文分词（jieba）：改为显示两字词组。"},
    # non-response
    "satisfaction.nonresponse.title": {"en": "Respondents vs non-respondents", "zh": "受访者与未回复者对比"},
    "satisfaction.nonresponse.warning": {
        "en": "Respondents differ from non-respondents on {fields}: results may not represent all customers.",
        "zh": "受访者与未回复者在{fields}上存在显著差异：结果可能不代表全部客户。"},
}

_DIMENSIONS_ZH = {"tangibles": "有形度", "reliability": "信赖度", "responsiveness": "反应度", "assurance": "保证度",
                  "empathy": "同理度"}
_DIMENSIONS_EN = {"tangibles": "Tangibles", "reliability": "Reliability", "responsiveness": "Responsiveness",
                  "assurance": "Assurance", "empathy": "Empathy"}

# The Satisfaction page (pages/satisfaction.py and ui/satisfaction/): keys ``sat.*``.
PAGE_MESSAGES = {
    "page.satisfaction": {"en": "Satisfaction", "zh": "客户满意"},
    "intro.satisfaction": {
        "en": "Survey scores with their uncertainty — CSAT, top box and NPS with 95% intervals, changes marked "
              "only where significant — and what to do about them: which service dimension to fix first, which "
              "customers are saboteurs or hostages, and how many dissatisfied customers never complain. "
              "Satisfaction is perceived value against expectation; only satisfied *and* loyal customers climb "
              "the ladder to recommending you.",
        "zh": "带有不确定性的调查评分——满意度、高度满意占比和 NPS 均附 95% 置信区间，只有显著的变化才会标出——"
              "以及应采取的行动：先改进哪个服务维度、哪些客户是破坏者或囚禁者、有多少不满意客户从不投诉。"
              "满意是实际获得与期望值的比较；只有既满意又忠诚的客户才会登上推荐的阶梯。"},
    "sat.no_surveys": {"en": "No survey waves yet: open a wave below, then enter or import answers.",
                       "zh": "还没有调查批次：请先在下方新建批次，再录入或导入答卷。"},
    "sat.wave": {"en": "Survey wave", "zh": "调查批次"},
    "sat.all_waves": {"en": "All waves", "zh": "全部批次"},
    "sat.tabs_hint": {"en": "Each tab computes only when opened.", "zh": "每个标签页在打开时才计算。"},
    "sat.tab.overview": {"en": "Scores", "zh": "评分"},
    "sat.tab.trend": {"en": "Trend & breakdowns", "zh": "趋势与细分"},
    "sat.tab.quality": {"en": "Service quality", "zh": "服务质量"},
    "sat.tab.regional": {"en": "Regional style", "zh": "地区表达习惯"},
    "sat.tab.quadrants": {"en": "Satisfaction × loyalty", "zh": "满意度 × 忠诚度"},
    "sat.tab.word_of_mouth": {"en": "Complaints & word of mouth", "zh": "投诉与口碑"},
    "sat.tab.comments": {"en": "Comments", "zh": "意见"},
    "sat.tab.nonresponse": {"en": "Non-response", "zh": "未回复检查"},
    "sat.tab.mystery": {"en": "Mystery shoppers", "zh": "神秘顾客"},
    "sat.tab.entry": {"en": "Enter answers", "zh": "录入答卷"},
    "sat.answers": {"en": "Answers", "zh": "答卷数"},
    "sat.answer": {"en": "Answer", "zh": "回答"},
    "sat.interval_line": {
        "en": "CSAT {csat} (95% Wilson interval {csat_low} – {csat_high}); NPS {nps} (95% adjusted-Wald interval "
              "{nps_low} to {nps_high}).",
        "zh": "满意度 {csat}（95% Wilson 区间 {csat_low} – {csat_high}）；NPS {nps}（95% 调整 Wald 区间 {nps_low} 至 {nps_high}）。"},
    "sat.delta_rule": {
        "en": "A change against the previous wave is shown only when it is significant (two-proportion z test for "
              "CSAT, NPS z test; p < 0.05).",
        "zh": "只有与上一批次相比变化显著时才显示变化（满意度用两比例 z 检验，NPS 用 NPS z 检验；p < 0.05）。"},
    "sat.pick_wave_for_headline": {"en": "Pick one wave to see its headline scores.", "zh": "请选择一个批次查看其主要评分。"},
    "sat.started_on": {"en": "Started", "zh": "开始日期"},
    "sat.invited": {"en": "Invited", "zh": "邀请人数"},
    "sat.invited_help": {"en": "Customers invited to answer, for the response rate; 0 = unknown.",
                         "zh": "受邀答卷的客户数，用于计算回复率；0 表示未知。"},
    "sat.response_rate": {"en": "Response rate", "zh": "回复率"},
    "sat.rate_interval": {"en": "95% interval", "zh": "95% 区间"},
    "sat.interval": {"en": "95% interval", "zh": "95% 区间"},
    "sat.waves_title": {"en": "Answers and response rate per wave", "zh": "各批次答卷数与回复率"},
    "sat.ladder_title": {"en": "The satisfaction ladder", "zh": "满意度阶梯"},
    "sat.ladder_note": {
        "en": "Recommending = answered yes to the recommend question, or 9–10 where only the 0–10 question was asked. "
              "Each step counts only customers on the step below.",
        "zh": "推荐＝对推荐问题回答“是”，或在只问了 0–10 分时答 9–10 分。每一级只计入已在下一级的客户。"},
    "sat.period": {"en": "Period", "zh": "周期"},
    "sat.period.wave_id": {"en": "By wave", "zh": "按批次"},
    "sat.period.month": {"en": "By month", "zh": "按月"},
    "sat.significant": {"en": "Significant", "zh": "显著"},
    "sat.trend_tests": {
        "en": "Bars: 95% intervals (Wilson for CSAT, adjusted Wald for NPS). A star marks a significant change from "
              "the previous period: pooled two-proportion z test for CSAT, NPS z test on the adjusted estimates; "
              "two-sided, p < 0.05.",
        "zh": "误差线：95% 区间（满意度用 Wilson，NPS 用调整 Wald）。星号表示与上一期相比变化显著：满意度用合并两比例 z 检验，"
              "NPS 用基于调整估计的 z 检验；双侧，p < 0.05。"},
    "sat.breakdowns_title": {"en": "Breakdowns", "zh": "细分对比"},
    "sat.breakdown_by": {"en": "Break down by", "zh": "细分维度"},
    "sat.by.region": {"en": "Region", "zh": "区域"},
    "sat.by.segment": {"en": "ABC segment", "zh": "ABC 类别"},
    "sat.by.rep": {"en": "Sales rep", "zh": "业务员"},
    "sat.by.product": {"en": "Main product", "zh": "主要产品"},
    "sat.by.channel": {"en": "Channel", "zh": "渠道"},
    "sat.breakdown_chart": {"en": "CSAT by {by}", "zh": "按{by}的满意度"},
    "sat.csat_vs_rest": {"en": "CSAT vs the rest", "zh": "满意度与其他组比较"},
    "sat.nps_vs_rest": {"en": "NPS vs the rest", "zh": "NPS 与其他组比较"},
    "sat.breakdown_tests": {
        "en": "Each group is tested against all other answers together (two-proportion z test for CSAT, NPS z test). "
              "Testing every group at once would flag some by chance, so ▲/▼ need a Holm-adjusted p < 0.05: "
              "Holm-corrected across {tests} groups. Raw and adjusted p are in the download. Green/red bars: "
              "significantly above/below. Segment = ABC class by revenue in the last 12 months; main product = "
              "the product the customer spent most on in that time.",
        "zh": "每组与其余全部答卷比较（满意度用两比例 z 检验，NPS 用 z 检验）。同时检验所有组会有偶然的显著，"
              "因此 ▲/▼ 以校正后 p < 0.05 为准：经 Holm 法校正（共 {tests} 组）。原始与校正后 p 值见下载文件。"
              "绿色/红色柱：显著高于/低于。类别＝近 12 个月收入的 ABC 分类；主要产品＝客户该期间花费最多的产品。"},
    "sat.csat_p_holm": {"en": "CSAT p (Holm)", "zh": "满意度 p 值（Holm 校正）"},
    "sat.top_box_line": {
        "en": "Top box (highly satisfied) {top} (95% Wilson interval {low} – {high}).",
        "zh": "高度满意占比 {top}（95% Wilson 区间 {low} – {high}）。"},
    "sat.missing": {"en": "(unknown / anonymous)", "zh": "（未知/匿名）"},
    "sat.segment.A": {"en": "A (top 5%)", "zh": "A 类（前 5%）"},
    "sat.segment.B": {"en": "B (next 15%)", "zh": "B 类（其后 15%）"},
    "sat.segment.C": {"en": "C (the rest)", "zh": "C 类（其余）"},
    "sat.segment.none": {"en": "No purchase in 12 months", "zh": "近 12 个月未购买"},
    "sat.channel.store": {"en": "In store", "zh": "门店"},
    "sat.channel.phone": {"en": "Phone", "zh": "电话"},
    "sat.channel.wechat": {"en": "WeChat", "zh": "微信"},
    "sat.channel.online": {"en": "Online", "zh": "网上"},
    "sat.quality_title": {"en": "Expectation vs perception per dimension", "zh": "各维度的期望与感知"},
    "sat.no_servqual": {"en": "No service-quality answers in this selection.", "zh": "所选范围内没有服务质量维度的答卷。"},
    "sat.view": {"en": "View", "zh": "视图"},
    "sat.view.gap": {"en": "Gap (SERVQUAL)", "zh": "差距（SERVQUAL）"},
    "sat.view.servperf": {"en": "Performance only (SERVPERF)", "zh": "仅感知绩效（SERVPERF）"},
    "sat.expectation": {"en": "Expectation", "zh": "期望"},
    "sat.perception": {"en": "Perception", "zh": "感知"},
    "sat.exp": {"en": "expectation", "zh": "期望"},
    "sat.perc": {"en": "perception", "zh": "感知"},
    "sat.gap_axis": {"en": "Gap", "zh": "差距"},
    "sat.gap_chart": {"en": "Expectation, perception and gap (1–7 scale)", "zh": "期望、感知与差距（1–7 分）"},
    "sat.dimension": {"en": "Dimension", "zh": "维度"},
    "sat.score_1_7": {"en": "Mean score (1–7)", "zh": "平均分（1–7）"},
    "sat.col.expectation": {"en": "Expectation", "zh": "期望"},
    "sat.col.perception": {"en": "Perception", "zh": "感知"},
    "sat.col.gap": {"en": "Gap", "zh": "差距"},
    "sat.col.servperf": {"en": "SERVPERF", "zh": "仅感知绩效"},
    "sat.col.n_pairs": {"en": "Answers with both", "zh": "两项都回答的答卷数"},
    "sat.servqual_note": {
        "en": "Gap = perception − expectation per respondent, averaged over those who answered both (SERVQUAL, "
              "Parasuraman, Zeithaml & Berry 1988). SERVPERF (Cronin & Taylor 1992) uses perceptions alone.",
        "zh": "差距＝每位受访者的感知减期望，在两项都回答的受访者中取平均（SERVQUAL，Parasuraman、Zeithaml 与 Berry 1988）。"
              "SERVPERF（Cronin 与 Taylor 1992）只用感知分。"},
    "sat.drivers_title": {"en": "What to fix first: key drivers", "zh": "优先改进什么：关键驱动因素"},
    "sat.outcome": {"en": "Outcome", "zh": "结果指标"},
    "sat.outcome.satisfaction": {"en": "overall satisfaction", "zh": "总体满意度"},
    "sat.outcome.recommend": {"en": "likelihood to recommend", "zh": "推荐意愿"},
    "sat.drivers_chart": {"en": "Importance × performance for {outcome}", "zh": "{outcome}的重要性 × 绩效"},
    "sat.performance_axis": {"en": "Performance (mean perception, 1–7)", "zh": "绩效（平均感知分，1–7）"},
    "sat.importance_axis": {"en": "Importance (% of explained variance)", "zh": "重要性（占解释方差 %）"},
    "sat.quadrant": {"en": "Quadrant", "zh": "象限"},
    "sat.drivers_method": {
        "en": "Relative importance by Johnson's relative weights over up to {n} {n!p:answer|answers}; cuts at the mean importance "
              "and mean performance.",
        "zh": "相对重要性采用 Johnson 相对权重法，基于最多 {n} 份答卷；分界线为重要性与绩效的平均值。"},
    "sat.no_drivers": {"en": "Too few answers with service-quality scores to weigh the drivers.",
                       "zh": "带服务质量评分的答卷太少，无法计算驱动因素。"},
    "sat.regional_title": {"en": "Raw and region-adjusted scores", "zh": "原始评分与地区调整后评分"},
    "sat.method": {"en": "Adjustment method", "zh": "调整方法"},
    "sat.method_note.label_calibration": {
        "en": "Method: label calibration. Each answer in each region is read by the repurchase intent it goes with "
              "there, mapped back onto the 1–5 scale through the overall label → intent curve. Real regional "
              "differences survive; a reserved style does not. Small samples are shrunk, not hidden: each region × "
              "label rate is pulled toward that label's overall rate, (yes + m × overall rate) ÷ (answers + m), so a "
              "region with few answers stays close to its raw score. Raw scores are shown beside it.",
        "zh": "方法：按评价档校准。每个地区的每一档评价，按其在该地区对应的再购意向率，通过全体“评价→再购率”曲线换算回 1–5 分。"
              "真实的地区差异保留，表达习惯的差异被去除。样本小不隐藏而是收缩：每个“地区×评价档”的再购率向该档的全体再购率靠拢，"
              "即（愿意再购人数 + m × 全体再购率）÷（答卷数 + m），答卷少的地区因此接近其原始评分。原始评分并列显示。"},
    "sat.method_note.zscore": {
        "en": "Method: z-score within region. Each answer is standardised against its own region's mean and spread, "
              "then put back on the overall scale. By construction this puts every region's mean at the overall mean "
              "({overall}), so it says nothing about which region is more satisfied: use it to rank respondents "
              "across regions, not to compare regions. Raw scores are shown beside it.",
        "zh": "方法：地区内 z 分数。每份答卷按所在地区的均值和离散程度标准化，再换算回总体量表。按其构造，每个地区的均值都被置为"
              "总体均值（{overall}），因此不能说明哪个地区更满意：只适合跨地区给受访者排序，不能用来比较地区。原始评分并列显示。"},
    "sat.regional.n_intent": {"en": "Answers with repurchase intent", "zh": "有再购意向的答卷数"},
    "sat.regional.weight": {"en": "Weight of own data", "zh": "本地区数据权重"},
    "sat.regional.shrinkage_note": {
        "en": "Prior strength m = {m} (estimated from how much the regions' rates differ beyond chance, method of "
              "moments, kept between 1 and 500). Weight of own data = answers ÷ (answers + m), averaged over the "
              "region's answers: 0 % means the adjusted score is the raw score, 100 % that it rests on the region's "
              "own answers only.",
        "zh": "先验强度 m = {m}（按各地区再购率超出随机波动的差异用矩估计法估得，限定在 1 至 500 之间）。本地区数据权重 = "
              "答卷数 ÷（答卷数 + m），按该地区答卷平均：0% 表示调整后评分即原始评分，100% 表示完全依据该地区自己的答卷。"},
    "sat.regional_chart": {"en": "Mean satisfaction by region: raw and adjusted", "zh": "各区域平均满意度：原始与调整后"},
    "sat.raw_csat": {"en": "Raw CSAT", "zh": "原始满意度"},
    "sat.no_regional": {"en": "Need answers from at least two regions (and repurchase answers for calibration).",
                        "zh": "需要至少两个区域的答卷（按评价档校准还需要再购意向答案）。"},
    "sat.sample_note": {"en": "Computed on a repeatable sample of up to {n} {n!p:answer|answers}.",
                        "zh": "基于最多 {n} 份答卷的可重复抽样计算。"},
    "sat.quadrant_title": {"en": "Satisfaction × loyalty quadrants", "zh": "满意度 × 忠诚度四象限"},
    "sat.loyalty_source": {"en": "Loyalty from", "zh": "忠诚度依据"},
    "sat.loyalty.behaviour": {"en": "Repeat purchases (CRM data)", "zh": "重复购买（客户数据）"},
    "sat.loyalty.intent": {"en": "Stated repurchase intent", "zh": "表示的再购意向"},
    "sat.sat_threshold": {"en": "Satisfied from score", "zh": "满意的最低评分"},
    "sat.loyal_threshold": {"en": "Loyal from purchases (12 months)", "zh": "忠诚的最少购买次数（12 个月）"},
    "sat.quadrant_basis": {"en": "Each customer's latest answer; anonymous answers cannot be placed.",
                           "zh": "按每位客户最近一次答卷；匿名答卷无法归入。"},
    "sat.quadrant_chart": {"en": "Customers by satisfaction and loyalty", "zh": "按满意度与忠诚度分布的客户"},
    "sat.sat_axis": {"en": "Satisfaction (latest answer, 1–5)", "zh": "满意度（最近一次回答，1–5）"},
    "sat.loyal_axis.behaviour": {"en": "Purchases in the last 12 months (capped at 12)", "zh": "近 12 个月购买次数（上限 12）"},
    "sat.loyal_axis.intent": {"en": "Will buy again", "zh": "会再次购买"},
    "sat.no_quadrant": {"en": "No identified customer has answered the satisfaction question yet.",
                        "zh": "还没有可识别身份的客户回答满意度问题。"},
    "sat.show_list": {"en": "Show the customers of", "zh": "显示以下象限的客户"},
    "sat.list_note.saboteur": {"en": "Contact them through the complaint green channel, biggest first.",
                               "zh": "通过投诉绿色通道联系他们，先从最大的客户开始。"},
    "sat.list_note.hostage": {"en": "At risk the day a competitor appears: fix what dissatisfies them now.",
                              "zh": "竞争者出现之日就是流失之时：立即解决令他们不满的问题。"},
    "sat.list_note.mercenary": {"en": "Satisfied but not staying: give them reasons to stay.",
                                "zh": "满意却不留下：给他们留下的理由。"},
    "sat.list_note.apostle": {"en": "Ask them for referrals.", "zh": "请他们为您转介绍。"},
    "sat.latest_answer": {"en": "Latest answer", "zh": "最近回答"},
    "sat.intent_col": {"en": "Will buy again", "zh": "会再购买"},
    "sat.purchases_12m": {"en": "Purchases (12 months)", "zh": "购买次数（12 个月）"},
    "sat.spend_12m": {"en": "Spend (12 months)", "zh": "消费额（12 个月）"},
    "sat.list_cap": {"en": "Showing {shown} {shown!p:customer|customers}, biggest 12-month spenders first (at most 5,000).",
                     "zh": "显示 {shown} 位客户，按近 12 个月消费额从高到低（最多 5,000 位）。"},
    "sat.yes": {"en": "Yes", "zh": "是"},
    "sat.no": {"en": "No", "zh": "否"},
    "sat.iceberg_title": {"en": "The complaint iceberg and word of mouth", "zh": "投诉冰山与口碑"},
    "sat.preset": {"en": "Source figures", "zh": "数据来源"},
    "sat.preset.volkswagen": {"en": "Volkswagen: 1 in 26 complains; tell 3 / tell 15",
                              "zh": "大众：26 人中 1 人投诉；满意告诉 3 人、不满告诉 15 人"},
    "sat.preset.seed_004": {"en": "5% complain; a dissatisfied customer influences 5",
                            "zh": "5% 投诉；一位不满意客户影响 5 人"},
    "sat.one_in": {"en": "1 complaint per … dissatisfied", "zh": "每多少位不满意客户有 1 人投诉"},
    "sat.tell_satisfied": {"en": "A satisfied customer tells", "zh": "满意客户告诉的人数"},
    "sat.tell_dissatisfied": {"en": "A dissatisfied customer tells", "zh": "不满意客户告诉的人数"},
    "sat.no_answers": {"en": "No answers in this selection.", "zh": "所选范围内没有答卷。"},
    "sat.iceberg_from_survey": {
        "en": "From the survey: {share} of answers are dissatisfied (1–2); applied to {active} active customers, "
              "that is about {dissatisfied} dissatisfied customers.",
        "zh": "根据调查：{share} 的答卷不满意（1–2 分）；按 {active} 位活跃客户推算，约有 {dissatisfied} 位不满意客户。"},
    "sat.expected_complaints": {"en": "Of them, expected to complain", "zh": "其中预计会投诉"},
    "sat.iceberg_from_log": {
        "en": "From the complaint log: {complaints} {complaints!p:complaint|complaints} in the last 12 months suggest {dissatisfied} "
              "dissatisfied customers, {silent} of them silent; net word of mouth {reach} {reach!p:person|people}.",
        "zh": "根据投诉记录：近 12 个月 {complaints} 起投诉，推算约 {dissatisfied} 位不满意客户，其中 {silent} 位沉默；"
              "口碑净影响 {reach} 人。"},
    "sat.measured_ratio": {
        "en": "Measured: {complained} of {dissatisfied} {dissatisfied!p:customer|customers} who answered 1–2 logged a complaint (from {before} "
              "days before to {after} {after!p:day|days} after answering) = {ratio} (95% interval {low} – {high}), against the "
              "assumed ratio above.",
        "zh": "实测：回答 1–2 分的 {dissatisfied} 位客户中有 {complained} 位登记了投诉（答卷前 {before} 天至答卷后 {after} 天）"
              "＝{ratio}（95% 区间 {low} – {high}），可与上面的假设比较。"},
    "sat.no_complaint_log": {
        "en": "No complaint log yet: the measured complaint ratio appears once complaints are recorded. Interactions "
              "noted “处理投诉” are not counted as complaints.",
        "zh": "还没有投诉记录：登记投诉后将显示实测投诉比例。备注为“处理投诉”的互动记录不算作投诉。"},
    "sat.swan_line": {"en": "{satisfied} satisfied customers → {aware} aware, {potential} potential, {new} new customers.",
                      "zh": "{satisfied} 位满意客户 → {aware} 人知晓，{potential} 位潜在客户，{new} 位新客户。"},
    "sat.comments_title": {"en": "What dissatisfied and satisfied customers say", "zh": "不满意与满意客户在说什么"},
    "sat.no_comments": {"en": "No comments.", "zh": "没有意见。"},
    "sat.word": {"en": "Word", "zh": "词语"},
    "sat.count": {"en": "Count", "zh": "次数"},
    "sat.share_of_words": {"en": "Share of words", "zh": "占词语比例"},
    "sat.words_note": {
        "en": "Chinese split into words with jieba, English by words; common words left out. From a sample of up to "
              "{n} {n!p:answer|answers}. Click a word to read the answers that use it.",
        "zh": "中文用结巴分词，英文按单词；已去除常用虚词。基于最多 {n} 份答卷的抽样。点击词语可查看使用它的答卷。"},
    "sat.pick_word": {"en": "Click a word to see the answers behind it.", "zh": "点击一个词语查看相关答卷。"},
    "sat.answers_with_word": {"en": "Answers containing “{word}”: {count} (newest first, at most 200)",
                              "zh": "包含“{word}”的答卷：{count} 份（最新在前，最多 200 份）"},
    "sat.answered_on": {"en": "Answered on", "zh": "答卷日期"},
    "sat.anonymous": {"en": "(anonymous)", "zh": "（匿名）"},
    "sat.comment": {"en": "Comment", "zh": "意见"},
    "sat.nonresponse_basis": {
        "en": "Wave {wave}: customers who answered against customers on file at the wave's start who did not.",
        "zh": "批次 {wave}：已答卷的客户与批次开始时已建档但未答卷的客户对比。"},
    "sat.variable": {"en": "Variable", "zh": "变量"},
    "sat.level": {"en": "Level", "zh": "类别"},
    "sat.respondents": {"en": "Respondents", "zh": "受访者"},
    "sat.non_respondents": {"en": "Non-respondents", "zh": "未回复者"},
    "sat.p_value": {"en": "p-value", "zh": "p 值"},
    "sat.var.region": {"en": "region", "zh": "区域"},
    "sat.var.tenure_stage": {"en": "tenure", "zh": "新老客户"},
    "sat.var.spend": {"en": "spend in the 12 months before the wave", "zh": "批次前 12 个月消费额"},
    "sat.nonresponse_tests": {
        "en": "Shares (%) compared with the two-proportion z test, mean spend with Welch's t test; ● = Holm-adjusted "
              "p < 0.05, Holm-corrected across {tests} tests (the raw p is shown beside it).",
        "zh": "占比（%）用两比例 z 检验比较，平均消费额用 Welch t 检验；● 表示经 Holm 法校正（共 {tests} 项检验）后 p < 0.05"
              "（原始 p 值并列显示）。"},
    "sat.p_holm": {"en": "p (Holm)", "zh": "p 值（Holm 校正）"},
    "sat.mystery_title": {"en": "Mystery-shopper scores per location", "zh": "各门店神秘顾客评分"},
    "sat.no_visits": {"en": "No mystery-shopper visits recorded.", "zh": "还没有神秘顾客暗访记录。"},
    "sat.visited_on": {"en": "Visited on", "zh": "暗访日期"},
    "sat.mystery_score": {"en": "Score (0–100)", "zh": "评分（0–100）"},
    "sat.location": {"en": "Location", "zh": "门店"},
    "sat.mystery_chart": {"en": "Mystery-shopper score trend", "zh": "神秘顾客评分趋势"},
    "sat.mystery_note": {"en": "Like KFC's hidden visits that scored one restaurant 83, 85 and 88.",
                         "zh": "如同肯德基的暗访：某餐厅三次得分 83、85、88。"},
    "sat.mystery.visits": {"en": "Visits", "zh": "暗访次数"},
    "sat.mystery.first": {"en": "First score", "zh": "首次评分"},
    "sat.mystery.last": {"en": "Latest score", "zh": "最近评分"},
    "sat.mystery.mean": {"en": "Mean score", "zh": "平均评分"},
    "sat.mystery.last_change": {"en": "Latest change", "zh": "最近变化"},
    "sat.checklist_passed": {"en": "Checklist items passed", "zh": "通过的检查项"},
    "sat.check.greeting": {"en": "Greeting", "zh": "问候"},
    "sat.check.cleanliness": {"en": "Cleanliness", "zh": "清洁"},
    "sat.check.wait_time": {"en": "Waiting time", "zh": "等候时间"},
    "sat.check.product_knowledge": {"en": "Product knowledge", "zh": "产品知识"},
    "sat.check.upsell": {"en": "Suggests more", "zh": "推荐加购"},
    "sat.check.farewell": {"en": "Farewell", "zh": "道别"},
    "sat.import_hint": {"en": "Many answers at once: use the import center (kind “survey responses”).",
                        "zh": "批量录入：请使用导入中心（类型“调查答卷”）。"},
    "sat.create_wave_first": {"en": "Open a survey wave first.", "zh": "请先新建调查批次。"},
    "sat.answer_form_title": {"en": "Enter one answer", "zh": "录入一份答卷"},
    "sat.servqual_block": {"en": "Service-quality items (1–7, any subset)", "zh": "服务质量题项（1–7 分，可只答部分）"},
    "sat.save_answer": {"en": "Save answer", "zh": "保存答卷"},
    "sat.answer_saved": {"en": "Answer {id} saved.", "zh": "答卷 {id} 已保存。"},
    "sat.wave_form_title": {"en": "Open a survey wave", "zh": "新建调查批次"},
    "sat.wave_name": {"en": "Wave name (e.g. 2026 Q3)", "zh": "批次名称（如 2026 Q3）"},
    "sat.create_wave": {"en": "Create wave", "zh": "新建批次"},
    "sat.wave_created": {"en": "Wave “{name}” created.", "zh": "批次“{name}”已新建。"},
    "sat.visit_form_title": {"en": "Record a mystery-shopper visit", "zh": "登记神秘顾客暗访"},
    "sat.save_visit": {"en": "Save visit", "zh": "保存暗访"},
    "sat.visit_saved": {"en": "Visit saved.", "zh": "暗访已保存。"},
    "sat.c360_none": {"en": "This customer has not answered a survey.", "zh": "该客户尚未参加调查。"},
    "sat.c360_latest": {"en": "Latest answer ({wave}): {answer}.", "zh": "最近一次回答（{wave}）：{answer}。"},
    "sat.field.wave_id": {"en": "Survey wave", "zh": "调查批次"},
    "sat.field.responded_on": {"en": "Answered on", "zh": "答卷日期"},
    "sat.field.customer_code": {"en": "Customer code (optional)", "zh": "客户编号（可选）"},
    "sat.field.region": {"en": "Region", "zh": "区域"},
    "sat.field.channel": {"en": "Channel", "zh": "渠道"},
    "sat.field.satisfaction": {"en": "Overall satisfaction", "zh": "总体满意度"},
    "sat.field.repurchase_intent": {"en": "Will buy again", "zh": "是否会再次购买"},
    "sat.field.recommend": {"en": "Likelihood to recommend (0–10)", "zh": "推荐可能性（0–10）"},
    "sat.field.recommend_yes": {"en": "Would recommend (yes/no)", "zh": "是否会推荐（是/否）"},
    "sat.field.comment": {"en": "Comment", "zh": "意见"},
    "err.survey_satisfaction": {
        "en": "“{value}” is not a satisfaction answer: use 高度满意/一般满意/无意见/有些不满意/极不满意, the English "
              "labels (highly satisfied … very dissatisfied) or 1–5.",
        "zh": "“{value}”不是满意度答案：请用 高度满意/一般满意/无意见/有些不满意/极不满意、英文标签或 1–5。"},
    "err.survey_yes_no": {"en": "“{value}” is not a yes/no answer: use 是/否, yes/no or 1/0.",
                          "zh": "“{value}”不是是/否答案：请用 是/否、yes/no 或 1/0。"},
    "err.survey_empty": {"en": "The answer is empty: fill in at least one question.",
                         "zh": "答卷为空：请至少回答一个问题。"},
}
for _d in _DIMENSIONS_EN:
    for _kind, _en, _zh in (("exp", "expectation", "期望"), ("perc", "perception", "感知")):
        PAGE_MESSAGES[f"sat.field.{_kind}_{_d}"] = {"en": f"{_DIMENSIONS_EN[_d]} {_en} (1–7)",
                                                   "zh": f"{_DIMENSIONS_ZH[_d]}{_zh}（1–7）"}
MESSAGES.update(PAGE_MESSAGES)
