"""Texts of alerts: the messages people receive, and the Admin page's alerts section."""

MESSAGES = {
    # -- the messages (subject, body); {person} is the recipient ------------------------------------
    "alerts.msg.for_person": {"en": "For {person}:", "zh": "致 {person}："},
    "alerts.msg.warning_1.subject": {"en": "[Kehu] Promise due soon: {customer}",
                                     "zh": "【客户】承诺即将到期：{customer}"},
    "alerts.msg.warning_1.body": {
        "en": "{customer} — {promise_type} (promise #{promise_id}) is due {due}.\n"
              "Please fulfil it before then, or agree a new time with the customer and record it on the Promises page.",
        "zh": "{customer}——{promise_type}（承诺 #{promise_id}）将于 {due} 到期。\n"
              "请在此之前兑现；如需延期，请与客户商定新时间并在“时限承诺”页记录。"},
    "alerts.msg.warning_2.subject": {"en": "[Kehu] Promise about to be broken: {customer}",
                                     "zh": "【客户】承诺即将超时：{customer}"},
    "alerts.msg.warning_2.body": {
        "en": "{customer} — {promise_type} (promise #{promise_id}) is due {due}: most of its time is used up.\n"
              "Please act now; if it cannot be kept, call the customer before the due time.",
        "zh": "{customer}——{promise_type}（承诺 #{promise_id}）将于 {due} 到期，时限已所剩无几。\n"
              "请立即处理；如无法按时兑现，请在到期前致电客户说明。"},
    "alerts.msg.breach.subject": {"en": "[Kehu] Promise broken: {customer}", "zh": "【客户】承诺已超时：{customer}"},
    "alerts.msg.breach.body": {
        "en": "{customer} — {promise_type} (promise #{promise_id}) was due {due} and is still open.\n"
              "Fulfil it now and tell the customer; the policy's compensation may be owed. Your manager will be told "
              "if it stays open.",
        "zh": "{customer}——{promise_type}（承诺 #{promise_id}）已于 {due} 到期，仍未兑现。\n"
              "请立即兑现并告知客户；按承诺规则可能需要补偿。若仍未处理，将通知您的主管。"},
    "alerts.msg.escalation.subject": {"en": "[Kehu] Escalation: {owner}'s promise to {customer} is overdue",
                                      "zh": "【客户】升级处理：{owner} 对 {customer} 的承诺已超时"},
    "alerts.msg.escalation.body": {
        "en": "{owner}'s promise to {customer} — {promise_type} (promise #{promise_id}) — was due {due} and is "
              "still open.\nPlease step in: make sure the customer is served and told, and that any compensation "
              "is given.",
        "zh": "{owner} 对 {customer} 的承诺——{promise_type}（承诺 #{promise_id}）——已于 {due} 到期，仍未兑现。\n"
              "请介入处理：确保客户得到服务和答复，并落实应给的补偿。"},
    "alerts.msg.complaint.subject": {"en": "[Kehu] Complaint from {customer} (green channel)",
                                     "zh": "【客户】客户投诉（绿色通道）：{customer}"},
    "alerts.msg.complaint.body": {
        "en": "{customer} complained by {complaint_channel}: “{description}”\n"
              "Green channel: to the general manager's office by {gm_due}, a reply to the customer by {reply_due}. "
              "Owner: {owner}.",
        "zh": "{customer} 通过{complaint_channel}投诉：“{description}”\n"
              "绿色通道：须于 {gm_due} 前上报总经理办公室，于 {reply_due} 前答复客户。负责人：{owner}。"},
    "alerts.msg.compensation_due.subject": {"en": "[Kehu] Compensation owed to {customer}",
                                            "zh": "【客户】应给客户的补偿：{customer}"},
    "alerts.msg.compensation_due.body": {
        "en": "{customer} is owed {remedy} ({cost}) for {promise_type} (promise #{promise_id}, due {due}).\n"
              "Please give it and record the delivery on the Promises page.",
        "zh": "{customer} 因{promise_type}（承诺 #{promise_id}，{due} 到期）应获补偿：{remedy}（{cost}）。\n"
              "请尽快兑现，并在“时限承诺”页记录已交付。"},
    "alerts.msg.weekly_report.subject": {"en": "[Kehu] Weekly management report {week}",
                                         "zh": "【客户】每周管理报告 {week}"},
    "alerts.msg.weekly_report.body": {
        "en": "The management report for the analysis date {as_of} is attached (PDF).",
        "zh": "附件为分析日期 {as_of} 的管理报告（PDF）。"},
    "alerts.msg.weekly_report_html.subject": {"en": "[Kehu] Weekly management report {week}",
                                              "zh": "【客户】每周管理报告 {week}"},
    "alerts.msg.weekly_report_html.body": {
        "en": "The management report for the analysis date {as_of} is attached as an HTML document: the PDF could "
              "not be made on the server (it needs Chromium and a Chinese font). Open the file in a browser; it has "
              "the figures but not the charts.",
        "zh": "附件为分析日期 {as_of} 的管理报告（网页文件）：服务器上无法生成 PDF（需要 Chromium 浏览器和中文字体）。"
              "请用浏览器打开该文件；其中有各项数字，但没有图表。"},
    "alerts.msg.test.subject": {"en": "[Kehu] Test message", "zh": "【客户】测试消息"},
    "alerts.msg.test.body": {"en": "This is a test message from Kehu's alerts ({channel}). It arrived: the channel "
                                   "works.",
                             "zh": "这是客户系统提醒功能发出的测试消息（{channel}）。收到即说明该渠道可用。"},
    # -- the Admin page's section ----------------------------------------------------------------------
    "alerts.title": {"en": "Alerts", "zh": "提醒通知"},
    "alerts.intro": {
        "en": "Promise warnings, breaches, escalations to the manager, green-channel complaints and the compensation "
              "owed reach the people concerned by e-mail and group robots, each once; outside business hours they "
              "wait for the next opening. The weekly management report goes to the addresses below.",
        "zh": "承诺预警、超时、向主管升级、绿色通道投诉和应给的补偿，会通过电子邮件和群机器人通知相关人员，每条只发一次；"
              "非工作时间产生的提醒会等到下一个工作时段再发。每周管理报告发送到下方设置的邮箱。"},
    "alerts.channels": {"en": "Channels", "zh": "发送渠道"},
    "alerts.no_channels": {"en": "No channel yet: alerts are not sent until one is added.",
                           "zh": "还没有发送渠道：添加渠道之前不会发出任何提醒。"},
    "alerts.add_channel": {"en": "Add a channel", "zh": "添加渠道"},
    "alerts.add_button": {"en": "Add", "zh": "添加"},
    "alerts.pick_channel": {"en": "Change a channel", "zh": "修改渠道"},
    "alerts.save": {"en": "Save", "zh": "保存"},
    "alerts.channel_saved": {"en": "Channel saved.", "zh": "渠道已保存。"},
    "alerts.secret_kept": {"en": "•••• (kept if left empty)", "zh": "••••（留空则保持不变）"},
    "alerts.secret_help": {"en": "The robot's signing secret (加签), if its security setting uses one.",
                           "zh": "机器人安全设置中的加签密钥（如已启用）。"},
    "alerts.url_help.wecom": {"en": "The group robot's webhook address (…/cgi-bin/webhook/send?key=…).",
                              "zh": "群机器人的网络钩子地址（…/cgi-bin/webhook/send?key=…）。"},
    "alerts.url_help.dingtalk": {"en": "The custom robot's webhook address (…/robot/send?access_token=…).",
                                 "zh": "自定义机器人的网络钩子地址（…/robot/send?access_token=…）。"},
    "alerts.url_help.feishu": {"en": "The custom bot's webhook address (…/open-apis/bot/v2/hook/…).",
                               "zh": "自定义机器人的网络钩子地址（…/open-apis/bot/v2/hook/…）。"},
    "alerts.kind.email": {"en": "E-mail (SMTP)", "zh": "电子邮件"},
    "alerts.kind.wecom": {"en": "WeCom group robot", "zh": "企业微信群机器人"},
    "alerts.kind.dingtalk": {"en": "DingTalk robot", "zh": "钉钉机器人"},
    "alerts.kind.feishu": {"en": "Feishu / Lark bot", "zh": "飞书机器人"},
    "alerts.field.host": {"en": "Mail server", "zh": "邮件服务器"},
    "alerts.field.port": {"en": "Port", "zh": "端口"},
    "alerts.field.security": {"en": "Security", "zh": "加密方式"},
    "alerts.field.user": {"en": "User name", "zh": "用户名"},
    "alerts.field.password": {"en": "Password", "zh": "密码"},
    "alerts.field.sender": {"en": "Sender address", "zh": "发件人地址"},
    "alerts.field.url": {"en": "Webhook address", "zh": "网络钩子地址"},
    "alerts.field.secret": {"en": "Signing secret", "zh": "加签密钥"},
    "alerts.security.none": {"en": "None", "zh": "不加密"},
    "alerts.security.starttls": {"en": "STARTTLS", "zh": "明文升级加密"},
    "alerts.security.ssl": {"en": "SSL/TLS", "zh": "全程加密"},
    "alerts.test_address": {"en": "Send a test message to (e-mail address)", "zh": "测试消息收件邮箱"},
    "alerts.test_mobile": {"en": "Mobile to @-mention in the test (optional)", "zh": "测试消息中提及的手机号（可不填）"},
    "alerts.send_test": {"en": "Send a test message", "zh": "发送测试消息"},
    "alerts.test_sent": {"en": "The test message went out through {channel}.", "zh": "测试消息已通过“{channel}”发出。"},
    "alerts.test_failed": {"en": "{channel} did not take the test message: {error}",
                           "zh": "“{channel}”未能发出测试消息：{error}"},
    "alerts.contacts": {"en": "Contacts", "zh": "通知对象"},
    "alerts.owners_without_contact": {
        "en": "{count} {count!p:person who owns|people who own} open promises {count!p:has|have} no contact here, "
              "so their alerts reach nobody: {names}",
        "zh": "有 {count} 位承诺负责人尚未登记联系方式，他们的提醒无法送达：{names}",
    },
    "alerts.owners_without_manager": {
        "en": "{count} {count!p:owner has|owners have} no manager here, so an overdue promise is not escalated "
              "and a complaint reaches only the owner: {names}",
        "zh": "有 {count} 位承诺负责人未填写主管，超时承诺不会升级、投诉只通知本人：{names}",
    },
    "alerts.contacts_help": {
        "en": "One row a person, named as promises name their owner (the sales-rep code). Alerts go to the e-mail "
              "address; group robots @-mention the mobile; escalations and complaints also go to the manager.",
        "zh": "每人一行，人员名称与承诺的负责人一致（业务员代码）。提醒发送到电子邮箱；群机器人会提及手机号；"
              "升级和投诉还会通知其主管。"},
    "alerts.save_contacts": {"en": "Save contacts", "zh": "保存通知对象"},
    "alerts.contacts_saved": {"en": "Contacts saved.", "zh": "通知对象已保存。"},
    "alerts.weekly_report": {"en": "Weekly management report", "zh": "每周管理报告"},
    "alerts.weekly_report_help": {
        "en": "Sent by e-mail (the first e-mail channel) on Monday at 08:30, or at the opening of the week's first "
              "working day after a holiday; once a week.",
        "zh": "每周一 08:30 通过电子邮件（第一个邮件渠道）发送；如逢节假日，则在该周第一个工作日上班时发送；每周一次。"},
    "alerts.report_addresses": {"en": "Addresses", "zh": "收件邮箱"},
    "alerts.report_addresses_help": {"en": "One e-mail address a line.", "zh": "每行一个电子邮箱。"},
    "alerts.report_language": {"en": "Language of the report", "zh": "报告语言"},
    "alerts.report_saved": {"en": "Weekly report recipients saved.", "zh": "每周报告收件人已保存。"},
    "alerts.recent": {"en": "Recent alerts", "zh": "最近的提醒"},
    "alerts.col.channel": {"en": "Channel", "zh": "渠道"},
    "alerts.col.kind": {"en": "Kind", "zh": "类型"},
    "alerts.col.settings": {"en": "Settings", "zh": "设置"},
    "alerts.col.enabled": {"en": "Enabled", "zh": "启用"},
    "alerts.col.person": {"en": "Person", "zh": "人员"},
    "alerts.col.email": {"en": "E-mail", "zh": "电子邮箱"},
    "alerts.col.mobile": {"en": "Mobile", "zh": "手机号"},
    "alerts.col.manager": {"en": "Manager", "zh": "主管"},
    "alerts.col.language": {"en": "Language", "zh": "语言"},
    "alerts.col.created_at": {"en": "Queued", "zh": "生成时间"},
    "alerts.col.recipient": {"en": "Recipient", "zh": "接收人"},
    "alerts.col.status": {"en": "Status", "zh": "状态"},
    "alerts.col.attempts": {"en": "Attempts", "zh": "尝试次数"},
    "alerts.col.next_attempt_at": {"en": "Next try", "zh": "下次发送"},
    "alerts.col.sent_at": {"en": "Sent", "zh": "发送时间"},
    "alerts.col.last_error": {"en": "Last error", "zh": "最近错误"},
    "alerts.alert_kind.warning_1": {"en": "Warning 1", "zh": "一级预警"},
    "alerts.alert_kind.warning_2": {"en": "Warning 2", "zh": "二级预警"},
    "alerts.alert_kind.breach": {"en": "Broken", "zh": "已超时"},
    "alerts.alert_kind.escalation": {"en": "Escalation", "zh": "升级主管"},
    "alerts.alert_kind.complaint": {"en": "Complaint", "zh": "投诉"},
    "alerts.alert_kind.compensation_due": {"en": "Compensation owed", "zh": "应给补偿"},
    "alerts.alert_kind.weekly_report": {"en": "Weekly report", "zh": "每周报告"},
    "alerts.alert_kind.test": {"en": "Test", "zh": "测试"},
    "alerts.status.pending": {"en": "Waiting", "zh": "待发送"},
    "alerts.status.sent": {"en": "Sent", "zh": "已发送"},
    "alerts.status.failed": {"en": "Failed", "zh": "失败"},
    # -- errors -------------------------------------------------------------------------------------
    "alerts.err.kind": {"en": "Choose e-mail, WeCom, DingTalk or Feishu.", "zh": "请选择电子邮件、企业微信、钉钉或飞书。"},
    "alerts.err.channel_name": {"en": "Give the channel a name (at most {max} characters).",
                                "zh": "请填写渠道名称（最多 {max} 个字符）。"},
    "alerts.err.channel_exists": {"en": "A channel named “{name}” exists already.", "zh": "已有名为“{name}”的渠道。"},
    "alerts.err.smtp_host": {"en": "Enter the mail server's address.", "zh": "请填写邮件服务器地址。"},
    "alerts.err.smtp_port": {"en": "The port is a number from 1 to 65535.", "zh": "端口应为 1 到 65535 之间的数字。"},
    "alerts.err.email": {"en": "“{address}” is not an e-mail address.", "zh": "“{address}”不是有效的电子邮件地址。"},
    "alerts.err.webhook_url": {"en": "Paste the robot's webhook address (it starts with https://).",
                               "zh": "请粘贴机器人的网络钩子地址（以 https:// 开头）。"},
    "alerts.err.person": {"en": "Each contact needs a person (the owner name as promises show it, at most {max} "
                                "characters).",
                          "zh": "每位联系人都需要填写人员（与承诺负责人一致，最多 {max} 个字符）。"},
    "alerts.err.mobile": {"en": "“{mobile}” is not a mobile number.", "zh": "“{mobile}”不是有效的手机号码。"},
    "alerts.err.own_manager": {"en": "{person} cannot be their own manager.", "zh": "{person} 不能是自己的主管。"},
    "alerts.err.duplicate_person": {"en": "{person} is listed twice.", "zh": "{person} 出现了两次。"},
    "alerts.err.language": {"en": "Choose 中文 or English.", "zh": "请选择中文或英文。"},
}
