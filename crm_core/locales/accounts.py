"""Texts of accounts and sessions: the sign-in page, the sidebar, the Admin page's accounts section."""

MESSAGES = {
    # signing in and out
    "auth.please_sign_in": {"en": "Sign in to continue.", "zh": "请先登录。"},
    "auth.session_ended": {
        "en": "Your session has ended (it expired, you signed out elsewhere, or your account was changed). "
              "Please sign in again.",
        "zh": "您的会话已结束（已过期、在其他地方退出，或账号已被更改）。请重新登录。"},
    "auth.signed_out": {"en": "You have signed out on every device.", "zh": "您已在所有设备上退出登录。"},
    "auth.go_to_sign_in": {"en": "Go to sign-in", "zh": "前往登录"},
    "auth.too_long": {
        "en": "The user name or password is too long (at most {name_max} and {password_max} characters).",
        "zh": "用户名或密码过长（最多分别为 {name_max} 个和 {password_max} 个字符）。"},
    "auth.form_expired": {"en": "The sign-in form had expired. Please try again.",
                          "zh": "登录表单已过期，请重试。"},
    "auth.change_password": {"en": "Change my password", "zh": "修改我的密码"},
    "auth.current_password": {"en": "Current password", "zh": "当前密码"},
    "auth.new_password": {"en": "New password", "zh": "新密码"},
    "auth.password_changed": {
        "en": "Password changed. Every session of this account has ended: sign in with the new password.",
        "zh": "密码已修改，此账号的所有会话均已结束，请用新密码登录。"},
    "err.accounts_file": {
        "en": "Sign-in is unavailable: the accounts file cannot be read. Please tell the administrator.",
        "zh": "暂时无法登录：账号文件无法读取。请联系管理员。"},
    # the Admin page
    "accounts.none": {"en": "No accounts yet.", "zh": "还没有账号。"},
    "accounts.rep_codes": {"en": "Sales-rep codes", "zh": "业务员代码"},
    "accounts.rep_codes_help": {
        "en": "For a sales rep: the 业务员 values of the customers this person owns, separated by commas "
              "(empty: the user name).",
        "zh": "仅对业务员有效：此人负责的客户的“业务员”取值，用逗号分隔（留空则为用户名）。"},
    "accounts.enabled": {"en": "Active", "zh": "启用"},
    "accounts.managed_by": {"en": "Kept in", "zh": "维护位置"},
    "accounts.managed_by.file": {"en": "users.toml", "zh": "账号文件"},
    "accounts.managed_by.admin": {"en": "Admin page", "zh": "管理页面"},
    "accounts.create": {"en": "Create an account", "zh": "新建账号"},
    "accounts.create_button": {"en": "Create", "zh": "创建"},
    "accounts.created": {"en": "Account {name} created.", "zh": "已创建账号 {name}。"},
    "accounts.edit": {"en": "Change an account", "zh": "修改账号"},
    "accounts.pick": {"en": "Account", "zh": "账号"},
    "accounts.save": {"en": "Save changes", "zh": "保存修改"},
    "accounts.saved": {"en": "Saved. The change applies on the user's next click.",
                       "zh": "已保存。该用户下一次操作时即生效。"},
    "accounts.unchanged": {"en": "Nothing to change.", "zh": "没有需要修改的内容。"},
    "accounts.reset_password": {"en": "Set a new password", "zh": "设置新密码"},
    "accounts.password_reset_done": {
        "en": "New password set; every session of this account has ended.",
        "zh": "已设置新密码，此账号的所有会话均已结束。"},
    "accounts.disable": {"en": "Disable (signs the user out everywhere)", "zh": "停用（该用户将在所有设备上退出）"},
    "accounts.enable": {"en": "Enable", "zh": "启用"},
    "accounts.disabled_done": {"en": "Account disabled.", "zh": "账号已停用。"},
    "accounts.enabled_done": {"en": "Account enabled.", "zh": "账号已启用。"},
    "accounts.managed_in_file_note": {
        "en": "This account is kept in users.toml: change it there (the app applies the file on the next click).",
        "zh": "此账号由账号文件维护，请在文件中修改（系统会在下一次操作时应用该文件）。"},
    "accounts.err.name": {
        "en": "A user name has 1 to {max} characters, no spaces at either end and no control characters.",
        "zh": "用户名为 1 到 {max} 个字符，首尾不能有空格，也不能含控制字符。"},
    "accounts.err.password": {"en": "A password has {min} to {max} characters.",
                              "zh": "密码长度为 {min} 到 {max} 个字符。"},
    "accounts.err.role": {"en": "Choose one of the roles.", "zh": "请选择一个角色。"},
    "accounts.err.display_name": {"en": "A display name has at most {max} characters.",
                                  "zh": "显示名称最多 {max} 个字符。"},
    "accounts.err.rep_codes": {
        "en": "At most {max} sales-rep codes, each at most {length} characters.",
        "zh": "业务员代码最多 {max} 个，每个最多 {length} 个字符。"},
    "accounts.err.no_such_account": {"en": "There is no such account.", "zh": "没有这个账号。"},
    "accounts.err.managed_in_file": {
        "en": "This account is kept in users.toml; change it there.",
        "zh": "此账号由账号文件维护，请在文件中修改。"},
    "accounts.err.last_admin": {
        "en": "This is the last active admin: make another admin first.",
        "zh": "这是最后一个启用的管理员，请先设置另一位管理员。"},
    "accounts.err.name_taken": {"en": "That user name is taken.", "zh": "该用户名已被使用。"},
    "accounts.err.wrong_password": {"en": "The current password is wrong.", "zh": "当前密码不正确。"},
}
