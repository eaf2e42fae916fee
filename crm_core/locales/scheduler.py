"""Texts of the scheduler (issue 20): the Admin page's scheduled jobs, and the sidebar's own-promise badge."""

MESSAGES = {
    "scheduler.title": {"en": "Scheduled jobs", "zh": "计划任务"},
    "scheduler.runner_on": {
        "en": "Jobs run by themselves in this app's process: it looks for due jobs every {seconds} seconds. "
              "Times are in {zone}.",
        "zh": "计划任务在本应用的进程中自动运行：每 {seconds} 秒检查一次到期的任务。时间按 {zone} 时区显示。"},
    "scheduler.runner_off": {
        "en": "The scheduler does not run in this process (CRM_SCHEDULER=off): jobs run only where it is on. "
              "Times are in {zone}.",
        "zh": "计划任务未在本进程中运行（已通过设置关闭），只在开启它的进程中运行。时间按 {zone} 时区显示。"},
    "scheduler.none": {"en": "No scheduled jobs.", "zh": "没有计划任务。"},
    # the jobs, by their names (crm_core.scheduler.Job.name)
    "scheduler.job.sessions_cleanup": {"en": "Clean up ended sessions", "zh": "清理已结束的会话"},
    "scheduler.job.segment_history": {"en": "Record the class history", "zh": "记录客户分类历史"},
    "scheduler.job.promise_alerts": {"en": "Promise alerts", "zh": "承诺预警提醒"},
    "scheduler.job.weekly_report": {"en": "Weekly management report", "zh": "每周管理报告"},
    # what a run did: one text per count a job returns ({count} filled in)
    "scheduler.result.sessions": {"en": "{count} ended {count!p:session|sessions} removed",
                                  "zh": "删除已结束的会话 {count} 个"},
    "scheduler.result.sign_in_failures": {"en": "{count} old failed {count!p:sign-in|sign-ins} removed",
                                          "zh": "删除过期的登录失败记录 {count} 条"},
    "scheduler.result.months": {"en": "{count} {count!p:month|months} recorded", "zh": "记录 {count} 个月"},
    # the alert jobs' counts (crm_core.alerts.jobs): the outbox, and why a weekly report was skipped
    "scheduler.result.queued": {"en": "{count} {count!p:message|messages} queued", "zh": "新排队消息 {count} 条"},
    "scheduler.result.sent": {"en": "{count} sent", "zh": "已发送 {count} 条"},
    "scheduler.result.retrying": {"en": "{count} to retry", "zh": "待重试 {count} 条"},
    "scheduler.result.failed": {"en": "{count} could not be sent", "zh": "无法发送 {count} 条"},
    "scheduler.result.pdf.True": {"en": "as a PDF", "zh": "PDF 格式"},
    "scheduler.result.pdf.False": {"en": "as HTML (no PDF could be made)", "zh": "网页格式（未能生成 PDF）"},
    "scheduler.result.skipped.no_addresses": {"en": "skipped: no addresses set", "zh": "已跳过：未设置收件地址"},
    "scheduler.result.skipped.no_email_channel": {"en": "skipped: no e-mail channel",
                                                  "zh": "已跳过：未配置电子邮件渠道"},
    "scheduler.result.skipped.sent_this_week": {"en": "skipped: already sent this week", "zh": "已跳过：本周已发送"},
    "scheduler.result.nothing": {"en": "nothing to do", "zh": "无需处理"},
    "scheduler.result.other": {"en": "{name}: {count}", "zh": "{name}：{count}"},
    # the table
    "scheduler.col.job": {"en": "Job", "zh": "任务"},
    "scheduler.col.last_run": {"en": "Last run", "zh": "上次运行"},
    "scheduler.col.seconds": {"en": "Took (s)", "zh": "耗时（秒）"},
    "scheduler.col.outcome": {"en": "Outcome", "zh": "结果"},
    "scheduler.col.result": {"en": "What it did", "zh": "处理内容"},
    "scheduler.col.next_run": {"en": "Next run", "zh": "下次运行"},
    "scheduler.col.failures": {"en": "Failures in a row", "zh": "连续失败次数"},
    "scheduler.col.last_error": {"en": "Last error", "zh": "最近错误"},
    "scheduler.outcome.ok": {"en": "OK", "zh": "成功"},
    "scheduler.outcome.failed": {"en": "Failed", "zh": "失败"},
    "scheduler.outcome.running": {"en": "Running", "zh": "运行中"},
    "scheduler.outcome.never": {"en": "Not run yet", "zh": "尚未运行"},
    "scheduler.table": {"en": "Scheduled jobs", "zh": "计划任务"},
    # run now
    "scheduler.pick": {"en": "Job", "zh": "任务"},
    "scheduler.run_now": {"en": "Run now", "zh": "立即运行"},
    "scheduler.run_now_done": {
        "en": "{job} will run within a few seconds; reload this page to see how it went.",
        "zh": "“{job}”将在几秒内运行，刷新本页即可查看结果。"},
    "scheduler.run_now_queued": {
        "en": "{job} is due now: it runs at the next check of the process where the scheduler is on.",
        "zh": "“{job}”已设为立即到期，将在开启计划任务的进程下次检查时运行。"},
    "scheduler.failing": {
        "en": "{count} {count!p:job is|jobs are} failing: see the last error in the table.",
        "zh": "有 {count} 个任务运行失败，请查看表中的最近错误。"},
    # the sidebar badge: the signed-in user's own promises
    "signals.promises.own": {"en": "My promises", "zh": "我的承诺"},
    "signals.promises.own_overdue": {"en": "{count} overdue", "zh": "逾期 {count}"},
    "signals.promises.own_due": {"en": "{count} due within 24 h", "zh": "24小时内到期 {count}"},
    "scheduler.job.segment_fits": {"en": "Keep the Segmentation page's RFM, need and value figures for the default analysis date",
                                   "zh": "为默认分析日期预算客户细分页的 RFM、需求与价值指标"},
    "scheduler.job.promise_fits": {
        "en": "Keep the Promises page's performance figures (closed promises and remedies, per day)",
        "zh": "为时限承诺页预算履约表现（已结承诺与补偿，按日汇总）"},
    "scheduler.job.satisfaction_fits": {
        "en": "Keep each customer's 12-month purchases and spend for the Satisfaction page (analysis date, latest wave)",
        "zh": "为满意度页预算每位客户近12个月的购买次数与消费额（分析日期、最新一期调查）"},
}
