"""Texts of alerts: the messages people receive, and the Admin page's alerts section."""

MESSAGES = {
    # -- the messages (subject, body); {person} is the recipient ------------------------------------
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
