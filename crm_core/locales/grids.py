"""Headers and names of grids converted to crm_core.tables (issue 17: every number readable)."""

MESSAGES = {
    "grids.trend_title": {"en": "Satisfaction trend", "zh": "满意度趋势"},
    "grids.csat_low": {"en": "CSAT low (95%)", "zh": "满意度下限（95%）"},
    "grids.csat_high": {"en": "CSAT high (95%)", "zh": "满意度上限（95%）"},
    "grids.csat_change": {"en": "CSAT changed", "zh": "满意度显著变化"},
    "grids.nps_low": {"en": "NPS low (95%)", "zh": "净推荐值下限（95%）"},
    "grids.nps_high": {"en": "NPS high (95%)", "zh": "净推荐值上限（95%）"},
    "grids.nps_change": {"en": "NPS changed", "zh": "净推荐值显著变化"},
    "grids.visits_title": {"en": "Mystery visits", "zh": "神秘顾客暗访记录"},
    "grids.visits_summary": {"en": "Mystery visits by location", "zh": "各门店暗访汇总"},
    "grids.score_change": {"en": "Change vs previous visit", "zh": "较上次变化"},
    "grids.checklist_passed": {"en": "Checklist items passed", "zh": "检查项通过数"},
    "grids.checklist_items": {"en": "Checklist items", "zh": "检查项数"},
    "grids.all_visits": {"en": "All visits", "zh": "全部暗访记录"},
    "grids.import_errors": {"en": "Import problems", "zh": "导入问题"},
    "grids.field": {"en": "Field", "zh": "字段"},
    "grids.value": {"en": "Value", "zh": "内容"},
}
