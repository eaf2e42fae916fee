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
    "satisfaction.metric.csat": {"en": "CSAT (top-two-box %)", "zh": "满意度（前两档占比 %）"},
    "satisfaction.metric.top_box": {"en": "Highly satisfied (top box %)", "zh": "高度满意占比 %"},
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
