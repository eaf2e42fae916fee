"""Display text for relationship care (crm_core.care)."""

MESSAGES = {
    # occasions returned by upcoming_key_dates
    "care.occasion.birthday": {"en": "Birthday", "zh": "生日"},
    "care.occasion.founding": {"en": "Founding anniversary", "zh": "成立纪念日"},
    "care.occasion.anniversary": {"en": "Anniversary", "zh": "纪念日"},
    "care.occasion.first_purchase_anniversary": {"en": "First-purchase anniversary", "zh": "首次购买周年"},
    "care.occasion.custom": {"en": "Key date", "zh": "重要日子"},
    "care.occasion.spring_festival": {"en": "Spring Festival", "zh": "春节"},
    "care.occasion.dragon_boat": {"en": "Dragon Boat Festival", "zh": "端午节"},
    "care.occasion.mid_autumn": {"en": "Mid-Autumn Festival", "zh": "中秋节"},
    # replenishment forecast methods
    "care.method.history": {"en": "From purchase history", "zh": "按购买记录推算"},
    "care.method.household": {"en": "From household size", "zh": "按家庭人口推算"},
    # column headings of the care tables
    "care.col.occasion": {"en": "Occasion", "zh": "事由"},
    "care.col.date": {"en": "Date", "zh": "日期"},
    "care.col.years": {"en": "Years", "zh": "年数"},
    "care.col.label": {"en": "Note", "zh": "说明"},
    "care.col.last_purchase": {"en": "Last purchase", "zh": "最近购买"},
    "care.col.days_absent": {"en": "Days absent", "zh": "未购天数"},
    "care.col.usual_products": {"en": "Usual choices", "zh": "常购商品"},
    "care.col.preferences": {"en": "Preferences", "zh": "偏好"},
    "care.col.next_birthday": {"en": "Next birthday", "zh": "下次生日"},
    "care.col.birthday_soon": {"en": "Birthday within 30 days", "zh": "30天内生日"},
    "care.col.rate_per_day": {"en": "Use per day", "zh": "日用量"},
    "care.col.days_left": {"en": "Days left", "zh": "剩余天数"},
    "care.col.run_out": {"en": "Runs out", "zh": "预计用完"},
    "care.col.payment_reminder": {"en": "Payment reminder", "zh": "收款提醒"},
    "care.col.method": {"en": "Basis", "zh": "推算依据"},
    "care.col.every_days": {"en": "Contact every (days)", "zh": "联系周期（天）"},
    "care.col.last_contact": {"en": "Last contact", "zh": "最近联系"},
    "care.col.due_date": {"en": "Due", "zh": "应联系日"},
    "care.col.days_overdue": {"en": "Days overdue", "zh": "逾期天数"},
    # calendar export
    "care.calendar.key_dates": {"en": "Customer key dates", "zh": "客户重要日子"},
    "care.calendar.deliveries": {"en": "Deliveries due", "zh": "待送货"},
}
