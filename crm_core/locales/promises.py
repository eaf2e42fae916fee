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
    # shipped policies (domain.md §3)
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
}
