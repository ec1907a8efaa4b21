"""Demo accounts: one per role at realistic hubs of the sample Takatsuki network."""

DEMO_PASSWORD = "tsunagu-demo-2026"  # noqa: S105 - published demo password; seed_demo refuses production

# username, family name, given name, [(hub code, role), ...]
DEMO_USERS = [
    ("desk_staff", "山田", "花子", [("desk", "staff")]),
    ("desk_manager", "佐藤", "健一", [("desk", "manager")]),
    ("houkatsu_staff", "鈴木", "美穂", [("houkatsu-01", "staff")]),
    ("csw", "中村", "さくら", [("shakyo", "csw")]),
    ("coordinator", "高橋", "誠", [("shakyo", "coordinator")]),
    ("shakyo_manager", "渡辺", "洋子", [("shakyo", "manager")]),
    ("disability_staff", "伊藤", "大輔", [("disability-core", "staff")]),
    ("volunteer", "井上", "和子", [("corner-01", "volunteer")]),
    ("dual_role", "小林", "直樹", [("shakyo", "csw"), ("desk", "staff")]),
]
