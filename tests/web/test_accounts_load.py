"""A province's accounts from a CSV (manage.py load_accounts), and the page where their owners change
the first password they were given (/password/)."""

import io
import os
import stat
from datetime import date

import pytest
from django.core.management import call_command

from chitieu.approval import Role
from web.accounts.models import User
from web.core.models import AuditEntry
from web.data.management.cli import SYSTEM_USERNAME
from web.orgs.models import OrgUnit, UnitKind

HEADER = "username,full_name,email,role,unit\n"


def run(*args):
    """(exit code, stdout, stderr) of load_accounts."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("load_accounts", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def units(db):
    province = OrgUnit.objects.create(name="Quảng Ngãi", kind=UnitKind.PROVINCE, code="51")
    commune = OrgUnit.objects.create(
        name="Xã Đăk Ruồng", kind=UnitKind.COMMUNE, code="23500", parent=province
    )
    OrgUnit.objects.create(
        name="Huyện Kon Rẫy", kind=UnitKind.DISTRICT, code="613", valid_to=date(2025, 6, 30)
    )
    return province, commune


def write(tmp_path, text: str):
    path = tmp_path / "tai-khoan.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_accounts_are_created_with_their_role_unit_and_a_first_password(units, tmp_path):
    province, commune = units
    path = write(
        tmp_path,
        HEADER
        + "quantri.tinh,Nguyễn Văn An,an@quangngai.gov.vn,administrator,\n"
        + "dieuphoi.tinh,Trần Thị Bình,,Điều phối,51\n"
        + "xa.dakruong,Lê Văn Cường,,NGƯỜI BÁO CÁO,23500\n"
        + "lanhdao.tinh,,,nguoi xem,51\n",
    )
    code, out, err = run(path)
    assert code == 0, err
    made = {u.username: u for u in User.objects.exclude(username=SYSTEM_USERNAME)}
    assert {name: made[name].chitieu_role for name in made} == {
        "quantri.tinh": Role.ADMINISTRATOR,
        "dieuphoi.tinh": Role.COORDINATOR,
        "xa.dakruong": Role.REPORTER,
        "lanhdao.tinh": Role.VIEWER,
    }
    assert made["dieuphoi.tinh"].org_unit == province and made["xa.dakruong"].org_unit == commune
    assert made["quantri.tinh"].email == "an@quangngai.gov.vn"
    assert made["xa.dakruong"].get_full_name() == "Lê Văn Cường"
    passwords = dict(line.split("\t") for line in out.splitlines() if "\t" in line)
    assert set(passwords) == set(made)
    assert all(made[name].check_password(password) for name, password in passwords.items())
    assert len(set(passwords.values())) == 4 and all(len(p) == 12 for p in passwords.values())
    assert "Đã tạo 4 tài khoản mới; 0 tài khoản đã có" in out
    assert AuditEntry.objects.filter(action="user_create").count() == 4


def test_loading_again_keeps_the_accounts_and_their_passwords(units, tmp_path):
    path = write(tmp_path, HEADER + "dieuphoi.tinh,,,coordinator,51\n")
    _code, out, _err = run(path)
    first = out.split("\t")[1].split("\n")[0]
    more = HEADER + "dieuphoi.tinh,,,coordinator,51\nxa.dakruong,,,reporter,23500\n"
    path.write_text(more, encoding="utf-8")
    code, out, _err = run(path)
    assert code == 0 and "Đã tạo 1 tài khoản mới; 1 tài khoản đã có, giữ nguyên." in out
    assert "dieuphoi.tinh" not in out
    assert User.objects.get(username="dieuphoi.tinh").check_password(first)


def test_every_bad_line_is_named_and_no_account_is_created(units, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "tot,,,coordinator,51\n"
        + "xa.a,,,chủ tịch,23500\n"
        + "xa.b,,,reporter,99999\n"
        + "huyen.c,,,coordinator,613\n"
        + "tot,,,viewer,51\n"
        + "xa.d,,khong-phai-thu,reporter,23500\n"
        + "xa.e,,,reporter,\n"
        + "xa f,,,reporter,23500\n"
        + ",,,reporter,23500\n",
    )
    code, out, err = run(path)
    assert code == 1 and not out
    for line, words in [
        (3, "vai trò không hợp lệ: 'chủ tịch'"),
        (4, "không tìm thấy đơn vị có mã '99999'"),
        (5, "đã giải thể ngày 30/06/2025"),
        (6, "trùng với dòng 2"),
        (7, "thư điện tử không hợp lệ"),
        (8, "thiếu mã đơn vị"),
        (9, "chỉ được có chữ, số"),
        (10, "thiếu tên đăng nhập"),
    ]:
        assert f"dòng {line}: " in err and words in err, (line, err)
    assert "Traceback" not in err and not User.objects.exists()


def test_first_passwords_go_to_a_new_file_only_its_owner_reads(units, tmp_path):
    path = write(tmp_path, HEADER + "dieuphoi.tinh,,,coordinator,51\n")
    secret = tmp_path / "mat-khau.csv"
    code, out, _err = run(path, "--passwords", secret)
    assert code == 0 and "\t" not in out and str(secret) in out
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    header, line = secret.read_text(encoding="utf-8").splitlines()
    assert header == "username,password"
    username, password = line.split(",")
    assert User.objects.get(username=username).check_password(password)
    # An existing file is never overwritten: the command stops before creating anything.
    path.write_text(HEADER + "xa.dakruong,,,reporter,23500\n", encoding="utf-8")
    code, _out, err = run(path, "--passwords", secret)
    assert code == 1 and "đã có" in err and not User.objects.filter(username="xa.dakruong").exists()


def test_a_failed_load_leaves_no_password_file(units, tmp_path):
    path = write(tmp_path, HEADER + "xa.b,,,reporter,99999\n")
    secret = tmp_path / "mat-khau.csv"
    code, _out, _err = run(path, "--passwords", secret)
    assert code == 1 and not secret.exists()


def test_the_owner_changes_the_first_password(units, client, tmp_path):
    _code, out, _err = run(write(tmp_path, HEADER + "xa.dakruong,,,báo cáo,23500\n"))
    first = out.split("\t")[1].split("\n")[0]
    assert client.get("/password/").status_code == 302  # logged out: to the log-in page
    logged_in = client.post("/login/", {"username": "xa.dakruong", "password": first})
    assert logged_in.status_code == 302
    page = client.get("/", follow=True).content.decode()
    assert 'href="/password/"' in page and "Đổi mật khẩu" in page
    form = client.get("/password/").content.decode()
    assert "Đổi mật khẩu của bạn" in form
    wrong = client.post(
        "/password/", {"old_password": "sai", "new_password1": "Xa-2026-moi", "new_password2": "Xa-2026-moi"}
    )
    assert wrong.status_code == 200 and "Mật khẩu chưa được đổi" in wrong.content.decode()
    done = client.post(
        "/password/", {"old_password": first, "new_password1": "Xa-2026-moi", "new_password2": "Xa-2026-moi"}
    )
    assert done.status_code == 302 and done["Location"] == "/password/done/"
    assert "Đã đổi mật khẩu" in client.get("/password/done/").content.decode()
    assert User.objects.get(username="xa.dakruong").check_password("Xa-2026-moi")


def test_a_provinces_units_then_its_accounts(db, tmp_path):
    """A new deployment: its units from a CSV (parents first), then the accounts that work in them."""
    units = tmp_path / "don-vi.csv"
    units.write_text(
        "code,name,kind,parent_code\n51,Tỉnh Quảng Ngãi,province,\n23500,Xã Đăk Ruồng,commune,51\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("load_units", str(units), stdout=out, stderr=err)
    assert "Đã tạo 2 đơn vị mới; 0 đơn vị đã có" in out.getvalue()
    assert OrgUnit.objects.get(code="23500").parent == OrgUnit.objects.get(code="51")
    call_command("load_units", str(units), stdout=out, stderr=err)
    assert "Đã tạo 0 đơn vị mới; 2 đơn vị đã có, giữ nguyên." in out.getvalue()
    units.write_text("code,name,kind,parent_code\n99,Tỉnh X,tinh,\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("load_units", str(units), stdout=out, stderr=err)
    assert "dòng 2: loại đơn vị không hợp lệ: 'tinh'" in err.getvalue()
    code, _out, err = run(write(tmp_path, HEADER + "xa.dakruong,,,reporter,23500\n"))
    assert code == 0 and User.objects.get(username="xa.dakruong").org_unit.code == "23500"
