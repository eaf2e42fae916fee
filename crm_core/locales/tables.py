"""Shown tables (crm_core.tables): names of the lists, used as the XLSX sheet names."""

MESSAGES = {
    "table.customers": {"en": "Customers", "zh": "客户列表"},
    "table.segment_customers": {"en": "Segment customers", "zh": "分群客户名单"},
    "table.segment_summary": {"en": "Segment summary", "zh": "分群汇总"},
}
MESSAGES |= {
    "table.churn_retention": {"en": "Retention list", "zh": "挽留名单"},
    "table.churn_lapsed": {"en": "Lapsed customers", "zh": "沉睡客户"},
    "table.churn_events": {"en": "Lost customers", "zh": "流失客户记录"},
    "table.churn_abc.A": {"en": "Class A", "zh": "A 类"},
    "table.churn_abc.B": {"en": "Class B", "zh": "B 类"},
    "table.churn_abc.C": {"en": "Class C", "zh": "C 类"},
    "table.churn_abc.inactive": {"en": "No purchase in 12 months", "zh": "近 12 个月无购买"},
    "table.yes_no.True": {"en": "Yes", "zh": "是"},
    "table.yes_no.False": {"en": "No", "zh": "否"},
}
MESSAGES |= {
    "table.policy_versions": {"en": "Policy versions", "zh": "承诺政策版本"},
    "table.policy.target": {"en": "Time limit", "zh": "时限"},
    "table.policy.warnings": {"en": "Warnings at", "zh": "预警点"},
    "table.policy.rung": {"en": "{when}: {remedy} ({cost})", "zh": "{when}：{remedy}（{cost}）"},
    "table.policy.rung_free": {"en": "{when}: {remedy}", "zh": "{when}：{remedy}"},
    "table.policy.at_once": {"en": "Once late", "zh": "一旦超时"},
    "table.policy.after": {"en": "{after} late", "zh": "超时{after}"},
    "table.policy.rung_separator": {"en": "; ", "zh": "；"},
}
MESSAGES |= {
    "table.customer_promises": {"en": "Promises to the customer", "zh": "对该客户的承诺"},
    "table.survey_answers": {"en": "Survey answers", "zh": "调查答卷"},
    "table.churn_loss_by_year": {"en": "Loss by year", "zh": "逐年损失"},
    "table.imports": {"en": "Imports", "zh": "导入记录"},
    "table.audit_log": {"en": "Audit log", "zh": "操作日志"},
    "table.interactions": {"en": "Interactions", "zh": "互动记录"},
}
MESSAGES |= {
    "table.survey_waves": {"en": "Survey waves", "zh": "调查批次"},
}
MESSAGES |= {
    "table.allocation": {"en": "Resource allocation", "zh": "资源配置"},
}
MESSAGES |= {
    "table.care_list": {"en": "Care list", "zh": "关怀名单"},
}
MESSAGES |= {
    "table.transactions": {"en": "Recent purchases", "zh": "近期购买"},
}
