"""Texts of sign-in, roles, the audit log, backup and restore."""

MESSAGES = {
    "page.admin": {"en": "Admin", "zh": "系统管理"},
    "intro.admin": {
        "en": "Who did what and when: every edit, import, export and sign-in is in the audit log. Admins also "
              "manage accounts, see how the scheduled jobs ran, and make or restore backups of the whole store.",
        "zh": "谁在什么时候做了什么：每一次修改、导入、导出和登录都记录在审计日志中。管理员还可以管理账号、"
              "查看计划任务的运行情况，以及备份和恢复整个数据库。"},
    "auth.sign_in_title": {"en": "Sign in to Kehu", "zh": "登录客户管理系统"},
    "auth.user_name": {"en": "User name", "zh": "用户名"},
    "auth.password": {"en": "Password", "zh": "密码"},
    "auth.sign_in": {"en": "Sign in", "zh": "登录"},
    "auth.sign_in_sso": {"en": "Sign in with single sign-on", "zh": "使用单点登录"},
    "auth.sign_out": {"en": "Sign out", "zh": "退出登录"},
    "auth.signed_in_as": {"en": "Signed in as {name} ({role})", "zh": "当前用户：{name}（{role}）"},
    "auth.wrong_credentials": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "auth.too_many_attempts": {
        "en": "Too many failed sign-ins for this user name or from this address. Try again after {until}.",
        "zh": "该用户名或该地址的登录失败次数过多，请在 {until} 之后再试。"},
    "err.no_accounts_on_network": {
        "en": "Kehu is listening on a network address but no accounts are configured, so it will not serve "
              "anyone. Add accounts with `python -m crm_core user add NAME --role manager`, or run it on "
              "localhost only (`--server.address 127.0.0.1`).",
        "zh": "系统正在网络地址上监听，但尚未配置任何账号，因此拒绝提供服务。请用 "
              "`python -m crm_core user add 用户名 --role manager` 添加账号，或只在本机运行"
              "（`--server.address 127.0.0.1`）。"},
    "err.no_audit_permission": {"en": "Only admins and managers may read the audit log.",
                                "zh": "只有管理员和经理可以查看审计日志。"},
    "err.admin_only": {"en": "Only admins may do this.", "zh": "只有管理员可以执行此操作。"},
    "role.admin": {"en": "admin", "zh": "管理员"},
    "role.manager": {"en": "manager", "zh": "经理"},
    "role.analyst": {"en": "analyst", "zh": "分析员"},
    "role.rep": {"en": "sales rep", "zh": "业务员"},
    "role.viewer": {"en": "viewer", "zh": "只读用户"},
    "admin.audit_log": {"en": "Audit log", "zh": "审计日志"},
    "admin.since": {"en": "Since", "zh": "起始日期"},
    "admin.who": {"en": "User", "zh": "用户"},
    "admin.action": {"en": "Action", "zh": "操作"},
    "admin.entries": {"en": "{count} entries", "zh": "共 {count} 条记录"},
    "admin.accounts": {"en": "Accounts", "zh": "账号"},
    "admin.display_name": {"en": "Display name", "zh": "显示名称"},
    "admin.role": {"en": "Role", "zh": "角色"},
    "admin.accounts_help": {
        "en": "Accounts live in the store (passwords only as argon2 hashes). Those listed in {path} are kept "
              "there and follow the file whenever it changes; the others are managed here.",
        "zh": "账号保存在数据库中（密码只保存 argon2 哈希值）。{path} 中列出的账号由该文件维护，文件一改即随之更新；"
              "其余账号在此管理。"},
    "admin.backup": {"en": "Backup and restore", "zh": "备份与恢复"},
    "admin.make_backup": {"en": "Make a backup now", "zh": "立即备份"},
    "admin.backup_done": {"en": "Backup written to {path}.", "zh": "已备份到 {path}。"},
    "admin.restore_from": {"en": "Restore from a backup file", "zh": "从备份文件恢复"},
    "admin.restore_team_help": {
        "en": "Team mode: a backup made with “Make a backup now” (a .dump file). Writes pause while it is "
              "restored; every app process then reloads its copy of the data.",
        "zh": "团队模式：请选择用“立即备份”生成的备份（.dump 文件）。恢复期间暂停写入；完成后每个应用进程都会重新载入数据副本。"},
    "admin.restore": {"en": "Restore (replaces all current data)", "zh": "恢复（将替换当前全部数据）"},
    "col.entity": {"en": "What", "zh": "对象"},
    "col.entity_id": {"en": "ID", "zh": "编号"},
}
