"""Display text for the promises area (时限承诺): statuses, types, clocks, events, policies,
remedies and validation errors. Keys are ``promises.<group>.<stable key>``."""

MESSAGES = {
    # statuses
    "promises.status.open": {"en": "Open", "zh": "进行中"},
    "promises.status.open_warning_1": {"en": "Open – first warning", "zh": "进行中·一级预警"},
    "promises.status.open_warning_2": {"en": "Open – final warning", "zh": "进行中·二级预警"},
    "promises.status.open_breached": {"en": "Open – overdue", "zh": "进行中·已超时"},
    "promises.status.met": {"en": "Kept", "zh": "已兑现"},
    "promises.status.breached": {"en": "Broken (late)", "zh": "已超时未兑现"},
    "promises.status.cancelled": {"en": "Cancelled", "zh": "已取消"},
    # promise types (seed 001)
    "promises.type.response": {"en": "Response time", "zh": "响应时间"},
    "promises.type.delivery": {"en": "Delivery time", "zh": "送达时间"},
    "promises.type.service": {"en": "Service time", "zh": "服务时间"},
    "promises.type.waiting": {"en": "Waiting time", "zh": "等候时间"},
    "promises.type.reservation": {"en": "Reservation time", "zh": "预订时间"},
    "promises.type.correction": {"en": "Correction speed", "zh": "纠错速度"},
    "promises.type.check_in": {"en": "Check-in time", "zh": "入住办理时间"},
    "promises.type.complaint_handling": {"en": "Complaint handling", "zh": "投诉处理"},
    "promises.type.custom": {"en": "Other promise", "zh": "其他承诺"},
    # clocks
    "promises.clock.business": {"en": "Business hours", "zh": "工作时间"},
    "promises.clock.calendar": {"en": "Calendar time (24/7)", "zh": "自然时间（全天候）"},
    # events
    "promises.event.made": {"en": "Promise made", "zh": "作出承诺"},
    "promises.event.paused": {"en": "Paused (waiting on customer)", "zh": "暂停（等待客户）"},
    "promises.event.resumed": {"en": "Resumed", "zh": "恢复计时"},
    "promises.event.fulfilled": {"en": "Fulfilled", "zh": "已完成"},
    "promises.event.cancelled": {"en": "Cancelled", "zh": "已取消"},
    "promises.event.escalated": {"en": "Escalated", "zh": "已升级"},
    "promises.event.complained": {"en": "Customer complained", "zh": "客户投诉"},
    "promises.event.remedy_granted": {"en": "Compensation granted", "zh": "给予补偿"},
    "promises.event.remedy_delivered": {"en": "Compensation delivered", "zh": "补偿已兑现"},
    "promises.event.recomputed": {"en": "Recomputed under a new policy version", "zh": "按新版政策重新计算"},
    "promises.event.recomputed_notice": {"en": "Recomputed: the {year} holiday notice was entered",
                                         "zh": "已按录入的{year}年节假日安排重新计算"},
    # shipped policies (docs/domain.md §3)
    "promises.policy.hotel_check_in": {"en": "Hotel check-in within 3 minutes", "zh": "3分钟办理完入住手续"},
    "promises.policy.hotel_check_out": {
        "en": "Hotel check-out within 4 minutes",
        "zh": "4分钟办理完退房手续",
    },
    "promises.policy.hotel_room_call": {
        "en": "Staff at your door within 3 minutes of a call",
        "zh": "拨打电话后3分钟内服务人员到场",
    },
    "promises.policy.restaurant_first_dish": {
        "en": "First dish within 10 minutes of ordering",
        "zh": "点菜后10分钟内上第一道菜",
    },
    "promises.policy.restaurant_manager_compensation": {
        "en": "Manager brings the compensation within 5 minutes",
        "zh": "店面经理5分钟内送上赔偿",
    },
    "promises.policy.complaint_to_gm": {
        "en": "Complaint reaches the general manager's office within 12 hours",
        "zh": "投诉12小时内直达总经理办公室",
    },
    "promises.policy.complaint_reply": {
        "en": "Reply to the complaining customer within 24 hours",
        "zh": "24小时内给客户回复",
    },
    "promises.policy.phone_order_delivery": {
        "en": "Phone orders delivered within 24 hours, any day",
        "zh": "电话订货，24小时内送到",
    },
    # remedies (restaurant ladder)
    "promises.remedy.fruit_plate": {"en": "Free fruit plate", "zh": "免费果盘"},
    "promises.remedy.meal_20_off": {"en": "20% off the whole meal", "zh": "整餐打八折"},
    "promises.remedy.double_compensation": {
        "en": "Double compensation in cash, brought by the manager",
        "zh": "店面经理送上双倍赔偿",
    },
    # remedies (B2B ladder, crm_core.promises.demo.b2b_ladder)
    "promises.remedy.apology_call": {"en": "Apology call", "zh": "致歉电话"},
    "promises.remedy.service_credit": {"en": "Service credit (5% of the order)", "zh": "服务抵用金（订单金额的5%）"},
    "promises.remedy.account_manager_visit": {"en": "Visit by the account manager", "zh": "客户经理登门拜访"},
    "promises.remedy.share_of_order": {"en": "{pct}% of the order", "zh": "订单金额的{pct}%"},
    "promises.remedy.fixed_plus_share": {"en": "{fixed} + {share}", "zh": "{fixed}加{share}"},
    # performance
    "promises.perf.met": {"en": "Kept", "zh": "兑现"},
    "promises.perf.breached": {"en": "Broken", "zh": "超时"},
    "promises.perf.excluded": {
        "en": "Not counted (open, not yet due, or cancelled)",
        "zh": "未计入（未到期或已取消）",
    },
    "promises.perf.attainment": {"en": "Promises kept", "zh": "承诺兑现率"},
    "promises.perf.owed": {"en": "Compensation owed", "zh": "应付补偿"},
    "promises.perf.delivered": {"en": "Compensation delivered", "zh": "已兑现补偿"},
    "promises.perf.outstanding": {"en": "Compensation outstanding", "zh": "未兑现补偿"},
    # validation errors
    "promises.err.target_not_positive": {
        "en": "The time limit must be longer than zero.",
        "zh": "时限必须大于零。",
    },
    "promises.err.target_whole_seconds": {
        "en": "Give the time limit in whole seconds.",
        "zh": "时限请精确到整秒。",
    },
    "promises.err.warnings_order": {
        "en": "Warning points must be fractions between 0 and 1, the first no later than the second.",
        "zh": "预警点必须是0到1之间的比例，且第一预警点不晚于第二预警点。",
    },
    "promises.err.ladder_order": {
        "en": "Compensation steps must be in order of lateness, each named once.",
        "zh": "补偿阶梯须按超时长短排列，且每项补偿只能出现一次。",
    },
    "promises.err.negotiated_due_missing": {
        "en": "A negotiated promise needs a due time after it was made.",
        "zh": "协商的承诺须填写晚于承诺时间的到期时间。",
    },
    # demo policies (crm_core.promises.demo)
    "promises.policy.sales_callback": {"en": "Call the customer back within business hours", "zh": "工作时间内给客户回电"},
    "promises.policy.quote_correction": {
        "en": "Quote or invoice corrected within 2 business days",
        "zh": "报价单或发票两个工作日内更正",
    },
    "promises.policy.reservation_confirmation": {
        "en": "Reservation confirmed within 2 business hours",
        "zh": "预订两个工作小时内确认",
    },
    "promises.policy.custom_follow_up": {"en": "Follow-up by the agreed date", "zh": "按约定日期跟进"},
    # page
    "promises.page.title": {"en": "Promises", "zh": "时限承诺"},
    "promises.page.intro": {
        "en": "Every time-limit promise made to a customer — call back, deliver, serve, answer a complaint — "
        "with its due time on business hours or calendar time, warnings before it breaks and the "
        "compensation owed when it does. 95% of dissatisfied customers never complain, they just stop "
        "buying: a promise kept on time, and a complaint answered within 24 hours, is what keeps them.",
        "zh": "向客户作出的每一项时限承诺——回电、送达、服务、答复投诉——按工作时间或自然时间计算到期时间，"
        "在超时之前预警，超时后给予应有的补偿。95%的不满意客户从不投诉，只是不再购买："
        "按时兑现承诺、24小时内答复投诉，才能留住他们。",
    },
    "promises.page.as_of": {"en": "As of {time}", "zh": "截至 {time}"},
    "promises.due.provisional": {"en": "{due} (provisional)", "zh": "{due}（暂定）"},
    "promises.calendar.provisional": {
        "en": "Business-hours due times in {years} are provisional: this version does not have the State "
        "Council's holiday notice for {years}, so they count only the statutory public holidays (New Year, "
        "Spring Festival from its eve, Qingming, 1–2 May, Dragon Boat, Mid-Autumn, 1–3 October) — bridging "
        "days and make-up working days are not known yet and these due times may move.",
        "zh": "{years}年按工作时间计算的到期时间为暂定：本版本尚无国务院{years}年节假日安排通知，"
        "目前只扣除法定节假日（元旦、春节（自除夕起）、清明、5月1—2日、端午、中秋、10月1—3日），"
        "尚不知道调休和补班安排，这些到期时间可能变动。",
    },
    "promises.tab.now": {"en": "Now", "zh": "当前"},
    "promises.tab.performance": {"en": "Performance", "zh": "兑现情况"},
    "promises.tab.record": {"en": "Make a promise · log a complaint", "zh": "作出承诺 · 登记投诉"},
    "promises.tab.policies": {"en": "Policies", "zh": "承诺政策"},
    # KPIs
    "promises.kpi.open": {"en": "Open promises", "zh": "进行中的承诺"},
    "promises.kpi.overdue": {"en": "Overdue", "zh": "已超时"},
    "promises.kpi.warning_2": {"en": "Past final warning", "zh": "二级预警"},
    "promises.kpi.warning_1": {"en": "Past first warning", "zh": "一级预警"},
    "promises.kpi.paused": {"en": "Paused (waiting on customer)", "zh": "暂停（等待客户）"},
    "promises.kpi.due_24h": {"en": "Due within 24 h", "zh": "24小时内到期"},
    "promises.kpi.open_complaints": {"en": "Complaints in progress", "zh": "处理中的投诉"},
    "promises.kpi.outstanding": {"en": "Compensation still owed", "zh": "尚未兑现的补偿"},
    "promises.kpi.outstanding_help": {
        "en": "{count} {count!p:remedy|remedies} granted and not yet delivered.",
        "zh": "已给予但尚未兑现的补偿 {count} 项。",
    },
    "promises.kpi.attainment_30d": {"en": "Kept, last 30 days", "zh": "近30天兑现率"},
    "promises.kpi.attainment_help": {
        "en": "{met} kept of {decided} decided (kept + broken); {excluded} open-not-yet-due or cancelled left "
        "out. 95% Wilson interval {low} – {high}.",
        "zh": "已决 {decided} 项（兑现+超时）中兑现 {met} 项；未到期或已取消的 {excluded} 项不计入。"
        "95% Wilson 区间 {low} – {high}。",
    },
    # board
    "promises.board.title": {"en": "Now board: open promises, overdue first", "zh": "当前看板：进行中的承诺，超时的排在最前"},
    "promises.board.owner": {"en": "Promised by", "zh": "承诺人"},
    "promises.board.type": {"en": "Promise type", "zh": "承诺类型"},
    "promises.board.all": {"en": "All", "zh": "全部"},
    "promises.board.empty": {"en": "No open promises.", "zh": "没有进行中的承诺。"},
    "promises.board.overdue_by": {"en": "overdue {d}", "zh": "已超时 {d}"},
    "promises.board.paused": {"en": "paused · {d}", "zh": "暂停中 · {d}"},
    "promises.board.legend": {
        "en": "Yellow: past the first warning point · orange: past the final warning point · red: overdue. "
        "Time left is counted on each promise's own clock (business hours or calendar time); paused "
        "promises are frozen where their pause began. Select a row to see the promise and record what happened.",
        "zh": "黄色：已过一级预警点 · 橙色：已过二级预警点 · 红色：已超时。剩余时间按各承诺自己的时钟"
        "（工作时间或自然时间）计算；暂停中的承诺停在暂停开始时。选中一行可查看承诺并登记进展。",
    },
    "promises.board.shown": {"en": "Showing the {shown} most urgent of {total} open promises.", "zh": "显示进行中的 {total} 项承诺中最紧急的 {shown} 项。"},
    "promises.board.complaints": {"en": "Complaint board: the green channel", "zh": "投诉看板：绿色通道"},
    "promises.board.complaints_hint": {
        "en": "Each complaint opens two promises: it reaches the general manager's office within 12 hours and "
        "the customer gets a reply within 24 hours. Complaints still in progress come first. Select a row to "
        "open the customer's 360 view.",
        "zh": "每一项投诉都会开启两项承诺：12小时内直达总经理办公室，24小时内给客户回复。"
        "处理中的投诉排在前面。选中一行可打开该客户的全景视图。",
    },
    "promises.board.no_complaints": {"en": "No complaints recorded.", "zh": "暂无投诉记录。"},
    # columns
    "promises.col.promise_id": {"en": "No.", "zh": "编号"},
    "promises.col.customer": {"en": "Customer", "zh": "客户"},
    "promises.col.owner": {"en": "Promised by", "zh": "承诺人"},
    "promises.col.promise_type": {"en": "Type", "zh": "类型"},
    "promises.col.policy": {"en": "Promise", "zh": "承诺内容"},
    "promises.col.description": {"en": "Details", "zh": "说明"},
    "promises.col.made_at": {"en": "Made", "zh": "承诺时间"},
    "promises.col.due_at": {"en": "Due", "zh": "到期时间"},
    "promises.col.time_left": {"en": "Time left (own clock)", "zh": "剩余时间（本承诺时钟）"},
    "promises.col.wall_left": {"en": "Time left (calendar)", "zh": "剩余时间（自然时间）"},
    "promises.col.status": {"en": "Status", "zh": "状态"},
    "promises.col.clock": {"en": "Clock", "zh": "计时方式"},
    "promises.col.policy_version": {"en": "Policy version", "zh": "政策版本"},
    "promises.col.closed_at": {"en": "Closed", "zh": "完成时间"},
    "promises.col.overrun": {"en": "Overrun", "zh": "超时"},
    "promises.col.remedies": {"en": "Compensation", "zh": "补偿"},
    "promises.col.owed_cost": {"en": "Compensation owed", "zh": "应付补偿"},
    "promises.col.delivered_cost": {"en": "Compensation delivered", "zh": "已兑现补偿"},
    "promises.col.complaint_id": {"en": "Complaint no.", "zh": "投诉编号"},
    "promises.col.received_at": {"en": "Received", "zh": "收到时间"},
    "promises.col.channel": {"en": "Channel", "zh": "渠道"},
    "promises.col.to_gm_status": {"en": "To GM's office (≤ 12 h)", "zh": "直达总经理办公室（≤12小时）"},
    "promises.col.to_gm_due": {"en": "GM's office due", "zh": "总经理办公室时限"},
    "promises.col.reply_status": {"en": "Reply to customer (≤ 24 h)", "zh": "答复客户（≤24小时）"},
    "promises.col.reply_due": {"en": "Reply due", "zh": "答复时限"},
    "promises.col.kind": {"en": "Event", "zh": "事件"},
    "promises.col.at": {"en": "When", "zh": "时间"},
    "promises.col.actor": {"en": "Recorded by", "zh": "记录人"},
    "promises.col.remedy": {"en": "Remedy", "zh": "补偿项目"},
    "promises.col.cost": {"en": "Cost", "zh": "成本"},
    "promises.col.granted_at": {"en": "Granted", "zh": "给予时间"},
    "promises.col.delivered_at": {"en": "Delivered", "zh": "兑现时间"},
    "promises.col.child_promise_id": {"en": "Follow-up promise", "zh": "后续承诺"},
    "promises.col.group": {"en": "Group", "zh": "分组"},
    "promises.col.met": {"en": "Kept", "zh": "兑现"},
    "promises.col.breached": {"en": "Broken", "zh": "超时"},
    "promises.col.excluded": {"en": "Left out", "zh": "不计入"},
    "promises.col.pct": {"en": "Kept %", "zh": "兑现率"},
    "promises.col.ci": {"en": "95% interval", "zh": "95%区间"},
    "promises.col.n": {"en": "Closed late", "zh": "超时完成数"},
    "promises.col.p50": {"en": "Median overrun (own clock)", "zh": "超时中位数（本承诺时钟）"},
    "promises.col.p90": {"en": "p90 overrun (own clock)", "zh": "超时90分位（本承诺时钟）"},
    "promises.col.wall_p50": {"en": "Median overrun (calendar)", "zh": "超时中位数（自然时间）"},
    "promises.col.wall_p90": {"en": "p90 overrun (calendar)", "zh": "超时90分位（自然时间）"},
    "promises.col.month": {"en": "Month", "zh": "月份"},
    "promises.col.owed_count": {"en": "Remedies owed", "zh": "应付补偿项数"},
    "promises.col.delivered_count": {"en": "Remedies delivered", "zh": "已兑现项数"},
    "promises.col.outstanding_cost": {"en": "Still owed", "zh": "尚未兑现"},
    "promises.col.promises": {"en": "Promises", "zh": "承诺数"},
    "promises.col.kept": {"en": "Kept", "zh": "已兑现"},
    "promises.col.broken": {"en": "Broken", "zh": "已超时"},
    "promises.col.open": {"en": "Open", "zh": "进行中"},
    "promises.col.cancelled": {"en": "Cancelled", "zh": "已取消"},
    "promises.col.closed": {"en": "Closed in window", "zh": "窗口内完成"},
    "promises.col.lead_hours_p50": {"en": "Median lead time (calendar hours)", "zh": "完成用时中位数（自然小时）"},
    "promises.col.pct_business": {"en": "Kept % — business hours (as promised)", "zh": "兑现率——工作时间（按承诺）"},
    "promises.col.pct_calendar": {"en": "Kept % — same limit in calendar time", "zh": "兑现率——同一时限按自然时间"},
    "promises.col.customer_class": {"en": "Customer class", "zh": "客户等级"},
    "promises.col.version": {"en": "Version", "zh": "版本"},
    "promises.col.created_at": {"en": "Created", "zh": "创建时间"},
    "promises.col.created_by": {"en": "Created by", "zh": "创建人"},
    "promises.col.definition": {"en": "Definition", "zh": "定义"},
    # channels
    "promises.channel.hotline": {"en": "Hotline", "zh": "热线电话"},
    "promises.channel.wechat": {"en": "WeChat", "zh": "微信"},
    "promises.channel.email": {"en": "Email", "zh": "电子邮件"},
    "promises.channel.visit": {"en": "In person", "zh": "当面"},
    "promises.channel.letter": {"en": "Letter", "zh": "信函"},
    "promises.channel.online": {"en": "Website / app", "zh": "网站/应用"},
    # durations
    "promises.dur.days_hours": {"en": "{d} d {h} h", "zh": "{d}天{h}小时"},
    "promises.dur.hours_minutes": {"en": "{h} h {m} min", "zh": "{h}小时{m}分"},
    "promises.dur.minutes_seconds": {"en": "{m} min {s} s", "zh": "{m}分{s}秒"},
    "promises.dur.seconds": {"en": "{s} s", "zh": "{s}秒"},
    # one promise
    "promises.detail.lookup": {"en": "Promise No.", "zh": "承诺编号"},
    "promises.detail.title": {"en": "Promise No. {id}: {policy}", "zh": "承诺 {id} 号：{policy}"},
    "promises.detail.customer": {"en": "Customer {code} {name}", "zh": "客户 {code} {name}"},
    "promises.detail.negotiated": {"en": "Negotiated due date (fixed; pauses do not move it)", "zh": "协商的到期时间（固定，暂停不顺延）"},
    "promises.detail.events": {"en": "Event log (append-only)", "zh": "事件记录（只增不改）"},
    "promises.detail.remedies": {"en": "Compensation", "zh": "补偿"},
    "promises.detail.no_remedies": {"en": "No compensation earned.", "zh": "没有应得的补偿。"},
    "promises.detail.no_ladder": {
        "en": "No compensation defined for this policy (its compensation ladder is empty), however late.",
        "zh": "该政策未规定补偿（补偿阶梯为空），超时多久都不会产生补偿。",
    },
    "promises.detail.ladder": {"en": "Compensation ladder of this policy", "zh": "该政策的补偿阶梯"},
    "promises.detail.ladder_step": {"en": "more than {over} late: {remedy} ({cost})",
                                    "zh": "超时超过{over}：{remedy}（{cost}）"},
    "promises.detail.record": {"en": "Record what happened", "zh": "登记进展"},
    "promises.detail.event_kind": {"en": "What happened", "zh": "发生了什么"},
    "promises.detail.when_now": {"en": "It happened just now", "zh": "刚刚发生"},
    "promises.detail.when_date": {"en": "Date", "zh": "日期"},
    "promises.detail.when_time": {"en": "Time", "zh": "时间"},
    "promises.detail.record_button": {"en": "Record", "zh": "登记"},
    "promises.detail.recorded": {"en": "Recorded: {kind}.", "zh": "已登记：{kind}。"},
    "promises.detail.deliver": {"en": "Compensation delivered", "zh": "补偿已兑现"},
    "promises.detail.deliver_button": {"en": "Mark delivered", "zh": "标记为已兑现"},
    "promises.detail.recompute": {"en": "Recompute under another policy version", "zh": "按其他政策版本重新计算"},
    "promises.detail.recompute_help": {
        "en": "The outcome is computed with the version in force when the promise was made (now version "
        "{version}). Moving it to another version can change a closed outcome, so it is recorded as a "
        "'recomputed' event; nothing changes silently.",
        "zh": "承诺结果按作出承诺时生效的政策版本计算（当前为第 {version} 版）。改用其他版本可能改变已完成的"
        "结果，因此会记为一条“重新计算”事件，绝不悄悄改变。",
    },
    "promises.detail.recompute_button": {"en": "Recompute", "zh": "重新计算"},
    "promises.detail.open_customer": {"en": "Open the customer's 360 view", "zh": "打开该客户的全景视图"},
    "promises.detail.closed": {
        "en": "Closed ({status}). The outcome stays as recorded unless it is explicitly recomputed.",
        "zh": "已完成（{status}）。除非明确重新计算，结果保持不变。",
    },
    "promises.detail.not_found": {"en": "No promise No. {id}, or you may not see it.", "zh": "没有编号为 {id} 的承诺，或您无权查看。"},
    "promises.detail.pick": {"en": "Select a promise on the board, or enter its number.", "zh": "请在看板上选择一项承诺，或输入承诺编号。"},
    "promises.detail.parent": {"en": "Opened by promise No. {id}", "zh": "由承诺 {id} 号引发"},
    # forms
    "promises.form.make": {"en": "Make a promise", "zh": "作出承诺"},
    "promises.form.policy": {"en": "Promise", "zh": "承诺内容"},
    "promises.form.limit": {"en": "Time limit {target} on {clock}; warnings at {w1} and {w2} of it.", "zh": "时限 {target}（{clock}），在 {w1} 和 {w2} 时预警。"},
    "promises.form.description": {"en": "What exactly was promised", "zh": "具体承诺了什么"},
    "promises.form.owner": {"en": "Promised by", "zh": "承诺人"},
    "promises.form.customer_class": {"en": "Customer class", "zh": "客户等级"},
    "promises.form.class_help": {
        "en": "ABC class by the last 12 months' revenue; some policies promise A-class customers a shorter time.",
        "zh": "按最近12个月收入划分的ABC等级；部分政策对A类客户承诺更短的时限。",
    },
    "promises.form.no_class": {"en": "None", "zh": "无"},
    "promises.form.negotiated": {"en": "A due date was agreed with the customer", "zh": "与客户约定了到期时间"},
    "promises.form.due_date": {"en": "Agreed due date", "zh": "约定到期日期"},
    "promises.form.due_time": {"en": "Agreed due time", "zh": "约定到期时刻"},
    "promises.form.bill": {"en": "Bill amount (compensation that scales with the bill uses it)", "zh": "账单金额（按账单比例计算的补偿会用到）"},
    "promises.form.made_now": {"en": "Made just now", "zh": "刚刚作出"},
    "promises.form.made_date": {"en": "Date made", "zh": "承诺日期"},
    "promises.form.made_time": {"en": "Time made", "zh": "承诺时刻"},
    "promises.form.submit": {"en": "Make the promise", "zh": "作出承诺"},
    "promises.form.made_ok": {"en": "Promise No. {id} made; due {due}.", "zh": "已作出承诺 {id} 号，到期时间 {due}。"},
    "promises.form.complaint": {"en": "Log a complaint (opens the green channel)", "zh": "登记投诉（开启绿色通道）"},
    "promises.form.channel": {"en": "Channel", "zh": "渠道"},
    "promises.form.complaint_text": {"en": "What the customer complained about", "zh": "客户投诉的内容"},
    "promises.form.about_promise": {"en": "About promise No. (optional)", "zh": "涉及的承诺编号（可不填）"},
    "promises.form.complaint_submit": {"en": "Log the complaint", "zh": "登记投诉"},
    "promises.form.complaint_ok": {
        "en": "Complaint No. {id} logged: the general manager's office is due by {gm}, the reply to the customer by {reply}.",
        "zh": "已登记投诉 {id} 号：须在 {gm} 前送达总经理办公室，在 {reply} 前答复客户。",
    },
    # performance
    "promises.perf.window": {"en": "Window", "zh": "统计窗口"},
    "promises.perf.window_days": {"en": "Last {days} {days!p:day|days}", "zh": "最近 {days} 天"},
    "promises.perf.denominator": {
        "en": "**Kept % = kept ÷ (kept + broken)** over promises closed from {start} to {end}: {met} kept, "
        "{breached} broken. Open promises already past their due time count as broken; open promises not yet "
        "due and cancelled ones are left out ({excluded} this window). The interval is a 95% Wilson interval.",
        "zh": "**兑现率 = 兑现 ÷（兑现 + 超时）**，统计 {start} 至 {end} 期间完成的承诺：兑现 {met} 项，超时 "
        "{breached} 项。已过到期时间仍未完成的承诺计为超时；尚未到期和已取消的承诺不计入（本窗口 {excluded} 项）。"
        "区间为 95% Wilson 区间。",
    },
    "promises.perf.by.promise_type": {"en": "By promise type", "zh": "按承诺类型"},
    "promises.perf.by.owner": {"en": "By rep: kept rate per rep", "zh": "按承诺人：每位业务员的兑现率"},
    "promises.perf.by.customer_class": {"en": "By customer class", "zh": "按客户等级"},
    "promises.perf.by.month": {"en": "By month", "zh": "按月份"},
    "promises.perf.chart_month": {"en": "Kept % by month, with its 95% interval", "zh": "各月兑现率及95%区间"},
    "promises.perf.overrun": {"en": "How late: promises closed late", "zh": "超时多久：超时完成的承诺"},
    "promises.perf.overrun_note": {
        "en": "Own clock = business hours for business-hours promises, calendar time for the others; calendar = "
        "wall time from due to completion. The two differ only for business-hours promises.",
        "zh": "本承诺时钟：工作时间承诺按工作时间计，其他按自然时间计；自然时间 = 从到期到完成的实际时长。"
        "两者只对按工作时间计时的承诺不同。",
    },
    "promises.perf.compensation": {"en": "Compensation owed vs delivered, by month granted", "zh": "应付与已兑现补偿（按给予月份）"},
    "promises.perf.remedies_by_key": {"en": "By remedy", "zh": "按补偿项目"},
    "promises.perf.clocks": {"en": "Business hours vs calendar time", "zh": "工作时间与自然时间对比"},
    "promises.perf.clocks_note": {
        "en": "Business-hours promises closed in the window, judged as promised and with the same time limit "
        "counted in calendar time from when the promise was made (time paused waiting on the customer is not "
        "deducted; negotiated dates are left out). Where they differ, the customer felt the calendar one.",
        "zh": "窗口内完成的按工作时间计时的承诺：按承诺口径评判，并把同一时限按自然时间从作出承诺起计算"
        "（等待客户的暂停时间不扣除；协商日期的承诺不计入）。两者不同时，客户感受到的是自然时间。",
    },
    "promises.perf.clocks_same": {
        "en": "No business-hours promise closed in this window: both views are the same.",
        "zh": "本窗口内没有按工作时间计时的承诺完成：两种口径相同。",
    },
    "promises.perf.chart_comp": {"en": "Compensation cost by month", "zh": "各月补偿成本"},
    "promises.perf.cost": {"en": "Cost", "zh": "成本"},
    "promises.perf.none": {"en": "No promise closed or came due in this window.", "zh": "本窗口内没有完成或到期的承诺。"},
    # policies
    "promises.pol.pick": {"en": "Policy", "zh": "政策"},
    "promises.pol.new": {"en": "New policy…", "zh": "新建政策…"},
    "promises.pol.history": {"en": "Versions", "zh": "版本记录"},
    "promises.pol.note": {
        "en": "Saving creates version {version}. Promises already made keep the version they were made under, so "
        "no closed outcome changes; to move one promise to the new version, recompute it explicitly.",
        "zh": "保存将生成第 {version} 版。已作出的承诺沿用作出时的版本，已完成的结果不会改变；"
        "如需让某项承诺改用新版本，请明确地重新计算。",
    },
    "promises.pol.id": {"en": "Policy id (lowercase letters, digits, _)", "zh": "政策代号（小写字母、数字、下划线）"},
    "promises.pol.type": {"en": "Promise type", "zh": "承诺类型"},
    "promises.pol.target": {"en": "Time limit (minutes)", "zh": "时限（分钟）"},
    "promises.pol.clock": {"en": "Clock", "zh": "计时方式"},
    "promises.pol.warn1": {"en": "First warning at (share of the limit)", "zh": "一级预警点（占时限比例）"},
    "promises.pol.warn2": {"en": "Final warning at (share of the limit)", "zh": "二级预警点（占时限比例）"},
    "promises.pol.class_target": {"en": "Limit for class {klass} {klass!p:customer|customers} (minutes; 0 = same)", "zh": "{klass}类客户时限（分钟；0 = 相同）"},
    "promises.pol.ladder": {"en": "Compensation ladder", "zh": "补偿阶梯"},
    "promises.pol.ladder_help": {
        "en": "Each step is earned once the promise is more than its minutes late; steps add up. A step may "
        "need the customer to have complained while that late, and may open a follow-up promise.",
        "zh": "超时超过该分钟数即获得该项补偿，各项累加。某项可要求客户在已超时的情况下投诉，也可开启一项后续承诺。",
    },
    "promises.pol.save": {"en": "Save as a new version", "zh": "另存为新版本"},
    "promises.pol.saved": {
        "en": "Saved {policy} version {version}. Promises already made keep their version; closed outcomes are unchanged.",
        "zh": "已保存 {policy} 第 {version} 版。已作出的承诺沿用原版本，已完成的结果不变。",
    },
    "promises.ladder.key": {"en": "Remedy (id)", "zh": "补偿项目（代号）"},
    "promises.ladder.over_minutes": {"en": "More than … minutes late", "zh": "超时超过（分钟）"},
    "promises.ladder.cost_fixed": {"en": "Fixed cost", "zh": "固定成本"},
    "promises.ladder.cost_bill_fraction": {"en": "Share of the bill", "zh": "账单比例"},
    "promises.ladder.requires_complaint": {"en": "Needs a complaint", "zh": "须客户投诉"},
    "promises.ladder.child_policy_id": {"en": "Opens follow-up promise (policy id)", "zh": "开启后续承诺（政策代号）"},
    # customer 360
    "promises.c360.title": {"en": "Promises to this customer", "zh": "对该客户的承诺"},
    "promises.c360.by_rep": {"en": "What each rep promised", "zh": "每位业务员承诺了什么"},
    "promises.c360.none": {"en": "No promises made to this customer yet.", "zh": "尚未对该客户作出任何承诺。"},
    "promises.c360.select_hint": {"en": "Select a promise to see its log and record what happened.", "zh": "选中一项承诺可查看记录并登记进展。"},
    # more errors
    "promises.err.no_such_promise": {"en": "There is no promise No. {promise_id}.", "zh": "没有编号为 {promise_id} 的承诺。"},
    "promises.err.no_such_policy": {"en": "There is no policy {policy_id}.", "zh": "没有政策 {policy_id}。"},
    "promises.err.event_kind": {"en": "“{kind}” cannot be recorded here.", "zh": "“{kind}”不能在这里登记。"},
    "promises.err.before_made": {"en": "That is before the promise was made: check the date and time.", "zh": "该时间早于作出承诺的时间：请检查日期和时间。"},
    "promises.err.remedy_not_owed": {"en": "That compensation is already delivered or does not belong to this promise.", "zh": "该补偿已兑现，或不属于这项承诺。"},
    "promises.err.recompute_managers_only": {"en": "Only managers can recompute a promise.", "zh": "只有经理可以重新计算承诺。"},
    "promises.err.policies_managers_only": {"en": "Only managers can change policies.", "zh": "只有经理可以修改政策。"},
    "promises.err.no_such_version": {"en": "Version {version} of this policy does not exist.", "zh": "该政策没有第 {version} 版。"},
    "promises.err.channel": {"en": "Choose the channel the complaint came through.", "zh": "请选择投诉渠道。"},
    "promises.err.complaint_text": {"en": "Say what the customer complained about.", "zh": "请填写客户投诉的内容。"},
    "promises.err.other_customer": {"en": "That promise was made to another customer.", "zh": "该承诺是对其他客户作出的。"},
    "promises.err.policy_changed": {
        "en": "Someone saved a new version of this policy meanwhile. Nothing was saved: reload and edit again.",
        "zh": "在此期间已有人保存了该政策的新版本。本次没有保存：请重新载入后再修改。",
    },
    "promises.err.policy_exists": {"en": "A policy with this id already exists: choose another id.", "zh": "已存在同一代号的政策：请换一个代号。"},
    "promises.err.invalid": {"en": "Some values are not valid: check the fields.", "zh": "部分取值无效：请检查各项。"},
    "promises.err.not_a_promise_import": {"en": "Import {import_id} is not a promises import.", "zh": "导入 {import_id} 不是承诺导入。"},
    "promises.err.import_unknown_promise": {"en": "No promise with this number or reference.", "zh": "没有该编号或外部编号的承诺。"},
    # holiday notices (crm_core.promises.notices; the Policies tab)
    "promises.err.notice_managers_only": {"en": "Only managers can enter a holiday notice.", "zh": "只有经理可以录入放假安排。"},
    "promises.notice.err.columns": {
        "en": "Row {row}: expected date,kind,name (e.g. 2027-02-08,holiday,Spring Festival).",
        "zh": "第 {row} 行：应为 日期,类型,名称（例如 2027-02-08,休,春节）。",
    },
    "promises.notice.err.date": {"en": "Row {row}: “{value}” is not a date (YYYY-MM-DD).", "zh": "第 {row} 行：“{value}”不是日期（YYYY-MM-DD）。"},
    "promises.notice.err.kind": {
        "en": "Row {row}: “{value}” is not a kind: use holiday or workday (休 / 班, 放假 / 上班).",
        "zh": "第 {row} 行：“{value}”不是有效类型：请用 休 或 班（放假 / 上班，holiday / workday）。",
    },
    "promises.notice.err.empty": {"en": "The notice has no days.", "zh": "放假安排中没有任何日期。"},
    "promises.notice.err.year": {"en": "{year} is not a year the calendar covers (1900–2099).", "zh": "{year} 不在日历范围内（1900–2099）。"},
    "promises.notice.err.other_year": {"en": "{day} is not in {year}: a notice covers one year.", "zh": "{day} 不在 {year} 年内：一份放假安排只涵盖一年。"},
    "promises.notice.err.duplicate": {"en": "{day} appears twice in the notice.", "zh": "{day} 在放假安排中出现了两次。"},
    "promises.notice.title": {"en": "Holiday notice", "zh": "放假安排"},
    "promises.notice.intro": {
        "en": "Enter a year's State Council holiday notice: the days off and the make-up working days (调休). "
              "The year then follows this notice alone, so list every day off. Open business-hours promises "
              "it moves are recomputed (a “recomputed” event on each).",
        "zh": "录入国务院办公厅某一年的放假安排：放假日期和调休上班日期。该年此后只按这份安排计算，请列出全部放假日期。"
              "受影响的进行中工作时间承诺会重新计算（每项记一条“重新计算”事件）。",
    },
    "promises.notice.year": {"en": "Year", "zh": "年份"},
    "promises.notice.status": {"en": "Calendar for {year}: {status}", "zh": "{year} 年日历：{status}"},
    "promises.notice.status.official": {"en": "official", "zh": "正式"},
    "promises.notice.status.provisional": {"en": "provisional (statutory holidays only)", "zh": "暂定（仅法定节假日）"},
    "promises.notice.status.unknown": {"en": "unknown (weekly hours only)", "zh": "未知（仅按每周工作时间）"},
    "promises.notice.status.weekly": {"en": "weekly hours", "zh": "每周工作时间"},
    "promises.notice.current": {"en": "Notice entered for {year}", "zh": "已录入的 {year} 年放假安排"},
    "promises.notice.upload": {"en": "Notice file (CSV: date,kind,name)", "zh": "放假安排文件（CSV：日期,类型,名称）"},
    "promises.notice.paste": {"en": "…or paste the rows", "zh": "……或粘贴各行"},
    "promises.notice.not_text": {
        "en": "{file} is not a text file. Save the notice as CSV (date,kind,name per row) and upload that, or paste the rows below.",
        "zh": "{file} 不是文本文件。请把放假安排另存为 CSV（每行：日期,类型,名称）后上传，或在下方粘贴各行。",
    },
    "promises.notice.help": {
        "en": "One day a line, e.g. 2027-02-08,holiday,Spring Festival or 2027-02-20,班,春节调休.",
        "zh": "每行一天，例如 2027-02-08,休,春节 或 2027-02-20,班,春节调休。",
    },
    "promises.notice.preview": {"en": "{holidays} {holidays!p:day|days} off, {workdays} make-up working days", "zh": "放假 {holidays} 天，调休上班 {workdays} 天"},
    "promises.notice.col.day": {"en": "Date", "zh": "日期"},
    "promises.notice.col.kind": {"en": "Kind", "zh": "类型"},
    "promises.notice.col.name": {"en": "Name", "zh": "名称"},
    "promises.notice.kind.holiday": {"en": "Day off", "zh": "放假"},
    "promises.notice.kind.workday": {"en": "Make-up working day", "zh": "调休上班"},
    "promises.notice.save": {"en": "Save notice", "zh": "保存放假安排"},
    "promises.notice.saved": {
        "en": "The {year} notice is saved; {count} open promises were recomputed.",
        "zh": "{year} 年放假安排已保存；{count} 项进行中的承诺已重新计算。",
    },
    # import fields (crm_core.promises.import_kind)
    "field.policy_id": {"en": "Promise policy (id)", "zh": "承诺政策（代号）"},
    "field.owner": {"en": "Promised by", "zh": "承诺人"},
    "field.made_at": {"en": "Made at", "zh": "承诺时间"},
    "field.due_at": {"en": "Agreed due time", "zh": "约定到期时间"},
    "field.description": {"en": "What was promised", "zh": "承诺内容"},
    "field.customer_class": {"en": "Customer class", "zh": "客户等级"},
    "field.bill_amount": {"en": "Bill amount", "zh": "账单金额"},
    "field.external_ref": {"en": "Reference in the source system", "zh": "原系统编号"},
    "field.promise_ref": {"en": "Promise (number or reference)", "zh": "承诺（编号或原系统编号）"},
    "field.event_kind": {"en": "What happened", "zh": "发生了什么"},
    "field.actor": {"en": "Recorded by", "zh": "记录人"},
    "promises.err.policy_id": {"en": "Policy ids use lowercase letters, digits and _ only.", "zh": "政策代号只能使用小写字母、数字和下划线。"},
}
