"""Display text of the management report (crm_core.report) and its button, and of printing pages."""

MESSAGES = {
    "report.title": {"en": "Management report", "zh": "管理报告"},
    "report.subtitle": {"en": "Customers, segments, promises, satisfaction and churn",
                        "zh": "客户、细分、承诺、满意度与流失"},
    "report.as_of": {"en": "Analysis date", "zh": "分析日期"},
    "report.currency": {"en": "Amounts in", "zh": "金额币种"},
    "report.made_by": {"en": "Prepared by", "zh": "制作人"},
    "report.made_at": {"en": "Prepared on", "zh": "制作时间"},
    "report.scope_rep": {"en": "Covers the customers of {reps} only.", "zh": "仅包含 {reps} 负责的客户。"},
    "report.contents": {"en": "Contents", "zh": "目录"},
    "report.no_data": {"en": "No data for this section yet.", "zh": "本部分暂无数据。"},
    "report.overview_sentence": {
        "en": "{active} of {customers} customers bought in the 12 months to {as_of}, for {revenue} of net revenue "
              "({growth} against the 12 months before).",
        "zh": "截至{as_of}的12个月内，{customers}位客户中有{active}位有购买，净收入{revenue}（与此前12个月相比{growth}）。"},
    "report.revenue_chart": {"en": "Net revenue by month, last 36 months ({currency})",
                             "zh": "近36个月月度净收入（{currency}）"},
    "report.segmentation_sentence": {
        "en": "Period {start} to {end}, ranked by revenue: the top {fraction} of customers ({customers}) bring "
              "{share} of it.",
        "zh": "统计期{start}至{end}，按消费额排名：前{fraction}的客户（{customers}位）贡献了{share}。"},
    "report.class": {"en": "Class", "zh": "类别"},
    "report.class_short": {"en": "Class {abc}", "zh": "{abc}类"},
    "report.class_customers": {"en": "Share of customers", "zh": "客户占比"},
    "report.class_revenue": {"en": "Share of revenue", "zh": "消费额占比"},
    "report.class_chart": {"en": "ABC classes: customers and revenue", "zh": "ABC分类：客户与消费额"},
    "report.class_count": {"en": "{count} customers", "zh": "{count}位客户"},
    "report.pareto_chart": {"en": "Pareto curve", "zh": "帕累托曲线"},
    "report.promises_sentence": {
        "en": "From {start} to {end}: {met} promises kept, {breached} broken ({excluded} not counted: paused "
              "or waived). Kept: {pct} (95% interval {low} – {high}).",
        "zh": "{start}至{end}：兑现{met}项，违约{breached}项（另有{excluded}项暂停或豁免，不计入）。"
              "兑现率{pct}（95%区间{low} – {high}）。"},
    "report.promises_none": {"en": "No promise fell due between {start} and {end}.",
                             "zh": "{start}至{end}期间没有到期的承诺。"},
    "report.promises_met": {"en": "Kept", "zh": "已兑现"},
    "report.promises_breached": {"en": "Broken", "zh": "已违约"},
    "report.satisfaction_sentence": {
        "en": "Latest wave {wave}: {answers} answers; CSAT {csat} (95% interval {csat_low} – {csat_high}); "
              "NPS {nps} (95% interval {nps_low} to {nps_high}).",
        "zh": "最近一期{wave}：答卷{answers}份；满意度{csat}（95%区间{csat_low} – {csat_high}）；"
              "净推荐值{nps}（95%区间{nps_low}至{nps_high}）。"},
    "report.csat_chart": {"en": "CSAT by wave, 95% intervals", "zh": "各期满意度及95%区间"},
    "report.nps_chart": {"en": "NPS by wave, 95% intervals", "zh": "各期净推荐值及95%区间"},
    "report.churn_sentence": {
        "en": "{churn} of the customers who bought in the previous 12 months bought nothing in the 12 months "
              "to {as_of}.",
        "zh": "前一个12个月有购买的客户中，有{churn}在截至{as_of}的12个月内没有任何购买。"},
    "report.loss_sentence": {
        "en": "At this churn rate, with the measured revenue and margin per customer, churn costs {profit} of "
              "profit in the first year and {total} over {years} years (present value).",
        "zh": "按此流失率及实测的客均收入和毛利率，流失第一年损失利润{profit}，{years}年合计（现值）{total}。"},
    "report.year_n": {"en": "Year {year}", "zh": "第{year}年"},
    "report.churn_chart": {"en": "Churn rate per quarter", "zh": "各季度流失率"},
    "report.loss_chart": {"en": "Profit lost to churn per year ({currency})", "zh": "每年因流失损失的利润（{currency}）"},
    "report.footer": {"en": "Kehu · management report as of {as_of}", "zh": "客户 · 截至{as_of}的管理报告"},
    # the Overview page's button
    "report.button": {"en": "Management report (PDF)", "zh": "生成管理报告 (PDF)"},
    "report.button_help": {"en": "A PDF of this page's figures and the headlines of Segmentation, Promises, "
                                 "Satisfaction and Churn for the analysis date, in the language of the app.",
                           "zh": "生成PDF：本页指标及客户细分、时限承诺、客户满意、客户流失各页的要点，按分析日期，使用当前界面语言。"},
    "report.making": {"en": "Making the report…", "zh": "正在生成报告…"},
    "report.download": {"en": "Download the report (PDF)", "zh": "下载管理报告 (PDF)"},
    "report.no_chromium": {
        "en": "The PDF report needs the Chromium browser and the Noto CJK fonts on the server. Install them "
              "with: apt install chromium fonts-noto-cjk",
        "zh": "生成PDF报告需要服务器上安装 Chromium 浏览器和 Noto CJK 字体。安装命令：apt install chromium fonts-noto-cjk"},
    "report.failed": {"en": "The report could not be made: {detail}", "zh": "报告生成失败：{detail}"},
}
