"""Display text for relationship care (crm_core.care)."""

MESSAGES = {
    # occasions returned by upcoming_key_dates_sql
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
    "care.method.median_gap": {"en": "Last purchase + median gap", "zh": "上次购买 + 购买间隔中位数"},
    "care.method.mean_gap": {"en": "Last purchase + mean gap", "zh": "上次购买 + 平均购买间隔"},
    # forecast methods compared by the back-test (forecast_backtest_sql)
    "care.forecast.rate": {"en": "Consumption rate (median of quantity ÷ days)", "zh": "按用量推算（数量 ÷ 天数的中位数）"},
    "care.forecast.median_gap": {"en": "Last purchase + median gap", "zh": "上次购买 + 购买间隔中位数"},
    "care.forecast.mean_gap": {"en": "Last purchase + mean gap", "zh": "上次购买 + 平均购买间隔"},
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
    "care.col.forecast_method": {"en": "Method", "zh": "预测方法"},
    "care.col.checks": {"en": "Checks", "zh": "检验次数"},
    "care.col.mean_error": {"en": "Mean error (days)", "zh": "平均误差（天）"},
    "care.col.median_error": {"en": "Median error (days)", "zh": "误差中位数（天）"},
    "care.col.every_days": {"en": "Contact every (days)", "zh": "联系周期（天）"},
    "care.col.last_contact": {"en": "Last contact", "zh": "最近联系"},
    "care.col.due_date": {"en": "Due", "zh": "应联系日"},
    "care.col.days_overdue": {"en": "Days overdue", "zh": "逾期天数"},
    # calendar export
    "care.calendar.key_dates": {"en": "Customer key dates", "zh": "客户重要日子"},
    "care.calendar.deliveries": {"en": "Deliveries due", "zh": "待送货"},
    "care.calendar.deliveries_file": {"en": "Deliveries and payment reminders", "zh": "送货与收款提醒"},
    "care.ics.deliver": {"en": "deliver", "zh": "送货"},
    "care.ics.collect": {"en": "collect payment for", "zh": "收款"},
    "care.note.greeting": {"en": "{occasion} greeting ({date})", "zh": "{occasion}问候（{date}）"},
    # the page
    "page.care": {"en": "Relationship care", "zh": "客户关怀"},
    "intro.care": {
        "en": "The customer file as a daily to-do list. Key dates ahead (三节两寿: Spring Festival, Dragon Boat, "
              "Mid-Autumn and birthdays), customers long away — the Oriental Hotel sent a birthday card to a "
              "guest absent for three years — deliveries due before a customer runs out, as Wang Yongqing's "
              "rice shop did, and who is due a call.",
        "zh": "把客户档案变成每天的待办清单：即将到来的重要日子（三节两寿：春节、端午、中秋和生日）、久未光顾的"
              "客户——东方饭店给三年没来的客人寄生日贺卡——像王永庆的米店那样在客户用完之前送货，以及该联系谁了。"},
    "care.ui.as_of_caption": {"en": "As of {day} (the analysis date in the sidebar)", "zh": "截至 {day}(侧边栏的分析日期)"},
    "care.ui.rep": {"en": "Sales rep", "zh": "业务员"},
    "care.ui.all_reps": {"en": "All reps", "zh": "全部业务员"},
    "care.ui.section": {"en": "List", "zh": "清单"},
    "care.section.key_dates": {"en": "Key dates ahead", "zh": "即将到来的重要日子"},
    "care.section.absent": {"en": "Long-absent customers", "zh": "久未光顾的客户"},
    "care.section.replenish": {"en": "Deliveries before they run out", "zh": "用完之前送货"},
    "care.section.contacts": {"en": "Stay in touch", "zh": "保持联系"},
    "care.ui.next_days": {"en": "Next days", "zh": "未来天数"},
    "care.ui.festival_classes": {"en": "Festival greetings for classes", "zh": "节日问候的客户等级"},
    "care.ui.festival_classes_help": {
        "en": "Spring Festival, Dragon Boat and Mid-Autumn go to the customers of these ABC classes (revenue, "
              "last 12 months). Personal dates go to everyone.",
        "zh": "春节、端午、中秋问候发给这些ABC等级（按近12个月收入）的客户；个人的重要日子发给所有客户。"},
    "care.ui.occasions": {"en": "Occasions", "zh": "事由"},
    "care.ui.count_dates": {"en": "{count} key dates in the next {days} {days!p:day|days}", "zh": "未来 {days} 天共有 {count} 个重要日子"},
    "care.ui.rows_shown": {"en": "Rows {first}–{last} of {total}", "zh": "第 {first}–{last} 行，共 {total} 行"},
    "care.ui.page": {"en": "Page (of {pages})", "zh": "页码（共 {pages} 页）"},
    "care.ui.select_row": {
        "en": "Select a row to log the greeting or gift, or to open the customer's 360 view.",
        "zh": "选中一行即可记录问候或送礼，或打开该客户的全景视图。"},
    "care.ui.select_row_360": {"en": "Select a row to open the customer's 360 view.", "zh": "选中一行即可打开该客户的全景视图。"},
    "care.ui.selected": {"en": "{name}: {occasion} on {date}", "zh": "{name}：{date} {occasion}"},
    "care.ui.channel": {"en": "How", "zh": "方式"},
    "care.ui.gift_cost": {"en": "Cost (CNY)", "zh": "费用（元）"},
    "care.ui.log_greeting": {"en": "Log greeting / gift", "zh": "记录问候 / 送礼"},
    "care.ui.logged": {"en": "Logged for {name}: {note}", "zh": "已为{name}记录：{note}"},
    "care.ui.open_360": {"en": "Open customer 360", "zh": "打开客户全景"},
    "care.ui.download_ics": {"en": "Download calendar (.ics)", "zh": "下载日历（.ics）"},
    "care.ui.export_limit": {
        "en": "Downloads hold the first {limit} {limit!p:row|rows} of this list; choose a rep to narrow it.",
        "zh": "下载文件包含本清单的前 {limit} 行；可选择业务员缩小范围。"},
    "care.ui.months_absent": {"en": "No purchase for at least (months)", "zh": "至少多少个月未购买"},
    "care.ui.count_absent": {
        "en": "{count} {count!p:customer|customers} without a purchase for {months} {months!p:month|months} or more; {soon} of them have a birthday "
              "within 30 days (listed first).",
        "zh": "共 {count} 位客户 {months} 个月以上没有购买，其中 {soon} 位30天内过生日（排在最前）。"},
    "care.ui.due_days": {"en": "Runs out within (days)", "zh": "多少天内用完"},
    "care.ui.count_due": {"en": "Deliveries due", "zh": "待送货"},
    "care.ui.mae": {"en": "Forecast error (mean, days)", "zh": "预测误差（平均天数）"},
    "care.ui.mae_help": {
        "en": "Each customer-product's last purchase was held back and forecast from the purchases before it "
              "with the method in use: on average the forecast missed the real day by this many days "
              "({n} forecasts checked).",
        "zh": "对每位客户每种商品，留出最后一次购买，用此前的购买记录以当前所用方法预测它：预测日期与实际日期平均相差"
              "这么多天（共检验 {n} 次预测）。"},
    "care.ui.method_used": {"en": "Forecast method in use: **{method}** (the lowest mean error below).",
                            "zh": "当前预测方法：**{method}**（下表中平均误差最小）。"},
    "care.ui.method_for_group": {"en": "{group} {group!p:customer|customers}: {method} (lowest mean error for this customer type).",
                                 "zh": "{group}：{method}（该类客户平均误差最小）。"},
    "care.ui.backtest_title": {"en": "Each method's error on held-back purchases", "zh": "各方法在留出购买上的误差"},
    "care.ui.backtest_help": {
        "en": "The same purchases for every method: each customer-product's last purchase (with at least two "
              "before it) is held back and forecast from the earlier ones; error = days between forecast and "
              "actual purchase. A customer type with at least 30 checks uses its own best method.",
        "zh": "各方法检验的是同一批购买：对每位客户每种商品（此前至少有两次购买），留出最后一次购买，用更早的记录预测它；"
              "误差 = 预测日期与实际购买日期相差的天数。检验次数不少于 30 次的客户类型使用该类型自己误差最小的方法。"},
    "care.ui.forecast_basis": {
        "en": "Consumption rate: use per day = the median of (quantity ÷ days until the next purchase); gap methods: "
              "the next purchase comes the median (or mean) number of days between purchases after the last one. "
              "All use the last two years of purchases; a product bought only once is forecast from household size "
              "where the file has it, otherwise not at all. Payment reminders fall on the customer's payday.",
        "zh": "按用量推算：日用量 = 每次购买的（数量 ÷ 距下次购买的天数）的中位数；按间隔推算：下次购买在上次购买之后，"
              "相隔购买间隔的中位数（或平均数）天。均使用近两年的购买记录；只买过一次的商品，若档案中有家庭人口则据此推算，"
              "否则不做预测。收款提醒定在客户的发薪日。"},
    "care.ui.frequency": {"en": "Contact every … days, by class", "zh": "按等级的联系周期（天）"},
    "care.ui.class_every": {"en": "Class {abc}", "zh": "{abc} 类"},
    "care.ui.count_overdue": {"en": "{count} {count!p:customer is|customers are} due or overdue for a contact", "zh": "共 {count} 位客户已到或超过联系时间"},
    "care.ui.by_rep": {"en": "Overdue contacts by rep", "zh": "各业务员的逾期联系"},
    "care.ui.own_every": {"en": "This customer's own interval (days)", "zh": "该客户的专属周期（天）"},
    "care.ui.save_every": {"en": "Save interval", "zh": "保存周期"},
    "care.ui.clear_every": {"en": "Back to class default", "zh": "恢复等级默认值"},
    "care.ui.none": {"en": "Nothing on this list.", "zh": "此清单暂无内容。"},
    "care.col.name": {"en": "Customer", "zh": "客户"},
    "care.col.code": {"en": "Code", "zh": "编号"},
    "care.col.sales_rep": {"en": "Owner", "zh": "负责业务员"},
    "care.col.abc": {"en": "Class", "zh": "等级"},
    "care.col.phone": {"en": "Phone", "zh": "电话"},
    "care.col.address": {"en": "Address", "zh": "地址"},
    "care.col.last_gift": {"en": "Last gift", "zh": "最近礼品"},
    "care.col.last_gift_date": {"en": "Last gift on", "zh": "最近送礼日期"},
    "care.col.last_concession": {"en": "Last concession", "zh": "最近让利"},
    "care.col.last_concession_date": {"en": "Last concession on", "zh": "最近让利日期"},
    "care.col.purchases": {"en": "Purchases", "zh": "购买次数"},
    "care.col.product": {"en": "Product", "zh": "商品"},
    "care.col.last_quantity": {"en": "Last quantity", "zh": "上次数量"},
    "care.col.overdue": {"en": "Due or overdue", "zh": "到期/逾期"},
    "care.col.max_days_overdue": {"en": "Longest overdue (days)", "zh": "最长逾期（天）"},
    "care.col.customer_id": {"en": "Customer id", "zh": "客户ID"},
    "care.col.birthday": {"en": "Birthday", "zh": "生日"},
    # customer 360 section
    "care.c360.title": {"en": "Care: key dates and replenishment", "zh": "关怀：重要日子与补货"},
    "care.c360.key_dates": {"en": "Key dates in the next 12 months", "zh": "未来12个月的重要日子"},
    "care.c360.forecast": {"en": "When each product runs out", "zh": "各商品预计用完日期"},
    "care.c360.no_forecast": {
        "en": "No forecast: a product needs two purchase days (or a household size) to be forecast.",
        "zh": "暂无预测：一种商品至少要有两次购买（或已知家庭人口）才能预测。"},
}
